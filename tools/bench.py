"""`make bench`: data generator and timed measurements, run inside Odoo.

    python tools/bench.py generate DB --invoices M --customers N   (tools/bench_data.py)
    python tools/bench.py measure DB floor|prepare|run|letters|oca|oca_nopdf

Connection and addons path come from the environment (ADT_PGPORT, ADT_ADDONS_PATH),
set by tools/bench.sh, which clones a fresh database for each measurement. Each
measurement prints one line: `RESULT <name> <seconds> [extra key=value...]`.
"""

import os
import sys
import time

from bench_data import TODAY, generate


def open_env(db):
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        [
            "--db_host=127.0.0.1",
            f"--db_port={os.environ.get('ADT_PGPORT', '54329')}",
            "--db_user=odoo",
            f"--addons-path={os.environ['ADT_ADDONS_PATH']}",
            "--log-level=warn",
            "--no-http",
        ]
    )
    registry = Registry(db)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "UTC"})


# ----------------------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------------------
FLOOR_SQL = """
    SELECT lp.commercial_partner_id,
           SUM(l.amount_residual) FILTER (WHERE l.date_maturity < %(d)s) AS overdue,
           SUM(l.amount_residual) FILTER (WHERE l.date_maturity >= %(d)s) AS not_due,
           SUM(l.amount_residual) FILTER (WHERE age BETWEEN 1 AND 30) AS days_1_30,
           SUM(l.amount_residual) FILTER (WHERE age BETWEEN 31 AND 60) AS days_31_60,
           SUM(l.amount_residual) FILTER (WHERE age BETWEEN 61 AND 90) AS days_61_90,
           SUM(l.amount_residual) FILTER (WHERE age BETWEEN 91 AND 120) AS days_91_120,
           SUM(l.amount_residual) FILTER (WHERE age > 120) AS over_120,
           MAX(age) AS max_days_overdue
      FROM account_move_line l
      CROSS JOIN LATERAL (SELECT %(d)s - l.date_maturity AS age) aged
      JOIN account_account a ON a.id = l.account_id
      JOIN res_partner lp ON lp.id = l.partner_id
     WHERE l.company_id = %(c)s
       AND l.parent_state = 'posted'
       AND a.account_type = 'asset_receivable'
       AND NOT l.reconciled
     GROUP BY lp.commercial_partner_id
"""


def measure(env, what):
    """Time one step on the bench's date; returns (seconds, details)."""
    measures = {
        "floor": measure_floor,
        "prepare": measure_prepare,
        "run": measure_run,
        "letters": lambda env: measure_run(env, letters=True),
        "oca": lambda env: measure_oca(env, pdf=True),  # as shipped
        "oca_nopdf": measure_oca,
    }
    if what not in measures:
        raise SystemExit(f"unknown measurement {what!r}")
    env.cr.execute("SELECT 1")  # connection ready before the clock starts
    return measures[what](env)


def best_of(runs, step):
    """Best time of ``runs`` calls of ``step`` (a read-only step), and its result."""
    timings = []
    for __ in range(runs):
        start = time.perf_counter()
        result = step()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def measure_floor(env):
    def floor():
        env.cr.execute(FLOOR_SQL, {"d": TODAY, "c": env.company.id})
        return env.cr.fetchall()

    elapsed, rows = best_of(3, floor)
    return elapsed, {"customers_owing": len(rows)}


def measure_prepare(env):
    Reminder = env["account.dunning.reminder"]
    queries = env.cr.sql_log_count
    Reminder._dunning_prepare(date=TODAY)
    queries = env.cr.sql_log_count - queries

    def prepare():
        env.invalidate_all()
        return Reminder._dunning_prepare(date=TODAY)

    elapsed, vals = best_of(3, prepare)
    return elapsed, {
        "reminders": len(vals),
        "lines": sum(len(v["line_ids"]) for v in vals),
        "queries": queries,
    }


def track_batches(env):
    """The process's peak resident memory (MB) after each batch of the run, to show
    it stays flat as batches follow one another."""
    import resource

    model = type(env["account.dunning.engine"])
    run_batch = model._run_batch
    peaks = []

    def measured(self, *args, **kwargs):
        try:
            return run_batch(self, *args, **kwargs)
        finally:
            peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)

    model._run_batch = measured
    return peaks


def measure_run(env, letters=False):
    """The daily run with its commits per batch; mail left in the queue; no PDF, or
    with ``letters`` each email carrying its letter printed by wkhtmltopdf."""
    # a level's option, set either way: the shipped default attaches the letter at
    # the formal notice only, which the first run of the bench does not reach
    env["account.dunning.level"].with_context(active_test=False).search([]).write(
        {"attach_letter": letters}
    )
    env.cr.commit()
    peaks = track_batches(env)
    start = time.perf_counter()
    env["account.dunning.reminder"]._cron_dunning_run(batches=10**6, date=TODAY)
    env.cr.commit()
    elapsed = time.perf_counter() - start
    env.cr.execute(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'sent'), "
        "(SELECT COUNT(*) FROM account_dunning_reminder_line), "
        "COUNT(letter_attachment_id) FROM account_dunning_reminder"
    )
    reminders, sent, lines, letters_made = env.cr.fetchone()
    env.cr.execute("SELECT COUNT(*) FROM mail_mail")
    details = {
        "reminders": reminders,
        "sent": sent,
        "lines": lines,
        "emails": env.cr.fetchone()[0],
        "batches": len(peaks),
        "mem_first_batch_mb": peaks[0] if peaks else 0,
        "mem_peak_mb": max(peaks, default=0),
    }
    if letters:
        env.cr.execute(
            "SELECT COUNT(*) FROM ir_attachment WHERE res_model = %s "
            "AND mimetype = 'application/pdf'",
            ["account.dunning.reminder"],
        )
        details.update(letters=letters_made, pdf=env.cr.fetchone()[0])
    return elapsed, details


def measure_oca(env, pdf=False):
    import bench_oca  # beside this script, hence on sys.path

    bench_oca.oca_prepare(env, env.company, TODAY, pdf=pdf)
    env.cr.commit()
    start = time.perf_counter()
    counts = bench_oca.oca_run(env, env.company, TODAY)
    env.cr.commit()
    return time.perf_counter() - start, counts


def main(argv):
    command, db = argv[0], argv[1]
    env = open_env(db)
    try:
        if command == "generate":
            invoices = int(argv[argv.index("--invoices") + 1])
            customers = int(argv[argv.index("--customers") + 1])
            generate(env, invoices, customers)
        elif command == "measure":
            seconds, extra = measure(env, argv[2])
            details = " ".join(f"{k}={v}" for k, v in extra.items())
            print(f"RESULT {argv[2]} {seconds:.3f} {details}", flush=True)
        else:
            raise SystemExit(__doc__)
    finally:
        env.cr.close()


if __name__ == "__main__":
    main(sys.argv[1:])
