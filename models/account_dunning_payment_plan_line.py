# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..dunning.instalments import allocate_paid
from .access import check_system_fields
from .bounds import MAX_DAYS, check_input


class AccountDunningPlanLine(models.Model):
    _name = "account.dunning.plan.line"
    _description = "Payment Plan Instalment"
    _order = "date, id"

    plan_id = fields.Many2one(
        "account.dunning.plan", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    partner_id = fields.Many2one(related="plan_id.partner_id")
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date(string="Due Date", required=True)
    amount = fields.Monetary(required=True)
    paid_amount = fields.Monetary(
        compute="_compute_paid_amount",
        help="What payments since the plan started cover of this instalment, the "
        "earliest instalments first.",
    )
    reminder_sent = fields.Boolean(readonly=True, copy=False)

    @api.depends(
        "amount",
        "plan_id.move_ids.amount_residual",
        "plan_id.state",
        "plan_id.baseline_residual",
    )
    def _compute_paid_amount(self):
        covered_by_line = {}
        for plan in self.plan_id:
            lines = plan.line_ids.sorted(lambda line: (line.date, line.id))
            paid = (
                plan.baseline_residual - plan._dunning_residual()
                if plan.state != "draft"
                else 0.0
            )
            covered = allocate_paid(lines.mapped("amount"), paid)
            covered_by_line.update(zip(lines.ids, covered, strict=True))
        for line in self:
            line.paid_amount = covered_by_line.get(line.id, 0.0)

    @api.constrains("amount", "date")
    def _check_amount_and_date(self):
        latest = fields.Date.context_today(self) + timedelta(days=MAX_DAYS)
        for line in self:
            if line.currency_id.compare_amounts(line.amount, 0) <= 0:
                raise ValidationError(
                    _(
                        "Each instalment of plan %(plan)s must be a positive amount.",
                        plan=line.plan_id.name,
                    )
                )
            if line.date > latest:
                raise ValidationError(
                    _(
                        "An instalment of plan %(plan)s falls after %(latest)s: a "
                        "plan spreads ten years at the most.",
                        plan=line.plan_id.name,
                        latest=latest,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        if not self.env.su:
            check_system_fields(
                self,
                {"reminder_sent"}
                if any(v.get("reminder_sent") for v in vals_list)
                else set(),
            )
            plans = self.env["account.dunning.plan"].browse(
                {vals["plan_id"] for vals in vals_list if vals.get("plan_id")}
            )
            plans._dunning_check_schedule_editable()
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        if not self.env.su:
            check_system_fields(self, {"reminder_sent"} & vals.keys())
            if "plan_id" in vals and any(
                line.plan_id.id != vals["plan_id"] for line in self
            ):
                raise UserError(
                    _(
                        "An instalment stays in the plan it was scheduled in: add "
                        "one to the other plan instead."
                    )
                )
            self.plan_id._dunning_check_schedule_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_agreed(self):
        if not self.env.su:
            self.plan_id._dunning_check_schedule_editable()
