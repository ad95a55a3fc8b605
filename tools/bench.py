"""`make bench`: data generator and timed measurements, run inside Odoo.

    python tools/bench.py generate DB --invoices M --customers N   (tools/bench_data.py)
    python tools/bench.py measure DB WHAT
        WHAT: floor, prepare, run, default, letters, letters2, ui, oca, oca_nopdf
    python tools/bench.py worker DB   (a cron worker, started by the measurements
        default, letters and letters2)

Connection and addons path come from the environment (ADT_PGPORT, ADT_ADDONS_PATH),
set by tools/bench.sh, which clones a fresh database for each measurement. Each
measurement prints one line: `RESULT <name> <seconds> [extra key=value...]`.
"""

import os
import statistics
import subprocess
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
            # a production server's limits: cron calls get the time they get there
            # (see models/cron_budget.py), whatever this process runs as
            "--workers=2",
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
        "default": lambda env: measure_workers(env, workers=1, letters=False),
        "letters": lambda env: measure_workers(env, workers=1, letters=True),
        "letters2": lambda env: measure_workers(env, workers=2, letters=True),
        "ui": measure_ui,
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
    # the raw throughput: every batch in one call (the cron's calls are measured by
    # "default", which keeps the time per call)
    env["ir.config_parameter"].set_param("account_dunning.cron_call_seconds", "1e6")
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


# ----------------------------------------------------------------------------------
# The daily run as Odoo's cron workers run it
# ----------------------------------------------------------------------------------
CRONS = (
    "account_dunning.ir_cron_dunning_run",
    "account_dunning.ir_cron_dunning_documents",
)


def measure_workers(env, workers, letters):
    """From the daily run's start until every reminder of the day is made and every
    email is queued with its attachments, with ``workers`` cron worker processes
    sharing the run and the printing; with ``letters``, every level attaches its
    letter (else the shipped default policy: only the formal notice). Returns the
    time and the longest single call."""
    if letters:
        env["account.dunning.level"].with_context(active_test=False).search([]).write(
            {"attach_letter": True}
        )
    run = env.ref(CRONS[0])
    # the bench's day, not the machine's; due now
    day = f"datetime.date.fromisoformat('{TODAY}')"
    run.write({"code": f"model._cron_dunning_run(date={day})"})
    env.cr.execute(
        "UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') "
        "- interval '1 minute' WHERE id = %s",
        [run.id],
    )
    env.cr.commit()
    command = [sys.executable, os.path.abspath(__file__), "worker", env.cr.dbname]
    processes = [
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for __ in range(workers)
    ]
    # the clock starts once every worker has loaded Odoo, as running servers have
    for process in processes:
        while process.stdout.readline().strip() != "READY":
            if process.poll() is not None:
                raise SystemExit("a worker did not start")
    start = time.perf_counter()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate()[0] for process in processes]
    elapsed = time.perf_counter() - start
    if any(process.returncode for process in processes):
        raise SystemExit(f"a worker failed: {[p.returncode for p in processes]}")
    lines = [line.split() for output in outputs for line in output.splitlines()]
    calls = [float(line[2]) for line in lines if line[:1] == ["CALL"]]
    # the payment scores, a step of the run's last call
    scores = [float(line[2]) for line in lines if line[:1] == ["STEP"]]
    env.cr.rollback()
    env.cr.execute(
        "SELECT COUNT(*), COUNT(letter_attachment_id), "
        "COUNT(*) FILTER (WHERE documents_pending) FROM account_dunning_reminder"
    )
    reminders, letters_made, pending = env.cr.fetchone()
    env.cr.execute(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE dunning_held) FROM mail_mail"
    )
    emails, held = env.cr.fetchone()
    if pending or held:
        raise SystemExit(f"unfinished: {pending} reminders to print, {held} held")
    return elapsed, {
        "reminders": reminders,
        "emails": emails,
        "letters": letters_made,
        "calls": len(calls),
        "max_call_s": f"{max(calls, default=0):.3f}",
        "scores_s": f"{sum(scores):.3f}",
        "workers": workers,
    }


