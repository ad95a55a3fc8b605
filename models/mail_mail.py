# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A reminder's state follows the email that carries it.

- accepted by the mail server: the reminder is Sent;
- refused for good, or bounced: Failed, with the reason, to be sent again;
- deferred (a 4xx reply: the server is busy, greylisting...): the email goes back in
  the queue for a later try and the reminder stays Sending; after the last try it is a
  final failure;
- retried from Settings > Technical > Emails: Sending again, then as above;
- the SMTP session lost in the middle of a queue run: the email being sent was not
  accepted; it goes back in the queue instead of staying in error with no reason.

An email of the daily run whose PDFs (letter, invoices, statement) are printed after
its batch waits in the queue, held (``dunning_held``), until they are attached: the
queue and "Send Now" leave it alone until then, so it never goes without them.
"""

import smtplib
from datetime import timedelta

from odoo import _, api, fields, models

REMINDER = "account.dunning.reminder"
# minutes before each new try of a deferred email; then it has failed
RETRY_DELAYS = (5, 15, 60, 240, 720)


def is_temporary(error):
    """Whether an SMTP error is a temporary one (a 4xx reply), to be tried again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, __ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return False


class MailMail(models.Model):
    _inherit = "mail.mail"

    dunning_attempts = fields.Integer(
        string="Deferred Tries",
        readonly=True,
        copy=False,
        help="How many times the mail server deferred this payment reminder email.",
    )

    dunning_held = fields.Boolean(
        string="Waiting for Documents",
        readonly=True,
        copy=False,
        help="A payment reminder email whose PDF attachments are being printed: it "
        "stays in the queue until they are attached.",
    )

    def _dunning_reminder_mails(self):
        return self.filtered(lambda mail: mail.model == REMINDER)

    def _dunning_reminders(self):
        # sudo: the mail queue runs as whoever triggers it; the state is the addon's
        return (
            self.env[REMINDER]
            .sudo()
            .search([("mail_message_id", "in", self.mail_message_id.ids)])
        )

    # EXTENDS mail: the queue leaves the emails waiting for their documents
    @api.model
    def process_email_queue(self, ids=None, batch_size=1000):
        filters = list(self.env.context.get("filters") or [])
        filters.append(("dunning_held", "=", False))
        return super(MailMail, self.with_context(filters=filters)).process_email_queue(
            ids=ids, batch_size=batch_size
        )

    # EXTENDS mail: an email waiting for its documents is not sent, whoever asks
    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        ready = self.filtered(lambda mail: not mail.dunning_held)
        return super(MailMail, ready).send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            post_send_callback=post_send_callback,
        )

    # EXTENDS mail: the SMTP errors of this run, to tell deferred from refused
    def _send(self, auto_commit=False, raise_exception=False, smtp_session=None, **kw):
        mails = self._dunning_reminder_mails()
        if not mails:
            return super()._send(auto_commit, raise_exception, smtp_session, **kw)
        outgoing = mails.filtered(lambda mail: mail.state == "outgoing")
        errors = {}
        try:
            return super(MailMail, self.with_context(dunning_smtp_errors=errors))._send(
                auto_commit, raise_exception, smtp_session, **kw
            )
        except smtplib.SMTPServerDisconnected:
            # core marks the email in hand as failed "without exception" before
            # sending, then lets the lost session end the run: it was not accepted
            stuck = outgoing.filtered(
                lambda mail: mail.state == "exception" and not mail.failure_type
            )
            stuck.write({"state": "outgoing", "failure_reason": False})
            raise

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        # EXTENDS mail: a delivered or refused email moves its reminder
        mails = self._dunning_reminder_mails()
        delivered = mails.filtered(lambda mail: mail.state == "sent")
        if delivered:
            delivered._dunning_reminders()._dunning_mark_delivered()
        undelivered = mails - delivered
        if failure_type and undelivered:
            errors = self.env.context.get("dunning_smtp_errors") or {}
            deferred = undelivered.filtered(
                lambda mail: is_temporary(errors.get(mail.message_id))
                and mail.dunning_attempts < len(RETRY_DELAYS)
            )
            deferred._dunning_try_later(failure_reason)
            failed = undelivered - deferred
            if failed:
                reason = failure_reason or next(
                    (m.failure_reason for m in failed if m.failure_reason),
                    failure_type,
                )
                failed._dunning_reminders()._dunning_mark_undelivered(reason)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )

    def _dunning_try_later(self, reason):
        """Put deferred emails back in the queue, each after its next delay."""
        now = fields.Datetime.now()
        reminders = self._dunning_reminders().grouped("mail_message_id")
        for mail in self:
            when = now + timedelta(minutes=RETRY_DELAYS[mail.dunning_attempts])
            note = _(
                "The mail server deferred the email; it is tried again after "
                "%(when)s (UTC). %(reason)s",
                when=fields.Datetime.to_string(when),
                reason=reason or "",
            )
            mail.write(
                {
                    "state": "outgoing",
                    "scheduled_date": when,
                    "dunning_attempts": mail.dunning_attempts + 1,
                    "failure_reason": note,
                }
            )
            reminder = reminders.get(mail.mail_message_id)
            if reminder:
                reminder._dunning_system_write({"failure_reason": note})

    # EXTENDS mail: retried from the emails' list, the reminder is being sent again
    def mark_outgoing(self):
        result = super().mark_outgoing()
        mails = self._dunning_reminder_mails()
        if mails:
            mails.write({"dunning_attempts": 0})
            mails._dunning_reminders().filtered(
                lambda r: r.state == "failed"
            )._dunning_system_write({"state": "sending"})
        return result

    def cancel(self):
        # EXTENDS mail: an email cancelled from the queue fails its reminder
        waiting = self._dunning_reminder_mails().filtered(
            lambda mail: mail.state == "outgoing"
        )
        result = super().cancel()
        if waiting:
            waiting._dunning_reminders()._dunning_mark_undelivered(
                _("The email was cancelled before it went out.")
            )
        return result
