"""The web service: finds db and cache only through devbox's discovery
variables (Docker's legacy link form), and answers with what they say."""
import http.server
import json
import os
import socket
import socketserver


def ask(host, port, line):
    with socket.create_connection((host, int(port)), timeout=2) as s:
        s.sendall((line + "\n").encode())
        return s.makefile().readline().strip()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        env = os.environ
        body = {
            "greeting": env.get("GREETING", ""),
            "db": ask(env["DB_PORT_5432_TCP_ADDR"], env["DB_PORT_5432_TCP_PORT"], "PING"),
            "cache": ask(env["CACHE_HOST"], env["CACHE_PORT_6379_TCP_PORT"], "PING"),
            "db_by_name": ask("db", 5432, "PING"),
            "db_env_role": env.get("DB_ENV_ROLE", ""),
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS lookup of the bind
        # address (socket.getfqdn) before listening; offline that waits
        # for the resolver's timeout. Bind without it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "web", self.server_address[1]


srv = Server(("0.0.0.0", 8080), Handler)
print("web listening on 8080", flush=True)
srv.serve_forever()
