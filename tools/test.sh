#!/usr/bin/env bash
# `make test`: static tier, pure-Python tier, Odoo tier, life-cycle tier. Each prints what it
# ran and its counts.
# PYTHON (default python3) is the interpreter that has Odoo; the other tiers use their own venv.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PYTHON=${PYTHON:-python3}
source tools/paths.sh
venv=$state/venv-static
status=0
fail() { echo "$1"; status=1; }

# --- tools: their own virtualenv, rebuilt when tools/requirements-static.txt changes ------
stamp=$venv/.requirements.sha
want=$(sha256sum tools/requirements-static.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== installing test tools into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv" \
    && "$venv/bin/pip" install -q --disable-pip-version-check -r tools/requirements-static.txt \
    && echo "$want" > "$stamp" \
    || { echo "STATIC TIER FAILED: could not install tools/requirements-static.txt"; exit 1; }
fi

# --- tier 1: static ----------------------------------------------------------------------
echo "== tier 1: static checks"
py_files=$(git ls-files -co --exclude-standard '*.py' | grep -v '^\.local/' | wc -l)
if "$venv/bin/ruff" check --no-fix --quiet . && "$venv/bin/ruff" format --check --quiet .; then
  echo "ruff: ok ($py_files Python files, lint and format)"
else fail "ruff: FAILED"; fi
if "$venv/bin/pylint" --rcfile=.pylintrc-mandatory --valid-odoo-versions=18.0 \
    --ignore-paths='.local/.*' "$here" > "$logs/pylint.log" 2>&1; then
  echo "pylint-odoo 9.1.3 (OCA 18.0 mandatory rules): ok"
else cat "$logs/pylint.log"; fail "pylint-odoo: FAILED"; fi
if "$venv/bin/oca-checks-odoo-module" --no-verbose "$here/__manifest__.py" > "$logs/oca-checks.log" 2>&1; then
  echo "oca-checks-odoo-module: ok"
else cat "$logs/oca-checks.log"; fail "oca-checks-odoo-module: FAILED"; fi
if "$venv/bin/python" tools/check_sudo.py; then :; else fail "sudo() comments: FAILED"; fi
if "$venv/bin/python" tools/check_test_imports.py; then :; else fail "test imports: FAILED"; fi
if "$venv/bin/python" tools/check_po.py; then :; else fail "translations: FAILED"; fi
if "$venv/bin/python" tools/gen_readme.py --check; then :; else fail "README.rst: FAILED"; fi
if "$PYTHON" -c 'import odoo' >/dev/null 2>&1; then
  if "$PYTHON" tools/check_xml.py; then :; else fail "XML RNG validation: FAILED"; fi
else
  echo "XML RNG validation: skipped (no Odoo importable by $PYTHON to provide import_xml.rng)"
fi

# --- tier 2: pure Python -------------------------------------------------------------------
echo "== tier 2: pure-Python rules (no Odoo)"
# The addon root is itself a package whose __init__ imports Odoo: collect the rules through
# a link so that pytest sees `dunning` as a top-level package and never imports the addon.
(cd "$state/pure" && "$venv/bin/python" -m pytest -q -p no:cacheprovider -c /dev/null \
  --rootdir=. --confcutdir=. dunning/tests)
rc=$?
[ $rc -eq 0 ] || fail "pure tier: FAILED (pytest exit $rc)"

# --- tier 3: Odoo --------------------------------------------------------------------------
echo "== tier 3: addon installed in a real Odoo database"
if ! "$PYTHON" -c 'import odoo, odoo.release; assert odoo.release.version_info[0] == 18' >/dev/null 2>&1; then
  echo "ODOO TIER SKIPPED: '$PYTHON' cannot import Odoo 18 as 'odoo'. Install Odoo 18.0 into it"
  echo "ODOO TIER SKIPPED: (see README, Requirements) to install the addon and run its tests."
else
  # The browser tour needs Chromium (Debian's package, installed here when apt-get can)
  # and websocket-client (a test-only dependency Odoo does not list).
  chrome=$(command -v chromium chromium-browser google-chrome google-chrome-stable | head -1)
  if [ -z "$chrome" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing chromium for the browser tour (apt-get)"
    apt-get install -y -q chromium > "$logs/apt-chromium.log" 2>&1 || true
    chrome=$(command -v chromium chromium-browser google-chrome | head -1)
  fi
  "$PYTHON" -c 'import websocket' >/dev/null 2>&1 \
    || "$PYTHON" -m pip install -q websocket-client > "$logs/pip-websocket.log" 2>&1 || true
  # phonenumbers: Odoo's phone_validation formats SMS numbers with it (optional for
  # Odoo, which then sends numbers as typed); the SMS tests check the formatting
  "$PYTHON" -c 'import phonenumbers' >/dev/null 2>&1 \
    || "$PYTHON" -m pip install -q phonenumbers > "$logs/pip-phonenumbers.log" 2>&1 || true
  if [ -z "$chrome" ]; then
    echo "BROWSER TOUR SKIPPED: no Chromium or Chrome on PATH; install Debian's 'chromium'"
    echo "BROWSER TOUR SKIPPED: package to run tests/test_dunning_tour.py."
  elif ! "$PYTHON" -c 'import websocket' >/dev/null 2>&1; then
    echo "BROWSER TOUR SKIPPED: '$PYTHON' cannot import websocket (pip install websocket-client)."
  else
    echo "browser tour: headless $chrome"
  fi
  PYTHON="$PYTHON" bash tools/odoo_tier.sh || fail "odoo tier: FAILED"

  # --- tier 4: the module's life cycle ----------------------------------------------------
  echo "== tier 4: install, update, uninstall, reinstall (without demo data, then with)"
  PYTHON="$PYTHON" bash tools/cycle.sh || fail "cycle tier: FAILED"

  # --- tier 5: beside core ---------------------------------------------------------------
  echo "== tier 5: Odoo's own tests of what the addon touches, with Sales, without and with it"
  PYTHON="$PYTHON" bash tools/beside_core.sh || fail "beside core tier: FAILED"
fi

echo "== make test: $([ $status -eq 0 ] && echo PASSED || echo FAILED)"
exit $status
