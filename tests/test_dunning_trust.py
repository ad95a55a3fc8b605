# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import TODAY, DunningCommon


def day(n):
    return TODAY + timedelta(days=n)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningNothingForNothing(DunningCommon):
    """A reminder that went through no channel is never "Sent"."""

    def test_daily_run_level_without_channel_waits(self):
        self.level_email.write(
            {"send_email": False, "send_letter": False, "create_activity": False}
        )
        invoice = self._invoice(self.customer, 100, day(-7))
        (reminder,) = self._run(TODAY)
        self.assertEqual(reminder.state, "draft")
        self.assertIn("No channel is chosen", reminder.failure_reason)
        self.assertFalse(invoice.dunning_level_id)
        self.assertEqual(invoice.dunning_count, 0)

    def test_wizard_without_channel_refuses(self):
        invoice = self._invoice(self.customer, 100, day(-7))
        wizard = self._wizard(invoice)
        wizard.write(
            {"send_email": False, "send_letter": False, "create_activity": False}
        )
        with self.assertRaisesMessage(UserError, "Choose at least one channel"):
            wizard.action_send()
        self.assertFalse(
            self.env["account.dunning.reminder"].search(
                [("partner_id", "=", self.customer.id)]
            )
        )
        self.assertFalse(invoice.dunning_level_id)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningActivityForAPerson(DunningCommon):
    """An activity always lands on a person who can act."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = cls.env.ref("base.user_root")
        cls.accountant = new_test_user(
            cls.env, login="acc_trust", groups="account.group_account_invoice"
        )
        cls.salesperson = new_test_user(
            cls.env, login="sales_trust", groups="base.group_user"
        )
        cls.archived = new_test_user(
            cls.env, login="gone_trust", groups="account.group_account_invoice"
        )
        cls.archived.active = False
        cls.portal = new_test_user(
            cls.env, login="portal_trust", groups="base.group_portal"
        )
        cls.company.dunning_responsible_id = False
        cls.level_call.activity_user_type = "responsible"

    def _call_due(self, partner):
        """An invoice whose next level is the phone call (an activity)."""
        invoice = self._invoice(partner, 100, day(-11))
        invoice.sudo().dunning_level_id = self.level_email
        return invoice

    def assertNobodyTechnical(self):
        activities = self.env["mail.activity"].search([])
        self.assertFalse(activities.filtered(lambda a: a.user_id._is_superuser()))
        self.assertFalse(activities.filtered(lambda a: a.user_id.share))
        self.assertFalse(activities.filtered(lambda a: not a.user_id.active))

    def test_nobody_to_act_waits_with_the_reason(self):
        self._call_due(self.customer)
        (reminder,) = self._run_as_scheduler()
        self.assertFalse(reminder.activity_id)
        self.assertNobodyTechnical()
        if reminder.state == "draft":
            self.assertIn("Nobody can take the activity", reminder.failure_reason)
        else:  # the level's email went alone, the activity dropped with a note
            self.assertIn(
                "Nobody can take the activity",
                " ".join(reminder.message_ids.mapped("body")),
            )

    def test_each_fallback_in_turn(self):
        self._call_due(self.customer)
        self.customer.sudo().write(
            {"dunning_responsible_id": self.archived.id, "user_id": self.portal.id}
        )
        self.company.dunning_responsible_id = self.accountant
        (reminder,) = self._run_as_scheduler()
        # archived responsible and portal salesperson skipped: the company's default
        self.assertEqual(reminder.activity_id.user_id, self.accountant)
        self.assertNobodyTechnical()

    def test_salesperson_before_the_company_default(self):
        self._call_due(self.customer)
        self.customer.sudo().user_id = self.salesperson
        self.company.dunning_responsible_id = self.accountant
        (reminder,) = self._run_as_scheduler()
        self.assertEqual(reminder.activity_id.user_id, self.salesperson)

    def test_superuser_as_responsible_is_skipped(self):
        self._call_due(self.customer)
        self.customer.sudo().dunning_responsible_id = self.root
        self.company.dunning_responsible_id = self.accountant
        (reminder,) = self._run_as_scheduler()
        self.assertEqual(reminder.activity_id.user_id, self.accountant)
        self.assertNobodyTechnical()


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningManualSendSupersedes(DunningCommon):
    """A reminder sent by hand replaces the customer's drafts waiting for review."""

    def test_manual_formal_notice_supersedes_the_runs_draft(self):
        invoice = self._invoice(self.customer, 1000, day(-16))
        invoice.sudo().dunning_level_id = self.level_call
        (draft,) = self._run(TODAY)  # the formal notice: a level sent by hand
        self.assertEqual(draft.state, "draft")
        wizard = self._wizard(invoice)
        wizard.level_id = self.level_formal
        wizard.action_send()
        self.assertEqual(draft.state, "cancelled")
        self.assertIn("Superseded by", draft.cancel_reason)
        issued = self.env["account.dunning.reminder"].search(
            [
                ("partner_id", "=", self.customer.id),
                ("state", "in", ("sending", "sent")),
            ]
        )
        self.assertEqual(len(issued), 1)
        self.assertIn(issued.name, draft.cancel_reason)
        # the review queue has nothing left that would remind them a second time
        self.assertFalse(
            self.env["account.dunning.reminder"].search(
                [("partner_id", "=", self.customer.id), ("state", "=", "draft")]
            )
        )


