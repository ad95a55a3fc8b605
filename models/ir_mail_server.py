# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from odoo.addons.base.models.ir_mail_server import MailDeliveryException


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    # EXTENDS base: the queue run of reminder emails (see mail.mail._send) keeps, by
    # Message-Id, the SMTP error itself (core turns every one into
    # MailDeliveryException), to tell a deferred email (4xx) from a refused one
    # (5xx), and the addresses each copy was accepted for, so that a new try sends
    # none of them a second copy
    def send_email(self, message, *args, **kwargs):
        try:
            result = super().send_email(message, *args, **kwargs)
        except MailDeliveryException as error:
            errors = self.env.context.get("dunning_smtp_errors")
            if errors is not None and error.__context__ is not None:
                errors[message["Message-Id"]] = error.__context__
            raise
        accepted = self.env.context.get("dunning_smtp_accepted")
        if accepted is not None:
            # the copy's recipients, as mail.mail validated them for this copy
            accepted.setdefault(message["Message-Id"], set()).update(
                self.env.context.get("send_validated_to") or ()
            )
        return result
