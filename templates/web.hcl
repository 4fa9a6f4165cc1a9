# devbox.hcl: a web app with a database and a cache.
#
# Comes up offline on the debian/12 base image on both backends: each
# service is a small Python program written inline below (python3 is in the
# base image), so nothing is downloaded. Swap the commands for your own; the
# project directory is mounted read-only at /srv/app in the web service.
#
#   devbox up                      # lxc: one system container, a unit per service
#   devbox up --backend docker     # docker: one container per service
#   curl http://127.0.0.1:8080/    # the web service, forwarded to the host
#   devbox status | logs -f | down | destroy

# project = "myapp"    # default: the directory name
backend = "lxc"        # or "docker"; --backend and $DEVBOX_BACKEND override it
image   = "debian/12"  # Incus alias debian/12, Docker image debian:12

variable "web_port" {
  description = "host port of the web service (devbox up --var web_port=9090)"
  default     = 8080
}

# A tiny line-protocol key/value server standing in for the database and
# the cache: PING, SET k v, GET k, INCR k. With a data directory (argv 3)
# values are kept in files there, so the db's volume keeps them.
variable "kv_server" {
  default = <<-PY
    import os, socketserver, sys
    name, port = sys.argv[1], int(sys.argv[2])
    datadir = sys.argv[3] if len(sys.argv) > 3 else ""
    store = {}
    def load(k):
        p = os.path.join(datadir, k)
        if k not in store and datadir and os.path.exists(p):
            store[k] = open(p).read()
        return store.get(k, "")
    def save(k, v):
        store[k] = v
        if datadir:
            with open(os.path.join(datadir, k), "w") as f:
                f.write(v)
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            for raw in self.rfile:
                cmd, *args = raw.decode().split() or [""]
                cmd = cmd.upper()
                if cmd == "PING":
                    out = "PONG " + name
                elif cmd == "SET" and len(args) == 2:
                    save(args[0], args[1]); out = "OK"
                elif cmd == "GET" and len(args) == 1:
                    out = load(args[0])
                elif cmd == "INCR" and len(args) == 1:
                    out = str(int(load(args[0]) or 0) + 1); save(args[0], out)
                else:
                    out = "ERR"
                self.wfile.write((out + "\n").encode())
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("0.0.0.0", port), Handler) as srv:
        print(name, "listening on", port, flush=True)
        srv.serve_forever()
  PY
}

# Health check for the key/value servers: exit 0 when PING answers PONG.
variable "kv_ping" {
  default = <<-PY
    import socket, sys
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2) as s:
        s.sendall(b"PING\n")
        sys.exit(0 if s.recv(64).startswith(b"PONG") else 1)
  PY
}

# The web app. It finds the db and the cache through devbox's discovery
# variables (DB_HOST, DB_PORT_5432_TCP_PORT, ...), the same on both backends.
variable "web_app" {
  default = <<-PY
    import http.server, json, os, socket, socketserver
    def ask(prefix, port, line):
        host = os.environ[prefix + "_HOST"]
        port = os.environ.get("%s_PORT_%d_TCP_PORT" % (prefix, port), str(port))
        with socket.create_connection((host, int(port)), timeout=2) as s:
            s.sendall((line + "\n").encode())
            return s.makefile().readline().strip()
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({
                "greeting": os.environ.get("GREETING", ""),
                "db": ask("DB", 5432, "PING"),
                "cache": ask("CACHE", 6379, "PING"),
                "visits": int(ask("DB", 5432, "INCR visits")),
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    class Server(http.server.ThreadingHTTPServer):
        def server_bind(self):
            # Skip HTTPServer's reverse DNS lookup of the bind address: it
            # waits for the resolver's timeout when the machine is offline.
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = "web", self.server_address[1]
    srv = Server(("0.0.0.0", 8080), Handler)
    print("web listening on 8080", flush=True)
    srv.serve_forever()
  PY
}

network "lan" { mode = "nat" }     # a private bridge with outbound NAT

mount "src" {                      # the project directory
  source    = "."
  target    = "/srv/app"
  read_only = true
}

volume "dbdata" {}                 # survives down and destroy (destroy --volumes removes it)

service "db" {
  command  = ["python3", "-c", var.kv_server, "db", "5432", "/var/lib/appdb"]
  env      = { ROLE = "database" }
  port "db" { port = 5432 }
  volumes  = { dbdata = "/var/lib/appdb" }
  networks = ["lan"]
  health {
    command  = ["python3", "-c", var.kv_ping, "5432"]
    interval = "500ms"
  }
}

service "cache" {
  command  = ["python3", "-c", var.kv_server, "cache", "6379"]
  port "cache" { port = 6379 }
  networks = ["lan"]
  health {
    command  = ["python3", "-c", var.kv_ping, "6379"]
    interval = "500ms"
  }
}

service "web" {
  command    = ["python3", "-c", var.web_app]
  workdir    = "/srv/app"
  env        = { GREETING = "hello from devbox" }
  port "http" {
    port = 8080
    host = var.web_port            # http://127.0.0.1:8080 on the host
  }
  mounts     = ["src"]
  networks   = ["lan"]
  depends_on = ["db", "cache"]
}
