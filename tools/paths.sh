# Sourced by the commands under tools/. Where their state lives:
# - the PostgreSQL cluster and logs: .local/ in the repository (git-ignored);
# - the tool virtualenv and the addons folder that links this checkout as `account_dunning`:
#   a per-checkout folder OUTSIDE the repository, because Odoo walks an addon's whole tree
#   (translation export follows links) and must not find itself or a virtualenv inside it.
state=${ADT_STATE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/account_dunning/$(printf %s "$here" | sha1sum | cut -c1-10)}
logs=$here/.local/logs
mkdir -p "$state/addons" "$state/pure" "$logs"
ln -sfn "$here" "$state/addons/account_dunning"
ln -sfn "$here/dunning" "$state/pure/dunning"
