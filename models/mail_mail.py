# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """A reminder whose email could not be delivered becomes ``failed`` with the
        reason, to be sent again from the reminder."""
        undelivered = self.filtered(
            lambda mail: mail.model == "account.dunning.reminder"
            and mail.state != "sent"
        )
        if failure_type and undelivered:
            reason = failure_reason or next(
                (m.failure_reason for m in undelivered if m.failure_reason),
                failure_type,
            )
            reminders = (
                self.env["account.dunning.reminder"]
                .sudo()  # the mail queue runs as whoever triggers it; the state is ours
                .search([("mail_message_id", "in", undelivered.mail_message_id.ids)])
            )
            reminders._dunning_mark_undelivered(reason)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
