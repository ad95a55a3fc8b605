# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import _, fields, models


class AccountDunningDispute(models.TransientModel):
    """Open a dispute on invoices: why, and who sorts it out."""

    _name = "account.dunning.dispute"
    _description = "Dispute Invoices"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Text(required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        help="Who sorts the dispute out: an activity is scheduled for them.",
    )

    def action_open(self):
        """The invoices leave dunning and the amounts to collect until resolved."""
        self.ensure_one()
        self.move_ids._dunning_check_sendable()
        self.move_ids.write(
            {
                "dunning_dispute_state": "open",
                "dunning_dispute_reason": self.reason,
                "dunning_dispute_user_id": self.user_id.id,
            }
        )
        for move in self.move_ids:
            move.dunning_dispute_activity_id = move.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Resolve the dispute"),
                note=self.reason,
                user_id=self.user_id.id,
            )
            move.message_post(
                body=Markup("%s<br/>%s") % (_("Invoice in dispute:"), self.reason),
                subtype_xmlid="mail.mt_note",
            )
        return {"type": "ir.actions.act_window_close"}
