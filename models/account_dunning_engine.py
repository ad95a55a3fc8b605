# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Steps 2 and 3 of the pipeline, *plan* and *create*, and the daily run's queue.

``_prepare`` reads the selection and asks ``dunning.plan`` what to make (writes
nothing); the daily run itself (``_cron_run``, ``_run_batch``) is in
``account_dunning_engine_run``.
"""

import gc
from contextlib import contextmanager

from odoo import _, api, fields, models
from odoo.tools import SQL, format_date

from ..dunning.plan import Customer, Level, OpenItem, Policy, plan
from .contention import contention_expected  # noqa: F401 - imported from here too
from .cron_budget import may_commit

# Customers per batch of the daily run (a call makes batches within its time; the
# cron runner calls again while _notify_progress reports work remaining).
CRON_BATCH_SIZE = 200
# the namespace of the run's advisory locks on customers ("dunn")
RUN_LOCK_KEY = 0x64756E6E


@contextmanager
def collector_paused():
    """Pause Python's cycle collector while a block builds many objects it keeps;
    reference counting still frees everything else. Restores the previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The day's candidates of each company, kept between the calls of a worker process:
# finding them reads every open entry (seconds at 500,000 invoices), a batch only its
# own customers. {(database, company id, date): [partner ids not taken yet]}
_DAY_CANDIDATES = {}


class DayQueue:
    """The customers a run still has to remind on a day, company by company.

    The candidates are found once per worker process and day; each batch takes the
    next customers and drops them. A list that runs out is found again from the
    database, so that the run ends only once a fresh search finds nobody: customers
    of a batch that was rolled back, or that another worker's list held, come back
    then. A customer found twice costs a batch that makes nothing for it (it was
    reminded that day). In tests and while a module installs, where nothing is
    committed between calls, the candidates are found afresh at every call.

    A customer a batch could not take now (another transaction holds one of its
    rows, see ``_take_batch``) is deferred: out of this call's way, counted as
    left, and first in the list of the next call (``requeue``).
    """

    def __init__(self, engine, companies, date):
        self.engine, self.companies, self.date = engine, companies, date
        self.kept = _DAY_CANDIDATES if may_commit(engine.env) else {}
        self.dbname = engine.env.cr.dbname
        self.found_now = set()  # the lists found from the database by this call
        self.deferred = {}  # {key: partner ids left for the next call}
        for key in [k for k in self.kept if k[0] == self.dbname and k[2] != date]:
            del self.kept[key]  # a day that did not finish: its lists are stale

    def _key(self, company):
        return (self.dbname, company.id, self.date)

    def _ids(self, company):
        key = self._key(company)
        if key not in self.kept:
            if key in self.found_now:  # searched by this call: nobody
                return []
            self.found_now.add(key)
            deferred = set(self.deferred.get(key, ()))
            ids = [
                pid
                for pid in self.engine.with_company(company)._candidates(self.date)
                if pid not in deferred
            ]
            if not ids:  # nobody: the next call searches again
                return ids
            self.kept[key] = ids
        return self.kept[key]

    def next_batch(self, size):
        """(company, up to ``size`` partner ids) to remind next; (None, []) when no
        company has any left."""
        for company in self.companies:
            ids = self._ids(company)
            if ids:
                return company, ids[:size]
        return None, []

    def forget(self, company, partner_ids):
        """``partner_ids`` were taken by a batch (made, or left to another worker)."""
        key = self._key(company)
        taken = set(partner_ids)
        left = [pid for pid in self.kept.get(key, ()) if pid not in taken]
        if left:
            self.kept[key] = left
        else:  # found afresh by the next call
            self.kept.pop(key, None)

    def defer(self, company, partner_ids):
        """``partner_ids`` could not be taken now: left for the next call."""
        if not partner_ids:
            return
        self.forget(company, partner_ids)
        self.deferred.setdefault(self._key(company), []).extend(partner_ids)

    def requeue(self):
        """The deferred customers first in the lists of the next call."""
        for key, ids in self.deferred.items():
            taken = set(ids)
            rest = [pid for pid in self.kept.get(key, ()) if pid not in taken]
            self.kept[key] = ids + rest
        self.deferred = {}

    def left(self):
        """How many customers are left: the lists, the deferred customers, and a
        fresh search for each company whose list ran out (or was never made) and
        that this call has not searched yet (see ``_ids``)."""
        return sum(len(self._ids(company)) for company in self.companies) + sum(
            len(ids) for ids in self.deferred.values()
        )


