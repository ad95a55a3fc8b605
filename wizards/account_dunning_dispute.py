# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..models.bounds import check_input


class AccountDunningDispute(models.TransientModel):
    """Open a dispute on invoices: why, and who sorts it out."""

    _name = "account.dunning.dispute"
    _description = "Dispute Invoices"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Text(string="Details", required=True)
    reason_id = fields.Many2one(
        "account.dunning.dispute.reason",
        string="Reason",
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", string="Company"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        help="Who sorts the dispute out: an activity is scheduled for them.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    @api.depends("move_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.move_ids.company_id[:1] or self.env.company

    def action_open(self):
        """The invoices leave dunning and the amounts to collect until resolved."""
        self.ensure_one()
        self.env["account.dunning.answer"]._open_dispute(
            self.move_ids, self.reason, owner=self.user_id, reason=self.reason_id
        )
        return {"type": "ir.actions.act_window_close"}
