# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .bounds import check_input


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_policy_id = fields.Many2one(
        related="company_id.dunning_policy_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
    dunning_auto_run = fields.Boolean(
        related="company_id.dunning_auto_run", readonly=False
    )
    dunning_responsible_id = fields.Many2one(
        related="company_id.dunning_responsible_id",
        readonly=False,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    dunning_thank_you = fields.Boolean(
        related="company_id.dunning_thank_you", readonly=False
    )
    dunning_thank_you_template_id = fields.Many2one(
        related="company_id.dunning_thank_you_template_id", readonly=False
    )
    dunning_bank_feed_days = fields.Integer(
        related="company_id.dunning_bank_feed_days", readonly=False
    )
    dunning_promise_horizon_days = fields.Integer(
        related="company_id.dunning_promise_horizon_days", readonly=False
    )
    dunning_portal_answers = fields.Boolean(
        related="company_id.dunning_portal_answers", readonly=False
    )
    dunning_interest_rate = fields.Float(
        related="company_id.dunning_interest_rate", readonly=False
    )
    dunning_fee_invoicing = fields.Selection(
        related="company_id.dunning_fee_invoicing", readonly=False
    )
    dunning_fee_product_id = fields.Many2one(
        related="company_id.dunning_fee_product_id", readonly=False
    )
    dunning_fee_journal_id = fields.Many2one(
        related="company_id.dunning_fee_journal_id", readonly=False
    )
    dunning_late_payment_clause = fields.Text(
        related="company_id.dunning_late_payment_clause", readonly=False
    )
    dunning_fee_account_id = fields.Many2one(
        related="company_id.dunning_fee_account_id", readonly=False
    )
    dunning_credit_check = fields.Selection(
        related="company_id.dunning_credit_check", readonly=False
    )
    dunning_credit_alert_thresholds = fields.Char(
        related="company_id.dunning_credit_alert_thresholds", readonly=False
    )
    dunning_credit_hold_release = fields.Boolean(
        related="company_id.dunning_credit_hold_release", readonly=False
    )
    dunning_retention_years = fields.Integer(
        related="company_id.dunning_retention_years", readonly=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS base_setup: the dunning settings' values are of their fields' type
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        # EXTENDS base_setup: as create
        check_input(self, [vals])
        return super().write(vals)
