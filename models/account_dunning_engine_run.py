# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The daily run: the companies that remind automatically, their customers in
batches within the call's time, then the day's PDFs and payment scores.

Each batch locks its customers with a lock of the run's own, creates their reminders
(``account.dunning.engine._prepare``) and hands those of automatic levels to the
dispatch; it is committed on its own (see ``cron_budget``).
"""

import logging

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from .account_dunning_engine import (
    CRON_BATCH_SIZE,
    RUN_LOCK_KEY,
    DayQueue,
    contention_expected,
)
from .cron_budget import CallBudget, call_seconds, may_commit, now

_logger = logging.getLogger(__name__)


class AccountDunningEngine(models.AbstractModel):
    _inherit = "account.dunning.engine"

    # ------------------------------------------------------------------
    # The daily run: companies, batches, budget
    # ------------------------------------------------------------------
    @api.model
    def _cron_run(self, batch_size=CRON_BATCH_SIZE, batches=None, date=None):
        """Create today's reminders in every company that runs them automatically, and
        send those of automatic levels; the others wait as drafts for review.

        Customers go in batches, each taken with a lock that only another run
        respects (the customers stay free to edit) and committed on its own, so that
        a crash keeps what was done and the next call finishes the rest. A call
        works within its time (see ``cron_budget``), or for ``batches`` batches,
        reports its progress and lets Odoo call again; the PDFs are printed after the
        batches (see ``account.dunning.documents``), by this call if time is left.
        """
        budget = CallBudget(call_seconds(self.env))
        today = date or fields.Date.context_today(self)
        # sudo: the scheduled action works for every company that asked for it,
        # whichever companies its technical user may open.
        engine = self.sudo()
        self._cron_day_start(today)
        queue = engine._day_queue(today)
        done = index = 0
        while (batches is None or index < batches) and (
            not index or budget.fits_another_step()
        ):
            company, partner_ids = queue.next_batch(batch_size)
            if not partner_ids:
                break
            started = now()
            engine.with_company(company)._run_batch(partner_ids, today)
            queue.forget(company, partner_ids)
            done += len(partner_ids)
            index += 1
            self.env["ir.cron"]._notify_progress(done=done, remaining=queue.left())
            if may_commit(self.env):
                # A batch done stays done if a later one fails (as core crons do).
                self.env.cr.commit()  # pylint: disable=invalid-commit
            budget.record(started)
        if queue.left():
            # sudo: the scheduled action wakes itself; not a right of the caller's
            self.env.ref("account_dunning.ir_cron_dunning_run").sudo()._trigger()
            return done
        # the day's reminders are made: their PDFs, if half the call is left (the
        # documents' own scheduled action shares them meanwhile)
        if budget.left() >= budget.seconds / 2:
            self.env["account.dunning.documents"]._cron_print(
                seconds=budget.left(), first_chunk_always=False
            )
        if done and not budget.fits_another_step():
            # the payment behaviour scores: by the next call, with its own time
            self.env["ir.cron"]._notify_progress(done=done, remaining=1)
            # sudo: as above, the scheduled action wakes itself
            self.env.ref("account_dunning.ir_cron_dunning_run").sudo()._trigger()
            return done
        for company in self.env["res.company"].sudo().search([]):  # as above
            engine._score_company(company, today)
        # the customers' figures kept for the screens: the run changed many of them
        # sudo: as above, a scheduled action of the module
        self.env.ref("account_dunning.ir_cron_dunning_figures").sudo()._trigger()
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done

    @api.model
    def _cron_day_start(self, today):
        """What comes before the day's reminders, at every call (each is quick when
        there is nothing to do): promises and plans first, since a broken one puts
        its invoices back in today's run and instalments due get their own reminder;
        credit holds whose reason has gone are released."""
        # sudo: the scheduled action's own bookkeeping, in every company, whichever
        # user it runs as
        self.env["account.dunning.promise"].sudo()._dunning_update_states(today)
        plans = self.env["account.dunning.plan"].sudo()  # as above
        plans._dunning_update_states(today)
        plans._dunning_remind_instalments(today)
        # the earlier days' held drafts give way to today's, held again if need be
        self.env["account.dunning.holds"].sudo()._release_earlier(today)  # as above
        # drafts with nothing left to remind (paid, promised, disputed, planned,
        # handed over) are cancelled with why: the customers' status follows
        self.sudo()._retire_stale_drafts(today)  # as above
        credit = self.env["account.dunning.credit"].sudo()  # as above
        for company in self.env["res.company"].sudo().search([]):  # as above
            credit.with_company(company)._release_holds(company)

    @api.model
    def _score_company(self, company, date):
        """Update the company's payment scores, unless another run does it now;
        return whether this run did."""
        try:
            # another worker's update is handled below: not an error to log
            with contention_expected(), self.env.cr.savepoint():
                self.env["account.dunning.scoring"].with_company(company)._update(
                    company, date
                )
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            _logger.info("Payment scores of %s: updated by another run", company.name)
            return False
        return True

    @api.model
    def _day_queue(self, date):
        """The customers still to remind on ``date`` in the companies that remind
        automatically (see DayQueue)."""
        companies = self.env["res.company"].search([("dunning_auto_run", "=", True)])
        return DayQueue(self, companies, date)

    @api.model
    def _candidates(self, date):
        """Customers of the current company with a level due by ``date`` and no reminder
        made that day or waiting for review.
        """
        company = self.env.company
        selection = self.env["account.dunning.selection"]
        query = SQL(
            "SELECT DISTINCT partner_id FROM (%s) moves "
            "WHERE chaseable AND next_date <= %s ORDER BY partner_id",
            selection._open_items_sql(company, date, SQL("TRUE")),
            date,
        )
        ids = [row["partner_id"] for row in selection._fetch(query)]
        blocked = self._blocked_partner_ids(company, date, ids)
        return [pid for pid in ids if pid not in blocked]

    @api.model
    def _run_batch(self, partner_ids, date):
        """One batch of the daily run, all or nothing."""
        try:
            # contention with another worker is handled below, as core does when it
            # retries a serialization failure: not an error to log
            with contention_expected(), self.env.cr.savepoint():
                # A lock of the run's own (advisory, until the transaction ends), not
                # a row lock: another run skips these customers, while an accountant
                # saves them as usual.
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM unnest(%s::int[]) AS id "
                        "WHERE pg_try_advisory_xact_lock(%s, id) ORDER BY id",
                        list(partner_ids),
                        RUN_LOCK_KEY,
                    )
                )
                locked = self.env["res.partner"].browse(
                    [row[0] for row in self.env.cr.fetchall()]
                )
                vals_list = self._prepare(partners=locked, date=date)
                for vals in vals_list:
                    vals["origin"] = "auto"
                # Thousands of records: no creation log nor field tracking per record;
                # each reminder is noted once on its customer instead.
                # sudo: the daily run's own reminders (origin, state), whoever calls it
                quiet = (
                    self.env["account.dunning.reminder"]
                    .sudo()
                    .with_context(tracking_disable=True, mail_create_nolog=True)
                )
                reminders = quiet.create(vals_list)
                # what may be wrong waits for a human, even at an automatic level
                held = self.env["account.dunning.holds"]._hold(reminders, date)
                automatic = reminders.filtered(
                    lambda r: r.level_id.auto_execute and r not in held
                )
                # no PDF inside the batch: printed afterwards, emails held till then
                self.env["account.dunning.dispatch"]._send(
                    automatic, log_invoices=False, defer_documents=True
                )
                return reminders
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure):
            # Another worker made these reminders, or changed these customers,
            # meanwhile: this batch is theirs; what is left goes to the next run.
            _logger.info("Dunning batch skipped: customers handled by another run")
            return self.env["account.dunning.reminder"]
