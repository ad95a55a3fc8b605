# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningSecurity(DunningCommon):
    """Billing users remind, auditors read, managers configure; companies apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.billing = new_test_user(
            cls.env, login="billing", groups="account.group_account_invoice"
        )
        cls.auditor = new_test_user(
            cls.env, login="auditor", groups="account.group_account_readonly"
        )
        cls.manager = new_test_user(
            cls.env, login="manager", groups="account.group_account_manager"
        )
        cls.user_b = new_test_user(
            cls.env,
            login="billing_b",
            groups="account.group_account_invoice",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.invoice = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls.reminder_a = cls._reminder(cls.customer, cls.invoice, cls.level_email)

    def test_billing_user_reads_configuration_but_cannot_edit_it(self):
        level = self.level_email.with_user(self.billing)
        self.assertEqual(level.name, self.level_email.name)
        with self.assertRaises(AccessError):
            level.write({"delay": 6})
        with self.assertRaises(AccessError):
            self.env["account.dunning.level"].with_user(self.billing).create(
                {"policy_id": self.policy.id, "name": "Mine", "delay": 50}
            )
        with self.assertRaises(AccessError):
            self.policy.with_user(self.billing).write({"minimum_amount": 10})
        self.assertEqual(self.level_email.delay, 5)

    def test_billing_user_makes_reminders_and_reads_figures(self):
        Reminder = self.env["account.dunning.reminder"].with_user(self.billing)
        reminder = Reminder.create(
            {
                "partner_id": self.customer.id,
                "level_id": self.level_call.id,
                "line_ids": [Command.create({"move_id": self.invoice.id})],
            }
        )
        self.assertEqual(reminder.state, "draft")
        self.assertIn(self.reminder_a, Reminder.search([]))
        customer = self.customer.with_user(self.billing)
        self.assertEqual(customer.dunning_amount_overdue, 1000.0)
        self.assertEqual(customer.dunning_reminder_count, 2)

    def test_read_only_user_reads_but_cannot_remind(self):
        Reminder = self.env["account.dunning.reminder"].with_user(self.auditor)
        self.assertIn(self.reminder_a, Reminder.search([]))
        self.assertEqual(self.reminder_a.with_user(self.auditor).amount_due, 1000.0)
        with self.assertRaises(AccessError):
            Reminder.create({"partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            self.reminder_a.with_user(self.auditor).write({"user_id": self.auditor.id})

    def test_manager_configures(self):
        Policy = self.env["account.dunning.policy"].with_user(self.manager)
        policy = Policy.create(
            {
                "name": "Export",
                "level_ids": [Command.create({"name": "Mail", "delay": 7})],
            }
        )
        policy.level_ids.delay = 8
        self.assertEqual(policy.company_id, self.company)
        self.assertEqual(policy.level_ids.delay, 8)

    def test_user_of_company_b_sees_nothing_of_company_a(self):
        Reminder = self.env["account.dunning.reminder"].with_user(self.user_b)
        Policy = self.env["account.dunning.policy"].with_user(self.user_b)
        Level = self.env["account.dunning.level"].with_user(self.user_b)
        self.assertFalse(Reminder.search([]))
        self.assertEqual(Policy.search([]), self.company_b.dunning_policy_id)
        self.assertEqual(Level.search([]).policy_id, self.company_b.dunning_policy_id)
        self.assertFalse(
            self.env["account.dunning.reminder.line"].with_user(self.user_b).search([])
        )
        with self.assertRaises(AccessError):
            self.reminder_a.with_user(self.user_b).read(["name"])
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user_b).read(["name"])

    def test_company_b_figures_ignore_company_a(self):
        customer = self.customer.with_user(self.user_b).with_company(self.company_b)
        self.assertEqual(customer.dunning_amount_overdue, 0.0)
        self.assertEqual(customer.dunning_status, "none")
        self.assertEqual(customer.dunning_reminder_count, 0)
