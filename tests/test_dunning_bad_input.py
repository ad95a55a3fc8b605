# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .bad_input_bounds import BoundCases
from .bad_input_links import LinkCases
from .bad_input_types import TypeCases
from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningBadInput(TypeCases, LinkCases, BoundCases, DunningCommon):
    """Invalid configurations and actions: each one a clear error, and nothing of
    it written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.overdue = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls.other_invoice = cls._invoice(cls.other_customer, 500, date(2026, 3, 1))
        cls.paid = cls._invoice(cls.customer, 200, date(2026, 3, 1))
        cls._pay(cls.paid, 200)
        cls.draft = cls.overdue.copy()
        cls.sent = cls._reminder(cls.customer, cls.overdue, cls.level_email)
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.template_other_model = cls.env["mail.template"].create(
            {
                "name": "Not a reminder",
                "model_id": cls.env.ref("base.model_res_partner").id,
            }
        )
        cls.manager = new_test_user(
            cls.env, login="manager_bad", groups="account.group_account_manager"
        )
        cls.billing = new_test_user(
            cls.env, login="billing_bad", groups="account.group_account_invoice"
        )
        cls.settings_admin = new_test_user(
            cls.env,
            login="settings_bad",
            groups="base.group_system,account.group_account_manager",
        )
        cls.portal = new_test_user(
            cls.env, login="portal_bad", groups="base.group_portal"
        )
        cls.env.ref("base.lang_en").active = True
        cls.manager_b = new_test_user(
            cls.env,
            login="manager_b_bad",
            groups="account.group_account_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.customer_b = cls._customer("Bernard SAS", company_id=cls.company_b.id)
        cls.draft_reminder = cls._reminder(
            cls.customer, cls.overdue, cls.level_email, state="draft"
        )
        cls.promised = cls._invoice(cls.customer, 300, date(2026, 3, 1))
        cls.promise = cls.env["account.dunning.promise"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.promised.ids)],
                "date": TODAY + timedelta(days=10),
                "amount": 100,
            }
        )
        cls.draft_plan = cls.env["account.dunning.plan"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.overdue.ids)],
                "amount_total": 1000,
            }
        )
        cls._set_up_type_cases()

    # Every count and value the actions below could touch, to prove they wrote
    # nothing.
    def _snapshot(self):
        self.env.invalidate_all()
        models = [
            "account.dunning.reminder",
            "account.dunning.reminder.line",
            "account.dunning.promise",
            "account.dunning.plan",
            "account.dunning.plan.line",
            "account.dunning.policy",
            "account.dunning.level",
            "account.dunning.dispute.reason",
            "mail.mail",
        ]
        counts = {
            m: self.env[m].with_context(active_test=False).search_count([])
            for m in models
        }
        values = (
            self.level_email.read(["fee_amount", "send_email", "mail_template_id"])[0],
            self.policy.read(["minimum_amount", "min_interval_days", "active"])[0],
            self.company.read(["dunning_policy_id", "dunning_credit_alert_thresholds"])[
                0
            ],
            self.overdue.read(["state", "dunning_dispute_state", "dunning_level_id"])[
                0
            ],
            self.sent.read(["state", "name"])[0],
            self.customer.read(["dunning_stage", "dunning_policy_id"])[0],
            self.draft.read(["state"])[0],
            self.draft_reminder.read(["date", "email_cc", "origin", "line_ids"])[0],
            self.promise.read(["date"])[0],
            self.draft_plan.read(["instalment_count", "first_date", "state"])[0],
            self.level_email.read(["delay", "name", "activity_user_id"])[0],
            self.policy.read(["name"])[0],
            self.company.read(["dunning_interest_rate"])[0],
            self.overdue.read(["dunning_dispute_reason", "dunning_dispute_user_id"])[0],
        )
        return counts, values, self._typed_snapshot()

    def _new_plan(self, **vals):
        return self.env["account.dunning.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.overdue.ids)],
                "amount_total": 1000,
            }
            | vals
        )

    def _send_without_invoices(self):
        wizard = self._wizard(self.overdue)
        wizard.covered_move_ids = [Command.clear()]
        wizard.action_send()

    def _hand_over_twice(self):
        self.customer.action_dunning_handoff()
        self.customer.action_dunning_handoff()

    def _post_over_the_limit(self):
        self.company.account_use_credit_limit = True  # Odoo's credit limit switch
        self.company.dunning_credit_check = "block"
        self.customer.credit_limit = 10
        self.draft.action_post()

    def _cases(self):
        """(what, action, exception, message pattern)."""
        Policy = self.env["account.dunning.policy"]
        Promise = self.env["account.dunning.promise"]
        tomorrow = TODAY + timedelta(days=1)
        return [
            (
                "two levels with the same delay",
                lambda: self.level_call.write({"delay": self.level_email.delay}),
                ValidationError,
                "same delay",
            ),
            (
                "a negative fee",
                lambda: self.level_email.write({"fee_amount": -5}),
                ValidationError,
                "cannot be negative",
            ),
            (
                "email on with no template",
                lambda: self.level_email.write({"mail_template_id": False}),
                ValidationError,
                "choose its email",
            ),
            (
                "a template of another model",
                lambda: self.level_email.write(
                    {"mail_template_id": self.template_other_model.id}
                ),
                ValidationError,
                "email template",
            ),
            (
                "an activity with no type",
                lambda: self.level_email.write(
                    {"create_activity": True, "activity_type_id": False}
                ),
                ValidationError,
                "schedules an activity",
            ),
            (
                "an activity for a specific user with none",
                lambda: self.level_call.write(
                    {"activity_user_type": "user", "activity_user_id": False}
                ),
                ValidationError,
                "specific",
            ),
            (
                "a negative minimum amount",
                lambda: self.policy.write({"minimum_amount": -1}),
                ValidationError,
                "minimum amount",
            ),
            (
                "a negative minimum interval",
                lambda: self.policy.write({"min_interval_days": -1}),
                ValidationError,
                "minimum interval",
            ),
            (
                "the default policy archived while in use",
                lambda: self.policy.write({"active": False}),
                ValidationError,
                "default policy",
            ),
            (
                "a used policy deleted",
                lambda: self.policy.unlink(),
                UserError,
                "default policy|archive it instead",
            ),
            (
                "another company's policy as default",
                lambda: self.company.write(
                    {"dunning_policy_id": self.company_b.dunning_policy_id.id}
                ),
                ValidationError,
                "must belong to it",
            ),
            (
                "another company's policy on a customer",
                lambda: self.customer.write(
                    {"dunning_policy_id": self.company_b.dunning_policy_id.id}
                ),
                ValidationError,
                "belongs to",
            ),
            (
                "a policy created with duplicate delays",
                lambda: Policy.create(
                    {
                        "name": "Twice",
                        "level_ids": [
                            Command.create({"name": "A", "delay": 5}),
                            Command.create({"name": "B", "delay": 5}),
                        ],
                    }
                ),
                ValidationError,
                "same delay",
            ),
            (
                "sending on a draft invoice",
                lambda: self.draft.action_dunning_send(),
                UserError,
                "not paid yet",
            ),
            (
                "sending on a paid invoice",
                lambda: self.paid.action_dunning_send(),
                UserError,
                "not paid yet",
            ),
            (
                "sending for a customer with nothing open",
                lambda: self._customer("Empty SA").action_dunning_send(),
                UserError,
                "no open invoice",
            ),
            (
                "sending with no invoice kept",
                self._send_without_invoices,
                UserError,
                "at least one invoice",
            ),
            (
                "sending a reminder already sent",
                lambda: self.sent.action_send(),
                UserError,
                "Only draft or failed",
            ),
            (
                "cancelling a sent reminder",
                lambda: self.sent.action_cancel(),
                UserError,
                "stays in the history",
            ),
            (
                "deleting a sent reminder",
                lambda: self.sent.unlink(),
                UserError,
                "cannot be deleted",
            ),
            (
                "resetting a sent reminder to draft",
                lambda: self.sent.action_reset_to_draft(),
                UserError,
                "Only cancelled reminders that were never sent",
            ),
            (
                "a reminder listing another customer's invoice",
                lambda: self._reminder(
                    self.customer, self.other_invoice, self.level_email
                ),
                ValidationError,
                "its own customer's invoices",
            ),
            (
                "a reminder at a level of another policy",
                lambda: self.env["account.dunning.reminder"].create(
                    {
                        "partner_id": self.customer.id,
                        "policy_id": self.company_b.dunning_policy_id.id,
                        "level_id": self.level_email.id,
                    }
                ),
                ValidationError,
                "does not belong|belong",
            ),
            (
                "a negative fee on a reminder line",
                lambda: self._reminder(
                    self.customer, self.overdue, self.level_email, state="draft"
                ).line_ids.write({"fee_amount": -1}),
                ValidationError,
                "cannot be negative",
            ),
            (
                "a call outcome recorded without outcome",
                lambda: self.sent.action_record_call_outcome(),
                UserError,
                "outcome",
            ),
            (
                "a promise in the past",
                lambda: Promise.create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(self.overdue.ids)],
                        "date": TODAY - timedelta(days=1),
                        "amount": 100,
                    }
                ),
                ValidationError,
                "date to come",
            ),
            (
                "a promise of nothing",
                lambda: Promise.create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(self.overdue.ids)],
                        "date": tomorrow,
                        "amount": 0,
                    }
                ),
                ValidationError,
                "must be positive",
            ),
            (
                "a promise for another customer's invoice",
                lambda: Promise.create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(self.other_invoice.ids)],
                        "date": tomorrow,
                        "amount": 100,
                    }
                ),
                ValidationError,
                "its own customer invoices",
            ),
            (
                "a plan with no instalment",
                lambda: self._new_plan(instalment_count=0),
                ValidationError,
                "at least one instalment",
            ),
            (
                "a plan activated without schedule",
                lambda: self._new_plan().action_activate(),
                UserError,
                "Compute the schedule",
            ),
            (
                "a plan covering another customer's invoice",
                lambda: self._new_plan(
                    move_ids=[Command.set((self.overdue | self.other_invoice).ids)]
                ),
                ValidationError,
                "can only cover",
            ),
            (
                "a plan for a customer with nothing overdue",
                lambda: self._customer("Nothing SA").action_dunning_plan(),
                UserError,
                "no overdue invoice",
            ),
            (
                "a dispute on a paid invoice",
                lambda: self.paid.action_dunning_dispute(),
                UserError,
                "not paid yet",
            ),
            (
                "resolving a dispute that is not open",
                lambda: self.overdue.action_dunning_resolve_dispute(),
                UserError,
                "in dispute",
            ),
            (
                "credit thresholds that are not numbers",
                lambda: self.company.write(
                    {"dunning_credit_alert_thresholds": "fifty"}
                ),
                ValidationError,
                "positive percentages",
            ),
            *self._bound_cases(),
            *self._type_cases(),
            (
                "handing over a customer twice",
                self._hand_over_twice,
                UserError,
                "already in collection",
            ),
            (
                "posting over the credit limit where the company blocks",
                self._post_over_the_limit,
                UserError,
                "over its credit limit",
            ),
        ]

    def _activate_plan_not_adding_up(self):
        plan = self.draft_plan.with_user(self.billing).with_context(lang="en_US")
        plan.write(
            {
                "amount_total": 1000,
                "line_ids": [Command.create({"date": TODAY, "amount": 999})],
            }
        )
        plan.action_activate()

    def test_kpi_screen_with_a_date_cleared_says_so(self):
        """Editing the KPI form: a cleared date shows what is missing, no crash."""
        kpi = (
            self.env["account.dunning.kpi"]
            .with_user(self.billing)
            .new({"date_from": False, "date_to": TODAY})
        )
        self.assertEqual(kpi.dso, 0.0)
        self.assertIn("first and the last day", str(kpi.effectiveness_html))

    def test_kpi_form_being_edited_shows_what_is_missing_and_no_figure(self):
        """The KPI form being edited (an onchange, which no access right or record
        rule guards): without a company, for another company, from year 1, or by a
        portal user, it says what is missing; no SQL error, no figure."""
        spec = dict.fromkeys(
            ("company_id", "date_from", "date_to", "dso", "effectiveness_html"), {}
        )
        for user, company, start, message in (
            (self.billing, False, "2026-01-01", "Choose the company"),
            (self.billing, self.company_b.id, "2026-01-01", "one of your companies"),
            (self.billing, self.company.id, "0001-01-01", "falls between 1900-01-01"),
            (self.portal, False, "2026-01-01", "for accounting users"),
            (self.portal, self.company.id, "2026-01-01", "for accounting users"),
        ):
            with self.subTest(user=user.login, company=company, start=start):
                Kpi = self.env["account.dunning.kpi"].with_user(user)
                values = Kpi.with_context(lang="en_US").onchange(
                    {"company_id": company, "date_from": start, "date_to": TODAY},
                    [],
                    spec,
                )["value"]
                self.assertEqual(values["dso"], 0.0)
                self.assertIn(message, values["effectiveness_html"])

    def test_every_bad_input_is_refused_and_writes_nothing(self):
        cases = self._cases()
        self.assertGreaterEqual(len(cases), 200)
        for what, action, exception, pattern in cases:
            with self.subTest(what):
                before = self._snapshot()
                with self.assertRaisesMessage(exception, pattern):
                    action()
                self.assertEqual(self._snapshot(), before, what)
