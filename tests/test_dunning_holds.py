# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.account.models.account_move import AccountMove

from .common import TODAY, DunningCommon

ISSUED = ("sending", "sent")


def day(n):
    return TODAY + timedelta(days=n)


# 7 days late on TODAY: the first reminder, an automatic level
DUE = day(-7)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningHolds(DunningCommon):
    """The daily run keeps for review, with the reason, what may be wrong."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, login="billing_holds", groups="account.group_account_invoice"
        )

    def _only(self, reminders):
        self.assertEqual(len(reminders), 1, reminders)
        return reminders

    def test_nothing_wrong_goes_out(self):
        self._invoice(self.customer, 100, DUE)
        reminder = self._only(self._run(TODAY))
        self.assertIn(reminder.state, ISSUED)
        self.assertFalse(reminder.hold_reason)

    def test_duplicate_invoices_hold_until_one_is_cancelled(self):
        first = self._invoice(self.customer, 100, DUE)
        second = self._invoice(self.customer, 100, DUE)
        held = self._only(self._run(TODAY))
        self.assertEqual(held.state, "draft")
        self.assertIn("Possible duplicate invoices", held.hold_reason)
        self.assertIn(first.name, held.hold_reason)
        self.assertIn(second.name, held.hold_reason)
        # nothing changed on the invoices: a held draft went nowhere
        self.assertFalse((first | second).dunning_level_id)
        # still there the next day: held again, yesterday's replaced
        again = self._only(self._run(day(1)))
        self.assertEqual(again.state, "draft")
        self.assertIn(first.name, again.hold_reason)
        self.assertEqual(held.state, "cancelled")
        self.assertIn("Replaced by the daily run", held.cancel_reason)
        # the duplicate cancelled: the next run sends
        second.button_draft()
        second.button_cancel()
        sent = self._only(self._run(day(2)))
        self.assertIn(sent.state, ISSUED)
        self.assertFalse(sent.hold_reason)
        self.assertEqual(again.state, "cancelled")

    def test_same_customer_reference_is_a_duplicate(self):
        self._invoice(self.customer, 100, DUE, ref="PO-17")
        self._invoice(self.customer, 250, day(-8), ref="PO-17")
        held = self._only(self._run(TODAY))
        self.assertEqual(held.state, "draft")
        self.assertIn("Possible duplicate invoices", held.hold_reason)

    def test_unapplied_credit_note_holds(self):
        self._invoice(self.customer, 100, DUE)
        self._invoice(self.customer, 30, day(-20), move_type="out_refund")
        held = self._only(self._run(TODAY))
        self.assertEqual(held.state, "draft")
        self.assertIn("not applied to any invoice yet", held.hold_reason)

    def _payment(self, partner, amount, on):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": on,
            }
        )
        payment.action_post()
        return payment

    def test_unapplied_payment_holds(self):
        self._invoice(self.customer, 100, DUE)
        self._payment(self.customer, 500, day(-2))
        # netted: nothing left to claim, no reminder at all
        self.assertFalse(self._run(TODAY))
        self._invoice(self.customer, 900, day(-8))
        held = self._only(self._run(TODAY))
        self.assertEqual(held.state, "draft")
        self.assertIn("A payment or credit note of", held.hold_reason)

    def test_account_in_credit_is_told(self):
        """An account in credit leaves nothing to claim once netted (the run makes no
        reminder); a reminder made by hand for it says so."""
        invoice = self._invoice(self.customer, 100, DUE)
        self._payment(self.customer, 500, day(-2))
        draft = self._reminder(self.customer, invoice, self.level_email, state="draft")
        reasons = self.env["account.dunning.holds"]._hold_reasons(draft, TODAY)
        self.assertEqual(len(reasons[draft.id]), 1)
        self.assertIn("account is in credit", reasons[draft.id][0])

    def test_stale_bank_feed_holds_every_reminder(self):
        self._invoice(self.customer, 100, DUE)
        self._invoice(self.other_customer, 200, DUE)
        journal = self.company_data["default_journal_bank"]
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": journal.id,
                "date": day(-10),
                "payment_ref": "transfer",
                "amount": 10,
            }
        )
        self.assertEqual(self.company.dunning_bank_feed_days, 3)
        held = self._run(TODAY)
        self.assertEqual(set(held.mapped("state")), {"draft"})
        for reminder in held:
            self.assertIn("No bank statement line since", reminder.hold_reason)
        # the setting at 0: the bank feed is not looked at
        self.company.dunning_bank_feed_days = 0
        sent = self._run(day(1))
        self.assertEqual(len(sent), 2)
        self.assertEqual(set(sent.mapped("state")) - set(ISSUED), set())

    def test_recent_bank_feed_does_not_hold(self):
        self._invoice(self.customer, 100, DUE)
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.company_data["default_journal_bank"].id,
                "date": day(-1),
                "payment_ref": "transfer",
                "amount": 10,
            }
        )
        self.assertIn(self._only(self._run(TODAY)).state, ISSUED)

    def test_payment_registered_not_booked_holds(self):
        invoice = self._invoice(self.customer, 1000, DUE)
        journal = self.company_data["default_journal_bank"]
        journal.inbound_payment_method_line_ids.payment_account_id = False
        with patch.object(
            AccountMove, "_get_invoice_in_payment_state", lambda self: "in_payment"
        ):
            payment = self._pay(invoice, 400, on=day(-1))
            self.assertFalse(payment.move_id)
            held = self._only(self._run(TODAY))
        self.assertEqual(held.state, "draft")
        self.assertIn("registered for", held.hold_reason)
        self.assertIn(invoice.name, held.hold_reason)

    def test_send_anyway_records_who_and_keeps_the_reason(self):
        self._invoice(self.customer, 100, DUE)
        self._invoice(self.customer, 100, DUE)
        held = self._only(self._run(TODAY))
        reason = held.hold_reason
        as_billing = held.with_user(self.billing)
        as_billing.action_send_anyway()
        self.assertIn(held.state, ISSUED)
        self.assertEqual(held.hold_reason, reason)
        self.assertEqual(held.hold_cleared_by_id, self.billing)
        notes = held.message_ids.mapped("body")
        self.assertTrue(any("Sent despite the hold" in body for body in notes))
        # only a held draft is sent that way
        with self.assertRaises(UserError):
            as_billing.action_send_anyway()

    def test_users_cannot_write_the_hold(self):
        self._invoice(self.customer, 100, DUE)
        self._invoice(self.customer, 100, DUE)
        held = self._only(self._run(TODAY)).with_user(self.billing)
        with self.assertRaises(UserError):
            held.hold_reason = False
        with self.assertRaises(UserError):
            held.hold_cleared_by_id = self.billing
        sent = self.env["account.dunning.reminder"].with_user(self.billing)
        with self.assertRaises(UserError):
            sent.create(
                {
                    "partner_id": self.other_customer.id,
                    "level_id": self.level_email.id,
                    "policy_id": self.policy.id,
                    "hold_reason": "made up",
                }
            )

    def test_held_for_review_filters(self):
        self._invoice(self.customer, 100, DUE)
        self._invoice(self.customer, 100, DUE)
        self._invoice(self.other_customer, 300, DUE)
        self._run(TODAY)
        Reminder = self.env["account.dunning.reminder"].with_user(self.billing)
        self.assertEqual(
            Reminder.search([("hold_reason", "!=", False)]).partner_id, self.customer
        )
        Partner = self.env["res.partner"].with_user(self.billing)
        held = [
            (
                "dunning_reminder_ids",
                "any",
                [("state", "=", "draft"), ("hold_reason", "!=", False)],
            )
        ]
        self.assertEqual(Partner.search(held), self.customer)
        # the desk counts them per customer
        self.assertEqual(Partner.browse(self.customer.id).dunning_held_count, 1)
        self.assertEqual(Partner.browse(self.other_customer.id).dunning_held_count, 0)
        self.assertEqual(Partner.browse(self.customer.id).dunning_reminder_count, 1)

    def test_bank_feed_age_limit_cannot_be_negative(self):
        with self.assertRaises(ValidationError):
            self.company.dunning_bank_feed_days = -1
        self.company.dunning_bank_feed_days = 0  # turns the check off
