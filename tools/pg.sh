#!/usr/bin/env bash
# A private PostgreSQL cluster for `make run` and `make test`, kept in the git-ignored .local/ folder.
# Usage: tools/pg.sh start|stop|status
#   start  -> reuse a cluster already reachable on 127.0.0.1:$ADT_PGPORT, or initdb (first use)
#             and start this checkout's own; ensure the `odoo` role. Prints "started" when it
#             started the server itself, "running" when one was already up.
#   stop   -> stop the server.
# Sessions and CI run as root and initdb refuses root: the cluster then belongs to `postgres`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
port=${ADT_PGPORT:-54329}
data=${ADT_PGDATA:-$here/.local/pgdata}
if [ -z "${ADT_PGDATA:-}" ] && [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$here"; then
  # The checkout sits in a folder the postgres user cannot enter (e.g. /root): keep the
  # cluster in a folder of its own outside it.
  data=/var/tmp/account_dunning-$(printf %s "$here" | sha1sum | cut -c1-10)/pgdata
  mkdir -p "$(dirname "$data")" && chmod 755 "$(dirname "$data")"
fi
sock=$data/socket
pgbin=${ADT_PGBIN:-}
if [ -z "$pgbin" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pgbin" ] && command -v pg_ctl >/dev/null 2>&1; then
    pgbin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
  fi
fi
[ -x "$pgbin/pg_ctl" ] || { echo "pg.sh: PostgreSQL server binaries (initdb, pg_ctl) not found; install the postgresql package or set ADT_PGBIN" >&2; exit 2; }

as_owner() {
  # From / so that postgres is never asked to stand in a folder it cannot enter.
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
is_up() { as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

reachable() { "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port" >/dev/null 2>&1; }
ensure_role() {
  "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq -c \
    "DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='odoo') THEN CREATE ROLE odoo LOGIN SUPERUSER; END IF; END\$\$;"
}

case "${1:-}" in
  start)
    # A cluster already answering on the port (this checkout's or another's) is reused.
    if reachable; then ensure_role; echo running; exit 0; fi
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data"
      [ "$(id -u)" = 0 ] && chown postgres: "$data" && chmod 700 "$data"
      as_owner "$pgbin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
      mkdir -p "$sock"; [ "$(id -u)" = 0 ] && chown postgres: "$sock"
    fi
    as_owner "$pgbin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >/dev/null
    ensure_role
    echo started ;;
  stop)
    if is_up; then as_owner "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
    echo stopped ;;
  status)
    if is_up; then echo "up on 127.0.0.1:$port"; else echo down; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
