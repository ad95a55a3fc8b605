# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningCredit(DunningCommon):
    """Exposure, alert thresholds, blocking with a manager's override, credit hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, login="billing_credit", groups="account.group_account_invoice"
        )
        cls.manager = new_test_user(
            cls.env,
            login="manager_credit",
            groups="account.group_account_manager",
        )
        # Odoo's switch for credit limits (Invoicing settings): the limit part of
        # the check follows it
        cls.company.account_use_credit_limit = True
        cls.customer.credit_limit = 2000.0
        cls.posted = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls._pay(cls.posted, 300)

    def _draft(self, amount, move_type="out_invoice", user=None):
        """A draft of the customer's, made by a billing user (or ``user``)."""
        return self._draft_invoice(
            self.customer,
            amount,
            move_type,
            user=user or self.billing,
            invoice_date=TODAY,
        )

    def _figures(self):
        self.customer.invalidate_recordset()
        return (
            self.customer.credit_exposure,
            round(self.customer.credit_usage_percent, 2),
            self.customer.credit_alert_threshold,
        )

    def test_exposure_nets_drafts_and_credit_notes(self):
        self.assertEqual(self._figures(), (700.0, 35.0, 0))
        self._draft(500)
        self._draft(100, move_type="out_refund")
        self.assertEqual(self._figures(), (1100.0, 55.0, 50))

    def test_each_alert_threshold(self):
        expected = [
            (400, 55.0, 50),
            (500, 80.0, 75),
            (200, 90.0, 90),
            (250, 102.5, 100),
        ]
        for amount, usage, threshold in expected:
            self._draft(amount)
            __, got_usage, got_threshold = self._figures()
            self.assertEqual((got_usage, got_threshold), (usage, threshold))
        draft = self._draft(10)
        self.assertIn("over its credit limit", draft.dunning_credit_warning)
        self.company.dunning_credit_alert_thresholds = "80"
        self.assertEqual(self._figures()[2], 80)
        with self.assertRaisesMessage(ValidationError, "positive percentages"):
            self.company.dunning_credit_alert_thresholds = "50,abc"

    def test_warning_on_a_draft_invoice(self):
        draft = self._draft(800)
        self.assertEqual(
            draft.dunning_credit_warning,
            "Dupont SA uses 75 % of its credit limit of $\xa02,000.00.",
        )
        self.company.dunning_credit_check = "none"
        draft.invalidate_recordset(["dunning_credit_warning"])
        self.assertFalse(draft.dunning_credit_warning)
        draft.action_post()  # warn or none: never blocks

    def test_block_and_manager_override(self):
        self.company.dunning_credit_check = "block"
        within = self._draft(1300)  # 700 + 1300 = 2000: at the limit, not over
        within.action_post()
        over = self._draft(1)
        with self.assertRaisesMessage(UserError, "over its credit limit"):
            over.action_post()
        self.assertEqual(over.state, "draft")
        with self.assertRaisesMessage(UserError, "over its credit limit"):
            over.with_context(dunning_credit_override="please").action_post()
        wizard = (
            self.env["account.dunning.credit.override"]
            .with_user(self.manager)
            .create({"move_ids": [Command.set(over.ids)], "reason": "Cheque received"})
        )
        wizard.action_confirm()
        self.assertEqual(over.state, "posted")
        self.assertTrue(
            over.message_ids.filtered(lambda m: "Cheque received" in m.body)
        )

    def test_credit_hold_blocks_and_comes_from_a_level(self):
        self.company.dunning_credit_check = "block"
        self.level_formal.credit_hold = True
        reminder = self._reminder(
            self.customer, self.posted, self.level_formal, state="draft"
        )
        reminder.with_user(self.billing).action_send()
        self.assertTrue(self.customer.credit_hold)
        self.assertTrue(
            self.customer.message_ids.filtered(lambda m: "credit hold" in m.body)
        )
        with self.assertRaisesMessage(UserError, "on credit hold"):
            self._draft(10).action_post()

    def test_hold_released_once_nothing_is_overdue(self):
        self.customer.credit_hold = True
        self.company.dunning_credit_hold_release = True
        Reminder = self.env["account.dunning.reminder"]
        Reminder._cron_dunning_run()
        self.assertTrue(self.customer.credit_hold)  # 700 still overdue
        self._pay(self.posted, 700)
        Reminder._cron_dunning_run()
        self.assertFalse(self.customer.credit_hold)
