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
  [ -n "${runner_db:-}" ] && dropdb -h 127.0.0.1 -p "$port" -U odoo --if-exists "$runner_db"
  [ "$started" = started ] && tools/pg.sh stop >/dev/null
}
trap cleanup EXIT
template=$(template_db) || exit 1
# every database below is a clone dropped after the run: the tests that must commit
# (two workers on their own connections) may run there
export ADT_THROWAWAY_DB=1

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
http_port = ${ADT_TEST_HTTP_PORT:-8069}
CONF
# Collect through the addons-path link so that pytest-odoo names the package
# odoo.addons.account_dunning whatever this checkout's folder is called.
addon=$state/addons/account_dunning
full=0
[ $# -gt 0 ] || { full=1; set -- tests; }
targets=()
for target in "$@"; do
  case $target in tests*) targets+=("$addon/$target") ;; *) targets+=("$target") ;; esac
done
"$PYTHON" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning --confcutdir="$addon" \
  --odoo-http --odoo-config="$state/odoo-test.conf" --odoo-database="$db" "${targets[@]}"
rc=$?
[ $full = 1 ] || exit $rc

# The same tests under Odoo's own runner (what OCA CI, Odoo.sh and integrators run): it
# installs the addon and runs the test modules tests/__init__.py imports. Once in an
# English database, once in a French-only one (French the only language, every contact
# in French), where the tests must pass too.
runner() {  # runner LABEL DATABASE LOG: run, print the counts, fail on any failure
  local label=$1 rdb=$2 log=$3 t0 rc result failed errors total skips nskips
  t0=$(date +%s)
  odoo -d "$rdb" -i account_dunning --test-tags /account_dunning --stop-after-init \
    --http-port "${ADT_RUNNER_HTTP_PORT:-18069}" --log-level=test > "$log" 2>&1
  rc=$?
  result=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -1)
  if [ -z "$result" ]; then
    tail -30 "$log"
    echo "odoo-bin ($label): FAILED (exit $rc, no result line; see $log)"
    return 1
  fi
  read -r failed errors total <<< "$(echo "$result" | grep -oE '[0-9]+' | tr '\n' ' ')"
  skips=$(grep -oE 'account_dunning\.tests\.[a-z_]+: skipped .*' "$log")
  nskips=$(printf %s "$skips" | grep -c .)
  grep -E ' (ERROR|FAIL): ' "$log" | head -20
  [ -z "$skips" ] || echo "$skips" | sed "s/^/SKIPPED under odoo-bin ($label): /"
  echo "odoo-bin --test-tags /account_dunning, $label database, in $(( $(date +%s) - t0 )) s ($total tests):"
  echo "odoo-bin: $(( total - failed - errors - nskips )) passed, $(( failed + errors )) failed, $nskips skipped"
  [ $rc -eq 0 ] && [ "$failed" = 0 ] && [ "$errors" = 0 ]
}
status=$rc
runner_db=adt_runner_$$
createdb -h 127.0.0.1 -p "$port" -U odoo -T "$template" "$runner_db" || exit 1
runner English "$runner_db" "$logs/odoo-runner.log" || status=1
dropdb -h 127.0.0.1 -p "$port" -U odoo "$runner_db"
createdb -h 127.0.0.1 -p "$port" -U odoo -T "$template" "$runner_db" || exit 1
odoo -d "$runner_db" --load-language=fr_FR --stop-after-init --no-http \
  > "$logs/odoo-runner-fr-lang.log" 2>&1 || { echo "French could not be loaded"; exit 1; }
psql -h 127.0.0.1 -p "$port" -U odoo -d "$runner_db" -qc "
  UPDATE res_lang SET active = (code = 'fr_FR');
  UPDATE res_partner SET lang = 'fr_FR';
  UPDATE ir_default SET json_value = '\"fr_FR\"'
   WHERE field_id IN (SELECT id FROM ir_model_fields
                       WHERE model = 'res.partner' AND name = 'lang');" || exit 1
runner French-only "$runner_db" "$logs/odoo-runner-fr.log" || status=1
# French chosen before the module was installed: its data came in French
found=$(french_data_missing "$runner_db")
if [ "$found" = "0|0|0" ]; then
  echo "French-only database: the module's emails, default policy and levels in French"
else
  echo "French-only database: module data still English (templates|policies|levels: $found)"
  status=1
fi
exit $status
