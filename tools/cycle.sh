#!/usr/bin/env bash
# The module's life cycle on a real database, with demo data and without: install, update,
# uninstall, reinstall. Fails on any ERROR or CRITICAL line Odoo logs, on demo data that
# failed to load, on anything of the
# module left after the uninstall (external ids, tables, columns, triggers, functions,
# templates, actions, crons, attachments, messages, parameters), and on a company without a
# dunning policy after the reinstall. Run by `make test` (tier 4) and `make cycle`.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PYTHON=${PYTHON:-python3}
source tools/odoo_env.sh
trap '[ "$started" = started ] && tools/pg.sh stop >/dev/null' EXIT
failed=0
sql() { psql -h 127.0.0.1 -p "$port" -U odoo -d "$1" -tAq -c "$2"; }

# the stored columns the module adds to other models' tables (its own fields, not those it
# extends), read before the uninstall
own_columns() {
  sql "$1" "SELECT m.model || '|' || f.name FROM ir_model_fields f
              JOIN ir_model m ON m.id = f.model_id
              JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id
             WHERE d.module = 'account_dunning' AND f.store AND f.ttype != 'one2many'
               AND f.ttype != 'many2many' AND m.model NOT LIKE 'account.dunning%'
               AND NOT EXISTS (SELECT 1 FROM ir_model_data o WHERE o.model = 'ir.model.fields'
                                  AND o.res_id = f.id AND o.module != 'account_dunning')"
}

leftovers() {
  local db=$1 columns=$2 line model field table
  sql "$db" "SELECT 'external id ' || model || ',' || name FROM ir_model_data WHERE module = 'account_dunning'
    UNION ALL SELECT 'model ' || model FROM ir_model WHERE model LIKE 'account.dunning%'
    UNION ALL SELECT 'table ' || tablename FROM pg_tables WHERE tablename LIKE 'account_dunning%'
    UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE tgname LIKE 'account_dunning%'
    UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE proname LIKE 'account_dunning%'
    UNION ALL SELECT 'template ' || id FROM mail_template WHERE model LIKE 'account.dunning%'
    UNION ALL SELECT 'report ' || report_name FROM ir_act_report_xml WHERE report_name LIKE 'account_dunning.%'
    UNION ALL SELECT 'view ' || key FROM ir_ui_view WHERE key LIKE 'account_dunning.%' OR model LIKE 'account.dunning%'
    UNION ALL SELECT 'cron ' || cron_name::text FROM ir_cron WHERE cron_name::text ILIKE '%reminder%' OR cron_name::text ILIKE '%dunning%'
    UNION ALL SELECT 'attachment ' || id FROM ir_attachment WHERE res_model LIKE 'account.dunning%'
    UNION ALL SELECT 'message ' || id FROM mail_message WHERE model LIKE 'account.dunning%'
    UNION ALL SELECT 'activity ' || a.id FROM mail_activity a WHERE res_model LIKE 'account.dunning%'
    UNION ALL SELECT 'parameter ' || key FROM ir_config_parameter WHERE key LIKE 'account_dunning.%'
    UNION ALL SELECT 'sequence ' || code FROM ir_sequence WHERE code LIKE 'account.dunning%'"
  for line in $columns; do
    model=${line%%|*} field=${line##*|} table=${model//./_}
    [ "$(sql "$db" "SELECT 1 FROM information_schema.columns WHERE table_name = '$table' AND column_name = '$field'")" = 1 ] \
      && echo "column $table.$field"
  done
}

errors_in() {  # the ERROR or CRITICAL lines of a log, and demo data that failed to load
  grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) |demo data failed to install' "$1"
}

step() {  # step NAME DB LOG ARGS...: one Odoo call, failing on an ERROR line
  local name=$1 db=$2 log=$3; shift 3
  local t0=$SECONDS
  odoo -d "$db" "$@" --stop-after-init --no-http --log-level=info > "$log" 2>&1
  local rc=$?
  if [ $rc != 0 ] || errors_in "$log" > /dev/null; then
    echo "  $name: FAILED (exit $rc)"; errors_in "$log" | head -20 | sed 's/^/    /'
    [ $rc != 0 ] && tail -20 "$log" | sed 's/^/    /'
    failed=1; return 1
  fi
  echo "  $name: ok ($(( SECONDS - t0 )) s)"
}