def run_worker(db):
    """A cron worker as Odoo's (ir.cron._process_jobs), on the addon's scheduled
    actions only: take each job that is ready and that no other worker holds, run it
    (its calls, progress, rescheduling); stop once the day's work is done. Prints
    the length of every call of the run and of the printing."""
    from odoo.modules.registry import Registry
    from odoo.sql_db import db_connect

    # the tests' cron worker round, loaded from its file: importing the addon's
    # tests package would load Odoo's test framework
    process_ready_jobs = load_cron_worker().process_ready_jobs

    registry = Registry(db)
    for model, method in (
        ("account.dunning.engine", "_cron_run"),
        ("account.dunning.documents", "_cron_print"),
    ):
        timed(registry[model], method)
    timed(registry["account.dunning.engine"], "_score_company", label="STEP")
    connection = db_connect(db)
    with connection.cursor() as cr:
        cr.execute(
            "SELECT res_id FROM ir_model_data WHERE module = 'account_dunning' "
            "AND name = ANY(%s)",
            [[xmlid.split(".")[1] for xmlid in CRONS]],
        )
        cron_ids = [row[0] for row in cr.fetchall()]
    print("READY", flush=True)
    sys.stdin.readline()  # all workers start together
    while True:
        ran = process_ready_jobs(registry, connection, cron_ids)
        if not ran and day_done(connection, cron_ids):
            return
        if not ran:
            time.sleep(0.05)


