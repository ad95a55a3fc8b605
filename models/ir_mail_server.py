# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from odoo.addons.base.models.ir_mail_server import MailDeliveryException


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    # EXTENDS base: core turns every SMTP error into MailDeliveryException; the queue
    # run of reminder emails (see mail.mail._send) keeps the SMTP error itself, by
    # Message-Id, to tell a deferred email (4xx) from a refused one (5xx)
    def send_email(self, message, *args, **kwargs):
        try:
            return super().send_email(message, *args, **kwargs)
        except MailDeliveryException as error:
            errors = self.env.context.get("dunning_smtp_errors")
            if errors is not None and error.__context__ is not None:
                errors[message["Message-Id"]] = error.__context__
            raise
