# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


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
