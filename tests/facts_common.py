# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the facts tests share (a helper module, no test of its own): a customer
reminded once, another company with its plan, draft plans, and the check that an
attempt is refused with its message and changes nothing."""

from datetime import date, timedelta

from odoo import Command
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import TODAY, DunningCommon

# another company's record: the record rules refuse it (an AccessError, whose text
# Odoo writes in the user's own language)
OTHER_COMPANY = "."
OWN_STEPS = "set by the addon's own steps, not by hand"


class FactsCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls.other_invoice = cls._invoice(cls.customer, 400, date(2026, 3, 5))
        cls.stranger = cls._invoice(cls.other_customer, 700, date(2026, 3, 1))
        cls.draft_invoice = cls._draft_invoice(cls.customer, 300)
        cls.paid = cls._invoice(cls.customer, 200, date(2026, 3, 1))
        cls._pay(cls.paid, 200)
        cls.credit_note = cls._invoice(
            cls.customer, 50, date(2026, 3, 1), move_type="out_refund"
        )
        # the invoice was reminded once (its history: a level, a date, a count)
        cls.sent = cls._reminder(
            cls.customer, cls.invoice, cls.level_email, on=date(2026, 3, 20)
        )
        cls.billing = new_test_user(
            cls.env, login="f_billing", groups="account.group_account_invoice"
        )
        cls.billing_contacts = new_test_user(
            cls.env,
            login="f_billing_contacts",
            groups="account.group_account_invoice,base.group_partner_manager",
        )
        company_b = cls.setup_other_company(name="Company B")["company"]
        cls.company_b = company_b
        cls.customer_b = cls._customer("Bernard SAS", company_id=company_b.id)
        Move = cls.env["account.move"].with_company(company_b)
        cls.invoice_b = Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer_b.id,
                "invoice_date": date(2026, 2, 1),
                "invoice_date_due": date(2026, 3, 1),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Work",
                            "price_unit": 600,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.invoice_b.action_post()
        Plan = cls.env["account.dunning.plan"]
        cls.plan_b = Plan.with_company(company_b).create(
            {
                "partner_id": cls.customer_b.id,
                "company_id": company_b.id,
                "move_ids": [Command.set(cls.invoice_b.ids)],
                "amount_total": 600,
            }
        )
        cls.plan_b.action_compute_schedule()
        cls.level_b = company_b.dunning_policy_id.level_ids[:1]
        cls.plan = Plan.create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.other_invoice.ids)],
                "amount_total": 400,
                "instalment_count": 2,
            }
        )
        cls.plan.action_compute_schedule()
        cls.other_plan = Plan.create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.other_invoice.ids)],
                "amount_total": 400,
                "instalment_count": 1,
            }
        )
        cls.other_plan.action_compute_schedule()

    def _as(self, user, records):
        return records.with_user(user).with_context(lang="en_US")

    def _promise(self, moves, amount=100, **vals):
        return self.env["account.dunning.promise"].create(
            {
                "partner_id": moves.commercial_partner_id.id,
                "move_ids": [Command.set(moves.ids)],
                "date": TODAY + timedelta(days=10),
                "amount": amount,
            }
            | vals
        )

    def _snapshot(self):
        """What the attempts below could change."""
        self.env.invalidate_all()
        Promise = self.env["account.dunning.promise"].sudo()
        moves = (self.invoice | self.other_invoice | self.stranger | self.paid).sudo()
        customers = (self.customer | self.other_customer).sudo()
        return (
            moves.read(
                [
                    "dunning_level_id",
                    "dunning_last_date",
                    "dunning_count",
                    "dunning_promise_ids",
                ]
            ),
            self.sent.sudo().line_ids.read(["state", "date", "partner_id"]),
            self.env["account.dunning.reminder.line"]
            .sudo()
            .search([])
            .read(["state", "reminder_id", "move_id"]),
            Promise.search([]).read(["state", "amount", "date", "move_ids"]),
            (self.plan | self.other_plan | self.plan_b)
            .sudo()
            .read(["state", "baseline_residual", "name", "amount_total", "move_ids"]),
            (self.plan | self.other_plan | self.plan_b)
            .sudo()
            .line_ids.read(["plan_id", "reminder_sent", "amount", "date"]),
            customers.read(
                [
                    "risk_score",
                    "risk_factors",
                    "payment_on_time_ratio",
                    "payment_avg_days_late",
                    "payment_paid_count",
                ]
            ),
        )

    def assertRefused(self, attempts):
        """Each (what, call, exception, message): refused with that clear message,
        and nothing changed afterwards."""
        for what, call, exception, pattern in attempts:
            with self.subTest(what):
                before = self._snapshot()
                with (
                    self.assertRaisesMessage(exception, pattern),
                    mute_logger("odoo.models"),
                ):
                    call()
                self.assertEqual(self._snapshot(), before, what)
