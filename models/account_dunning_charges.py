# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Charges: the recovery fee and late interest of reminder lines (the rules are in
``dunning.charges``), and the invoices that bill them."""

import secrets

from odoo import Command, _, api, models

from ..dunning.charges import instalments_interest, recovery_fee

# Marks the posting of fee invoices by the charges step itself: a secret of this
# process, so that no context sent over RPC can stand for it
FEE_POSTING = secrets.token_hex(16)


class AccountDunningCharges(models.AbstractModel):
    """Service: fees and interest of reminders, and their invoices."""

    _name = "account.dunning.charges"
    _description = "Dunning Charges"

    @api.model
    def _charges(self, company, date):
        """A function (open row, level id) -> (fee, interest) in the invoice's
        currency, for reminders of ``company`` on ``date``: the level's fixed fee once
        per invoice and to businesses only, and simple interest at the company's rate
        since the due date or the last interest charged."""
        levels = (
            self.env["account.dunning.level"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
        )
        # plain values read once: this runs for each of tens of thousands of lines
        charging = {
            level.id: (level.fee_amount, level.apply_interest)
            for level in levels
            if level.fee_amount or level.apply_interest
        }
        rate = company.dunning_interest_rate
        company_currency = company.currency_id
        currencies = {}

        def currency_of(currency_id):
            if currency_id not in currencies:
                currencies[currency_id] = self.env["res.currency"].browse(currency_id)
            return currencies[currency_id]

        def charges(row, level_id):
            spec = charging.get(level_id)
            if spec is None:
                return 0.0, 0.0
            fee_amount, apply_interest = spec
            currency = currency_of(row.currency_id)
            fee = recovery_fee(fee_amount, row.fee_charged, row.is_company)
            if fee and currency != company_currency:
                fee = company_currency._convert(fee, currency, company, date)
            interest = 0.0
            if apply_interest and row.overdue_dues:
                # each overdue instalment from its own due date; nothing on what is
                # not due yet
                interest = instalments_interest(
                    list(zip(row.overdue_dues, row.overdue_amounts, strict=True)),
                    row.overdue_currency,
                    rate,
                    row.interest_until,
                    date,
                    currency.decimal_places,
                )
            return fee, interest

        # whether a level charges interest: the selection then brings the overdue
        # instalments, which interest runs on
        charges.with_interest = any(spec[1] for spec in charging.values())
        return charges

    def _invoice_charges(self, reminders):
        """One customer invoice "Late payment fees" per sent reminder that charges
        fees or interest, when the company invoices them; never twice."""
        todo = reminders.filtered(
            lambda r: not r.fee_move_id
            and r.company_id.dunning_fee_invoicing != "none"
            and (r.fee_total or r.interest_total)
        )
        if not todo:
            return
        moves = self.env["account.move"].create(
            [self._fee_invoice_vals(reminder) for reminder in todo]
        )
        for reminder, move in zip(todo, moves, strict=True):
            reminder._dunning_system_write({"fee_move_id": move.id})
        # fees on reminders already sent are no new credit: posted over a credit
        # block, ours (the marker below, which no caller can pass over RPC) and
        # OCA's risk check (its own context key, that does nothing without it)
        moves.filtered(
            lambda m: m.company_id.dunning_fee_invoicing == "posted"
        ).with_context(bypass_risk=True, dunning_fee_posting=FEE_POSTING).action_post()

    def _fee_invoice_vals(self, reminder):
        reminder.ensure_one()
        company = reminder.company_id
        product = company.dunning_fee_product_id or self.env.ref(
            "account_dunning.product_late_payment_fees"
        )
        lines = [
            (
                _("Recovery fees, reminder %(reminder)s", reminder=reminder.name),
                reminder.fee_total,
            ),
            (
                _("Late interest, reminder %(reminder)s", reminder=reminder.name),
                reminder.interest_total,
            ),
        ]
        vals = {
            "move_type": "out_invoice",
            "company_id": company.id,
            "partner_id": reminder.partner_id.id,
            "currency_id": reminder.currency_id.id,
            "invoice_date": reminder.date,
            "invoice_origin": reminder.name,
            "ref": _("Late payment fees"),
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": name,
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                    | (
                        {"account_id": company.dunning_fee_account_id.id}
                        if company.dunning_fee_account_id
                        else {}
                    )
                )
                for name, amount in lines
                if amount
            ],
        }
        if company.dunning_fee_journal_id:
            vals["journal_id"] = company.dunning_fee_journal_id.id
        return vals
