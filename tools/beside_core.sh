#!/usr/bin/env bash
# Tier 5 of `make test`, "beside core": Odoo's own test classes that this addon touches
# (the credit limit of Sales, the invoice's onchanges, the payment register), run with
# Sales installed, without the addon and with it. Fails when a test fails with the addon
# that passes without it. The result without the addon depends on Odoo alone: it is kept
# (per Odoo tree) and run again only when Odoo changes.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PYTHON=${PYTHON:-python3}
source tools/odoo_env.sh
TAGS=${ADT_CORE_TAGS:-/sale:TestSaleOrderCreditLimit,/account:TestAccountMoveOutInvoiceOnchanges,/account:TestAccountPaymentRegister}
HTTP_PORT=${ADT_CORE_HTTP_PORT:-18099}
cleanup() {
  for d in "${dbs[@]:-}"; do
    [ -n "$d" ] && dropdb -h 127.0.0.1 -p "$port" -U odoo --if-exists "$d"
  done
  [ "$started" = started ] && tools/pg.sh stop >/dev/null
}
dbs=()
trap cleanup EXIT
template=$(template_db) || exit 1

# Sales on the account template, built once (about half a minute)
sale_template=${template/adt_tpl_account_/adt_tpl_sale_}
if ! db_exists "$sale_template"; then
  psql_ -c "DROP DATABASE IF EXISTS ${sale_template}_build" >/dev/null
  createdb -h 127.0.0.1 -p "$port" -U odoo -T "$template" "${sale_template}_build" || exit 1
  odoo -d "${sale_template}_build" -i sale_management,account_payment --without-demo=all \
    --stop-after-init --no-http --log-level=warn > "$logs/beside-core-template.log" 2>&1 \
    || { tail -20 "$logs/beside-core-template.log"; exit 1; }
  psql_ -c "ALTER DATABASE ${sale_template}_build RENAME TO $sale_template" >/dev/null || exit 1
fi

run() {  # run DATABASE LOG: the tagged core tests; prints the failing tests, one a line
  odoo -d "$1" --test-tags "$TAGS" --stop-after-init --http-port "$HTTP_PORT" \
    --log-level=test > "$2" 2>&1
  if ! grep -qE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$2"; then
    tail -20 "$2" >&2
    echo "beside core: no result line in $2" >&2
    return 1
  fi
  { grep -oE '(FAIL|ERROR): [A-Za-z_]+\.test_[A-Za-z0-9_]+' "$2" || true; } \
    | sed 's/^[A-Z]*: //' | sort -u
}
counts() { grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$1" | tail -1; }

t0=$(date +%s)
# without the addon: kept per Odoo tree and tags
key=$(printf %s "$sale_template $TAGS" | sha1sum | cut -c1-10)
baseline=$state/beside-core-$key.txt
if [ ! -f "$baseline" ]; then
  db=adt_core_base_$$; dbs+=("$db")
  createdb -h 127.0.0.1 -p "$port" -U odoo -T "$sale_template" "$db" || exit 1
  run "$db" "$logs/beside-core-without.log" > "$baseline.tmp" || exit 1
  mv "$baseline.tmp" "$baseline"
  echo "without the addon: $(counts "$logs/beside-core-without.log") (kept for this Odoo)"
fi

db=adt_core_ours_$$; dbs+=("$db")
createdb -h 127.0.0.1 -p "$port" -U odoo -T "$sale_template" "$db" || exit 1
odoo -d "$db" -i account_dunning --stop-after-init --no-http --log-level=warn \
  > "$logs/beside-core-install.log" 2>&1 || { tail -20 "$logs/beside-core-install.log"; exit 1; }
failing=$(run "$db" "$logs/beside-core-with.log") || exit 1
ours=$(comm -13 "$baseline" <(printf '%s\n' "$failing" | sed '/^$/d' | sort -u))
echo "beside core ($TAGS), with the addon: $(counts "$logs/beside-core-with.log"), in $(( $(date +%s) - t0 )) s"
echo "  failing without the addon too: $(sed '/^$/d' "$baseline" | wc -l)"
if [ -n "$ours" ]; then
  echo "$ours" | sed 's/^/  fails only with the addon: /'
  echo "beside core: FAILED"
  exit 1
fi
echo "beside core: ok (no core test fails that passes without the addon)"
