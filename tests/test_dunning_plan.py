# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import DunningCommon

DUE = date(2026, 3, 2)


def day(n):
    return DUE + timedelta(days=n)


@tagged("post_install", "-at_install")
class TestDunningPlan(DunningCommon):
    """Payment plans: a schedule of instalments; on track, no reminder; each
    instalment due is reminded; a missed one breaks the plan and dunning resumes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["account.dunning.reminder"]
        cls.levels.write({"auto_execute": True})
        cls.inv_1 = cls._invoice(cls.customer, 600, DUE)
        cls.inv_2 = cls._invoice(cls.customer, 400, DUE)
        cls.billing = new_test_user(
            cls.env, login="billing_plan", groups="account.group_account_invoice"
        )

    def _plan(self, on=None, count=3):
        """A monthly plan of ``count`` instalments from ``on + 5``, made by a billing
        user from the customer form, activated."""
        on = on or day(5)
        with freeze_time(on):
            action = self.customer.with_user(self.billing).action_dunning_plan()
            form = Form(
                self.env[action["res_model"]]
                .with_user(self.billing)
                .with_context(**action["context"])
            )
            form.instalment_count = count
            form.first_date = on + timedelta(days=5)
            plan = form.save()
            plan.action_compute_schedule()
            plan.action_activate()
        return plan

    def test_schedule_splits_the_amount_exactly(self):
        plan = self._plan()
        self.assertEqual(plan.move_ids, self.inv_1 | self.inv_2)
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertEqual(
            [(line.date, line.amount) for line in plan.line_ids],
            [
                (date(2026, 3, 12), 333.33),
                (date(2026, 4, 12), 333.33),
                (date(2026, 5, 12), 333.34),
            ],
        )
        self.assertTrue(plan.name.startswith("PLAN/"))
        self.assertEqual(plan.state, "active")
        self.assertEqual(self.customer.dunning_plan_count, 1)

    def test_on_track_no_reminder_each_instalment_reminded_then_done(self):
        plan = self._plan()
        self.assertFalse(self._run(day(6)))  # invoices 6 days late, plan on track
        self._run(day(10))  # first instalment due on day 10: reminded once
        first = plan.line_ids[0]
        self.assertTrue(first.reminder_sent)
        mail = self.env["mail.mail"].search(
            [("model", "=", "account.dunning.plan.line"), ("res_id", "=", first.id)]
        )
        self.assertIn("instalment due", mail.subject)
        self.assertIn(self.customer, mail.recipient_ids)
        self._pay(self.inv_1, 333.33, on=day(10))
        self.assertEqual(first.paid_amount, 333.33)
        self.assertFalse(self._run(day(11)))
        self.assertEqual(plan.state, "active")
        self._pay(self.inv_1 | self.inv_2, 666.67, on=day(20))
        self._run(day(21))
        self.assertEqual(plan.state, "done")

    def test_missed_instalment_breaks_the_plan_and_dunning_resumes(self):
        plan = self._plan()
        self._pay(self.inv_1, 200, on=day(10))  # short of the first instalment
        (reminder,) = self._run(day(11))
        self.assertEqual(plan.state, "broken")
        self.assertEqual(reminder.line_ids.move_id, self.inv_1 | self.inv_2)
        self.assertTrue(plan.message_ids.filtered(lambda m: "missed" in m.body))

    def test_plan_refuses_bad_input(self):
        with freeze_time(day(5)):
            plan = self.env["account.dunning.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [(6, 0, (self.inv_1 | self.inv_2).ids)],
                    "amount_total": 1000,
                }
            )
            with self.assertRaisesMessage(UserError, "Compute the schedule"):
                plan.action_activate()
            with self.assertRaisesMessage(ValidationError, "at least one instalment"):
                plan.instalment_count = 0
            plan.action_compute_schedule()
            plan.line_ids[0].amount = 1
            with self.assertRaisesMessage(UserError, "do not add up"):
                plan.action_activate()
            other = self._invoice(self.other_customer, 10, DUE)
            with self.assertRaisesMessage(ValidationError, "can only cover"):
                plan.move_ids = [(4, other.id)]
        nobody = self._customer("Nobody SAS")
        with self.assertRaisesMessage(UserError, "no overdue invoice"):
            nobody.action_dunning_plan()

    def test_plan_prints_for_signature(self):
        plan = self._plan()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_dunning.action_report_dunning_plan", plan.ids)[
                0
            ]
            .decode()
        )
        self.assertIn(plan.name, html)
        self.assertIn("333.34", html)
        self.assertIn("Name, date and signature", html)


@tagged("post_install", "-at_install")
class TestDunningCollection(DunningCommon):
    """Hand-over to collection: by a level or a button; reminders stop; a dossier."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["account.dunning.reminder"]
        cls.levels.write({"auto_execute": True})
        cls.invoice = cls._invoice(cls.customer, 1000, DUE)
        cls.billing = new_test_user(
            cls.env, login="billing_collect", groups="account.group_account_invoice"
        )

    def test_handoff_by_button_stops_reminders_and_attaches_the_dossier(self):
        formal = self._reminder(
            self.customer, self.invoice, self.level_formal, on=day(15), state="draft"
        )
        with freeze_time(day(15)):
            formal.with_user(self.billing).action_send()
        with freeze_time(day(16)):
            self.customer.with_user(self.billing).action_dunning_handoff()
        self.assertRecordValues(
            self.customer,
            [{"dunning_stage": "collection", "dunning_collection_date": day(16)}],
        )
        message = self.customer.message_ids.filtered(
            lambda m: "Handed over to collection" in m.body
        )
        names = message.attachment_ids.mapped("name")
        self.assertEqual(len(names), 4, names)
        self.assertIn(formal.letter_attachment_id.name, names)
        history = message.attachment_ids.filtered(
            lambda a: a.name == "Reminder history.csv"
        ).raw.decode("utf-8-sig")
        self.assertIn(formal.name, history)
        self.assertIn(formal.level_id.name, history)
        self.assertIn("Sending", history)
        invoices = message.attachment_ids.filtered(
            lambda a: a.name == "Open invoices.csv"
        ).raw.decode("utf-8-sig")
        self.assertIn(self.invoice.name, invoices)
        self.assertIn("1000.0", invoices)
        self.assertFalse(self._run(day(25)))
        with freeze_time(day(25)):
            self.customer.invalidate_recordset()
            self.assertEqual(self.customer.dunning_status, "collection")
            self.assertIn(
                self.customer,
                self.env["res.partner"].search([("dunning_stage", "=", "collection")]),
            )
        self.customer.with_user(self.billing).action_dunning_back_to_dunning()
        self.assertEqual(self.customer.dunning_stage, "dunning")
        self.assertTrue(self._run(day(26)))

    def test_level_with_handoff_hands_over_when_sent(self):
        self.level_plan.collection_handoff = True
        self.policy.allow_level_skip = True
        (reminder,) = self._run(day(20))
        self.assertEqual(reminder.level_id, self.level_plan)
        self.assertEqual(self.customer.dunning_stage, "collection")
        with self.assertRaisesMessage(UserError, "already in collection"):
            self.customer.action_dunning_handoff()