def load_cron_worker():
    import importlib.util

    path = os.path.join(os.path.dirname(__file__), "..", "tests", "cron_worker.py")
    spec = importlib.util.spec_from_file_location("dunning_cron_worker", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(cls, method, label="CALL"):
    """Print the length of every outermost call of ``cls.method`` (a call inside
    another, the run's spare time printing, is part of that one); with another
    ``label``, of every call."""
    original = getattr(cls, method)

    nests = label == "CALL"  # a call counts in the depth; a step inside does not

    def counted(records, *args, **kwargs):
        outer = not nests or TIMED_DEPTH[0] == 0
        TIMED_DEPTH[0] += nests
        started = time.perf_counter()
        try:
            return original(records, *args, **kwargs)
        finally:
            TIMED_DEPTH[0] -= nests
            if outer:
                print(
                    f"{label} {method} {time.perf_counter() - started:.3f}", flush=True
                )

    setattr(cls, method, counted)


TIMED_DEPTH = [0]


def day_done(connection, cron_ids):
    """Nothing of the day left: no job of ours ready or held by another worker, no
    reminder waiting for its documents."""
    with connection.cursor() as cr:
        cr.execute(
            """SELECT COUNT(*) FROM ir_cron c
                WHERE c.id = ANY(%(ids)s)
                  AND (c.nextcall <= (now() at time zone 'UTC')
                       OR EXISTS (SELECT 1 FROM ir_cron_trigger t
                                   WHERE t.cron_id = c.id
                                     AND t.call_at <= (now() at time zone 'UTC')))""",
            {"ids": cron_ids},
        )
        ready = cr.fetchone()[0]
        cr.execute(
            "SELECT id FROM ir_cron WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED",
            [cron_ids],
        )
        free = len(cr.fetchall())
        cr.execute(
            "SELECT COUNT(*) FROM account_dunning_reminder WHERE documents_pending"
        )
        pending = cr.fetchone()[0]
        cr.rollback()
    return not ready and free == len(cron_ids) and not pending


# ----------------------------------------------------------------------------------
# The screens a user opens every day, as the web client loads them
# ----------------------------------------------------------------------------------
def view_spec(env, model, view_type, view_id=False):
    """The web_read specification of a view: its fields, relations by name."""
    views = env[model].get_views([(view_id, view_type)])
    fields = views["models"][model]["fields"]
    return {
        name: {"fields": {"display_name": {}}} if info.get("relation") else {}
        for name, info in fields.items()
    }


def median_ms(step, runs=5):
    timings = []
    for __ in range(runs):
        started = time.perf_counter()
        step()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


CHANGED_EVERY = 1000  # customers changed between two refreshes: one in so many


def refresh_figures(env):
    """The customers' figures stored as the scheduled refresh stores them: the
    whole day (its first call of a day), then again after one customer in a
    thousand changed (an invoice of theirs disputed and settled: a busy minute
    between two calls), in seconds. The screens are then timed with as many
    changes marked again, as between two calls."""
    store = env["account.dunning.figures"]
    # as the first call of a day finds it, whatever this database's store holds
    env.cr.execute("DELETE FROM account_dunning_figures_state")
    started = time.perf_counter()
    store._refresh(seconds=1e6)
    whole = time.perf_counter() - started
    env.cr.commit()

    def change_some():
        """An invoice of every thousandth customer disputed, then settled."""
        env.cr.execute(
            """SELECT DISTINCT ON (commercial_partner_id) id FROM account_move
                WHERE move_type = 'out_invoice' AND state = 'posted'
                ORDER BY commercial_partner_id, id"""
        )
        ids = [move_id for (move_id,) in env.cr.fetchall()][::CHANGED_EVERY]
        invoices = env["account.move"].browse(ids)
        invoices.write({"dunning_dispute_state": "open"})
        env.flush_all()
        invoices.write({"dunning_dispute_state": "none"})
        env.flush_all()
        return len(invoices)

    changed = change_some()
    env.cr.commit()
    started = time.perf_counter()
    store._refresh(seconds=1e6)
    marked = time.perf_counter() - started
    env.cr.commit()
    change_some()
    env.cr.commit()
    return {
        "ui_store_s": f"{whole:.2f}",
        "ui_store_changed": changed,
        "ui_store_changed_s": f"{marked:.2f}",
    }


def measure_ui(env):
    """Server time of the calls the web client makes to open each screen, timed in
    this process, median of 5, in ms (a fresh cache each time, as a new request)."""
    store_figures = refresh_figures(env)
    # the desk's action: its domain, its "Action needed" filter, its sort
    desk_domain = [("parent_id", "=", False), ("dunning_is_customer", "=", True)]
    action_needed = desk_domain + [("dunning_status", "=", "action")]
    context = {"res_partner_search_mode": "customer", "bin_size": True}
    partners = env["res.partner"].with_context(context)
    list_view = env.ref("account_dunning.res_partner_dunning_view_list").id
    kanban_view = env.ref("account_dunning.res_partner_dunning_view_kanban").id
    list_spec = view_spec(env, "res.partner", "list", list_view)
    kanban_spec = view_spec(env, "res.partner", "kanban", kanban_view)
    form_spec = view_spec(
        env, "res.partner", "form", env.ref("base.view_partner_form").id
    )
    owing = partners.search(
        desk_domain + [("dunning_amount_overdue", ">", 0)], limit=100
    )
    one = owing[:1]

    def desk():
        env.invalidate_all()
        return partners.web_search_read(
            action_needed,
            list_spec,
            order="dunning_amount_overdue desc",
            limit=80,
            count_limit=10001,
        )

    def kanban():
        env.invalidate_all()
        groups = partners.web_read_group(
            desk_domain, ["dunning_amount_overdue"], ["dunning_level_id"], lazy=True
        )
        for group in groups["groups"]:
            partners.web_search_read(
                group["__domain"],
                kanban_spec,
                order="dunning_amount_overdue desc",
                limit=40,
            )

    def partner_form():
        env.invalidate_all()
        return one.web_read(form_spec)

    def wizard(customers):
        def open_wizard():
            env.invalidate_all()
            action = customers.action_dunning_send()
            record = env[action["res_model"]].browse(action["res_id"])
            return record.web_read(view_spec(env, action["res_model"], "form"))

        return open_wizard

    def aging():
        env.invalidate_all()
        report = env["account.dunning.aging.report"]
        measures = [
            "not_due",
            "days_1_30",
            "days_31_60",
            "days_61_90",
            "days_91_120",
            "days_over_120",
            "credit",
            "amount_due",
        ]
        report.read_group(
            [], [f"{m}:sum" for m in measures], ["partner_id"], lazy=False
        )
        return report.read_group([], [f"{m}:sum" for m in measures], [], lazy=False)

    kpi_spec = view_spec(env, "account.dunning.kpi", "form")

    def kpi():
        env.invalidate_all()
        return env["account.dunning.kpi"].onchange({}, [], kpi_spec)

    figures = {
        "ui_desk_ms": median_ms(desk),
        "ui_kanban_ms": median_ms(kanban),
        "ui_partner_ms": median_ms(partner_form),
        "ui_wizard1_ms": median_ms(wizard(one)),
        "ui_wizard100_ms": median_ms(wizard(owing)),
        "ui_aging_ms": median_ms(aging),
        "ui_kpi_ms": median_ms(kpi),
    }
    env.cr.rollback()
    return 0.0, {name: f"{value:.0f}" for name, value in figures.items()} | (
        store_figures
    )


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
        elif command == "worker":
            run_worker(db)
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
