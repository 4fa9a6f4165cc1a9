"""A tiny line-protocol key/value server standing in for a database or cache.

Commands: PING -> PONG, SET k v -> OK, GET k -> value. With a data dir,
values persist in files there (to show volumes keep data)."""
import os
import socketserver
import sys

name, port, datadir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
store = {}


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for raw in self.rfile:
            parts = raw.decode().split()
            if not parts:
                continue
            cmd, args = parts[0].upper(), parts[1:]
            if cmd == "PING":
                out = "PONG " + name
            elif cmd == "SET" and len(args) == 2:
                store[args[0]] = args[1]
                if datadir:
                    with open(os.path.join(datadir, args[0]), "w") as f:
                        f.write(args[1])
                out = "OK"
            elif cmd == "GET" and len(args) == 1:
                path = os.path.join(datadir, args[0]) if datadir else ""
                if args[0] not in store and path and os.path.exists(path):
                    store[args[0]] = open(path).read()
                out = store.get(args[0], "")
            else:
                out = "ERR"
            self.wfile.write((out + "\n").encode())


socketserver.ThreadingTCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(("0.0.0.0", port), Handler) as srv:
    print(f"{name} listening on {port}", flush=True)
    srv.serve_forever()
