#!/usr/bin/env bash
# `make bench`: time our selection, our daily run and the OCA credit-control run on the
# same generated data, for each size in SIZES (invoices; customers = invoices / 10).
#   SIZES="1000 10000 50000" (default)
#   OCA_SIZES: sizes where OCA is measured as shipped: its run, mark-ready and email
#   channel action, each email carrying the PDF its default template renders with
#   wkhtmltopdf (default: 1000 10000; about a second per customer, so not 50,000)
#   OCA_NOPDF_SIZES: sizes where OCA is also measured with that PDF taken out of its
#   template, its emails queued like ours (default: all)
#   LETTER_SIZES: sizes where our run is also timed with each email's letter printed by
#   wkhtmltopdf, by one cron worker then by two (default: 1000, that is 100 customers)
# Databases kept as templates while their inputs are unchanged:
#   adt_bdata_<generator hash>_<M>: account, chart, OCA module, generated data;
#   adt_bench_<data+addon hash>_<M>: the same with account_dunning installed.
# Each measurement runs on a fresh clone; the last line per size is the BENCH line.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
PYTHON=${PYTHON:-python3}
SIZES=${SIZES:-1000 10000 50000}
# "  " (spaces) leaves a list empty
OCA_SIZES=${OCA_SIZES:-1000 10000}
OCA_NOPDF_SIZES=${OCA_NOPDF_SIZES:-$SIZES}
LETTER_SIZES=${LETTER_SIZES:-1000}
source tools/odoo_env.sh
trap '[ "$started" = started ] && tools/pg.sh stop >/dev/null' EXIT
template=$(template_db) || exit 1

oca_dir=$state/oca-addons
"$PYTHON" -c "import sys; sys.path.insert(0, 'tools'); import bench_oca; bench_oca.install_oca_addon('$oca_dir')" \
  || { echo "could not get the OCA account_credit_control module"; exit 1; }
export ADT_PGPORT=$port ADT_ADDONS_PATH=$addons_path,$oca_dir
hash_of() { cat "$@" | sha1sum | cut -c1-8; }
gen_key=$(hash_of tools/bench_data.py)
addon_key=$(git ls-files -z -- '*.py' '*.xml' '*.csv' '*.po' | grep -zv '^tools/' \
  | xargs -0 cat | sha1sum | cut -c1-8)
clone() { dropdb -h 127.0.0.1 -p "$port" -U odoo --if-exists "$2" 2>/dev/null; createdb -h 127.0.0.1 -p "$port" -U odoo -T "$1" "$2"; }
drop() { dropdb -h 127.0.0.1 -p "$port" -U odoo --if-exists "$1"; }
odoo_b() { odoo --addons-path="$ADT_ADDONS_PATH" --no-http --stop-after-init --log-level=warn "$@"; }

for M in $SIZES; do
  N=$(( M / 10 ))
  data_db=adt_bdata_${gen_key}_$M
  if ! db_exists "$data_db"; then
    echo "generating $M invoices for $N customers (kept as $data_db)"
    t0=$SECONDS
    clone "$template" "${data_db}_build" && \
    odoo_b -d "${data_db}_build" -i account_credit_control > "$logs/bench-$M.log" 2>&1 && \
    "$PYTHON" tools/bench.py generate "${data_db}_build" --invoices "$M" --customers "$N" \
      >> "$logs/bench-$M.log" 2>&1 && \
    psql_ -c "ALTER DATABASE ${data_db}_build RENAME TO $data_db" \
      || { tail -20 "$logs/bench-$M.log"; exit 1; }
    echo "generated in $(( SECONDS - t0 )) s ($(( M / (SECONDS - t0 + 1) )) invoices/s)"
  fi
  bench_db=adt_bench_${gen_key}${addon_key}_$M
  if ! db_exists "$bench_db"; then
    clone "$data_db" "${bench_db}_build" && \
    odoo_b -d "${bench_db}_build" -i account_dunning >> "$logs/bench-$M.log" 2>&1 && \
    psql_ -c "ALTER DATABASE ${bench_db}_build RENAME TO $bench_db" \
      || { tail -20 "$logs/bench-$M.log"; exit 1; }
  fi
  declare -A result=() extra=()
  whats="floor prepare run default ui"
  case " $LETTER_SIZES " in *" $M "*) whats="$whats letters letters2" ;; esac
  case " $OCA_NOPDF_SIZES " in *" $M "*) whats="$whats oca_nopdf" ;; esac
  case " $OCA_SIZES " in *" $M "*) whats="$whats oca" ;; esac
  for what in $whats; do
    run_db=adt_benchrun_$$
    clone "$bench_db" "$run_db" 2>/dev/null
    line=$("$PYTHON" tools/bench.py measure "$run_db" "$what" 2>>"$logs/bench-$M.log" | grep '^RESULT')
    drop "$run_db"
    echo "  $line"
    result[$what]=$(echo "$line" | awk '{print $3}')
    extra[$what]=$(echo "$line" | cut -d' ' -f4-)
  done
  field() { echo "${extra[$1]:-}" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
  echo "BENCH invoices=$M customers=$N floor_s=${result[floor]} prepare_s=${result[prepare]}" \
    "run_s=${result[run]} oca_s=${result[oca]:-n/a} prepare_queries=$(field prepare queries)" \
    "oca_nopdf_s=${result[oca_nopdf]:-n/a} letters_s=${result[letters]:-n/a}" \
    "letters2_s=${result[letters2]:-n/a} default_s=${result[default]}" \
    "max_call_s=$(field default max_call_s) calls=$(field default calls)" \
    "batches=$(field run batches) mem_first_batch_mb=$(field run mem_first_batch_mb)" \
    "mem_peak_mb=$(field run mem_peak_mb)" \
    $(for ui in desk kanban partner wizard1 wizard100 aging kpi; do
        printf 'ui_%s_ms=%s ' "$ui" "$(field ui "ui_${ui}_ms")"; done) \
    "store_s=$(field ui ui_store_s) store_changed=$(field ui ui_store_changed)" \
    "store_changed_s=$(field ui ui_store_changed_s)"
done
