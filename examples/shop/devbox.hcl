# A web app with a database and a cache, all offline-friendly: every
# service is a small Python program from ./app, run on the Debian 12 base
# image. The same file runs on both backends:
#   devbox up                     # lxc: one system container, three units
#   devbox up --backend docker    # docker: three linked containers
project = "shop"
backend = "lxc"
image   = "debian/12"

variable "web_port" { default = 18080 }

network "lan" { mode = "isolated" }         # private, no NAT
mount "app" {                               # ./app, read-only in every service
  source    = "app"
  target    = "/srv/app"
  read_only = true
}
volume "data" {}                            # survives down and destroy

service "db" {
  command  = ["python3", "/srv/app/kv.py", "db", "5432", "/var/lib/shop"]
  env      = { ROLE = "database" }
  port "pg" { port = 5432 }
  mounts   = ["app"]
  volumes  = { data = "/var/lib/shop" }
  networks = ["lan"]
  health {
    command  = ["python3", "/srv/app/ping.py", "127.0.0.1", "5432"]
    interval = "500ms"
  }
}

service "cache" {
  command  = ["python3", "/srv/app/kv.py", "cache", "6379", ""]
  port "redis" { port = 6379 }
  mounts   = ["app"]
  networks = ["lan"]
  health {
    command  = ["python3", "/srv/app/ping.py", "127.0.0.1", "6379"]
    interval = "500ms"
  }
}

service "web" {
  command    = ["python3", "/srv/app/web.py"]
  env        = { GREETING = "hello from devbox" }
  port "http" {
    port = 8080
    host = var.web_port    # http://127.0.0.1:18080 on the host
  }
  mounts     = ["app"]
  networks   = ["lan"]
  depends_on = ["db", "cache"]
}
