# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from .bounds import check_input, check_text


class AccountDunningDisputeReason(models.Model):
    """Why a customer disputes an invoice, from a list the company keeps: the
    customer picks one online, the accountant in the back office; the desk groups
    disputes by it."""

    _name = "account.dunning.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Offered to this company's customers only; empty: to every company's.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    @api.constrains("name")
    def _check_name(self):
        for reason in self:
            check_text(self.env, reason.name, _("The name of a dispute reason"))
