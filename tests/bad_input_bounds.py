# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The bounds on what users type, tried by the bad-input tests."""

from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import TODAY


class BoundCases:
    """The bound cases of ``TestDunningBadInput`` (a mixin, no test of its own)."""

    def _bound_cases(self):
        """Bounds on what users type (a delay of more than ten years is a typo),
        each tried by the least-privileged user who may type it."""
        # the messages asserted are the English ones, whatever the database's language
        english = self.env(context=dict(self.env.context, lang="en_US"))
        billing = self.billing
        manager = self.manager
        Reminder = english["account.dunning.reminder"].with_user(billing)
        Promise = english["account.dunning.promise"].with_user(billing)
        Kpi = english["account.dunning.kpi"].with_user(billing)
        promise = self.promise.with_env(english).with_user(billing)
        draft = self.draft_reminder.with_env(english).with_user(billing)
        plan = self.draft_plan.with_env(english).with_user(billing)
        level = self.level_email.with_env(english).with_user(manager)
        policy = self.policy.with_env(english).with_user(manager)
        return [
            (
                "a minimum interval of two billion days",
                lambda: policy.write({"min_interval_days": 2000000000}),
                ValidationError,
                "between 0 and 3650 days",
            ),
            (
                "a level delay of more than ten years",
                lambda: level.write({"delay": 4000}),
                ValidationError,
                "between -3650 and 3650 days",
            ),
            (
                "a level delay at the internal sentinel",
                lambda: level.write({"delay": -(2**31)}),
                ValidationError,
                "between -3650 and 3650 days",
            ),
            (
                "a level without a name",
                lambda: level.write({"name": "   "}),
                ValidationError,
                "cannot be empty",
            ),
            (
                "a policy without a name",
                lambda: policy.write({"name": " "}),
                ValidationError,
                "cannot be empty",
            ),
            (
                "a portal user for a level's activities",
                lambda: level.write(
                    {
                        "create_activity": True,
                        "activity_type_id": self.env.ref(
                            "mail.mail_activity_data_call"
                        ).id,
                        "activity_user_type": "user",
                        "activity_user_id": self.portal.id,
                    }
                ),
                ValidationError,
                "internal user",
            ),
            (
                "another company's user for a level's activities",
                lambda: level.write(
                    {
                        "create_activity": True,
                        "activity_type_id": self.env.ref(
                            "mail.mail_activity_data_call"
                        ).id,
                        "activity_user_type": "user",
                        "activity_user_id": self.manager_b.id,
                    }
                ),
                ValidationError,
                "internal user of",
            ),
            (
                "a negative late interest rate",
                lambda: english["res.config.settings"]
                .with_user(self.settings_admin)
                .create({"dunning_interest_rate": -3})
                .execute(),
                ValidationError,
                "between 0 and",
            ),
            (
                "a manual reminder dated in 2030",
                lambda: Reminder.create(
                    {"partner_id": self.customer.id, "date": date(2030, 1, 1)}
                ),
                ValidationError,
                "dated in the future",
            ),
            (
                "a draft reminder moved to 2030",
                lambda: draft.write({"date": date(2030, 1, 1)}),
                ValidationError,
                "dated in the future",
            ),
            (
                "the origin of a reminder set by a user",
                lambda: Reminder.create(
                    {"partner_id": self.customer.id, "origin": "auto"}
                ),
                UserError,
                "Origin",
            ),
            (
                "a CC that is not an address",
                lambda: draft.write({"email_cc": "boss, not-an-email"}),
                ValidationError,
                "not a valid email address",
            ),
            (
                "a CC of 10,000 characters",
                lambda: draft.write({"email_cc": "a" * 9990 + "@example.com"}),
                ValidationError,
                "too long",
            ),
            (
                "a CC of a mailing list's size",
                lambda: draft.write(
                    {"email_cc": ",".join(f"p{i}@example.com" for i in range(11))}
                ),
                ValidationError,
                "at most 10",
            ),
            (
                "a reminder line of another customer's invoice",
                lambda: draft.line_ids.write({"move_id": self.other_invoice.id}),
                ValidationError,
                "its own customer's invoices",
            ),
            (
                "a promise moved into the past by write",
                lambda: promise.write({"date": TODAY - timedelta(days=3)}),
                ValidationError,
                "date to come",
            ),
            (
                "a promise dated 9999-12-31",
                lambda: Promise.create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(self.overdue.ids)],
                        "date": date(9999, 12, 31),
                        "amount": 10,
                    }
                ),
                ValidationError,
                "365 days at most|between 1900-01-01 and 2999-12-31",
            ),
            (
                "a negative instalment",
                lambda: plan.write(
                    {"line_ids": [Command.create({"date": TODAY, "amount": -50})]}
                ),
                ValidationError,
                "positive amount",
            ),
            (
                "20,000 instalments",
                lambda: plan.write({"instalment_count": 20000}),
                ValidationError,
                "more than 120 instalments",
            ),
            (
                "a first instalment years in the past",
                lambda: plan.write({"first_date": date(2020, 1, 1)}),
                ValidationError,
                "first instalment",
            ),
            (
                "instalments that do not add up to the plan's amount",
                self._activate_plan_not_adding_up,
                UserError,
                "do not add up",
            ),
            (
                "an empty dispute reason",
                lambda: english["account.dunning.dispute"]
                .with_user(billing)
                .create({"move_ids": [Command.set(self.overdue.ids)], "reason": " "})
                .action_open(),
                ValidationError,
                "reason is required",
            ),
            (
                "a portal user as the owner of a dispute",
                lambda: english["account.dunning.dispute"]
                .with_user(billing)
                .create(
                    {
                        "move_ids": [Command.set(self.overdue.ids)],
                        "reason": "Damaged",
                        "user_id": self.portal.id,
                    }
                )
                .action_open(),
                ValidationError,
                "internal user",
            ),
            (
                "a KPI period that ends before it starts",
                lambda: Kpi.create(
                    {"date_from": date(2026, 3, 1), "date_to": date(2026, 2, 1)}
                ),
                ValidationError,
                "after its end",
            ),
            (
                "a reminder for another company's customer through the context",
                lambda: english["account.dunning.send"]
                .with_user(billing)
                .with_context(allowed_company_ids=self.company.ids)
                .create(
                    {
                        "company_id": self.company.id,
                        "partner_ids": [Command.set(self.customer_b.ids)],
                    }
                ),
                AccessError,
                r"res\.partner",
            ),
        ]
