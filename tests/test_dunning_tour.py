# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningTour(DunningCommon, HttpCase):
    """In a real browser (headless Chromium): an accountant sends a reminder from an
    overdue invoice and finds it in the invoice's history; a reviewer sends a held
    reminder anyway."""

    def test_send_reminder_from_an_overdue_invoice(self):
        # the browser lives on today's date: the invoice is 20 days late
        today = fields.Date.context_today(self.env.user)
        # numbered INV/... whatever the database's language (the tour looks for it)
        self.company_data["default_journal_sale"].code = "INV"
        invoice = self._invoice(self.customer, 1200, today - timedelta(days=20))
        new_test_user(
            self.env,
            login="tour_accountant",
            groups="base.group_user,account.group_account_invoice",
            email="tour_accountant@example.com",
            lang="en_US",  # the tour reads English labels, whatever the database's
        )
        self.start_tour(
            "/odoo/action-account.action_move_out_invoice_type",
            "account_dunning_send_reminder",
            login="tour_accountant",
        )
        reminder = self.env["account.dunning.reminder"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(reminder.state, "sending")
        self.assertEqual(reminder.line_ids.move_id, invoice)
        self.assertEqual(reminder.create_uid.login, "tour_accountant")

    def test_send_a_held_reminder_anyway(self):
        """The review queue shows a reminder the daily run held, with its reason; the
        accountant sends it anyway."""
        today = fields.Date.context_today(self.env.user)
        self._invoice(self.customer, 100, today - timedelta(days=7))
        self._invoice(self.customer, 100, today - timedelta(days=7))
        (held,) = self._run(today)
        self.assertIn("Possible duplicate invoices", held.hold_reason)
        accountant = new_test_user(
            self.env,
            login="tour_reviewer",
            groups="base.group_user,account.group_account_invoice",
            email="tour_reviewer@example.com",
            lang="en_US",
        )
        self.start_tour(
            "/odoo/action-account_dunning.account_dunning_reminder_review_action",
            "account_dunning_held_reminder",
            login="tour_reviewer",
        )
        self.assertIn(held.state, ("sending", "sent"))
        self.assertEqual(held.hold_cleared_by_id, accountant)
        self.assertIn("Possible duplicate invoices", held.hold_reason)

    def test_customer_disputes_from_the_reminder_link(self):
        """The customer opens the link of a reminder email, disputes the overdue
        invoice with a reason; the accountant finds the dispute in the desk and on
        the invoice."""
        today = fields.Date.context_today(self.env.user)
        self.company_data["default_journal_sale"].code = "INV"
        invoice = self._invoice(self.customer, 1200, today - timedelta(days=20))
        reminder = self._reminder(self.customer, invoice, self.level_email, on=today)
        self.customer.lang = "en_US"  # the tour reads English labels
        url = reminder.account_url.removeprefix(reminder.get_base_url())
        self.start_tour(url, "account_dunning_customer_dispute")
        self.assertEqual(invoice.dunning_dispute_state, "open")
        self.assertEqual(
            invoice.dunning_dispute_reason_id,
            self.env.ref("account_dunning.dispute_reason_price"),
        )
        new_test_user(
            self.env,
            login="tour_desk",
            groups="base.group_user,account.group_account_invoice",
            email="tour_desk@example.com",
            lang="en_US",
        )
        self.start_tour(
            "/odoo/action-account_dunning.res_partner_dunning_action",
            "account_dunning_dispute_desk",
            login="tour_desk",
        )
