#!/usr/bin/env bash
# `make run`: a demo database with the addon, served on http://localhost:8069 (admin / admin).
# The first run creates it (demo data, French loaded too); later runs reuse it and update the
# addon. Ctrl-C stops Odoo and the private cluster if this command started it.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import odoo' >/dev/null 2>&1 || {
  echo "make run: '$PYTHON' cannot import odoo. Install Odoo 18.0 into it (see README)." >&2
  exit 2
}
source tools/odoo_env.sh
trap '[ "$started" = started ] && tools/pg.sh stop >/dev/null' EXIT
db=${ADT_RUN_DB:-account_dunning_demo}
http_port=${ADT_HTTP_PORT:-8069}
if db_exists "$db"; then
  echo "updating account_dunning in $db"
  odoo -d "$db" -u account_dunning --stop-after-init --no-http --log-level=warn \
    > "$logs/run-update.log" 2>&1 || { tail -30 "$logs/run-update.log"; exit 1; }
else
  echo "creating $db with demo data (a few minutes the first time)"
  # English first (the database's main language), then French beside it. The HTTP port
  # given: Odoo sets its base URL from it, which the demo's emails link to (pay now)
  { odoo -d "$db" -i account_dunning --http-port="$http_port" --stop-after-init --no-http \
      --log-level=warn \
      && odoo -d "$db" --load-language=fr_FR --stop-after-init --no-http --log-level=warn; } \
    > "$logs/run-create.log" 2>&1 || { tail -30 "$logs/run-create.log"; exit 1; }
fi
echo "Odoo with account_dunning: http://localhost:$http_port  (login admin, password admin)"
echo "Ctrl-C to stop."
odoo -d "$db" --db-filter="^$db\$" --http-interface=127.0.0.1 --http-port="$http_port" \
  --log-level=warn
