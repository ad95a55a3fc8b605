# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import ast
import smtplib
from unittest.mock import MagicMock, patch

from odoo import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import TODAY
from .test_dunning_send import DunningSendCommon

MAIL_SERVER = "odoo.addons.base.models.ir_mail_server.IrMailServer"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningSendDelivery(DunningSendCommon):
    """What happens to a reminder's email: failures, bounces, the review queue, the
    thank-you, the chatter's copy."""

    def test_failed_email_then_sent_again(self):
        self._wizard(self.inv_old).action_send()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        mail = self._mail_of(reminder)
        with (
            patch(
                "odoo.addons.base.models.ir_mail_server.IrMailServer.send_email",
                side_effect=smtplib.SMTPRecipientsRefused(
                    {"x": (550, b"No such user")}
                ),
            ),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            mail.send(raise_exception=False)
        self.assertEqual(mail.state, "exception")
        self.assertEqual(reminder.state, "failed")
        self.assertIn("could not be delivered", reminder.failure_reason)
        # what to do first, the server's words below
        first, technical = reminder.failure_reason.split("\n", 1)
        self.assertIn("then send the reminder again", first)
        self.assertTrue(technical.startswith("Technical reason: "))
        failed = self.Reminder.search(
            [("state", "=", "failed"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(failed, reminder)
        self.assertFalse(self.inv_old.dunning_level_id)  # not delivered: not reached
        reminder.action_send()
        self.assertEqual(reminder.state, "sending")
        self.assertNotEqual(self._mail_of(reminder), mail)
        self.assertEqual(self._mail_of(reminder).state, "outgoing")
        self.assertEqual(self.inv_old.dunning_level_id, self.level_email)

    def _smtp_server(self):
        """An SMTP server that accepts the connection (tests have none)."""
        return patch(f"{MAIL_SERVER}.connect", return_value=MagicMock())

    # case: (the server call that fails, its error, what the reason must quote)
    SMTP_FAILURES = {
        "recipient refused": (
            "send_email",
            smtplib.SMTPRecipientsRefused({"x": (550, b"No such user")}),
            "No such user",
        ),
        "sender refused": (
            "send_email",
            smtplib.SMTPSenderRefused(553, b"Sender not allowed", "a@b.example.com"),
            "Sender not allowed",
        ),
        "message rejected": (
            "send_email",
            smtplib.SMTPDataError(554, b"Message rejected as spam"),
            "rejected as spam",
        ),
        "server unreachable": (
            "connect",
            ConnectionRefusedError(111, "Connection refused"),
            "Connection refused",
        ),
        "authentication": (
            "connect",
            smtplib.SMTPAuthenticationError(535, b"Bad credentials"),
            "Bad credentials",
        ),
    }

    def test_smtp_failures_mark_the_reminder_failed_and_lose_nothing(self):
        """Each SMTP failure: the reminder is failed with the reason, the email and the
        reminder's invoices are kept, the level it gave is withdrawn; sending again
        queues a new email and gives the level back."""
        for case, (method, error, reason) in self.SMTP_FAILURES.items():
            with self.subTest(case=case), self.env.cr.savepoint() as savepoint:
                self._wizard(self.inv_old).action_send()
                reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
                mail = self._mail_of(reminder)
                with (
                    self._smtp_server(),
                    patch(f"{MAIL_SERVER}.{method}", side_effect=error),
                    mute_logger("odoo.addons.mail.models.mail_mail"),
                ):
                    mail.send(raise_exception=False)
                self.assertEqual(mail.state, "exception")
                self.assertEqual(reminder.state, "failed")
                self.assertIn(reason, reminder.failure_reason)
                self.assertEqual(reminder.line_ids.move_id, self.inv_old)
                self.assertFalse(self.inv_old.dunning_level_id)
                reminder.action_send()
                self.assertEqual(reminder.state, "sending")
                self.assertEqual(self._mail_of(reminder).state, "outgoing")
                self.assertEqual(self.inv_old.dunning_level_id, self.level_email)
                self.assertTrue(mail.exists())  # the failed one stays, with its reason
                savepoint.close(rollback=True)

    def test_smtp_session_lost_keeps_the_email_queued(self):
        """A connection lost in the middle aborts the queue run: the email stays
        queued for the next one, the reminder stays sent; nothing is lost."""
        self._wizard(self.inv_old).action_send()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        mail = self._mail_of(reminder)
        with (
            self._smtp_server(),
            patch(
                f"{MAIL_SERVER}.send_email",
                side_effect=smtplib.SMTPServerDisconnected("lost"),
            ),
            mute_logger("odoo.addons.mail.models.mail_mail"),
            self.assertRaises(smtplib.SMTPServerDisconnected),
        ):
            mail.send(raise_exception=False)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(reminder.state, "sending")
        with (
            self._smtp_server(),
            patch(f"{MAIL_SERVER}.send_email", return_value="<sent@example.com>"),
        ):
            mail.send(raise_exception=False)
        self.assertEqual(mail.state, "sent")
        self.assertEqual(reminder.state, "sent")

    def test_bounce_marks_the_reminder_failed(self):
        self._wizard(self.inv_old).action_send()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        reminder._message_receive_bounce(self.customer.email, self.customer)
        self.assertEqual(reminder.state, "failed")
        self.assertIn("bounced", reminder.failure_reason)

    def test_review_queue_lists_drafts_and_failures(self):
        draft = self._reminder(
            self.customer, self.inv_old, self.level_formal, state="draft"
        )
        failed = self._reminder(self.customer, self.inv_recent, self.level_email)
        failed.sudo().write({"state": "failed"})  # as a refused email does
        self._reminder(
            self.other_customer,
            self._invoice(self.other_customer, 9, TODAY),
            self.level_email,
        )
        action = self.env.ref(
            "account_dunning.account_dunning_reminder_review_action"
        ).sudo()
        self.assertEqual(
            self.Reminder.search(ast.literal_eval(action.domain)), draft | failed
        )
        (draft | failed).action_send()
        self.assertEqual(set((draft | failed).mapped("state")), {"sending"})

    # --- thank you -------------------------------------------------------------------
    def test_thank_you_email_when_a_reminded_invoice_is_paid(self):
        self.company.sudo().dunning_thank_you = True
        self._wizard(self.inv_old).action_send()
        self._pay(self.inv_recent, 250)  # never reminded: no thank-you
        self._pay(self.inv_old, 400)  # partly paid: not yet
        thanks = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "account.move"), ("subject", "ilike", "thank you")])
        )
        self.assertFalse(thanks)
        self._pay(self.inv_old, 600)
        thanks = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "account.move"), ("subject", "ilike", "thank you")])
        )
        self.assertEqual(thanks.res_id, self.inv_old.id)
        self.assertIn(self.customer, thanks.recipient_ids)
        self.assertIn(self.inv_old.name, str(thanks.body_html))

    def test_no_thank_you_unless_the_company_asks(self):
        self._wizard(self.inv_old).action_send()
        self._pay(self.inv_old, 1000)
        self.assertFalse(
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "=", self.inv_old.id)])
        )

    def test_reminder_recipients_can_be_changed_before_sending(self):
        reminder = self._reminder(
            self.customer, self.inv_old, self.level_email, state="draft"
        )
        other = (
            self.env["res.partner"]
            .sudo()
            .create({"name": "CFO", "email": "cfo@dupont.example.com"})
        )
        reminder.write({"recipient_ids": [Command.set(other.ids)]})
        reminder.action_send()
        self.assertEqual(self._mail_of(reminder).recipient_ids, other)

    def test_chatter_copy_of_an_email_is_what_odoo_would_store(self):
        """The message of a reminder email keeps the body as Odoo's own message
        creation would store it (sanitized by the message's rules), while the mail
        sends the rendered body; an embedded image becomes an attachment."""
        reminder = self._reminder(
            self.customer, self.inv_old, self.level_email, state="draft"
        )
        reminder.action_send()
        mail = self._mail_of(reminder)
        message = reminder.mail_message_id
        self.assertEqual(message.message_type, "email_outgoing")
        self.assertEqual((message.model, message.res_id), (reminder._name, reminder.id))
        self.assertEqual(message.author_id, self.billing.partner_id)
        self.assertIn(self.inv_old.name, mail.body_html)
        # the email's text, without the layout the mail puts around it
        text = reminder.level_id.mail_template_id.sudo()._generate_template(
            reminder.ids, ["body_html"]
        )[reminder.id]["body_html"]
        stored_by_odoo = (
            self.env["mail.message"]
            .sudo()
            .create({"model": "res.partner", "res_id": 1, "body": text})
        )
        self.assertNotEqual(str(message.body), str(text))  # sanitized: styles
        self.assertEqual(message.body, stored_by_odoo.body)

        pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        other = self._reminder(
            self.customer, self.inv_recent, self.level_email, state="draft"
        )
        other.email_body = f'<p>Logo <img src="data:image/png;base64,{pixel}"></p>'
        other.action_send()
        body = str(other.mail_message_id.body)
        self.assertNotIn("base64", body)
        self.assertIn("/web/image/", body)
        self.assertIn(
            "image/png", other.mail_message_id.attachment_ids.mapped("mimetype")
        )
