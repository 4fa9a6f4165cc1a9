"""Prints two IPv4 addresses: the router's (argv[1], a name) and this
replica's as the router sees it, the source address of a route to it.

A worker subscribes to the router with the address the router is to
connect back to; uWSGI sends the one in --socket as is and does not
resolve names in --subscribe-to, so both must be addresses. On lxc every
service shares the instance's network (the router is 127.0.0.1, and so is
the replica); on docker each replica is a container of its own."""
import socket
import sys

router = socket.gethostbyname(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((router, 9))  # UDP connect sends nothing: it only picks the route
print(router, s.getsockname()[0])
