# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Links of the right kind and company, and facts only their own steps write,
tried by the bad-input tests: a portal user or another company's journal where an
internal user or one's own journal goes, a dispute across companies, a promise on
a paid invoice, a plan for 1e12, a risk score written by hand."""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError

from .bad_input_types import INTEGER, NUMBER
from .common import TODAY


class LinkCases:
    """The link cases of ``TestDunningBadInput`` (a mixin, no test of its own)."""

    def _link_cases(self, english):
        """Partners, users, journals and invoices of the right kind and company."""
        billing, manager = self.billing, self.manager
        Settings = english["res.config.settings"].with_user(self.settings_admin)
        customer = self.customer.with_env(english).with_user(self.billing_contacts)
        draft = self.draft_reminder.with_env(english).with_user(billing)
        Promise = english["account.dunning.promise"].with_user(billing)
        Plan = english["account.dunning.plan"].with_user(billing)
        Dispute = english["account.dunning.dispute"]
        Override = english["account.dunning.credit.override"].with_user(manager)
        Reason = english["account.dunning.dispute.reason"].with_user(manager)

        def promise_on(moves, **vals):
            return lambda: Promise.create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(moves.ids)],
                    "date": TODAY + timedelta(days=5),
                    "amount": 10,
                }
                | vals
            )

        def dispute(moves, user=billing):
            # in every company of the user (a dispute across two of them)
            companies = user.company_ids.ids
            return (
                lambda: Dispute.with_user(user)
                .with_context(allowed_company_ids=companies)
                .create({"move_ids": [Command.set(moves.ids)], "reason": "Damaged"})
                .action_open()
            )

        def override(moves, reason):
            return lambda: Override.create(
                {"move_ids": [Command.set(moves.ids)], "reason": reason}
            ).action_confirm()

        own_steps = "set by the addon's own steps, not by hand"
        return [
            (
                "a portal user as a customer's dunning responsible",
                lambda: customer.write({"dunning_responsible_id": self.portal.id}),
                ValidationError,
                "must be an internal user of",
            ),
            (
                "another company's user as a customer's dunning responsible",
                lambda: customer.write({"dunning_responsible_id": self.manager_b.id}),
                ValidationError,
                "must be an internal user of",
            ),
            (
                "a portal user as the company's dunning responsible",
                lambda: Settings.create(
                    {"dunning_responsible_id": self.portal.id}
                ).execute(),
                ValidationError,
                "must be an internal user of",
            ),
            (
                "another company's fees journal",
                lambda: Settings.create(
                    {"dunning_fee_journal_id": self.sales_journal_b.id}
                ).execute(),
                ValidationError,
                "of the company and of the right kind",
            ),
            (
                "a purchase journal for the fees",
                lambda: Settings.create(
                    {"dunning_fee_journal_id": self.purchase_journal.id}
                ).execute(),
                ValidationError,
                "of the company and of the right kind",
            ),
            (
                "an expense account for the fees",
                lambda: Settings.create(
                    {
                        "dunning_fee_account_id": self.company_data[
                            "default_account_expense"
                        ].id
                    }
                ).execute(),
                ValidationError,
                "of the company and of the right kind",
            ),
            (
                "a reminder template as the thank-you email",
                lambda: Settings.create(
                    {
                        "dunning_thank_you_template_id": self.env.ref(
                            "account_dunning.mail_template_dunning_first"
                        ).id
                    }
                ).execute(),
                ValidationError,
                "of the company and of the right kind",
            ),
            *(
                (
                    f"credit alert thresholds {value}",
                    lambda value=value: Settings.create(
                        {"dunning_credit_alert_thresholds": value}
                    ).execute(),
                    ValidationError,
                    "positive percentages up to 1000",
                )
                for value in ("1e309", "50,nan", "50,inf", "2000", "-5,50")
            ),
            (
                "a blank dispute reason name",
                lambda: Reason.create({"name": "   "}),
                ValidationError,
                "cannot be empty",
            ),
            (
                "a dispute reason renamed blank",
                lambda: self.reason.with_env(english)
                .with_user(manager)
                .write({"name": "\t"}),
                ValidationError,
                "cannot be empty",
            ),
            (
                "a reminder line on a credit note",
                lambda: draft.line_ids.write({"move_id": self.credit_note.id}),
                ValidationError,
                "Only posted customer invoices can be reminded",
            ),
            (
                "a reminder line of -2^31 days overdue",
                lambda: draft.line_ids.write({"days_overdue": -(2**31)}),
                ValidationError,
                "between -3650 and 36500 days",
            ),
            (
                "a reminder line for 1e300",
                lambda: draft.line_ids.write({"amount_overdue": 1e300}),
                ValidationError,
                NUMBER,
            ),
            (
                "a reminder line's state written",
                lambda: draft.line_ids.write({"state": "sent"}),
                UserError,
                "takes these values from its reminder",
            ),
            (
                "a credit override with an empty reason",
                override(self.draft, "  "),
                ValidationError,
                "cannot be empty",
            ),
            (
                "a credit override with no invoice",
                override(english["account.move"], "The boss agreed"),
                UserError,
                "Choose the invoices",
            ),
            (
                "a dispute with no invoice",
                dispute(english["account.move"]),
                UserError,
                "Choose the invoices the customer disputes",
            ),
            (
                "a dispute across companies",
                dispute(self.overdue | self.invoice_b, user=self.billing_ab),
                UserError,
                "invoices of one company",
            ),
            (
                "a promise on a draft invoice",
                promise_on(self.draft),
                ValidationError,
                "draft, paid or cancelled",
            ),
            (
                "a promise on a paid invoice",
                promise_on(self.paid),
                ValidationError,
                "draft, paid or cancelled",
            ),
            (
                "a promise for more than is owed",
                promise_on(self.overdue, amount=1000.01),
                ValidationError,
                "more than what is left to pay",
            ),
            (
                "a promise created kept",
                promise_on(self.overdue, state="kept"),
                UserError,
                own_steps,
            ),
            (
                "a second open promise on an invoice",
                promise_on(self.promised),
                UserError,
                "one open promise per invoice",
            ),
            (
                "a plan for 1e12",
                lambda: Plan.create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(self.overdue.ids)],
                        "amount_total": 1e12,
                    }
                ),
                ValidationError,
                "what is left to pay",
            ),
            (
                "a plan on a credit note",
                lambda: Plan.create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(self.credit_note.ids)],
                        "amount_total": 50,
                    }
                ),
                ValidationError,
                "can only spread invoices left to pay",
            ),
            (
                "an invoice's level emptied",
                lambda: self.overdue.with_env(english)
                .with_user(billing)
                .write({"dunning_level_id": False, "dunning_last_date": False}),
                UserError,
                own_steps,
            ),
            (
                "an invoice's count of reminders reset",
                lambda: self.overdue.with_env(english)
                .with_user(billing)
                .write({"dunning_count": 0}),
                UserError,
                own_steps,
            ),
            (
                "a customer's risk score written",
                lambda: customer.write({"risk_score": 0}),
                UserError,
                own_steps,
            ),
            (
                "a promise kept by hand",
                lambda: self.promise.with_env(english)
                .with_user(billing)
                .write({"state": "kept"}),
                UserError,
                own_steps,
            ),
            (
                "a plan done by hand",
                lambda: self.scheduled_plan.with_env(english)
                .with_user(billing)
                .write({"state": "done"}),
                UserError,
                own_steps,
            ),
            (
                "a level created with a delay of 41.7 days",
                lambda: english["account.dunning.policy"]
                .with_user(manager)
                .create(
                    {
                        "name": "Fractions",
                        "level_ids": [Command.create({"name": "A", "delay": 41.7})],
                    }
                ),
                ValidationError,
                INTEGER,
            ),
        ]
