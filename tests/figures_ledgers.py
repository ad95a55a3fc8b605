# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The generated ledgers of the figures' property test: a seeded generator gives
each customer a ledger of its own (see ``test_dunning_figures_property``)."""

import random
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command

from odoo.addons.account.models.account_move import AccountMove

TODAY = date(2026, 11, 30)
CUSTOMERS = 32
SEED = 28


def day(offset):
    return TODAY + timedelta(days=offset)


class GeneratedLedgers:
    """The generator (a mixin of the property test, no test of its own)."""

    # --- the generator --------------------------------------------------------------
    @classmethod
    def _generate(cls, index):
        rng = cls.rng
        customer = cls._customer(f"Generated {index:02d}")
        billed = customer
        if rng.random() < 0.2:  # a contact of the customer is invoiced
            billed = (
                cls.env["res.partner"]
                .sudo()
                .create({"name": f"Contact {index:02d}", "parent_id": customer.id})
            )
        invoices = cls.env["account.move"]
        for __ in range(rng.randint(1, 4)):
            invoices |= cls._generated_invoice(billed)
        for invoice in invoices:
            roll = rng.random()
            if roll < 0.3:  # partly paid (or in full), on a day of its own
                paid_on = min(
                    TODAY, invoice.invoice_date + timedelta(rng.randint(0, 60))
                )
                amount = round(invoice.amount_residual * rng.uniform(0.1, 1.0), 2)
                cls._pay(invoice, amount, on=paid_on)
        if rng.random() < 0.35:  # a credit note not applied
            cls._invoice(
                billed,
                rng.randint(100, 400000) / 100,
                day(-rng.randint(0, 90)),
                move_type="out_refund",
            )
        if rng.random() < 0.25:  # a payment not matched with an invoice
            payment = cls.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": billed.id,
                    "amount": rng.randint(100, 300000) / 100,
                    "date": day(-rng.randint(0, 60)),
                    "journal_id": cls.company_data["default_journal_bank"].id,
                }
            )
            payment.action_post()
        if rng.random() < 0.1:  # an entry with a debit and a credit of its own
            cls._mixed_entry(billed)
        cls._agreements(customer, invoices)
        if rng.random() < 0.1:
            customer.sudo().dunning_excluded = True
            cls.not_chased.update(invoices.ids)
        elif rng.random() < 0.05:
            customer.sudo().dunning_stage = "collection"
            cls.not_chased.update(invoices.ids)
        if rng.random() < 0.25:  # a reminder sent for the earliest open invoice
            open_invoices = invoices.filtered(lambda m: m.amount_residual > 0)
            if open_invoices:
                sent_on = day(-rng.randint(0, 12))
                target = open_invoices.sorted("invoice_date_due")[0]
                cls._reminder(customer, target, cls.level_email, on=sent_on)
                cls.last_reminder[customer.id] = sent_on
        return customer

    @classmethod
    def _generated_invoice(cls, partner):
        rng = cls.rng
        amount = rng.randint(1000, 800000) / 100
        currency = cls.eur if rng.random() < 0.2 else None
        if rng.random() < 0.35:  # in instalments
            invoice_date = day(-rng.randint(0, 120))
            return cls._invoice(
                partner,
                amount,
                invoice_date,
                currency=currency,
                invoice_date=invoice_date,
                invoice_payment_term_id=rng.choice(cls.terms).id,
                invoice_date_due=False,
            )
        # due some day around today, today itself included; dated by today
        due = day(rng.choice([0, -1, 1, rng.randint(-150, 45)]))
        return cls._invoice(
            partner,
            amount,
            due,
            currency=currency,
            invoice_date=min(due - timedelta(days=30), TODAY),
        )

    @classmethod
    def _mixed_entry(cls, partner):
        receivable = partner.property_account_receivable_id
        income = cls.company_data["default_account_revenue"]
        entry = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "date": day(-40),
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": partner.id,
                            "debit": 1000.0,
                            "date_maturity": day(-35),
                        }
                    ),
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": partner.id,
                            "credit": 300.0,
                            "date_maturity": day(-10),
                        }
                    ),
                    Command.create({"account_id": income.id, "credit": 700.0}),
                ],
            }
        )
        entry.action_post()
        cls.not_chased.add(entry.id)

    @classmethod
    def _agreements(cls, customer, invoices):
        """Disputes, promises, plans and exclusions on some open invoices."""
        rng = cls.rng
        for invoice in invoices.filtered(lambda m: m.amount_residual > 0):
            roll = rng.random()
            if roll < 0.12:
                invoice.sudo().write(
                    {"dunning_dispute_state": "open", "dunning_dispute_reason": "Late"}
                )
            elif roll < 0.22:
                cls.env["account.dunning.promise"].create(
                    {
                        "partner_id": customer.id,
                        "move_ids": [Command.set(invoice.ids)],
                        "date": day(rng.randint(1, 20)),
                        # promises and plans are in company currency
                        "amount": invoice.amount_residual_signed,
                    }
                )
            elif roll < 0.3:
                plan = cls.env["account.dunning.plan"].create(
                    {
                        "partner_id": customer.id,
                        "move_ids": [Command.set(invoice.ids)],
                        "amount_total": invoice.amount_residual_signed,
                        "instalment_count": 2,
                        "first_date": day(5),
                    }
                )
                plan.action_compute_schedule()
                plan.action_activate()
            elif roll < 0.36:
                invoice.sudo().dunning_excluded = True
            else:
                continue
            cls.not_chased.add(invoice.id)

    @classmethod
    def _generate_unbooked(cls):
        """Payments registered without a journal entry (a payment method without
        outstanding account), on the company currency's invoices of some
        customers, each on one or two invoices."""
        journal = cls.company_data["default_journal_bank"]
        lines = journal.inbound_payment_method_line_ids
        account = lines.payment_account_id
        lines.payment_account_id = False
        rng = random.Random(SEED + 1)
        with patch.object(
            AccountMove, "_get_invoice_in_payment_state", lambda self: "in_payment"
        ):
            for customer in cls.customers:
                invoices = cls.env["account.move"].search(
                    [
                        ("commercial_partner_id", "=", customer.id),
                        ("move_type", "=", "out_invoice"),
                        ("currency_id", "=", cls.company.currency_id.id),
                        ("payment_state", "in", ("not_paid", "partial")),
                    ]
                )
                if not invoices or rng.random() > 0.3:
                    continue
                paid = invoices[: rng.randint(1, 2)]
                amount = round(
                    sum(paid.mapped("amount_residual")) * rng.uniform(0.2, 1.0), 2
                )
                payment = cls._pay(paid, amount, on=day(-rng.randint(0, 30)))
                assert not payment.move_id, "a payment without a journal entry"
                cls.unbooked[customer.id].append(payment)
        lines.payment_account_id = account
