# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountDunningCreditOverride(models.TransientModel):
    """An accounting manager posts invoices over the credit block, with a reason."""

    _name = "account.dunning.credit.override"
    _description = "Override Credit Block"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        result = self.move_ids.with_context(
            dunning_credit_override=self.reason
        ).action_post()
        # what posting asks next (another module's wizard, e.g. a risk check) is
        # the user's next step; else the window closes
        return (
            result
            if isinstance(result, dict)
            else {"type": "ir.actions.act_window_close"}
        )