def line_vals(row, level_id, days_overdue, charges):
    """create() values of the reminder line of open row ``row`` (an ``OpenRow``)
    raised to ``level_id``: the one definition, for the daily run and the wizard.
    The line tells what is overdue and what is not due yet; charges run on the
    overdue part. A plain function: the daily run calls it for every line."""
    fee, interest = charges(row, level_id)
    return {
        "move_id": row.move_id,
        "level_id": level_id,
        "currency_id": row.currency_id,
        "date_due": row.due,
        "days_overdue": days_overdue,
        "amount_residual": row.residual_currency,
        "amount_residual_company": row.residual,
        "amount_overdue": row.overdue_currency,
        "amount_not_due": row.residual_currency - row.overdue_currency,
        "fee_amount": fee,
        "interest_amount": interest,
    }


class AccountDunningEngine(models.AbstractModel):
    """Service: plan and create reminders, for the daily run and the wizard."""

    _name = "account.dunning.engine"
    _description = "Dunning Engine"

    # ------------------------------------------------------------------
    # Plan: what a run would create (writes nothing)
    # ------------------------------------------------------------------
    @api.model
    def _prepare(self, partners=None, date=None):
        """What a run would create for ``date`` in the current company: a list of
        ``create()`` values, one reminder per customer. Writes nothing.
        """
        company = self.env.company
        date = date or fields.Date.context_today(self)
        if partners is None:
            line_filter = SQL("TRUE")
        else:
            commercial_ids = partners.commercial_partner_id.ids
            line_filter = SQL("lp.commercial_partner_id = ANY(%s)", commercial_ids)
        # Tens of thousands of small objects, all kept until the end: the cycle
        # collector would only walk them again and again.
        charges = self.env["account.dunning.charges"]._charges(company, date)
        with collector_paused():
            rows = self.env["account.dunning.selection"]._open_rows(
                company,
                date,
                line_filter,
                instalments=charges.with_interest,
                raisable_only=True,
            )
            if not rows:
                return []
            customers = self._customers(rows, company, date)
            policies = self._policies({row.policy_id for row in rows} - {None})
            proposals = plan(customers, policies, date)
            return self._reminder_vals(proposals, rows, company, date, charges)

    @api.model
    def _blocked_partner_ids(self, company, date, partner_ids):
        """Customers that get no new reminder: a draft awaits review, or one was made on
        ``date`` already.
        """
        groups = self.env["account.dunning.reminder"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", list(partner_ids)),
                "|",
                ("state", "=", "draft"),
                "&",
                ("date", "=", date),
                ("state", "!=", "cancelled"),
            ],
            ["partner_id"],
        )
        return {partner.id for (partner,) in groups}

    @api.model
    def _customers(self, rows, company, date):
        by_partner = {}
        for row in rows:
            by_partner.setdefault(row.partner_id, []).append(row)
        blocked = self._blocked_partner_ids(company, date, by_partner)
        return [
            Customer(
                partner_id,
                partner_rows[0].policy_id,
                [
                    OpenItem(
                        row.move_id,
                        row.residual,
                        row.due,
                        row.chase_reason is None,
                        row.current_delay,
                        row.overdue_residual,
                        row.chase_reason,
                    )
                    for row in partner_rows
                ],
                partner_rows[0].last_reminder_date,
                partner_id in blocked,
            )
            for partner_id, partner_rows in by_partner.items()
        ]

    @api.model
    def _policies(self, policy_ids):
        policies = self.env["account.dunning.policy"].browse(sorted(policy_ids))
        return {
            policy.id: Policy(
                policy.id,
                tuple(
                    Level(level.id, level.delay)
                    for level in policy.level_ids
                    if level.active
                ),
                policy.minimum_amount,
                policy.min_interval_days,
                policy.allow_level_skip,
            )
            for policy in policies
        }

    @api.model
    def _reminder_vals(self, proposals, rows, company, date, charges):
        """create() values of the proposals; amounts come rounded from the select."""
        row_by_move = {row.move_id: row for row in rows}
        fallback_user = (company.dunning_responsible_id or self._human_user()).id
        vals_list = []
        for proposal in proposals:
            lines = []
            for raised in proposal.raises:
                row = row_by_move[raised.move_id]
                # The bare command tuple: built tens of thousands of times a run.
                lines.append(
                    (
                        fields.Command.CREATE,
                        0,
                        line_vals(row, raised.level_id, raised.days_overdue, charges),
                    )
                )
            first = row_by_move[proposal.raises[0].move_id]
            vals_list.append(
                {
                    "partner_id": proposal.partner_id,
                    "company_id": company.id,
                    "policy_id": proposal.policy_id,
                    "level_id": proposal.level_id,
                    "date": date,
                    "user_id": first.responsible_id or fallback_user or False,
                    "line_ids": lines,
                }
            )
        return vals_list

    # ------------------------------------------------------------------
    # A draft brought up to the day it goes out
    # ------------------------------------------------------------------
    @api.model
    def _refresh_drafts(self, reminders, date):
        """Bring draft ``reminders`` up to ``date`` before they go out: their date,
        each invoice's amounts, days late, fee and interest as the selection says
        that day; the invoices paid since or no longer chased (excluded, disputed,
        promised, under a plan, handed over) are dropped with a note. Returns the
        drafts left with no invoice (nothing to send)."""
        # a draft made today whose invoices did not change since is as of today
        drafts = reminders.filtered(
            lambda r: r.state == "draft"
            and (
                r.date != date
                or any(
                    move.write_date and move.write_date > r.create_date
                    for move in r.line_ids.move_id
                )
            )
        )
        empty = drafts.browse()
        for company in drafts.company_id:
            ours = drafts.filtered(lambda r, c=company: r.company_id == c)
            charges = self.env["account.dunning.charges"]._charges(company, date)
            rows = self.env["account.dunning.selection"]._open_rows(
                company,
                date,
                SQL("lp.commercial_partner_id = ANY(%s)", ours.partner_id.ids),
                instalments=charges.with_interest,
            )
            by_move = {row.move_id: row for row in rows}
            for reminder in ours:
                if not self._refresh_draft(reminder, by_move, date, charges):
                    empty |= reminder
        return empty

    def _refresh_draft(self, reminder, by_move, date, charges):
        """One draft (see ``_refresh_drafts``); whether an invoice is left."""
        why_not = {
            "excluded_invoice": _("excluded from dunning"),
            "excluded_customer": _("the customer is excluded from dunning"),
            "collection": _("the customer is handed over to collection"),
            "dispute": _("disputed"),
            "promise": _("a promise to pay covers it"),
            "plan": _("under a payment plan"),
        }
        dropped = []
        # sudo: the pipeline's own values on a draft, whoever sends it
        lines = reminder.line_ids.sudo()
        for line in lines:
            row = by_move.get(line.move_id.id)
            if row is None or row.residual <= 0:
                dropped.append((line, _("paid since")))
            elif row.chase_reason:
                dropped.append((line, why_not.get(row.chase_reason, row.chase_reason)))
            else:
                vals = line_vals(row, line.level_id.id, (date - row.due).days, charges)
                changed = {
                    name: value
                    for name, value in vals.items()
                    if name not in ("move_id", "level_id", "currency_id")
                    and line[name] != value
                }
                if changed:
                    line.write(changed)
        if dropped:
            reminder._dunning_note(
                _(
                    "Brought up to %(date)s before sending; left out: %(invoices)s.",
                    date=format_date(self.env, date),
                    invoices="; ".join(
                        f"{line.move_id.name} ({reason})" for line, reason in dropped
                    ),
                )
            )
            for line, __ in dropped:
                line.unlink()
        if reminder.date != date:
            reminder._dunning_system_write({"date": date})
        return bool(reminder.line_ids)

    def _human_user(self):
        """The current user, unless it is the scheduler's technical user."""
        user = self.env.user
        return self.env["res.users"] if user._is_superuser() else user