@tagged("post_install", "-at_install")
class TestDunningStaleDrafts(DunningCommon):
    """A draft goes out as it is on the day it is sent."""

    def test_old_draft_is_brought_up_to_date(self):
        paid = self._invoice(self.customer, 300, date(2026, 2, 20))
        planned = self._invoice(self.customer, 400, date(2026, 2, 25))
        kept = self._invoice(self.customer, 1000, date(2026, 3, 1))
        invoices = paid | planned | kept
        with freeze_time(date(2026, 3, 17)):
            for invoice in invoices:
                invoice.sudo().dunning_level_id = self.level_call
            (draft,) = self._run(date(2026, 3, 17))  # the formal notice, by hand
        self.assertEqual(draft.line_ids.move_id, invoices)
        self.assertEqual(
            draft.line_ids.filtered(lambda line: line.move_id == kept).days_overdue,
            16,
        )
        with freeze_time(date(2026, 3, 31)):
            self._pay(paid, 300, on=date(2026, 3, 30))
            self.env["account.dunning.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [(6, 0, planned.ids)],
                    "date": date(2026, 4, 10),
                    "amount": 400,
                }
            )
            draft.action_send()
        self.assertIn(draft.state, ("sending", "sent"))
        self.assertEqual(draft.date, date(2026, 3, 31))
        self.assertEqual(draft.line_ids.move_id, kept)
        self.assertEqual(draft.line_ids.days_overdue, 30)
        notes = " ".join(draft.message_ids.mapped("body"))
        self.assertIn(f"{paid.name} (paid since)", notes)
        self.assertIn(f"{planned.name} (a promise to pay covers it)", notes)

    def test_old_draft_prints_as_of_today(self):
        paid = self._invoice(self.customer, 300, date(2026, 2, 20))
        kept = self._invoice(self.customer, 1000, date(2026, 3, 1))
        with freeze_time(date(2026, 3, 17)):
            (paid | kept).sudo().dunning_level_id = self.level_call
            (draft,) = self._run(date(2026, 3, 17))
        with freeze_time(date(2026, 3, 31)):
            self._pay(paid, 300, on=date(2026, 3, 30))
            html = self._letter_html(draft)
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.date, date(2026, 3, 31))
        self.assertEqual(draft.line_ids.move_id, kept)
        self.assertIn(kept.name, html)
        self.assertNotIn(paid.name, html)
        self.assertIn("03/31/2026", html)
        self.assertNotIn("03/17/2026", html)

    def test_draft_with_nothing_left_is_cancelled_with_why(self):
        """Send on a draft whose invoices were paid since: it does not wait for a
        hand to cancel it; the notification and its history say why."""
        invoice = self._invoice(self.customer, 300, date(2026, 3, 1))
        with freeze_time(date(2026, 3, 17)):
            invoice.sudo().dunning_level_id = self.level_call
            (draft,) = self._run(date(2026, 3, 17))
        with freeze_time(date(2026, 3, 31)):
            self._pay(invoice, 300, on=date(2026, 3, 30))
            result = draft.action_send()
        self.assertEqual(draft.state, "cancelled")
        self.assertIn("nothing is left to remind", draft.cancel_reason)
        self.assertIn(f"{invoice.name} (paid)", draft.cancel_reason)
        self.assertEqual(draft.line_ids.move_id, invoice)  # what it listed stays
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn(f"{invoice.name} (paid)", result["params"]["message"])


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningWizardWarnings(DunningCommon):
    """The wizard shows before Send what the daily run would hold or drop, and says
    after Send what went out."""

    def test_warnings_before_sending(self):
        first = self._invoice(self.customer, 100, day(-7))
        self._invoice(self.customer, 100, day(-7))
        self.customer.sudo().write({"street": False, "city": False, "zip": False})
        wizard = self._wizard(first)
        wizard.send_letter = True
        self.assertIn("Possible duplicate invoices", wizard.warning_html)
        self.assertIn("no complete postal address", wizard.warning_html)
        wizard.recipient_ids = (
            self.env["res.partner"]
            .sudo()
            .create({"name": "No mail", "parent_id": self.customer.id})
        )
        self.assertIn("No recipient has an email address", wizard.warning_html)

    def test_minimum_interval_needs_who_and_why(self):
        invoice = self._invoice(self.customer, 100, day(-7))
        self.policy.min_interval_days = 7
        self._wizard(invoice).action_send()
        wizard = self._wizard(invoice)
        self.assertIn("the policy asks for 7 days", wizard.interval_warning)
        with self.assertRaisesMessage(UserError, "the policy asks for 7 days"):
            wizard.action_send()
        wizard.confirm_interval = True
        with self.assertRaisesMessage(UserError, "the policy asks for 7 days"):
            wizard.action_send()  # a reason is needed too
        wizard.interval_reason = "The customer asked for a copy"
        wizard.action_send()
        latest = self.env["account.dunning.reminder"].search(
            [("partner_id", "=", self.customer.id)], order="id desc", limit=1
        )
        notes = " ".join(latest.message_ids.mapped("body"))
        self.assertIn("Sent within the policy's minimum interval", notes)
        self.assertIn("The customer asked for a copy", notes)

    def test_send_says_what_went_out(self):
        invoice = self._invoice(self.customer, 100, day(-7))
        result = self._wizard(invoice).action_send()
        self.assertEqual(result["tag"], "display_notification")
        message = result["params"]["message"]
        self.assertIn("Dupont SA", message)
        self.assertIn("email to Dupont@example.com", message)

    def test_mass_send_leaves_out_customers_within_the_interval(self):
        first = self._invoice(self.customer, 100, day(-7))
        self._invoice(self.other_customer, 200, day(-7))
        self.policy.min_interval_days = 7
        self._wizard(first).action_send()
        customers = self.customer | self.other_customer
        wizard = self._wizard(customers)
        self.assertTrue(wizard.is_mass)
        self.assertIn("1 customer(s) were reminded", wizard.interval_warning)
        self.assertIn("the policy asks for 7 days", wizard.mass_summary)
        result = wizard.action_send()
        message = result["params"]["message"]
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("Martin SARL: email to Martin@example.com", message)
        self.assertIn("Left out: Dupont SA was reminded on", message)
        Reminder = self.env["account.dunning.reminder"]
        self.assertEqual(
            Reminder.search_count([("partner_id", "=", self.customer.id)]), 1
        )
        # confirmed with a reason, the customer reminded recently goes too
        wizard = self._wizard(customers)
        wizard.confirm_interval = True
        wizard.interval_reason = "Quarter-end statement to every customer"
        result = wizard.action_send()
        self.assertEqual(result["params"]["type"], "success")
        latest = Reminder.search(
            [("partner_id", "=", self.customer.id)], order="id desc", limit=1
        )
        notes = " ".join(latest.message_ids.mapped("body"))
        self.assertIn("Quarter-end statement to every customer", notes)

    def test_mass_send_with_everyone_within_the_interval_refuses(self):
        invoice = self._invoice(self.customer, 100, day(-7))
        self.policy.min_interval_days = 7
        self._wizard(invoice).action_send()
        wizard = self._wizard(self.customer | self.other_customer)
        with self.assertRaisesMessage(UserError, "Dupont SA was reminded on"):
            wizard.action_send()


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningLevelExplained(DunningCommon):
    """The wizard says why it proposes a level; a level chosen above the policy is
    marked so in the history."""

    def test_level_not_due_yet_is_not_proposed(self):
        invoice = self._invoice(self.customer, 100, day(-12))
        invoice.sudo().dunning_level_id = self.level_call
        wizard = self._wizard(invoice)
        # 12 days late: the formal notice comes at 15 days, the call again
        self.assertEqual(wizard.level_id, self.level_call)
        self.assertIn("12 days late", wizard.level_reason)
        self.assertIn(self.level_formal.name, wizard.level_reason)
        wizard.level_id = self.level_formal
        self.assertIn("Above what the policy gives", wizard.level_reason)
        wizard.action_send()
        reminder = self.env["account.dunning.reminder"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertTrue(reminder.level_forced)
        notes = " ".join(reminder.message_ids.mapped("body"))
        self.assertIn("above what the policy gives", notes)

    def test_one_level_at_a_time_without_skip(self):
        invoice = self._invoice(self.customer, 100, day(-16))
        invoice.sudo().dunning_level_id = self.level_email
        wizard = self._wizard(invoice)
        self.assertFalse(self.policy.allow_level_skip)
        self.assertEqual(wizard.level_id, self.level_call)
        self.assertIn("16 days late", wizard.level_reason)
        wizard.action_send()
        reminder = self.env["account.dunning.reminder"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertFalse(reminder.level_forced)