uninstall() {  # in Odoo's shell: the button an admin clicks in Apps
  local db=$1 log=$2 t0=$SECONDS
  printf '%s\n' \
    "env['ir.module.module'].search([('name', '=', 'account_dunning')]).button_immediate_uninstall()" \
    | "$PYTHON" -c 'import odoo.cli; odoo.cli.main()' shell --db_host 127.0.0.1 \
      --db_port "$port" --db_user odoo --addons-path="$addons_path" -d "$db" --no-http \
      --log-level=info > "$log" 2>&1
  if errors_in "$log" > /dev/null || grep -q 'Traceback' "$log"; then
    echo "  uninstall: FAILED"; { errors_in "$log"; grep -A15 Traceback "$log"; } | head -30 | sed 's/^/    /'
    failed=1; return 1
  fi
  echo "  uninstall: ok ($(( SECONDS - t0 )) s)"
}

french_missing() {  # french_missing DB WHEN: fails unless the module's data speaks French
  local found; found=$(french_data_missing "$1")
  if [ "$found" != "0|0|0" ]; then
    echo "  not in French $2 (templates|policies|levels still English: $found)"; failed=1; return 1
  fi
}

policies_missing() {  # companies without their policy, fees product or thank-you email
  sql "$1" "SELECT name FROM res_company WHERE dunning_policy_id IS NULL
              OR NOT EXISTS (SELECT 1 FROM account_dunning_level l WHERE l.policy_id = dunning_policy_id)
              OR dunning_fee_product_id IS NULL OR dunning_thank_you_template_id IS NULL"
}

cycle() {  # cycle demo|nodemo
  local kind=$1 db=adt_cycle_${1}_$$ logdir=$logs/cycle-$1
  mkdir -p "$logdir"
  echo "== $kind: install, update, uninstall, reinstall ($db)"
  local demo_args=(--without-demo=all)
  if [ "$kind" = demo ]; then
    # account with its demo data: the module's demo sits on top of Odoo's
    local template; template=$(demo_template_db) || { failed=1; return; }
    createdb -h 127.0.0.1 -p "$port" -U odoo -T "$template" "$db"
    demo_args=()
  else
    createdb -h 127.0.0.1 -p "$port" -U odoo -T "$(template_db)" "$db"
  fi
  step install "$db" "$logdir/install.log" -i account_dunning "${demo_args[@]}" || return
  local missing; missing=$(policies_missing "$db")
  if [ -n "$missing" ]; then
    echo "  companies without their dunning settings after the install: $missing"; failed=1; return
  fi
  step update "$db" "$logdir/update.log" -u account_dunning "${demo_args[@]}" || return
  if [ "$kind" = nodemo ]; then
    # French added afterwards by --load-language on the existing database, then the module
    # updated: its data speaks French (not only the labels), and stays so
    step "french loaded" "$db" "$logdir/french.log" --load-language=fr_FR || return
    french_missing "$db" "after --load-language" || return
    step "update in french" "$db" "$logdir/update-fr.log" -u account_dunning "${demo_args[@]}" || return
    french_missing "$db" "after the update" || return
    echo "  the module's data in French after --load-language and after an update"
  fi
  local columns; columns=$(own_columns "$db")
  [ -n "$columns" ] || { echo "  no column of the module found before the uninstall"; failed=1; return; }
  uninstall "$db" "$logdir/uninstall.log" || return
  local left; left=$(leftovers "$db" "$columns")
  if [ -n "$left" ]; then
    echo "  left after the uninstall:"; echo "$left" | head -30 | sed 's/^/    /'; failed=1; return
  fi
  echo "  nothing of the module left"
  step reinstall "$db" "$logdir/reinstall.log" -i account_dunning "${demo_args[@]}" || return
  missing=$(policies_missing "$db")
  if [ -n "$missing" ]; then
    echo "  companies without their dunning settings after the reinstall: $missing"; failed=1; return
  fi
  echo "  every company has its dunning policy, fees product and thank-you email again"
  [ -n "${CYCLE_KEEP:-}" ] || psql_ -c "DROP DATABASE $db" > /dev/null
}

# a failed run keeps its database to look into; the next run drops it
for old in $(psql_ -c "SELECT datname FROM pg_database WHERE datname LIKE 'adt\_cycle\_%'"); do
  psql_ -c "DROP DATABASE $old" > /dev/null
done
for kind in ${CYCLE_KINDS:-nodemo demo}; do cycle "$kind"; done
[ $failed = 0 ] && echo "cycle: PASSED" || { echo "cycle: FAILED (logs in $logs/cycle-*)"; exit 1; }
