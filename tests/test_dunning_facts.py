# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every stored fact of the history and of the payment behaviour is written by its
own step only, and every link a user makes is checked: what JSON-RPC reaches
(write and create of any field) cannot skip the review of a reminder, rewrite an
invoice's dunning history, move an instalment to another company's plan or make
up a customer's payment behaviour (promises and plans: test_dunning_facts_promises).
Each attempt is made by the least-privileged user who could try it, and leaves the
database as it was."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import TODAY
from .facts_common import OTHER_COMPANY, OWN_STEPS, FactsCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningFacts(FactsCommon):
    # --- 4. review skipped through a line -------------------------------------------

    def test_a_line_takes_its_state_from_its_reminder(self):
        """A billing user marks a draft formal notice's line sent: refused, the
        invoice does not climb to Formal notice and its count stays."""
        draft = self._as(
            self.billing,
            self._reminder(
                self.customer, self.invoice, self.level_formal, state="draft"
            ),
        )
        line = draft.line_ids
        copies = "takes these values from its reminder"
        self.assertRefused(
            [
                (
                    "the line's state written",
                    lambda: line.write({"state": "sent"}),
                    UserError,
                    copies,
                ),
                (
                    "through the reminder's lines",
                    lambda: draft.write(
                        {"line_ids": [Command.update(line.id, {"state": "sent"})]}
                    ),
                    UserError,
                    copies,
                ),
                (
                    "its date or its customer",
                    lambda: line.write(
                        {"date": TODAY, "partner_id": self.other_customer.id}
                    ),
                    UserError,
                    copies,
                ),
                (
                    "a new line created sent on the draft",
                    lambda: line.create(
                        {
                            "reminder_id": draft.id,
                            "move_id": self.other_invoice.id,
                            "state": "sent",
                        }
                    ),
                    UserError,
                    copies,
                ),
                (
                    "a sent reminder's line set back to draft",
                    lambda: self._as(self.billing, self.sent.line_ids).write(
                        {"state": "draft"}
                    ),
                    UserError,
                    copies,
                ),
            ]
        )
        self.assertRecordValues(
            self.invoice,
            [
                {
                    "dunning_level_id": self.level_email.id,
                    "dunning_last_date": date(2026, 3, 20),
                    "dunning_count": 1,
                }
            ],
        )
        self.assertEqual(draft.state, "draft")
        # a line created with its reminder's own values is fine
        new_line = line.create(
            {
                "reminder_id": draft.id,
                "move_id": self.other_invoice.id,
                "state": "draft",
                "date": draft.date,
            }
        )
        self.assertEqual(new_line.state, "draft")

    # --- 5. an invoice's history ----------------------------------------------------

    def test_an_invoice_history_is_its_reminders(self):
        invoice = self._as(self.billing, self.invoice)
        self.assertRefused(
            [
                (
                    "level and last date emptied",
                    lambda: invoice.write(
                        {"dunning_level_id": False, "dunning_last_date": False}
                    ),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "another company's level",
                    lambda: invoice.write({"dunning_level_id": self.level_b.id}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a higher level of its own policy",
                    lambda: invoice.write({"dunning_level_id": self.level_formal.id}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "the count of reminders reset",
                    lambda: invoice.write({"dunning_count": 0}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a last reminder in 9999",
                    lambda: invoice.write({"dunning_last_date": "9999-12-31"}),
                    ValidationError,
                    "between 1900-01-01 and 2999-12-31",
                ),
                (
                    "a last reminder next year",
                    lambda: invoice.write({"dunning_last_date": "2027-01-01"}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a new invoice created with a history",
                    lambda: self._draft_invoice(
                        self.customer,
                        10,
                        user=self.billing,
                        dunning_level_id=self.level_call.id,
                    ),
                    UserError,
                    OWN_STEPS,
                ),
            ]
        )
        # a new invoice without history is the ordinary case
        new = self._draft_invoice(self.customer, 10, user=self.billing)
        self.assertFalse(new.dunning_level_id)

    # --- 6. another company's plan ----------------------------------------------------

    def test_an_instalment_stays_in_its_plan(self):
        line = self._as(self.billing, self.plan.line_ids[:1])
        self.assertRefused(
            [
                (
                    "moved to another company's plan",
                    lambda: line.write({"plan_id": self.plan_b.id}),
                    UserError,
                    "stays in the plan",
                ),
                (
                    "moved to another plan of the customer",
                    lambda: line.write({"plan_id": self.other_plan.id}),
                    UserError,
                    "stays in the plan",
                ),
                (
                    "added to another company's plan",
                    lambda: line.create(
                        {"plan_id": self.plan_b.id, "date": TODAY, "amount": 1}
                    ),
                    AccessError,
                    OTHER_COMPANY,
                ),
                (
                    "its reminder marked sent",
                    lambda: line.write({"reminder_sent": True}),
                    UserError,
                    "own steps",
                ),
            ]
        )
        # within its own plan, a draft's instalment is the user's to change
        line.write({"plan_id": self.plan.id, "amount": line.amount})

    # --- 8. the payment behaviour ---------------------------------------------------

    def test_payment_behaviour_is_the_daily_runs(self):
        customer = self._as(self.billing_contacts, self.customer)
        attempts = [
            (
                f"{fname} written",
                lambda fname=fname, value=value: customer.write({fname: value}),
                UserError,
                OWN_STEPS,
            )
            for fname, value in (
                ("risk_score", 0),
                ("payment_on_time_ratio", 100),
                ("payment_avg_days_late", 0),
                ("payment_paid_count", 50),
                ("risk_factors", "[]"),
            )
        ]
        attempts.append(
            (
                "a new customer created with a good score",
                lambda: self._as(self.billing_contacts, self.env["res.partner"]).create(
                    {"name": "Fresh SA", "risk_score": 1, "payment_on_time_ratio": 1}
                ),
                UserError,
                OWN_STEPS,
            )
        )
        self.assertRefused(attempts)
        # the daily run's scoring writes them
        self.env["account.dunning.scoring"]._write_scores(
            self.company, [(self.customer.id, 3.0, 0.5, 2, 40, None)]
        )
        self.assertRecordValues(
            self.customer, [{"risk_score": 40, "payment_on_time_ratio": 0.5}]
        )
