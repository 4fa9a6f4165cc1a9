package compose

// The scripts that run packaged servers the way their images' entrypoints
// do. They run at the service's start, not as provision steps: the data
// directory is usually a volume, which provisioning (cached image layers)
// never sees, and the image's environment conventions are read from the
// service's env at that time, on both engines alike. Each runs as root
// under `sh -ec`, "$@" being the server's extra arguments.

// postgresScript is docker-entrypoint.sh of the postgres image, in short:
// initdb on an empty PGDATA with POSTGRES_USER as superuser and
// POSTGRES_PASSWORD as its password, POSTGRES_DB created, password
// authentication from other hosts, the scripts in
// /docker-entrypoint-initdb.d (*.sql, *.sql.gz, *.sh) run on a server
// listening on its socket only, then postgres as the postgres user.
const postgresScript = `PG=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=${PGDATA:-/var/lib/postgresql/data}
U=${POSTGRES_USER:-postgres}
DB=${POSTGRES_DB:-$U}
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  AUTH=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$AUTH" != trust ]; then
    echo "postgres: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust), as the postgres image requires" >&2
    exit 1
  fi
  PW=
  if [ -n "$POSTGRES_PASSWORD" ]; then
    PW=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$PW"
    chown postgres "$PW"
  fi
  as_pg "$PG/initdb" -D "$PGDATA" -U "$U" \
    ${PW:+--pwfile="$PW"} --auth-local=trust --auth-host="$AUTH" $POSTGRES_INITDB_ARGS
  [ -z "$PW" ] || rm -f "$PW"
  echo "host all all all $AUTH" >>"$PGDATA/pg_hba.conf"
  as_pg "$PG/pg_ctl" -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=/run/postgresql" start >/dev/null
  export PGHOST=/run/postgresql PGUSER="$U"
  if [ "$DB" != postgres ]; then
    as_pg "$PG/psql" -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\""
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "postgres: running $f" >&2; as_pg sh "$f" ;;
      *.sql) echo "postgres: running $f" >&2; as_pg "$PG/psql" -q -v ON_ERROR_STOP=1 -d "$DB" -f "$f" ;;
      *.sql.gz) echo "postgres: running $f" >&2; gunzip -c "$f" | as_pg "$PG/psql" -q -v ON_ERROR_STOP=1 -d "$DB" ;;
    esac
  done
  as_pg "$PG/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  unset PGHOST PGUSER
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$PG/postgres" -D "$PGDATA" \
  -c listen_addresses='*' -c unix_socket_directories=/run/postgresql "$@"
`

// mariadbScript is the mariadb (and mysql) image's entrypoint, in short:
// mariadb-install-db on an empty /var/lib/mysql, then, on a server
// listening on a socket only, the root password, database and user of
// the MARIADB_* (or MYSQL_*) variables; then mariadbd on every address.
// Debian's package leaves an initialised /var/lib/mysql in the image, so
// a marker file, not the mysql directory, says the setup was done.
const mariadbScript = `D=/var/lib/mysql
mkdir -p "$D" /run/mysqld
chown mysql:mysql "$D" /run/mysqld
RP=${MARIADB_ROOT_PASSWORD:-$MYSQL_ROOT_PASSWORD}
DB=${MARIADB_DATABASE:-$MYSQL_DATABASE}
DU=${MARIADB_USER:-$MYSQL_USER}
DP=${MARIADB_PASSWORD:-$MYSQL_PASSWORD}
BQ=$(printf '\140')
q() { printf '%s' "$1" | sed "s/'/''/g"; }
if [ ! -d "$D/mysql" ]; then
  mariadb-install-db --user=mysql --datadir="$D" --skip-test-db >/dev/null
fi
if [ ! -e "$D/.devbox-initialised" ]; then
  mariadbd --user=mysql --datadir="$D" --skip-networking --socket=/run/mysqld/init.sock &
  i=0
  until mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 60 ] || exit 1; sleep 1
  done
  {
    if [ -n "$RP" ]; then
      echo "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('$(q "$RP")') OR unix_socket;"
      echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '$(q "$RP")'; GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    fi
    if [ -n "$DB" ]; then echo "CREATE DATABASE IF NOT EXISTS $BQ$DB$BQ;"; fi
    if [ -n "$DU" ]; then
      echo "CREATE USER IF NOT EXISTS '$(q "$DU")'@'%' IDENTIFIED BY '$(q "$DP")';"
      if [ -n "$DB" ]; then echo "GRANT ALL ON $BQ$DB$BQ.* TO '$(q "$DU")'@'%';"; fi
    fi
  } | mariadb --socket=/run/mysqld/init.sock -uroot
  mariadb-admin --socket=/run/mysqld/init.sock -uroot shutdown || kill $!
  wait
  touch "$D/.devbox-initialised"
fi
exec mariadbd --user=mysql --datadir="$D" --bind-address=0.0.0.0 --socket=/run/mysqld/mysqld.sock "$@"
`

// nginxSetup makes Debian's nginx look like the nginx image's: its
// default server in conf.d/default.conf serving /usr/share/nginx/html on
// port 80 (Debian's sites-enabled/default removed), logs on
// stdout/stderr, and the user nginx its nginx.conf names, so a compose
// file's mounted configuration works unchanged. Files that may be mounted
// over are only written when absent: on lxc the mounts are already there
// while provisioning (read-only, often).
const nginxSetup = `rm -f /etc/nginx/sites-enabled/default
id nginx >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin nginx
mkdir -p /usr/share/nginx/html /etc/nginx/conf.d
[ -e /usr/share/nginx/html/index.html ] || echo '<h1>Welcome to nginx!</h1>' >/usr/share/nginx/html/index.html
[ -e /etc/nginx/conf.d/default.conf ] || printf 'server {\n    listen 80;\n    server_name localhost;\n    location / {\n        root /usr/share/nginx/html;\n        index index.html index.htm;\n    }\n}\n' >/etc/nginx/conf.d/default.conf
ln -sf /dev/stdout /var/log/nginx/access.log
ln -sf /dev/stderr /var/log/nginx/error.log
`
