# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningReminder(DunningCommon):
    """The reminder history: numbering, totals, and what it writes back on invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv_usd = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls.inv_usd_2 = cls._invoice(cls.customer, 250.55, date(2026, 3, 20))
        cls.inv_eur = cls._invoice(
            cls.customer, 300, date(2026, 3, 10), currency=cls.eur
        )

    def test_number_from_sequence_and_commercial_partner(self):
        contact = self.env["res.partner"].create(
            {"name": "Paul Dupont", "parent_id": self.customer.id}
        )
        first = self._reminder(contact, self.inv_usd, self.level_email)
        second = self._reminder(self.customer, self.inv_usd_2, self.level_email)
        self.assertEqual(first.partner_id, self.customer)
        self.assertTrue(first.name.startswith("REM/2026/"), first.name)
        self.assertNotEqual(first.name, second.name)
        self.assertEqual(self.customer.dunning_reminder_count, 2)
        action = self.customer.action_view_dunning_reminders()
        self.assertEqual(
            self.env["account.dunning.reminder"].search(action["domain"]),
            first | second,
        )

    def test_numbers_drawn_per_company_and_year_in_one_create(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        customer_b = self._customer("Bernard SAS", company_id=company_b.id)
        vals = [
            {"partner_id": self.customer.id, "date": date(2026, 12, 30)},
            {"partner_id": self.other_customer.id, "date": date(2026, 12, 31)},
            {"partner_id": self.customer.id, "date": date(2027, 1, 2)},
            {"partner_id": customer_b.id, "date": date(2026, 12, 31)},
            {"partner_id": self.other_customer.id, "date": date(2027, 1, 3)},
            {"partner_id": self.customer.id, "date": date(2026, 12, 31)},
        ]
        for item in vals:
            item["company_id"] = (
                company_b if item["partner_id"] == customer_b.id else self.company
            ).id
        # dated ahead, as only the daily run may be (a user dates a reminder today
        # at the latest): the numbering across years
        names = self.env["account.dunning.reminder"].sudo().create(vals).mapped("name")
        numbers = [int(name.rsplit("/", 1)[1]) for name in names]
        years = [name.split("/")[1] for name in names]
        self.assertEqual(years, ["2026", "2026", "2027", "2026", "2027", "2026"])
        self.assertEqual(len(set(names)), 6, names)
        # consecutive within a company's year, in the order given
        self.assertEqual(numbers[1] - numbers[0], 1)
        self.assertEqual(numbers[5] - numbers[1], 1)
        self.assertEqual(numbers[4] - numbers[2], 1)

    def test_totals_in_one_currency(self):
        reminder = self._reminder(
            self.customer,
            self.inv_usd | self.inv_usd_2,
            self.level_email,
            state="draft",
        )
        reminder.line_ids[0].fee_amount = 40
        reminder.line_ids[1].interest_amount = 1.23
        self.assertRecordValues(
            reminder,
            [
                {
                    "currency_id": self.company.currency_id.id,
                    "amount_due": 1250.55,
                    "amount_overdue": 1250.55,
                    "fee_total": 40.0,
                    "interest_total": 1.23,
                    "line_count": 2,
                }
            ],
        )

    def test_totals_with_two_currencies_are_in_company_currency(self):
        reminder = self._reminder(
            self.customer, self.inv_usd | self.inv_eur, self.level_email, state="draft"
        )
        eur_line = reminder.line_ids.filtered(lambda line: line.move_id == self.inv_eur)
        self.assertRecordValues(
            eur_line, [{"currency_id": self.eur.id, "amount_residual": 300.0}]
        )
        self.assertEqual(eur_line.amount_residual_company, 150.0)
        self.assertEqual(reminder.currency_id, self.company.currency_id)
        self.assertEqual(reminder.amount_due, 1150.0)
        self.assertIn("300.00", reminder.currency_summary)
        self.assertIn("1,000.00", reminder.currency_summary)

    def test_sent_reminder_writes_invoice_history(self):
        reminder = self._reminder(
            self.customer,
            self.inv_usd,
            self.level_email,
            on=date(2026, 3, 6),
            state="draft",
        )
        self.assertFalse(self.inv_usd.dunning_level_id)
        reminder.sudo().write({"state": "sent"})  # as sending does
        self._reminder(
            self.customer, self.inv_usd, self.level_call, on=date(2026, 3, 11)
        )
        self.assertRecordValues(
            self.inv_usd,
            [
                {
                    "dunning_level_id": self.level_call.id,
                    "dunning_last_date": date(2026, 3, 11),
                    "dunning_count": 2,
                }
            ],
        )
        self.assertEqual(len(self.inv_usd.dunning_reminder_line_ids), 2)
        self.assertFalse(self.inv_usd_2.dunning_level_id)

    def test_failed_or_cancelled_reminder_changes_nothing(self):
        self._reminder(self.customer, self.inv_usd, self.level_email, state="failed")
        draft = self._reminder(
            self.customer, self.inv_usd, self.level_email, state="draft"
        )
        draft.action_cancel()
        self.assertEqual(draft.state, "cancelled")
        self.assertRecordValues(
            self.inv_usd, [{"dunning_level_id": False, "dunning_count": 0}]
        )

    def test_undelivered_reminder_withdraws_the_level_it_gave(self):
        self._reminder(
            self.customer, self.inv_usd, self.level_email, on=date(2026, 3, 20)
        )
        second = self._reminder(self.customer, self.inv_usd, self.level_call)
        self.env.flush_all()
        self.assertEqual(self.inv_usd.dunning_level_id, self.level_call)
        second._dunning_mark_undelivered("mailbox full")
        self.assertRecordValues(
            self.inv_usd,
            [
                {
                    "dunning_level_id": self.level_email.id,
                    "dunning_last_date": date(2026, 3, 20),
                    "dunning_count": 1,
                }
            ],
        )
        # set by hand (an import, as the superuser: users never write it)
        self.inv_usd_2.sudo().dunning_level_id = self.level_email
        only = self._reminder(self.customer, self.inv_usd_2, self.level_call)
        self.env.flush_all()  # sent, then the bounce comes later
        only._dunning_mark_undelivered("mailbox full")
        self.assertRecordValues(
            self.inv_usd_2,
            [{"dunning_level_id": False, "dunning_last_date": False}],
        )

    def test_history_cannot_be_deleted_or_cancelled_once_sent(self):
        sent = self._reminder(self.customer, self.inv_usd, self.level_email)
        with self.assertRaisesMessage(UserError, "cannot be deleted"):
            sent.unlink()
        with self.assertRaisesMessage(UserError, "stays in the history"):
            sent.action_cancel()
        draft = self._reminder(
            self.customer, self.inv_usd_2, self.level_email, state="draft"
        )
        draft.unlink()
        self.assertFalse(draft.exists())
        self.assertTrue(sent.exists())

    def test_reset_to_draft(self):
        """A cancelled draft may be taken up again; a failed one is sent again with
        Send, never reset (it could then be deleted)."""
        draft = self._reminder(
            self.customer, self.inv_usd, self.level_email, state="draft"
        )
        draft.action_cancel()
        draft.action_reset_to_draft()
        self.assertRecordValues(draft, [{"state": "draft", "failure_reason": False}])
        with self.assertRaisesMessage(
            UserError, "Only cancelled reminders that were never sent"
        ):
            draft.action_reset_to_draft()
        failed = self._reminder(
            self.customer, self.inv_usd, self.level_email, state="failed"
        )
        with self.assertRaisesMessage(
            UserError, "Only cancelled reminders that were never sent"
        ):
            failed.action_reset_to_draft()

    def test_lines_must_be_posted_invoices_of_the_customer(self):
        other_invoice = self._invoice(self.other_customer, 10, date(2026, 3, 1))
        with self.assertRaisesMessage(ValidationError, "its own customer's invoices"):
            self._reminder(self.customer, other_invoice, self.level_email)
        draft = self.inv_usd.copy()
        with self.assertRaisesMessage(ValidationError, "Only posted customer invoices"):
            self._reminder(self.customer, draft, self.level_email)
        self.assertFalse(
            self.env["account.dunning.reminder"].search(
                [("partner_id", "=", self.customer.id)]
            )
        )

    def test_level_must_belong_to_reminder_policy(self):
        spare = self.policy.copy()
        with self.assertRaisesMessage(ValidationError, "does not belong"):
            self.env["account.dunning.reminder"].create(
                {
                    "partner_id": self.customer.id,
                    "policy_id": spare.id,
                    "level_id": self.level_email.id,
                }
            )

    def test_negative_fee_on_line_is_refused(self):
        reminder = self._reminder(
            self.customer, self.inv_usd, self.level_email, state="draft"
        )
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            reminder.line_ids.fee_amount = -5
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            reminder.write(
                {
                    "line_ids": [
                        Command.update(reminder.line_ids.id, {"interest_amount": -1})
                    ]
                }
            )
