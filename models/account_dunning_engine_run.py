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
    CONTENTION_ERRORS,
    contention_expected,
    contention_of,
    lock_free_rows,
    lock_timeout,
    unique_violation_of,
)
from .cron_budget import CallBudget, call_seconds, may_commit, now, step_done

_logger = logging.getLogger(__name__)

# Seconds before the run is called again when a call could take none of the
# customers it met (all held by other transactions): not at once, not the next day.
RETRY_SECONDS = 60
# Customers of the first batch of a worker process, before it knows its pace
FIRST_BATCH_SIZE = 20
# Customers whose payment scores are updated per step (a few grouped queries and
# one UPDATE: 50,000 customers took 4.5 s in one step, over a call's 4.2 s)
SCORING_CHUNK = 2000
# Kept between the calls of a worker process (see DayQueue): the seconds per
# customer of its last batch, {database: seconds}; the customers whose scores are
# still to update, {(database, company id, date): [partner ids]}.
_PACES = {}
_SCORING = {}


def kept_paces(env):
    """The paces kept between the calls of this worker process; in tests and while
    a module installs (nothing committed between calls), a call's own."""
    return _PACES if may_commit(env) else {}


def batch_size_for(budget, batch_size, pace):
    """Customers of the next batch: as many as half the time left allows at
    ``pace`` (seconds per customer), at most ``batch_size``, at least one; without a
    pace yet, FIRST_BATCH_SIZE at most."""
    if not pace:
        return min(batch_size, FIRST_BATCH_SIZE)
    return max(1, min(batch_size, int(budget.left() / 2 / pace)))


class ScoringQueue:
    """The customers whose payment scores a day's run has still to update, company
    by company: listed once per worker process and day, in tests (nothing
    committed between calls) at every call (see DayQueue); the company keeps the
    last customer scored that day, from which any call goes on."""

    def __init__(self, engine, companies, date):
        self.scoring = engine.env["account.dunning.scoring"]
        self.companies, self.date = companies, date
        self.kept = _SCORING if may_commit(engine.env) else {}
        self.dbname = engine.env.cr.dbname
        for key in [k for k in self.kept if k[0] == self.dbname and k[2] != date]:
            del self.kept[key]  # another day's

    def _ids(self, company):
        key = (self.dbname, company.id, self.date)
        if key not in self.kept:
            self.kept[key] = self.scoring.with_company(company)._scored_partner_ids(
                company, self.date
            )
        if company.dunning_scores_date == self.date:  # the calls before went so far
            upto = company.dunning_scores_upto
            self.kept[key] = [pid for pid in self.kept[key] if pid > upto]
        return self.kept[key]

    def next_chunk(self, size):
        """(company, up to ``size`` partner ids) to score next; (None, []) when
        every company is done."""
        for company in self.companies:
            ids = self._ids(company)
            if ids:
                return company, ids[:size]
        return None, []

    def forget(self, company, partner_ids):
        """``partner_ids``, the next ones, are scored (or left as they were)."""
        key = (self.dbname, company.id, self.date)
        self.kept[key] = self.kept[key][len(partner_ids) :]
        # where the next call goes on, whichever worker process makes it; no wait
        # for another run's update of the company (the same mark, or further)
        cr = self.scoring.env.cr
        try:
            with contention_expected(), cr.savepoint(flush=False):
                cr.execute(
                    SQL(
                        """UPDATE res_company
                              SET dunning_scores_date = %(date)s,
                                  dunning_scores_upto = %(upto)s
                            WHERE id IN (SELECT id FROM res_company WHERE id = %(id)s
                                           FOR NO KEY UPDATE SKIP LOCKED)""",
                        date=self.date,
                        upto=max(partner_ids),
                        id=company.id,
                    )
                )
        except CONTENTION_ERRORS as error:  # another run marked it meanwhile
            _logger.info(
                "Payment scores of %s: marked by another run (%s)", company.name, error
            )
        company.invalidate_recordset(["dunning_scores_date", "dunning_scores_upto"])

    def left(self):
        return sum(len(self._ids(company)) for company in self.companies)


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
        done, left = engine._cron_batches(today, budget, batch_size, batches)
        if left:
            return self._cron_again(done, later=not done)
        # the day's reminders are made: their PDFs, if half the call is left (the
        # documents' own scheduled action shares them meanwhile)
        printed = 0
        if budget.left() >= budget.seconds / 2:
            started = now()
            printed = self.env["account.dunning.documents"]._cron_print(
                seconds=budget.left(), first_chunk_always=False
            )
            budget.record(started)
        # then the payment behaviour scores, by chunks of customers
        scored, left = engine._cron_scores(today, budget, stepped=done or printed)
        progress = done + printed + scored
        self.env["ir.cron"]._notify_progress(done=progress, remaining=left)
        if left:
            return self._cron_again(done, later=not progress)
        # the customers' figures kept for the screens: the run changed many of them
        # sudo: as above, a scheduled action of the module
        self.env.ref("account_dunning.ir_cron_dunning_figures").sudo()._trigger()
        return done

    @api.model
    def _cron_batches(self, today, budget, batch_size=CRON_BATCH_SIZE, batches=None):
        """The day's batches that fit in the call (or ``batches`` batches), each of
        as many customers as half the time left allows at the pace of the last
        batch (at most ``batch_size``, at least one; FIRST_BATCH_SIZE before any),
        committed one by one; return (customers taken, customers left)."""
        queue = self._day_queue(today)
        paces = kept_paces(self.env)
        dbname = self.env.cr.dbname
        done = index = 0
        while (batches is None or index < batches) and (
            not index or budget.fits_another_step()
        ):
            size = batch_size_for(budget, batch_size, paces.get(dbname))
            company, partner_ids = queue.next_batch(size)
            if not partner_ids:
                break
            started = now()
            __, deferred = self.with_company(company)._take_batch(
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
            paces[dbname] = (now() - started) / len(partner_ids)
        left = queue.left()
        if left:
            queue.requeue()
        return done, left

    @api.model
    def _cron_scores(self, today, budget, stepped=False):
        """The payment scores of ``today``, company by company in chunks of
        SCORING_CHUNK customers, each committed, while another fits in the call
        (the first chunk whatever the time, unless the call ``stepped`` already);
        return (customers scored, customers left to score)."""
        # sudo: the scores of every company, whichever the run's user may open
        queue = ScoringQueue(self, self.env["res.company"].sudo().search([]), today)
        scored = 0
        while not stepped or budget.fits_another_step():
            company, partner_ids = queue.next_chunk(SCORING_CHUNK)
            if not partner_ids:
                break
            started = now()
            self._score_company(company, today, partner_ids)
            queue.forget(company, partner_ids)  # even if met by another transaction
            scored += len(partner_ids)
            stepped = True
            step_done(self.env, budget, started)
        return scored, queue.left()

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
    def _score_company(self, company, date, partner_ids=None):
        """Update the company's payment scores (of ``partner_ids`` only, if given),
        unless another run does it now or the update meets another transaction's
        rows (the scores stay as they were until the next run); return whether this
        run did. Never waits for a customer an accountant holds (see
        ``account.dunning.scoring``)."""
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
                    company, date, partner_ids
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
