# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Values of the wrong type or out of every sane bound, tried on each number, date,
text, choice and link of the addon by the bad-input tests: NaN, infinity, a delay
of 41.7 days, a date "2026-12-15garbage", a NUL byte, a portal user or another
company's journal where an internal user or one's own journal goes."""

from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user

from .common import TODAY

NOT_NUMBERS = (
    ("NaN", float("nan")),
    ("infinity", float("inf")),
    ("minus infinity", float("-inf")),
    ("1e15", 1e15),
    ('"1e309"', "1e309"),
    ('"abc"', "abc"),
)
NUMBER = "a finite number below|a number is expected"
NOT_INTEGERS = (
    ("41.7", 41.7),
    ('"41.7"', "41.7"),
    ("2^40", 2**40),
    ("-2^31 - 1", -(2**31) - 1),
    ("NaN", float("nan")),
    ('"ten"', "ten"),
)
INTEGER = "a whole number is expected|the number is out of range"
NOT_DATES = (
    ('"not-a-date"', "not-a-date"),
    ('"2026-12-15garbage<script>"', "2026-12-15garbage<script>"),
    ('"0001-01-01"', "0001-01-01"),
    ('"2026-02-30"', "2026-02-30"),
    ("the number 20260415", 20260415),
)
DATE = r"a date \(YYYY-MM-DD\) is expected|a date between 1900-01-01 and 2999-12-31"
NUL = "the text contains a NUL character"
CHOICE = "not one of the choices"
RECORD = "a record is expected"


class TypeCases:
    """The type cases of ``TestDunningBadInput`` (a mixin, no test of its own)."""

    @classmethod
    def _set_up_type_cases(cls):
        company_b = cls.company_b
        cls.credit_note = cls._invoice(
            cls.customer, 50, date(2026, 3, 1), move_type="out_refund"
        )
        cls.planned = cls._invoice(cls.customer, 600, date(2026, 3, 1))
        cls.scheduled_plan = cls.env["account.dunning.plan"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.planned.ids)],
                "amount_total": 600,
                "instalment_count": 2,
            }
        )
        cls.scheduled_plan.action_compute_schedule()
        cls.reason = cls.env["account.dunning.dispute.reason"].create(
            {"name": "Wrong quantity"}
        )
        cls.billing_contacts = new_test_user(
            cls.env,
            login="billing_contacts_bad",
            groups="account.group_account_invoice,base.group_partner_manager",
        )
        cls.billing_ab = new_test_user(
            cls.env,
            login="billing_ab_bad",
            groups="account.group_account_invoice",
            company_ids=[Command.set((cls.company | company_b).ids)],
        )
        cls.invoice_b = (
            cls.env["account.move"]
            .with_company(company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer_b.id,
                    "invoice_date": date(2026, 2, 1),
                    "invoice_date_due": date(2026, 3, 1),
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Work",
                                "price_unit": 300,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        cls.invoice_b.action_post()
        Journal = cls.env["account.journal"]
        cls.sales_journal_b = Journal.search(
            [("company_id", "=", company_b.id), ("type", "=", "sale")], limit=1
        )
        cls.purchase_journal = Journal.search(
            [("company_id", "=", cls.company.id), ("type", "=", "purchase")], limit=1
        )

    def _typed_snapshot(self):
        """What the type cases could change, beside ``_snapshot``'s."""
        company = self.company.read(
            [
                "dunning_bank_feed_days",
                "dunning_promise_horizon_days",
                "dunning_retention_years",
                "dunning_fee_journal_id",
                "dunning_fee_account_id",
                "dunning_thank_you_template_id",
                "dunning_responsible_id",
                "dunning_credit_check",
                "dunning_fee_invoicing",
            ]
        )
        return (
            company,
            self.scheduled_plan.read(["amount_total", "note", "frequency", "user_id"]),
            self.scheduled_plan.line_ids.read(["plan_id", "amount", "date"]),
            self.draft_plan.read(["amount_total", "note", "frequency", "user_id"]),
            self.draft_reminder.line_ids.read(
                [
                    "fee_amount",
                    "interest_amount",
                    "amount_residual",
                    "days_overdue",
                    "date_due",
                    "move_id",
                    "state",
                ]
            ),
            self.draft_reminder.read(["email_subject", "level_id"]),
            self.promise.read(["amount", "note", "partner_id", "state"]),
            self.level_email.read(["activity_user_type", "mail_template_id"]),
            self.overdue.read(["dunning_exclusion_reason", "dunning_count"]),
            self.customer.read(["dunning_responsible_id", "risk_score"]),
            self.env["account.dunning.dispute.reason"]
            .with_context(active_test=False)
            .search([])
            .read(["name", "sequence"]),
            self.invoice_b.sudo().read(["dunning_dispute_state"]),
        )

    def _type_cases(self):
        """(what, action, exception, message pattern), each by the least-privileged
        user who may type it."""
        english = self.env(context=dict(self.env.context, lang="en_US"))
        billing, manager = self.billing, self.manager
        level = self.level_email.with_env(english).with_user(manager)
        policy = self.policy.with_env(english).with_user(manager)
        reason = self.reason.with_env(english).with_user(manager)
        promise = self.promise.with_env(english).with_user(billing)
        plan = self.scheduled_plan.with_env(english).with_user(billing)
        plan_line = plan.line_ids[:1]
        draft = self.draft_reminder.with_env(english).with_user(billing)
        line = draft.line_ids[:1]
        Promise = english["account.dunning.promise"].with_user(billing)
        Kpi = english["account.dunning.kpi"].with_user(billing)
        Settings = english["res.config.settings"].with_user(self.settings_admin)

        def settings(vals):
            return lambda: Settings.create(vals).execute()

        def new_promise(**vals):
            return lambda: Promise.create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.overdue.ids)],
                    "date": TODAY + timedelta(days=5),
                    "amount": 10,
                }
                | vals
            )

        numbers = (
            ("a level's fee", lambda v: level.write({"fee_amount": v})),
            ("a policy's minimum", lambda v: policy.write({"minimum_amount": v})),
            ("a promise's amount", lambda v: promise.write({"amount": v})),
            ("a new promise's amount", lambda v: new_promise(amount=v)()),
            ("a plan's amount", lambda v: plan.write({"amount_total": v})),
            ("an instalment", lambda v: plan_line.write({"amount": v})),
            ("a reminder line's fee", lambda v: line.write({"fee_amount": v})),
            (
                "a reminder line's interest",
                lambda v: line.write({"interest_amount": v}),
            ),
            (
                "a reminder line's amount due",
                lambda v: line.write({"amount_residual": v}),
            ),
            (
                "the late interest rate",
                lambda v: settings({"dunning_interest_rate": v})(),
            ),
        )
        integers = (
            ("a level's delay", lambda v: level.write({"delay": v})),
            ("a policy's interval", lambda v: policy.write({"min_interval_days": v})),
            ("a plan's instalments", lambda v: plan.write({"instalment_count": v})),
            ("a reminder line's days", lambda v: line.write({"days_overdue": v})),
            ("a dispute reason's rank", lambda v: reason.write({"sequence": v})),
            ("the bank feed age", lambda v: settings({"dunning_bank_feed_days": v})()),
            (
                "the promise horizon",
                lambda v: settings({"dunning_promise_horizon_days": v})(),
            ),
            ("the retention", lambda v: settings({"dunning_retention_years": v})()),
        )
        dates = (
            ("a promise's date", lambda v: promise.write({"date": v})),
            ("a new promise's date", lambda v: new_promise(date=v)()),
            ("a plan's first instalment", lambda v: plan.write({"first_date": v})),
            ("an instalment's date", lambda v: plan_line.write({"date": v})),
            ("a draft reminder's date", lambda v: draft.write({"date": v})),
            ("a reminder line's due date", lambda v: line.write({"date_due": v})),
            ("a KPI period's start", lambda v: Kpi.create({"date_from": v})),
            ("a KPI period's end", lambda v: Kpi.create({"date_to": v})),
        )
        cases = [
            (
                f"{what}: {label}",
                lambda write=write, value=value: write(value),
                ValidationError,
                pattern,
            )
            for group, values, pattern in (
                (numbers, NOT_NUMBERS, NUMBER),
                (integers, NOT_INTEGERS, INTEGER),
                (dates, NOT_DATES, DATE),
            )
            for what, write in group
            for label, value in values
        ]
        return cases + self._text_and_choice_cases(english) + self._link_cases(english)

    def _text_and_choice_cases(self, english):
        billing, manager = self.billing, self.manager
        level = self.level_email.with_env(english).with_user(manager)
        draft = self.draft_reminder.with_env(english).with_user(billing)
        plan = self.scheduled_plan.with_env(english).with_user(billing)
        promise = self.promise.with_env(english).with_user(billing)
        invoice = self.overdue.with_env(english).with_user(billing)
        Settings = english["res.config.settings"].with_user(self.settings_admin)
        Reason = english["account.dunning.dispute.reason"].with_user(manager)
        texts = (
            ("a level's name", lambda: level.write({"name": "First\x00"})),
            (
                "a policy's name",
                lambda: self.policy.with_env(english)
                .with_user(manager)
                .write({"name": "\x00"}),
            ),
            ("a reminder's subject", lambda: draft.write({"email_subject": "a\x00b"})),
            ("a dispute reason's name", lambda: Reason.create({"name": "Late\x00"})),
            ("a promise's note", lambda: promise.write({"note": "\x00"})),
            ("a plan's note", lambda: plan.write({"note": "x\x00"})),
            (
                "an invoice's exclusion reason",
                lambda: invoice.write({"dunning_exclusion_reason": "\x00"}),
            ),
        )
        choices = (
            ("a level's assignee", lambda: level.write({"activity_user_type": "boss"})),
            ("a plan's frequency", lambda: plan.write({"frequency": "daily"})),
            (
                "the credit check",
                lambda: Settings.create({"dunning_credit_check": "panic"}).execute(),
            ),
            (
                "the fee invoicing",
                lambda: Settings.create({"dunning_fee_invoicing": "maybe"}).execute(),
            ),
            (
                "a dispute's state",
                lambda: invoice.write({"dunning_dispute_state": "lost"}),
            ),
        )
        records = (
            ("a level's template", lambda: level.write({"mail_template_id": "abc"})),
            ("a reminder's level", lambda: draft.write({"level_id": "1"})),
            ("a promise's customer", lambda: promise.write({"partner_id": -1})),
            ("a plan's responsible", lambda: plan.write({"user_id": 1.5})),
            (
                "a dispute's reason",
                lambda: english["account.dunning.dispute"]
                .with_user(billing)
                .create(
                    {
                        "move_ids": [Command.set(self.overdue.ids)],
                        "reason": "Damaged",
                        "reason_id": "x",
                    }
                ),
            ),
        )
        required = (
            ("a level without a policy", lambda: level.write({"policy_id": False})),
            ("a promise without a date", lambda: promise.write({"date": False})),
            (
                "a KPI screen without a company",
                lambda: english["account.dunning.kpi"]
                .with_user(billing)
                .create({"company_id": False}),
            ),
            ("a plan without a frequency", lambda: plan.write({"frequency": False})),
        )
        return (
            [
                (f"a NUL byte in {what}", call, ValidationError, NUL)
                for what, call in texts
            ]
            + [
                (f"no such choice for {what}", call, ValidationError, CHOICE)
                for what, call in choices
            ]
            + [
                (f"not a record for {what}", call, ValidationError, RECORD)
                for what, call in records
            ]
            + [(what, call, ValidationError, "is required") for what, call in required]
        )
