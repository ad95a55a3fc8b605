# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an Odoo cron worker does (``ir.cron._process_jobs``), on given scheduled
actions only: a helper of the tests (and of ``make bench``), not a test."""


def process_ready_jobs(registry, connection, cron_ids):
    """One round: take each of ``cron_ids`` that is ready and that no other worker
    holds, and run it as Odoo does (its calls, progress and rescheduling). Returns
    whether a job ran."""
    IrCron = registry["ir.cron"]
    ran = False
    with connection.cursor() as cron_cr:
        for cron_id in cron_ids:
            try:
                job = IrCron._acquire_one_job(cron_cr, cron_id)
            except Exception:  # noqa: BLE001 - another worker took it meanwhile
                cron_cr.rollback()
                continue
            if job:
                IrCron._process_job(connection, cron_cr, job)
                ran = True
        cron_cr.commit()  # pylint: disable=invalid-commit
    return ran
