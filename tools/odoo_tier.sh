#!/usr/bin/env bash
# Tier 3 of `make test`: install the addon in a clone of a template database and run its
# tests with pytest-odoo. Starts the private cluster if none is reachable, stops it after.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import pytest_odoo' >/dev/null 2>&1 || {
  echo "installing pytest-odoo 2.3.0 into $PYTHON"
  "$PYTHON" -m pip install -q --disable-pip-version-check pytest-odoo==2.3.0 || exit 1
}
source tools/odoo_env.sh
cleanup() {
  [ -n "${db:-}" ] && [ -z "${KEEP_DB:-}" ] && dropdb -h 127.0.0.1 -p "$port" -U odoo --if-exists "$db"
  [ "$started" = started ] && tools/pg.sh stop >/dev/null
}
trap cleanup EXIT
template=$(template_db) || exit 1

db=adt_test_$$
createdb -h 127.0.0.1 -p "$port" -U odoo -T "$template" "$db" || exit 1
t0=$(date +%s)
odoo -d "$db" -i account_dunning --stop-after-init --no-http --log-level=info > "$logs/install.log" 2>&1
rc=$?
# Install log: any ERROR fails; a WARNING fails unless it matches the allow-list.
allow='Running as user .root. is a security risk'
bad=$(grep -E ' (ERROR|CRITICAL) ' "$logs/install.log"; grep -E ' WARNING ' "$logs/install.log" | grep -Ev "$allow")
if [ $rc -ne 0 ] || [ -n "$bad" ]; then
  echo "$bad" | head -40
  echo "addon install: FAILED (exit $rc; see .local/logs/install.log)"
  exit 1
fi
echo "addon install: ok in $(( $(date +%s) - t0 )) s, no ERROR and no unexpected WARNING in the log"

cat > "$state/odoo-test.conf" <<CONF
[options]
addons_path = $addons_path
db_host = 127.0.0.1
db_port = $port
db_user = odoo
log_level = warn
CONF
# Collect through the addons-path link so that pytest-odoo names the package
# odoo.addons.account_dunning whatever this checkout's folder is called.
addon=$state/addons/account_dunning
[ $# -gt 0 ] || set -- tests
targets=()
for target in "$@"; do
  case $target in tests*) targets+=("$addon/$target") ;; *) targets+=("$target") ;; esac
done
"$PYTHON" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning --confcutdir="$addon" \
  --odoo-http --odoo-config="$state/odoo-test.conf" --odoo-database="$db" "${targets[@]}"
