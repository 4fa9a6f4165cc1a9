"""One worker replica: a WSGI app under uWSGI that answers with its index.

devbox gives every replica DEVBOX_REPLICA (1, 2, …) and DEVBOX_PORT (a port
of its own); the replica subscribes itself to the router, which is how the
router learns about replicas that `devbox scale` adds."""
import os

REPLICA = os.environ.get("DEVBOX_REPLICA", "?")


def application(environ, start_response):
    body = ("replica %s\n" % REPLICA).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
