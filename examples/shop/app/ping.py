"""Health check: exit 0 when the kv server at HOST PORT answers PING."""
import socket
import sys

with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as s:
    s.sendall(b"PING\n")
    sys.exit(0 if s.recv(64).startswith(b"PONG") else 1)
