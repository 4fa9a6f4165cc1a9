# devbox.hcl: PostgreSQL 15 from Debian and an app that uses it.
#
# Real servers, installed by devbox with the image's package manager (once,
# then cached; behind a proxy, http_proxy/https_proxy are passed to the
# installs, also one on the host's loopback). The database keeps its data
# in a named volume that survives `devbox destroy` (`destroy --volumes`
# drops it). The app finds the database by the discovery variables devbox
# sets on both backends: DB_HOST, DB_PORT_5432_TCP_PORT.
#
#   devbox up
#   psql -h 127.0.0.1 -p 5432 -U postgres          # the database, forwarded
#   curl http://127.0.0.1:8080/                    # the app: counts visits in the db
#   devbox logs db | status | down | destroy

# project = "myapp"    # default: the directory name
backend = "lxc"        # or "docker"; --backend and $DEVBOX_BACKEND override it
image   = "debian/12"

variable "pg_port" {
  description = "host port PostgreSQL is forwarded to"
  default     = 5432
}

variable "web_port" {
  description = "host port of the app"
  default     = 8080
}

network "lan" { mode = "isolated" }     # private; "nat" gives the services a way out

volume "pgdata" {}

service "db" {
  packages = ["postgresql"]
  # initdb on first start (the volume starts empty), then postgres in the
  # foreground as the postgres user. Trust auth: a dev box only.
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

service "app" {
  packages = ["python3-psycopg2"]
  command  = ["python3", "-c", <<-PY
    import http.server, json, os, psycopg2
    def visit():
        with psycopg2.connect(host=os.environ["DB_HOST"], port=os.environ["DB_PORT_5432_TCP_PORT"],
                              user="postgres", dbname="postgres", connect_timeout=5) as c, c.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS visits (at timestamptz DEFAULT now())")
            cur.execute("INSERT INTO visits DEFAULT VALUES")
            cur.execute("SELECT count(*), version() FROM visits")
            return cur.fetchone()
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            n, version = visit()
            body = json.dumps({"visits": n, "postgres": version}).encode()
            self.send_response(200); self.end_headers(); self.wfile.write(body)
        def address_string(self):
            return self.client_address[0]  # no reverse DNS lookup
    http.server.HTTPServer(("0.0.0.0", 8080), H).serve_forever()
    PY
  ]
  networks   = ["lan"]
  depends_on = ["db"]
  port "http" {
    port = 8080
    host = var.web_port
  }
}
