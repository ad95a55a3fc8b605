# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's answers, whoever writes them: what only the answers' own steps
write, and the checks that hold whichever way an answer comes."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningAnswerGuards(DunningCommon):
    """What the customer's answers are, nobody else writes: a billing user cannot
    mark a promise as made online, nor write a reminder's SMS state; amounts and
    reasons are checked whichever way they come."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, login="guard_billing", groups="account.group_account_invoice"
        )
        cls.invoice = cls._invoice(cls.customer, 500, fields.Date.today())

    def _promise_vals(self, **vals):
        return {
            "partner_id": self.customer.id,
            "move_ids": [Command.set(self.invoice.ids)],
            "date": fields.Date.today() + timedelta(days=3),
            "amount": 100,
        } | vals

    def test_made_online_only_by_the_customer(self):
        Promise = self.env["account.dunning.promise"].with_user(self.billing)
        with self.assertRaises(UserError):
            Promise.create(self._promise_vals(by_customer=True))
        promise = Promise.create(self._promise_vals())
        self.assertFalse(promise.by_customer)
        with self.assertRaises(UserError):
            promise.write({"by_customer": True})
        promise.write({"by_customer": False, "note": "unchanged flag"})

    def test_amounts_that_are_not_numbers(self):
        Promise = self.env["account.dunning.promise"].with_user(self.billing)
        for amount in (float("nan"), float("inf"), 1e308, "12abc"):
            with self.subTest(amount=amount), self.assertRaises(ValidationError):
                Promise.create(self._promise_vals(amount=amount))

    def test_sms_state_is_the_sms_services(self):
        reminder = self._reminder(self.customer, self.invoice, self.level_email)
        with self.assertRaises(UserError):
            reminder.with_user(self.billing).write({"sms_state": "error"})

    def test_archived_reason_refused(self):
        reason = self.env.ref("account_dunning.dispute_reason_other")
        reason.active = False
        with self.assertRaises(ValidationError):
            self.invoice.with_user(self.billing).write(
                {"dunning_dispute_reason_id": reason.id}
            )
