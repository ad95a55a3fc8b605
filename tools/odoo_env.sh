# Shared by the Odoo-side commands (sourced, not run): private cluster, addons path with the
# repository linked as `account_dunning`, an `odoo` function, and the template database.
port=${ADT_PGPORT:-54329}
source tools/paths.sh
started=$(tools/pg.sh start) || exit 1
odoo_dir=$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
addons_path=$state/addons
[ -d "$odoo_dir/addons" ] && addons_path=$odoo_dir/addons,$addons_path
odoo() {
  "$PYTHON" -c 'import odoo.cli; odoo.cli.main()' --db_host 127.0.0.1 --db_port "$port" \
    --db_user odoo --addons-path="$addons_path" "$@"
}
psql_() { psql -h 127.0.0.1 -p "$port" -U odoo -d postgres -tAq "$@"; }
# The module's data without its French, as "templates|policies|levels" counts ("0|0|0": all
# in French): its emails' subjects and bodies, every company's default policy and its levels
# (their French names, whatever the English key holds: a French-only database writes French
# there too).
french_data_missing() {
  psql -h 127.0.0.1 -p "$port" -U odoo -d "$1" -tAq -c "SELECT
      (SELECT COUNT(*) FROM mail_template t JOIN ir_model_data d
          ON d.model = 'mail.template' AND d.res_id = t.id AND d.module = 'account_dunning'
        WHERE NOT t.subject ? 'fr_FR' OR NOT t.body_html ? 'fr_FR')
      || '|' || (SELECT COUNT(*) FROM res_company c JOIN account_dunning_policy p
          ON p.id = c.dunning_policy_id WHERE p.name->>'fr_FR' IS DISTINCT FROM 'Relances standard')
      || '|' || (SELECT COUNT(*) FROM account_dunning_level l JOIN res_company c
          ON c.dunning_policy_id = l.policy_id WHERE l.name->>'fr_FR' IS NULL
          OR l.name->>'fr_FR' NOT IN ('Rappel de courtoisie', 'Première relance',
            'Appel téléphonique', 'Mise en demeure', 'Échéancier de paiement ou rendez-vous'))"
}
db_exists() { [ "$(psql_ -c "SELECT 1 FROM pg_database WHERE datname='$1'")" = 1 ]; }

# The template: `account` without demo, keyed on the Odoo tree so another Odoo gets its own.
# Built once (about a minute), then cloned in under a second for each run.
template_db() {
  local key template
  key=$("$PYTHON" -c 'import odoo, odoo.release, hashlib; print(hashlib.sha1((odoo.__file__ + odoo.release.serie).encode()).hexdigest()[:8])')
  template=adt_tpl_account_$key
  if ! db_exists "$template"; then
    echo "building template database $template (account, no demo; about a minute)" >&2
    psql_ -c "DROP DATABASE IF EXISTS ${template}_build" >/dev/null 2>&1
    local t0=$SECONDS
    odoo -d "${template}_build" -i account --without-demo=all --stop-after-init --no-http \
      --log-level=warn > "$logs/template.log" 2>&1 || { tail -30 "$logs/template.log" >&2; return 1; }
    psql_ -c "ALTER DATABASE ${template}_build RENAME TO $template" >&2 || return 1
    echo "template built in $(( SECONDS - t0 )) s" >&2
  fi
  echo "$template"
}

# The same with demo data (Odoo's and then the module's), for the life cycle and the .pot.
demo_template_db() {
  local template; template=$(template_db | sed 's/^adt_tpl_account_/adt_tpl_account_demo_/')
  if ! db_exists "$template"; then
    echo "  building $template (account with demo data)" >&2
    psql_ -c "DROP DATABASE IF EXISTS ${template}_build" > /dev/null
    psql_ -c "CREATE DATABASE ${template}_build" > /dev/null
    odoo -d "${template}_build" -i account --stop-after-init --no-http --log-level=warn \
      > "$logs/template-demo.log" 2>&1 || { tail -20 "$logs/template-demo.log" >&2; return 1; }
    psql_ -c "ALTER DATABASE ${template}_build RENAME TO $template" > /dev/null || return 1
  fi
  echo "$template"
}
