# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# what a float holds to the cent, far beyond any invoice
MAX_AMOUNT = 10**13


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

    @api.model_create_multi
    def create(self, vals_list):
        Company = self.env["res.company"]
        for vals in vals_list:
            self._dunning_check_written(vals, self.browse())
            company = Company.browse(vals.get("company_id")) or self.env.company
            self._dunning_check_date(vals.get("date"), company)
        promises = super().create(vals_list)
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
        self._dunning_check_written(vals, self)
        if "date" in vals:
            companies = self.env["res.company"].browse(vals.get("company_id"))
            for company in companies or self.company_id or self.env.company:
                self._dunning_check_date(vals["date"], company)
        return super().write(vals)

    @api.model
    def _dunning_check_written(self, vals, promises):
        """What a user may not write on ``promises`` (none: a create): that the
        customer made the promise online, which only the portal's answer says (as
        the system); an amount that is not a finite number of a sane size (refused
        before Odoo rounds it)."""
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
        if "amount" in vals:
            try:
                amount = float(vals["amount"] or 0.0)
            except (TypeError, ValueError) as error:
                raise ValidationError(
                    _("The amount promised must be a number.")
                ) from error
            if not math.isfinite(amount) or abs(amount) >= MAX_AMOUNT:
                raise ValidationError(
                    _(
                        "The amount promised must be a number below %(max)s.",
                        max=MAX_AMOUNT,
                    )
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

    @api.constrains("amount")
    def _check_amount(self):
        if any(promise.amount <= 0 for promise in self):
            raise ValidationError(_("The amount promised must be positive."))

    @api.constrains("partner_id", "move_ids")
    def _check_moves(self):
        for promise in self:
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
        paid.write({"state": "kept"})
        broken = (open_promises - paid).filtered(lambda p: p.date < date)
        broken.write({"state": "broken"})
        for promise in broken:
            promise.partner_id.sudo().message_post(  # see create()
                body=_(
                    "Promise to pay of %(date)s broken: reminders resume.",
                    date=promise.date,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return paid, broken
