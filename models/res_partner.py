# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's dunning settings, counts and actions. Its desk figures (overdue
amount, credits, level, status...) live in ``res_partner_dunning_figures``."""

import json

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .access import (
    ACCOUNTING,
    COLLECTOR,
    MANAGER,
    check_button,
    check_fields_group,
    check_system_fields,
)
from .bounds import check_input, check_internal_user

# the desk's figures, kept importable from here (their home is the figures file)
from .res_partner_dunning_figures import (  # noqa: F401
    DUNNING_STATUS,
    LEVEL,
    OPERATORS,
    SETTLED_STATUSES,
    SQL_DEFAULTS,
    SQL_FIGURES,
)

# What decides whether and how a customer is chased: accounting's to change.
CONTROL_FIELDS = frozenset(
    {
        "dunning_policy_id",
        "dunning_excluded",
        "dunning_responsible_id",
        "credit_hold",
        "dunning_stage",
        "dunning_collection_date",
    }
)
# The customer's payment behaviour, as the daily run measures it (see
# account.dunning.scoring): never a user's to write.
BEHAVIOUR_FIELDS = frozenset(
    {
        "payment_avg_days_late",
        "payment_on_time_ratio",
        "payment_paid_count",
        "risk_score",
        "risk_factors",
    }
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    type = fields.Selection(
        selection_add=[("dunning", "Payment Reminder Address")],
        ondelete={"dunning": "set default"},
    )

    dunning_policy_id = fields.Many2one(
        "account.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Leave empty to follow the company's default dunning policy.",
        groups=ACCOUNTING,
    )
    dunning_excluded = fields.Boolean(
        string="Excluded from Dunning",
        company_dependent=True,
        tracking=True,
        help="No payment reminder is sent to this customer.",
        groups=ACCOUNTING,
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Dunning Responsible",
        company_dependent=True,
        help="Who follows up this customer's payments; the company default applies "
        "when empty.",
        groups=ACCOUNTING,
    )
    credit_hold = fields.Boolean(
        company_dependent=True,
        tracking=True,
        help="The customer is on credit hold: no new credit until the situation is "
        "settled.",
        groups=ACCOUNTING,
    )
    dunning_reminder_ids = fields.One2many(
        "account.dunning.reminder",
        "partner_id",
        string="Payment Reminders",
        readonly=True,
        groups=ACCOUNTING,
    )
    dunning_reminder_count = fields.Integer(
        compute="_compute_dunning_reminder_count",
        groups=ACCOUNTING,
    )
    dunning_held_count = fields.Integer(
        string="Held for Review",
        compute="_compute_dunning_reminder_count",
        groups=ACCOUNTING,
        help="The customer's reminders the daily run keeps as drafts for review, "
        "with the reason on each.",
    )

    dunning_dispute_count = fields.Integer(
        string="In Dispute",
        compute="_compute_dunning_dispute_count",
        groups=ACCOUNTING,
        help="The customer's invoices in dispute: not reminded until resolved.",
    )

    dunning_stage = fields.Selection(
        [("dunning", "Dunning"), ("collection", "Collection agency / legal")],
        string="Collection Stage",
        company_dependent=True,
        tracking=True,
        help="Handed over to a collection agency or to legal action: automatic "
        "reminders stop.",
        groups=ACCOUNTING,
    )
    dunning_collection_date = fields.Date(
        string="Handed Over On", company_dependent=True, groups=ACCOUNTING
    )
    credit_exposure = fields.Monetary(
        compute="_compute_credit_exposure",
        currency_field="dunning_currency_id",
        help="What the customer owes or is about to owe: its open receivables, its "
        "draft invoices (net of draft credit notes) and what is still to invoice.",
        groups=ACCOUNTING,
    )
    credit_usage_percent = fields.Float(
        string="Credit Used (%)",
        compute="_compute_credit_exposure",
        help="The exposure as a share of the credit limit.",
        groups=ACCOUNTING,
    )
    credit_alert_threshold = fields.Integer(
        string="Credit Alert (%)",
        compute="_compute_credit_exposure",
        help="The highest alert threshold of the company the exposure has reached.",
        groups=ACCOUNTING,
    )
    payment_avg_days_late = fields.Float(
        string="Average Days Late",
        company_dependent=True,
        digits=(16, 1),
        readonly=True,
        help="Over the invoices paid in the last 12 months, weighted by amount.",
        groups=ACCOUNTING,
    )
    payment_on_time_ratio = fields.Float(
        string="Paid on Time",
        company_dependent=True,
        readonly=True,
        help="Share of the amount of the invoices paid in the last 12 months that "
        "was paid by the due date.",
        groups=ACCOUNTING,
    )
    payment_paid_count = fields.Integer(
        string="Invoices Paid (12 months)",
        company_dependent=True,
        readonly=True,
        help="The invoices paid in the last 12 months that the payment behaviour is "
        "measured on; none: no payment history yet.",
        groups=ACCOUNTING,
    )
    risk_score = fields.Integer(
        company_dependent=True,
        readonly=True,
        help="From 0 (pays on time) to 100, updated by the daily run; the reasons "
        "say what makes it.",
        groups=ACCOUNTING,
    )
    # what makes the score, as the daily run found it (JSON: [[points, reason,
    # value], ...]); said in the reader's language by risk_reasons
    risk_factors = fields.Char(company_dependent=True, readonly=True, groups=ACCOUNTING)
    risk_reasons = fields.Text(compute="_compute_risk_reasons", groups=ACCOUNTING)
    dunning_plan_count = fields.Integer(
        string="Payment Plans", compute="_compute_dunning_plan_count", groups=ACCOUNTING
    )
    dunning_promise_kept_count = fields.Integer(
        string="Promises Kept",
        compute="_compute_dunning_promise_counts",
        groups=ACCOUNTING,
    )
    dunning_promise_broken_count = fields.Integer(
        string="Promises Broken",
        compute="_compute_dunning_promise_counts",
        groups=ACCOUNTING,
    )

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS base: who may set the dunning settings of a customer (accounting only)
        check_input(self, vals_list)
        for vals in vals_list:
            # a new contact's defaults are nobody's decision: only values set count
            self._dunning_check_control({k: v for k, v in vals.items() if v})
        return super().create(vals_list)

    def write(self, vals):
        # EXTENDS base: as create
        check_input(self, [vals])
        self._dunning_check_control(vals)
        return super().write(vals)

    def _dunning_check_control(self, vals):
        """Whether and how a customer is chased is accounting's to decide; lifting a
        credit hold or moving the limit of a company that blocks is a manager's (it
        lets the blocked invoices through)."""
        if self.env.su:
            return
        check_system_fields(self, BEHAVIOUR_FIELDS & vals.keys())
        check_fields_group(self, CONTROL_FIELDS & vals.keys(), COLLECTOR)
        managers_only = set()
        if (
            "credit_hold" in vals
            and not vals["credit_hold"]
            and self.filtered("credit_hold")
        ):
            managers_only.add("credit_hold")
        if "credit_limit" in vals and self.env.company.dunning_credit_check == "block":
            managers_only.add("credit_limit")
        check_fields_group(self, managers_only, MANAGER)

    @api.model
    def _commercial_fields(self):
        # EXTENDS base: contacts follow their company's dunning settings
        return super()._commercial_fields() + [
            "dunning_policy_id",
            "dunning_excluded",
            "dunning_responsible_id",
            "credit_hold",
        ]

    @api.depends_context("company", "lang")
    @api.depends("risk_factors")
    def _compute_risk_reasons(self):
        scoring = self.env["account.dunning.scoring"]
        for partner in self:
            factors = json.loads(partner.risk_factors or "[]")
            partner.risk_reasons = scoring._reasons_text(factors) or False

    def _compute_dunning_reminder_count(self):
        counts, held = {}, {}
        # per state: all of them, and those with a hold (held while still drafts)
        for customer, state, count, with_hold in self.env[
            "account.dunning.reminder"
        ]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id", "state"],
            ["__count", "hold_reason:count"],
        ):
            counts[customer] = counts.get(customer, 0) + count
            if state == "draft":
                held[customer] = with_hold
        for partner in self:
            customer = partner.commercial_partner_id
            partner.dunning_reminder_count = counts.get(customer, 0)
            partner.dunning_held_count = held.get(customer, 0)

    def _compute_dunning_dispute_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                    ("dunning_dispute_state", "=", "open"),
                ],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.dunning_dispute_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_dunning_disputes(self):
        """The customer's invoices in dispute."""
        check_button(self, mode="read")
        self.ensure_one()
        action = self.action_view_dunning_invoices()
        action["domain"] = [
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("dunning_dispute_state", "=", "open"),
        ]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Constraints and actions
    # ------------------------------------------------------------------
    @api.constrains("dunning_policy_id")
    def _check_dunning_policy_company(self):
        company = self.env.company
        for partner in self:
            policy = partner.dunning_policy_id
            if policy and policy.company_id != company:
                raise ValidationError(
                    _(
                        "Dunning policy %(policy)s belongs to %(other)s and cannot be "
                        "used "
                        "for %(partner)s in %(company)s.",
                        policy=policy.name,
                        other=policy.company_id.name,
                        partner=partner.display_name,
                        company=company.name,
                    )
                )

    @api.constrains("dunning_responsible_id")
    def _check_dunning_responsible(self):
        company = self.env.company
        label = self._fields["dunning_responsible_id"]._description_string(self.env)
        # sudo: the responsible as set, whoever set it (a contact synced from its
        # company by a user who does not read dunning settings)
        for partner in self.sudo():
            check_internal_user(
                self.env, partner.dunning_responsible_id, company, label
            )

    def _compute_dunning_promise_counts(self):
        groups = self.env["account.dunning.promise"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("state", "in", ("kept", "broken")),
            ],
            ["partner_id", "state"],
            ["__count"],
        )
        counts = {(partner.id, state): count for partner, state, count in groups}
        for partner in self:
            commercial = partner.commercial_partner_id.id
            partner.dunning_promise_kept_count = counts.get((commercial, "kept"), 0)
            partner.dunning_promise_broken_count = counts.get((commercial, "broken"), 0)

    def action_dunning_promise(self):
        """Record a promise to pay for the customer's overdue invoices."""
        check_button(self, mode="read")
        self.ensure_one()
        customer = self.commercial_partner_id
        moves = self.env["account.move"].search(
            customer._dunning_unpaid_invoices_domain()
            + [("company_id", "=", self.env.company.id)]
        )
        return self.env["account.dunning.promise"]._dunning_form_action(customer, moves)

    def _dunning_unpaid_invoices_domain(self):
        """The customer's posted invoices not paid yet (any company)."""
        self.ensure_one()
        return [
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            *self.env["account.move"]._dunning_open_domain(),
        ]

    @api.depends_context("company")
    def _compute_credit_exposure(self):
        company = self.env.company
        exposures = self.env["account.dunning.credit"]._exposure(
            self.commercial_partner_id, company
        )
        thresholds = company._dunning_credit_thresholds()
        for partner in self:
            # sudo: the key the exposures are kept under (read as superuser)
            exposure = exposures[partner.commercial_partner_id.sudo()]
            limit = partner.commercial_partner_id.credit_limit
            usage = exposure / limit * 100 if limit > 0 else 0.0
            partner.credit_exposure = exposure
            partner.credit_usage_percent = usage
            partner.credit_alert_threshold = max(
                (t for t in thresholds if usage >= t), default=0
            )

    def _compute_dunning_plan_count(self):
        groups = self.env["account.dunning.plan"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.dunning_plan_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_view_dunning_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_dunning_plan_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_dunning_handoff(self):
        """Hand the customers over to collection: reminders stop, and a dossier is
        attached to each customer for the agency or the lawyer."""
        check_button(self, mode="read")
        self.env["account.dunning.collection"]._hand_over(self.commercial_partner_id)
        return True

    def action_dunning_back_to_dunning(self):
        """Take the customers back from collection: reminders resume."""
        check_button(self, mode="read")
        self.env["account.dunning.collection"]._take_back(self.commercial_partner_id)
        return True

    def action_dunning_plan(self):
        """A new payment plan for the customer's overdue invoices."""
        check_button(self, mode="read")
        self.ensure_one()
        return self.env["account.dunning.plan"]._dunning_form_action(self)

    def _dunning_statement(self, date=None):
        """The customer's statement figures on ``date`` (default today), read by
        the statement report (see ``account.dunning.collection._statement``)."""
        self.ensure_one()
        return self.env["account.dunning.collection"]._statement(
            self.commercial_partner_id, date or self._dunning_today()
        )

    def _dunning_recipients(self):
        """Who receives the reminders of this customer: its contacts of type Payment
        Reminder Address with an email; else its invoice address; else itself."""
        self.ensure_one()
        customer = self.commercial_partner_id
        contacts = customer.child_ids.filtered(
            lambda child: child.type == "dunning" and child.email
        )
        if contacts:
            return contacts
        if not customer.child_ids:  # most customers: no need to walk the tree
            return customer
        invoice_address = self.browse(customer.address_get(["invoice"])["invoice"])
        return invoice_address if invoice_address.email else customer

    def _dunning_has_postal_address(self):
        """Enough of an address to post a letter to."""
        self.ensure_one()
        return bool(self.street and (self.city or self.zip))

    def action_dunning_send(self):
        """Send reminder: the send wizard for these customers."""
        check_button(self, mode="read")
        return self.env["account.dunning.send"]._dunning_open_for(partners=self)

    def action_view_dunning_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_dunning_reminder_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "search_default_group_by_state": 0,
        }
        return action

    def action_view_dunning_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = self._dunning_unpaid_invoices_domain()
        action["context"] = {"create": False, "search_default_late": 1}
        # what is due on each, not the amounts before tax of the invoices list
        action["views"] = [
            (
                self.env.ref("account_dunning.account_move_dunning_open_view_list").id,
                "list",
            ),
            (False, "form"),
        ]
        return action
