# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The daily run: the companies that remind automatically, their customers in
batches within the call's time, then the day's PDFs and payment scores.

Each batch locks its customers with a lock of the run's own, creates their reminders
(``account.dunning.engine._prepare``) and hands those of automatic levels to the
dispatch; it is committed on its own (see ``cron_budget``).
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .account_dunning_engine import CRON_BATCH_SIZE, RUN_LOCK_KEY, DayQueue
from .contention import (
    BATCH_LOCK_TIMEOUT_MS,
    contention_expected,
    contention_of,
    lock_free_rows,
    lock_timeout,
    unique_violation_of,
)
from .cron_budget import CallBudget, call_seconds, may_commit, now

_logger = logging.getLogger(__name__)

# Seconds before the run is called again when a call could take none of the
# customers it met (all held by other transactions): not at once, not the next day.
RETRY_SECONDS = 60


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

        Contention never fails a call nor makes it wait (see ``_take_batch``): a
        customer another transaction holds is left for the next call, which comes
        at once when this one made progress, else a minute later; the day's run is
        never put off to the next day.
        """
        budget = CallBudget(call_seconds(self.env))
        today = date or fields.Date.context_today(self)
        # sudo: the scheduled action works for every company that asked for it,
        # whichever companies its technical user may open.
        engine = self.sudo()
        if not self._cron_day_started(today):
            return self._cron_again(0, later=True)
        if may_commit(self.env):
            # the day's bookkeeping stays done; the batches begin with a fresh
            # snapshot (what an accountant saved meanwhile is no conflict)
            self.env.cr.commit()  # pylint: disable=invalid-commit
        queue = engine._day_queue(today)
        done = index = 0
        while (batches is None or index < batches) and (
            not index or budget.fits_another_step()
        ):
            company, partner_ids = queue.next_batch(batch_size)
            if not partner_ids:
                break
            started = now()
            __, deferred = engine.with_company(company)._take_batch(
                partner_ids, today, budget
            )
            queue.defer(company, deferred)
            taken = [pid for pid in partner_ids if pid not in set(deferred)]
            queue.forget(company, taken)
            done += len(taken)
            index += 1
            self.env["ir.cron"]._notify_progress(done=done, remaining=queue.left())
            if may_commit(self.env):
                # A batch done stays done if a later one fails (as core crons do).
                self.env.cr.commit()  # pylint: disable=invalid-commit
            budget.record(started)
        if queue.left():
            queue.requeue()
            return self._cron_again(done, later=not done)
        # the day's reminders are made: their PDFs, if half the call is left (the
        # documents' own scheduled action shares them meanwhile)
        if budget.left() >= budget.seconds / 2:
            self.env["account.dunning.documents"]._cron_print(
                seconds=budget.left(), first_chunk_always=False
            )
        if done and not budget.fits_another_step():
            # the payment behaviour scores: by the next call, with its own time
            self.env["ir.cron"]._notify_progress(done=done, remaining=1)
            return self._cron_again(done)
        for company in self.env["res.company"].sudo().search([]):  # as above
            engine._score_company(company, today)
        # the customers' figures kept for the screens: the run changed many of them
        # sudo: as above, a scheduled action of the module
        self.env.ref("account_dunning.ir_cron_dunning_figures").sudo()._trigger()
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done

    @api.model
    def _cron_again(self, done, later=False):
        """Have the run called again for what is left; return ``done``.

        A call that made progress is called again at once (Odoo's cron runner,
        told by ``_notify_progress``); one that made none (every customer it met
        was held by another transaction) is called again after RETRY_SECONDS, so
        that it neither waits for the rows nor spins on them, and not the next day:
        the trigger outlives Odoo's rescheduling of a call without progress."""
        # sudo: the scheduled action wakes itself; not a right of the caller's
        cron = self.env.ref("account_dunning.ir_cron_dunning_run").sudo()
        if later:
            cron._trigger(fields.Datetime.now() + timedelta(seconds=RETRY_SECONDS))
        else:
            cron._trigger()
        return done

    @api.model
    def _cron_day_started(self, today):
        """Run ``_cron_day_start`` unless it meets another transaction's rows, then
        undone and left to the next call; return whether it ran."""
        self.env.flush_all()  # what was written before is not this step's to undo
        cr = self.env.cr
        try:
            # contention is handled below: not an error to log
            with (
                contention_expected(),
                lock_timeout(cr, BATCH_LOCK_TIMEOUT_MS),
                cr.savepoint(),
            ):
                self._cron_day_start(today)
        except Exception as error:  # noqa: BLE001 - contention only, else raised
            if not contention_of(error):
                raise
            _logger.info(
                "Payment reminders: the day's promises, plans and holds met another "
                "transaction (%s); the run goes on at its next call",
                type(contention_of(error)).__name__,
            )
            return False
        return True

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
        """Update the company's payment scores, unless another run does it now or
        the update meets another transaction's rows (the scores stay as they were
        until the next run); return whether this run did. Never waits for a
        customer an accountant holds (see ``account.dunning.scoring``)."""
        self.env.flush_all()  # what was written before is not this step's to undo
        cr = self.env.cr
        try:
            # contention is handled below: not an error to log
            with (
                contention_expected(),
                lock_timeout(cr, BATCH_LOCK_TIMEOUT_MS),
                cr.savepoint(),
            ):
                self.env["account.dunning.scoring"].with_company(company)._update(
                    company, date
                )
        except Exception as error:  # noqa: BLE001 - contention only, else raised
            if not contention_of(error):
                raise
            _logger.info(
                "Payment scores of %s: met another run or transaction (%s)",
                company.name,
                type(contention_of(error)).__name__,
            )
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
        """One batch of the daily run; the reminders made (see ``_take_batch``)."""
        return self._take_batch(partner_ids, date)[0]

    @api.model
    def _take_batch(self, partner_ids, date, budget=None):
        """One batch of the daily run: (reminders made, customers left for a later
        call).

        Nothing in a batch waits for a row that another transaction holds (an
        accountant's open edit): the invoices the batch writes are locked first
        without waiting, and a customer one of whose invoices is held is left for
        later; any other wait stops after BATCH_LOCK_TIMEOUT_MS. Contention however
        it surfaces (a lock not available, a serialization failure, a deadlock, even
        wrapped in a rendering error) undoes the batch, which is made again in two
        halves, and so on down to the customer concerned, left for later; the
        others are made. With ``budget``, halves that no longer fit in the call are
        left for later too. A customer whose reminder another run committed
        meanwhile is that run's.
        """
        self.env.flush_all()  # what was written before is not this batch's to undo
        cr = self.env.cr
        reminders = self.env["account.dunning.reminder"]
        try:
            # contention is handled below: not an error to log
            with (
                contention_expected(),
                lock_timeout(cr, BATCH_LOCK_TIMEOUT_MS),
                cr.savepoint(),
            ):
                return self._make_batch(partner_ids, date)
        except Exception as error:  # noqa: BLE001 - contention only, else raised
            contention = contention_of(error)
            if not contention and not unique_violation_of(error):
                raise
            if len(partner_ids) == 1:
                if contention:
                    _logger.info(
                        "Payment reminders: customer %s left for the next call (%s)",
                        partner_ids[0],
                        type(contention).__name__,
                    )
                    return reminders, list(partner_ids)
                _logger.info(
                    "Payment reminders: customer %s reminded by another run",
                    partner_ids[0],
                )
                return reminders, []
        if budget is not None and budget.left() <= 0:
            return reminders, list(partner_ids)
        half = len(partner_ids) // 2
        made, left = self._take_batch(partner_ids[:half], date, budget)
        more, later = self._take_batch(partner_ids[half:], date, budget)
        return made | more, left + later

    @api.model
    def _make_batch(self, partner_ids, date):
        """The work of a batch (see ``_take_batch``): (reminders, customers whose
        invoices another transaction holds)."""
        # A lock of the run's own (advisory, until the transaction ends), not a row
        # lock: another run skips these customers, while an accountant saves them
        # as usual.
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
        vals_list, held = self._with_invoices_locked(
            self._prepare(partners=locked, date=date)
        )
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
        on_hold = self.env["account.dunning.holds"]._hold(reminders, date)
        automatic = reminders.filtered(
            lambda r: r.level_id.auto_execute and r not in on_hold
        )
        # no PDF inside the batch: printed afterwards, emails held till then
        self.env["account.dunning.dispatch"]._send(
            automatic, log_invoices=False, defer_documents=True
        )
        return reminders, held

    @api.model
    def _with_invoices_locked(self, vals_list):
        """Lock now, without waiting, the invoices the reminders ``vals_list`` list
        (the batch writes their level, last reminder and payment link); return the
        values of the customers all of whose invoices are locked, and the ids of
        the others (an accountant holds one of their invoices: left for later)."""
        moves = {
            vals["partner_id"]: {line[2]["move_id"] for line in vals["line_ids"]}
            for vals in vals_list
        }
        free = lock_free_rows(self.env.cr, "account_move", set().union(*moves.values()))
        held = [pid for pid, move_ids in moves.items() if not move_ids <= free]
        ready = [vals for vals in vals_list if vals["partner_id"] not in held]
        return ready, held
