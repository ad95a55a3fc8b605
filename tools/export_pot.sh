#!/usr/bin/env bash
# `make pot`: export i18n/account_dunning.pot from a scratch database with the addon and its
# demo data installed (their terms too), the way Odoo itself exports it. Then merge new terms
# into i18n/fr.po by hand or with
# `msgmerge --update --no-fuzzy-matching i18n/fr.po i18n/account_dunning.pot`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PYTHON=${PYTHON:-python3}
source tools/odoo_env.sh
db=adt_pot_$$
trap 'dropdb -h 127.0.0.1 -p "$port" -U odoo --if-exists "$db"; [ "$started" = started ] && tools/pg.sh stop >/dev/null' EXIT
createdb -h 127.0.0.1 -p "$port" -U odoo -T "$(demo_template_db)" "$db"
odoo -d "$db" -i account_dunning --stop-after-init --log-level=warn > .local/logs/pot.log 2>&1
odoo -d "$db" --i18n-export="$here/i18n/account_dunning.pot" --modules=account_dunning \
  --stop-after-init --log-level=warn >> .local/logs/pot.log 2>&1
echo "exported i18n/account_dunning.pot: $(grep -c '^msgid ' i18n/account_dunning.pot) entries"
