# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.access import MANAGER, check_button
from ..models.bounds import check_input, check_text


class AccountDunningCreditOverride(models.TransientModel):
    """An accounting manager posts invoices over the credit block, with a reason."""

    _name = "account.dunning.credit.override"
    _description = "Override Credit Block"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Text(required=True)

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    @api.constrains("reason")
    def _check_reason(self):
        for wizard in self:
            check_text(self.env, wizard.reason, _("The reason of the override"))

    def action_confirm(self):
        """Approve, then post. The approval stays on the invoices: another module
        may ask a step of its own first (OCA's risk check shows its wizard), and
        posting from there still goes over this block."""
        self.ensure_one()
        check_button(self.move_ids, MANAGER)
        if not self.move_ids:
            raise UserError(_("Choose the invoices to post over the credit block."))
        self.move_ids.write(
            {
                "dunning_credit_override_reason": self.reason,
                "dunning_credit_override_user_id": self.env.user.id,
            }
        )
        # one decision, one confirmation: the manager decided over the credit
        # limit; OCA's partner risk check (bypass_risk, its own key) does not ask a
        # second time, against a message of its own
        result = self.move_ids.with_context(bypass_risk=True).action_post()
        # what posting asks next (another module's wizard, e.g. a risk check) is
        # the user's next step; else the window closes
        return (
            result
            if isinstance(result, dict)
            else {"type": "ir.actions.act_window_close"}
        )
