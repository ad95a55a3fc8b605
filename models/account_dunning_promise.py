# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2.errors import UniqueViolation

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .access import check_system_fields
from .bounds import check_input, check_internal_user

# Set by the promise's own steps (kept when its invoices are paid, broken when its
# date passes unpaid), never by a user.
SYSTEM_FIELDS = frozenset({"state"})
# What the customer promised: fixed once the promise is kept or broken.
PROMISE_FACTS = frozenset({"partner_id", "company_id", "move_ids", "date", "amount"})
# One open promise per invoice, held by the database: the relation's rows of open
# promises carry open_promise (see _dunning_mark_open), unique per invoice.
OPEN_INDEX = "account_dunning_promise_move_rel_one_open"


class AccountDunningPromise(models.Model):
    """A customer's promise to pay invoices by a date: until then they are not
    reminded; unpaid the day after, the promise is broken and dunning resumes."""

    _name = "account.dunning.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _check_company_auto = True
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        "account_dunning_promise_move_rel",
        "promise_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), "
        "('dunning_open', '=', True)]",
    )
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    amount = fields.Monetary(
        required=True, tracking=True, help="The amount promised, in company currency."
    )
    note = fields.Text()
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")],
        default="open",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    user_id = fields.Many2one(
        "res.users", string="Recorded By", default=lambda self: self.env.user
    )
    by_customer = fields.Boolean(
        string="Made Online",
        readonly=True,
        copy=False,
        help="The customer made this promise from the customer portal.",
    )

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = _(
                "%(customer)s by %(date)s",
                customer=promise.partner_id.display_name or "",
                date=promise.date or "",
            )

    def init(self):
        """The relation's flag of open promises and its unique index (see
        OPEN_INDEX); on an existing database, the latest open promise of an
        invoice holds it."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """ALTER TABLE account_dunning_promise_move_rel
                   ADD COLUMN IF NOT EXISTS open_promise boolean"""
            )
        )
        cr.execute(
            SQL(
                """UPDATE account_dunning_promise_move_rel r
                      SET open_promise = TRUE
                     FROM (SELECT DISTINCT ON (pm.move_id) pm.promise_id, pm.move_id
                             FROM account_dunning_promise_move_rel pm
                             JOIN account_dunning_promise p ON p.id = pm.promise_id
                            WHERE p.state = 'open'
                              AND NOT EXISTS (
                                  SELECT 1 FROM account_dunning_promise_move_rel o
                                   WHERE o.move_id = pm.move_id AND o.open_promise)
                            ORDER BY pm.move_id, pm.promise_id DESC) latest
                    WHERE r.promise_id = latest.promise_id
                      AND r.move_id = latest.move_id"""
            )
        )
        cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS %s
                       ON account_dunning_promise_move_rel (move_id)
                    WHERE open_promise""",
                SQL.identifier(OPEN_INDEX),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        Company = self.env["res.company"]
        for vals in vals_list:
            check_system_fields(
                self,
                {
                    f
                    for f in SYSTEM_FIELDS & vals.keys()
                    if vals[f] not in (False, "open")
                },
            )
            self._dunning_check_written(vals, self.browse())
            company = Company.browse(vals.get("company_id")) or self.env.company
            self._dunning_check_date(vals.get("date"), company)
        promises = super().create(vals_list)
        promises._dunning_mark_open()
        for promise in promises:
            # sudo: the note on the customer is part of recording the promise, which
            # billing users may do without editing contacts
            promise.partner_id.sudo().message_post(
                body=_(
                    "Promise to pay %(amount)s by %(date)s for %(invoices)s.",
                    amount=promise.currency_id.format(promise.amount),
                    date=promise.date,
                    invoices=", ".join(promise.move_ids.mapped("name")),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return promises

    def write(self, vals):
        check_input(self, [vals])
        check_system_fields(self, SYSTEM_FIELDS & vals.keys())
        self._dunning_check_written(vals, self)
        if "date" in vals:
            companies = self.env["res.company"].browse(vals.get("company_id"))
            for company in companies or self.company_id or self.env.company:
                self._dunning_check_date(vals["date"], company)
        result = super().write(vals)
        if vals.keys() & {"state", "move_ids"}:
            self._dunning_mark_open()
        return result

    def _dunning_mark_open(self):
        """Flag the invoices of these promises that are open in the relation, and
        only those: the database refuses a second open promise for an invoice,
        two customers answering at once included (a search before the insert
        would let both through)."""
        if not self:
            return
        opened = self.filtered(lambda p: p.state == "open")
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """UPDATE account_dunning_promise_move_rel
                              SET open_promise = CASE WHEN promise_id = ANY(%(open)s)
                                                      THEN TRUE END
                            WHERE promise_id = ANY(%(ids)s)
                              AND open_promise IS DISTINCT FROM
                                  CASE WHEN promise_id = ANY(%(open)s) THEN TRUE END""",
                        open=opened.ids,
                        ids=self.ids,
                    ),
                    # refused, and said so below: not a server error
                    log_exceptions=False,
                )
        except UniqueViolation as error:
            raise UserError(
                _(
                    "A promise to pay %(invoices)s is already open: one open "
                    "promise per invoice (change that one instead).",
                    invoices=", ".join(opened.move_ids.mapped("display_name")),
                )
            ) from error

    @api.model
    def _dunning_check_written(self, vals, promises):
        """What a user may not write on ``promises`` (none: a create): what a kept
        or broken promise said; that the customer made the promise online, which
        only the portal's answer says (as the system)."""
        settled = promises.filtered(lambda p: p.state != "open")
        if settled and PROMISE_FACTS & vals.keys() and not self.env.su:
            raise UserError(
                _(
                    "The promise to pay %(promise)s is %(state)s: what was promised "
                    "stays as it was.",
                    promise=settled[0].display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        settled[0].state
                    ],
                )
            )
        made_online = bool(vals.get("by_customer"))
        if (
            "by_customer" in vals
            and not self.env.su
            and (
                made_online
                if not promises
                else promises.filtered(lambda p: p.by_customer != made_online)
            )
        ):
            raise UserError(
                _("Only a promise the customer makes online is marked Made Online.")
            )

    @api.model
    def _dunning_check_date(self, value, company):
        """A promise is for a date to come, within the horizon ``company`` accepts
        (its settings): an invoice under promise is not reminded until then."""
        date = fields.Date.to_date(value)
        if not date:
            return
        today = fields.Date.context_today(self)
        if date < today:
            raise ValidationError(
                _("A promise to pay is for a date to come, not %(date)s.", date=date)
            )
        horizon = company.dunning_promise_horizon_days
        if date > today + timedelta(days=horizon):
            raise ValidationError(
                _(
                    "A promise to pay is for the next %(days)s days at most: "
                    "%(date)s is too far (a payment plan spreads longer delays).",
                    days=horizon,
                    date=date,
                )
            )

    @api.constrains("user_id", "company_id")
    def _check_user(self):
        label = self._fields["user_id"]._description_string(self.env)
        for promise in self:
            check_internal_user(self.env, promise.user_id, promise.company_id, label)

    @api.constrains("amount")
    def _check_amount(self):
        if any(promise.amount <= 0 for promise in self):
            raise ValidationError(_("The amount promised must be positive."))

    @api.constrains("partner_id", "move_ids", "amount")
    def _check_moves(self):
        """A promise covers invoices of its customer; while it is open, invoices
        left to pay (posted, not paid), for no more than what is left on them."""
        for promise in self:
            if not promise.move_ids:
                raise ValidationError(
                    _("A promise to pay covers at least one invoice of its customer.")
                )
            strangers = promise.move_ids.filtered(
                lambda m, promise=promise: m.commercial_partner_id
                != promise.partner_id.commercial_partner_id
                or m.move_type != "out_invoice"
            )
            if strangers:
                raise ValidationError(
                    _(
                        "A promise of %(customer)s can only cover its own customer "
                        "invoices, not %(invoices)s.",
                        customer=promise.partner_id.display_name,
                        invoices=", ".join(strangers.mapped("display_name")),
                    )
                )
            if promise.state != "open":
                continue
            closed = promise.move_ids.filtered(lambda m: not m._dunning_is_open())
            if closed:
                raise ValidationError(
                    _(
                        "A promise to pay is for invoices left to pay: %(invoices)s "
                        "is a draft, paid or cancelled.",
                        invoices=", ".join(closed.mapped("display_name")),
                    )
                )
            left = sum(promise.move_ids.mapped("amount_residual_signed"))
            currency = promise.currency_id
            if currency.compare_amounts(promise.amount, left) > 0:
                raise ValidationError(
                    _(
                        "The amount promised, %(amount)s, is more than what is left "
                        "to pay: %(left)s.",
                        amount=currency.format(promise.amount),
                        left=currency.format(left),
                    )
                )

    @api.model
    def _dunning_form_action(self, partner, moves):
        """A new promise for ``moves`` of ``partner``, prefilled: in a week, for what
        is left to pay."""
        today = fields.Date.context_today(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Promise to Pay"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner[:1].id,
                "default_move_ids": moves.ids,
                "default_date": today + timedelta(days=7),
                "default_amount": sum(moves.mapped("amount_residual_signed")),
            },
        }

    def _dunning_update_states(self, date=None):
        """Open promises whose invoices are all paid are kept; those still unpaid
        after their date are broken, and their customer's dunning resumes."""
        date = date or fields.Date.context_today(self)
        open_promises = self.search([("state", "=", "open")]) if not self else self
        open_promises = open_promises.filtered(lambda p: p.state == "open")
        paid = open_promises.filtered(
            lambda p: all(m._dunning_is_paid() for m in p.move_ids)
        )
        # sudo: the promise's own step sets its state, whoever's action leads to it
        paid.sudo().write({"state": "kept"})
        broken = (open_promises - paid).filtered(lambda p: p.date < date)
        broken.sudo().write({"state": "broken"})  # as above
        for promise in broken:
            promise.partner_id.sudo().message_post(  # see create()
                body=_(
                    "Promise to pay of %(date)s broken: reminders resume.",
                    date=promise.date,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return paid, broken
