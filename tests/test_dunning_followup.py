# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import DunningCommon

DUE = date(2026, 3, 2)


def day(n):
    return DUE + timedelta(days=n)


@tagged("post_install", "-at_install")
class TestDunningFollowup(DunningCommon):
    """Disputes and promises to pay keep invoices out of dunning while they hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["account.dunning.reminder"]
        cls.Promise = cls.env["account.dunning.promise"]
        cls.levels.write({"auto_execute": True})
        cls.invoice = cls._invoice(cls.customer, 1000, DUE)
        cls.billing = new_test_user(
            cls.env, login="billing_followup", groups="account.group_account_invoice"
        )

    # --- disputes --------------------------------------------------------------------
    def test_dispute_leaves_dunning_and_the_claim_until_resolved(self):
        """A disputed invoice is not reminded and leaves the amount to claim; it is
        still owed: the overdue amount and count keep it."""
        owner = new_test_user(
            self.env, login="dispute_owner", groups="account.group_account_invoice"
        )
        invoice = self.invoice.with_user(self.billing)
        action = invoice.action_dunning_dispute()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.billing)
            .with_context(**action["context"])
        )
        wizard.reason = "Goods returned on 28 February"
        wizard.user_id = owner
        wizard.save().action_open()
        self.assertRecordValues(
            self.invoice,
            [
                {
                    "dunning_dispute_state": "open",
                    "dunning_dispute_reason": "Goods returned on 28 February",
                    "dunning_dispute_user_id": owner.id,
                }
            ],
        )
        activity = self.invoice.dunning_dispute_activity_id
        self.assertEqual(activity.user_id, owner)
        self.assertTrue(
            self.invoice.message_ids.filtered(lambda m: "Goods returned" in m.body)
        )
        with freeze_time(day(6)):
            self.customer.invalidate_recordset()
            self.assertRecordValues(
                self.customer,
                [
                    {
                        "dunning_amount_overdue": 1000.0,
                        "dunning_overdue_count": 1,
                        "dunning_amount_to_claim": 0.0,
                        "dunning_status": "paused",
                    }
                ],
            )
        self.assertFalse(self._run(day(6)))

        invoice.action_dunning_resolve_dispute()
        self.assertEqual(self.invoice.dunning_dispute_state, "resolved")
        self.assertFalse(activity.exists())
        self.assertTrue(
            self.invoice.message_ids.filtered(lambda m: "Dispute resolved" in m.body)
        )
        (reminder,) = self._run(day(7))
        self.assertEqual(reminder.line_ids.move_id, self.invoice)

    # --- promises --------------------------------------------------------------------
    def _promise(self, moves, on, amount=1000.0):
        with freeze_time(on - timedelta(days=1)):
            return self.Promise.with_user(self.billing).create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [(6, 0, moves.ids)],
                    "date": on,
                    "amount": amount,
                    "note": "Will pay after the month-end close",
                }
            )

    def test_promise_holds_reminders_then_broken_resumes_them(self):
        promise = self._promise(self.invoice, day(12))
        self.assertTrue(
            self.customer.message_ids.filtered(lambda m: "Promise to pay" in m.body)
        )
        self.assertFalse(self._run(day(6)))
        self.assertFalse(self._run(day(12)))  # the promised day: still waiting
        self.assertEqual(promise.state, "open")
        (reminder,) = self._run(day(13))  # unpaid the day after
        self.assertEqual(promise.state, "broken")
        self.assertEqual(reminder.line_ids.move_id, self.invoice)
        self.assertTrue(
            self.customer.message_ids.filtered(lambda m: "broken" in m.body)
        )
        self.assertRecordValues(
            self.customer,
            [{"dunning_promise_kept_count": 0, "dunning_promise_broken_count": 1}],
        )

    def test_promise_kept_when_paid(self):
        promise = self._promise(self.invoice, day(12))
        self._pay(self.invoice, 1000, on=day(10))
        self.assertEqual(promise.state, "kept")
        self.assertEqual(self.customer.dunning_promise_kept_count, 1)
        self.assertFalse(self._run(day(13)))

    def test_promise_from_a_call_outcome(self):
        self.level_call.sudo().activity_user_type = "responsible"
        reminder = self._reminder(
            self.customer, self.invoice, self.level_call, on=day(10), state="draft"
        ).with_user(self.billing)
        with freeze_time(day(10)):
            reminder.action_send()
            reminder.write({"call_outcome": "promise", "call_note": "Pays next week"})
            action = reminder.action_record_call_outcome()
        self.assertEqual(action["res_model"], "account.dunning.promise")
        context = action["context"]
        self.assertEqual(context["default_partner_id"], self.customer.id)
        self.assertEqual(context["default_move_ids"], self.invoice.ids)
        self.assertEqual(context["default_date"], day(17))
        self.assertEqual(context["default_amount"], 1000.0)

    def test_promise_horizon_follows_the_company_setting(self):
        """The accountant's promise and the customer's go as far as the company's
        setting allows, not further; the setting itself is a number of days."""
        self.company.dunning_promise_horizon_days = 30
        vals = {
            "partner_id": self.customer.id,
            "move_ids": [(6, 0, self.invoice.ids)],
            "amount": 100,
        }
        Promise = self.Promise.with_user(self.billing)
        with freeze_time(day(0)):
            self.assertTrue(Promise.create(dict(vals, date=day(30))))
            with self.assertRaisesMessage(ValidationError, "next 30 days at most"):
                Promise.create(dict(vals, date=day(31)))
        for wrong in (0, -5, 100000):
            with (
                self.subTest(days=wrong),
                self.assertRaisesMessage(ValidationError, "must be between 1 and"),
            ):
                self.company.dunning_promise_horizon_days = wrong
                self.company.flush_recordset()
        self.assertEqual(self.company.dunning_promise_horizon_days, 30)

    def test_promise_refuses_bad_input(self):
        with (
            freeze_time(day(10)),
            self.assertRaisesMessage(ValidationError, "date to come"),
        ):
            self.Promise.create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [(6, 0, self.invoice.ids)],
                    "date": day(9),
                    "amount": 100,
                }
            )
        other = self._invoice(self.other_customer, 50, DUE)
        with self.assertRaisesMessage(ValidationError, "its own customer invoices"):
            self._promise(self.invoice | other, day(20))
        with self.assertRaisesMessage(ValidationError, "must be positive"):
            self._promise(self.invoice, day(20), amount=0)
        self.assertFalse(self.Promise.search([]))
