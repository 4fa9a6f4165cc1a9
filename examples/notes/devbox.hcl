# A notes app on real servers, installed from Debian by devbox (no image
# builds, no registry): PostgreSQL 15, Redis, a Python (bottle) app served
# by two uWSGI workers, and nginx in front. The same file runs on both
# backends:
#   devbox up                     # lxc: one system container, four units
#   devbox up --backend docker    # docker: four containers
# Behind a proxy? devbox passes http_proxy/https_proxy to the package
# installs, also one on the host's loopback (http_proxy=http://127.0.0.1:3128).
#   curl -d 'buy milk' http://127.0.0.1:18081/notes; curl http://127.0.0.1:18081/notes
project = "notes"
backend = "lxc"
image   = "debian/12"

variable "web_port" { default = 18081 }
variable "pg_port" { default = 15432 }
variable "redis_port" { default = 16379 }

network "lan" { mode = "isolated" }         # private, no NAT
mount "src" {                               # this directory: app.py, nginx.conf
  source    = "."
  target    = "/srv/notes"
  read_only = true
}
volume "pgdata" {}                          # survives down and destroy

service "db" {
  packages = ["postgresql"]
  # initdb on first start (the volume starts empty), then postgres itself
  # as the postgres user; trust auth is for a dev box only.
  command = ["sh", "-ec", <<-SH
    PG=/usr/lib/postgresql/15/bin
    chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      setpriv --reuid=postgres --regid=postgres --init-groups $PG/initdb -D "$PGDATA" -U postgres --auth=trust
      echo 'host all all 0.0.0.0/0 trust' >>"$PGDATA/pg_hba.conf"
    fi
    exec setpriv --reuid=postgres --regid=postgres --init-groups $PG/postgres -D "$PGDATA" \
      -c listen_addresses='*' -c unix_socket_directories=/tmp
    SH
  ]
  env      = { PGDATA = "/var/lib/postgresql/data" }
  volumes  = { pgdata = "/var/lib/postgresql/data" }
  networks = ["lan"]
  port "pg" {
    port = 5432
    host = var.pg_port
  }
  health {
    command  = ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"]
    interval = "1s"
    retries  = 60
  }
}

service "cache" {
  packages = ["redis-server"]
  command  = ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--daemonize", "no"]
  networks = ["lan"]
  port "redis" {
    port = 6379
    host = var.redis_port
  }
  health {
    command  = ["redis-cli", "ping"]
    interval = "500ms"
  }
}

service "app" {
  packages = ["uwsgi", "uwsgi-plugin-python3", "python3-bottle", "python3-psycopg2", "python3-redis"]
  command = ["uwsgi", "--plugin", "python3", "--master", "--processes", "2", "--die-on-term",
    "--socket", "0.0.0.0:3031", "--chdir", "/srv/notes", "--wsgi-file", "app.py", "--callable", "app"]
  mounts     = ["src"]
  networks   = ["lan"]
  depends_on = ["db", "cache"]
  port "uwsgi" { port = 3031 }
}

service "web" {
  packages = ["nginx"]
  # nginx.conf logs to /dev/stdout and /dev/stderr, as container images do.
  command    = ["nginx", "-c", "/srv/notes/nginx.conf", "-g", "daemon off;"]
  mounts     = ["src"]
  networks   = ["lan"]
  depends_on = ["app"]
  port "http" {
    port = 8080
    host = var.web_port    # http://127.0.0.1:18081 on the host
  }
  health {
    command  = ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/health"]
    interval = "1s"
  }
}
