# Replicas behind a router, on real servers from Debian (no image builds):
# the uWSGI FastRouter, worker replicas (uWSGI Python apps, worker.py)
# that subscribe themselves to it, and nginx in front. Each replica answers
# "replica N". The same file runs on both backends:
#   devbox up                     # lxc: one system container; units devbox-worker@1, @2
#   devbox up --backend docker    # docker: containers replicas-worker-1, -2
#   for i in 1 2 3 4; do curl -s http://127.0.0.1:18082/; done   # replica 1, replica 2, …
#   devbox scale worker=4         # two more workers, which subscribe as they start
#   devbox scale worker=1         # the extra ones unsubscribe as they stop
# Scaling touches neither the router nor nginx: the router learns of
# workers only from their subscriptions, and nginx knows only the router.
# Behind a proxy? devbox passes http_proxy/https_proxy to the package
# installs, also one on the host's loopback (http_proxy=http://127.0.0.1:3128).
project = "replicas"
backend = "lxc"
image   = "debian/12"

variable "web_port" { default = 18082 }

mount "src" {                               # this directory: worker.py, addrs.py, nginx.conf
  source    = "."
  target    = "/srv/replicas"
  read_only = true
}

service "router" {
  # The worker's packages, so docker builds one image for both.
  packages = ["uwsgi-core", "uwsgi-plugin-python3"]
  # --die-on-term: SIGTERM (what docker stop and systemd send) stops
  # uWSGI 2.0 instead of reloading it.
  command = ["uwsgi", "--plugin", "fastrouter", "--master", "--die-on-term",
    "--fastrouter", "0.0.0.0:3017", "--fastrouter-subscription-server", "0.0.0.0:2626"]
  port "uwsgi" { port = 3017 }
  port "subscribe" {
    port     = 2626
    protocol = "udp"
  }
  health {
    command  = ["nc", "-z", "127.0.0.1", "3017"]
    interval = "500ms"
    retries  = 60
  }
}

service "worker" {
  replicas = 2
  packages = ["uwsgi-core", "uwsgi-plugin-python3"]
  # Every replica listens on its own DEVBOX_PORT (on lxc they share one
  # network namespace) and subscribes under the key "worker" with the
  # address the router is to connect back to (addrs.py says why both are
  # addresses). Stopped, it unsubscribes; killed, the router drops it at
  # the first refused connection and retries another.
  command = ["sh", "-c", <<-SH
    set -- $(python3 /srv/replicas/addrs.py "$ROUTER_HOST")
    exec uwsgi --plugin python3 --master --die-on-term \
      --socket "$2:$DEVBOX_PORT" --subscribe-to "$1:2626:worker" \
      --wsgi-file /srv/replicas/worker.py
    SH
  ]
  mounts     = ["src"]
  depends_on = ["router"]
}

service "front" {
  packages = ["nginx"]
  # nginx resolves "router" once, at start; the router is never replaced
  # by scaling, so that address holds.
  command    = ["nginx", "-c", "/srv/replicas/nginx.conf", "-g", "daemon off;"]
  mounts     = ["src"]
  depends_on = ["router"]
  port "http" {
    port = 8080
    host = var.web_port    # http://127.0.0.1:18082 on the host
  }
  health {
    command  = ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/health"]
    interval = "1s"
    retries  = 60
  }
}
