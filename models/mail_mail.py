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

Each recipient has its own fate, as core keeps it for its notification emails: one
``mail.notification`` per contact (and ``dunning_to_cc_sent`` for the To and Cc
addresses, which have no contact). Odoo sends a separate copy to each contact, and
puts the whole email back in the queue when one of them fails; a new try leaves out
every recipient the mail server already accepted it for, so that a deferred
recipient, or the one whose session was lost, is tried again alone and nobody gets
two copies. The reminder is Sent once its email reached one recipient; those it
never reached are noted on it.

An email of the daily run whose PDFs (letter, invoices, statement) are printed after
its batch waits in the queue, held (``dunning_held``), until they are attached: the
queue and "Send Now" leave it alone until then, so it never goes without them.
"""

import smtplib
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools.mail import email_normalize_all

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

    dunning_to_cc_sent = fields.Boolean(
        string="To and Cc Reached",
        readonly=True,
        copy=False,
        help="The mail server accepted this payment reminder email for its To and Cc "
        "addresses: a new try leaves them out.",
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

    # EXTENDS mail: the SMTP errors and acceptances of this run, to tell deferred from
    # refused and to never send a recipient the same email twice
    def _send(self, auto_commit=False, raise_exception=False, smtp_session=None, **kw):
        mails = self._dunning_reminder_mails()
        if not mails:
            return super()._send(auto_commit, raise_exception, smtp_session, **kw)
        outgoing = mails.filtered(lambda mail: mail.state == "outgoing")
        errors, accepted = {}, {}
        run = self.with_context(
            dunning_smtp_errors=errors,
            dunning_smtp_accepted=accepted,
            dunning_reached=outgoing._dunning_reached(),
        )
        try:
            return super(MailMail, run)._send(
                auto_commit, raise_exception, smtp_session, **kw
            )
        except smtplib.SMTPServerDisconnected:
            # core marks the email in hand as failed "without exception" before
            # sending, then lets the lost session end the run: it was not accepted
            # by the recipient in hand, maybe by those before
            stuck = outgoing.filtered(
                lambda mail: mail.state == "exception" and not mail.failure_type
            )
            stuck.write({"state": "outgoing", "failure_reason": False})
            stuck._dunning_after_try(accepted)
            raise

    # EXTENDS mail: a new try leaves out the recipients who already accepted it
    def _prepare_outgoing_list(
        self, mail_server=False, recipients_follower_status=None
    ):
        emails = super()._prepare_outgoing_list(
            mail_server=mail_server,
            recipients_follower_status=recipients_follower_status,
        )
        if self.model != REMINDER:
            return emails
        reached = self.env.context.get("dunning_reached")
        if reached is None:
            reached = self._dunning_reached()
        partner_ids = reached.get(self.id, ())
        return [
            email
            for email in emails
            if not (
                email["partner_id"].id in partner_ids
                if email["partner_id"]
                else self.dunning_to_cc_sent
            )
        ]

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        # EXTENDS mail: a delivered or refused email moves its reminder
        mails = self._dunning_reminder_mails()
        if mails:
            mails._dunning_after_try(
                self.env.context.get("dunning_smtp_accepted") or {},
                failure_reason=failure_reason,
                failure_type=failure_type,
            )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )

    def _dunning_after_try(self, accepted, failure_reason=False, failure_type=None):
        """After a try of these reminder emails: a deferred one back in the queue,
        each recipient's fate recorded, the reminders moved. ``accepted``:
        {Message-Id: addresses the mail server accepted in this try} (see
        ``ir.mail_server.send_email``)."""
        undelivered = self.filtered(lambda mail: mail.state != "sent")
        deferred = failed = self.browse()
        if failure_type and undelivered:
            errors = self.env.context.get("dunning_smtp_errors") or {}
            deferred = undelivered.filtered(
                lambda mail: is_temporary(errors.get(mail.message_id))
                and mail.dunning_attempts < len(RETRY_DELAYS)
            )
            failed = undelivered - deferred
        deferred._dunning_try_later(failure_reason)
        reached = self._dunning_record_recipients(accepted, failure_type)
        reached_mails = self.filtered(
            lambda mail: mail.id in reached or mail.dunning_to_cc_sent
        )
        delivered = (self - undelivered) | reached_mails
        delivered._dunning_reminders()._dunning_mark_delivered()
        if failed:
            reason = failure_reason or next(
                (mail.failure_reason for mail in failed if mail.failure_reason),
                failure_type,
            )
            unreached = failed - reached_mails
            unreached._dunning_reminders()._dunning_mark_undelivered(reason)
            (failed - unreached)._dunning_note_unreached(reached, reason)

    def _dunning_notifications(self, statuses=None):
        """The email notifications of these emails: one per contact."""
        domain = [
            ("mail_mail_id", "in", self.ids),
            ("notification_type", "=", "email"),
        ]
        if statuses:
            domain.append(("notification_status", "in", statuses))
        # sudo: the mail module's delivery records of the addon's emails
        return self.env["mail.notification"].sudo().search(domain)

    def _dunning_reached(self):
        """{mail id: ids of the contacts the mail server accepted it for}."""
        notifications = self._dunning_notifications(["sent"])
        return {
            mail.id: set(group.res_partner_id.ids)
            for mail, group in notifications.grouped("mail_mail_id").items()
        }

    def _dunning_record_recipients(self, accepted, failure_type=None):
        """Record what this try did to each recipient: accepted (its addresses in
        ``accepted``), to be tried again (its email is back in the queue), or
        failed; a recipient accepted earlier stays so. Return {mail id: ids of the
        contacts reached}, as ``_dunning_reached()``."""
        notifications = {
            (n.mail_mail_id.id, n.res_partner_id.id): n
            for n in self._dunning_notifications()
        }
        reached = defaultdict(set)
        # sudo: as in _dunning_notifications
        updates = defaultdict(lambda: self.env["mail.notification"].sudo())
        to_create, to_cc_reached = [], self.browse()
        for mail in self:
            addresses = accepted.get(mail.message_id, set())
            to_cc = set(email_normalize_all(mail.email_to or "")) | set(
                email_normalize_all(mail.email_cc or "")
            )
            if to_cc and to_cc <= addresses and not mail.dunning_to_cc_sent:
                to_cc_reached |= mail
            for partner in mail.recipient_ids:
                notification = notifications.get((mail.id, partner.id))
                emails = set(email_normalize_all(partner.email or ""))
                if notification and notification.notification_status == "sent":
                    reached[mail.id].add(partner.id)
                    continue
                if emails and emails <= addresses:
                    reached[mail.id].add(partner.id)
                    vals = {"notification_status": "sent", "failure_type": False}
                elif mail.state == "outgoing":
                    vals = {"notification_status": "ready", "failure_type": False}
                elif mail.state in ("exception", "sent"):
                    vals = {
                        "notification_status": "exception",
                        "failure_type": failure_type or mail.failure_type or "unknown",
                    }
                else:
                    continue
                if vals["notification_status"] == "sent":
                    vals["failure_reason"] = False
                else:
                    vals["failure_reason"] = mail.failure_reason or False
                if notification:
                    updates[tuple(sorted(vals.items()))] |= notification
                else:
                    to_create.append(
                        self._dunning_notification_vals(mail, partner, vals)
                    )
        to_cc_reached.write({"dunning_to_cc_sent": True})
        for vals, group in updates.items():
            group.write(dict(vals))
        if to_create:
            # sudo: as in _dunning_notifications
            self.env["mail.notification"].sudo().create(to_create)
        return reached

    @api.model
    def _dunning_notification_vals(self, mail, partner, vals=None):
        return {
            "author_id": mail.author_id.id,
            "mail_message_id": mail.mail_message_id.id,
            "mail_mail_id": mail.id,
            "res_partner_id": partner.id,
            "notification_type": "email",
            "notification_status": "ready",
            "is_read": True,
        } | (vals or {})

    def _dunning_track_recipients(self):
        """One email notification per contact of these new reminder emails, ready to
        send: core's per-recipient delivery record, as its own notification emails
        have it (the chatter shows it)."""
        # sudo: the mail module's delivery records of emails queued as superuser
        self.env["mail.notification"].sudo().create(
            [
                self._dunning_notification_vals(mail, partner)
                for mail in self
                for partner in mail.recipient_ids
            ]
        )

    def _dunning_note_unreached(self, reached, reason):
        """Note on the reminders of these emails, which reached some of their
        recipients, who they did not reach and why."""
        reminders = self._dunning_reminders().grouped("mail_message_id")
        for mail in self:
            reminder = reminders.get(mail.mail_message_id)
            if not reminder:
                continue
            reached_ids = reached.get(mail.id, set())
            missed = [
                partner.email_formatted
                for partner in mail.recipient_ids
                if partner.id not in reached_ids
            ]
            if not mail.dunning_to_cc_sent:
                missed += [a for a in (mail.email_to, mail.email_cc) if a]
            reminder._dunning_note(
                _(
                    "The email did not reach %(recipients)s. %(reason)s",
                    recipients=", ".join(missed),
                    reason=reason or "",
                )
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
            if reminder and reminder.state == "sending":
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
        # EXTENDS mail: an email cancelled from the queue fails its reminder, unless
        # it reached one of its recipients already; those it did not reach are
        # cancelled with it
        mails = self._dunning_reminder_mails().filtered(
            lambda mail: mail.state in ("outgoing", "exception")
        )
        waiting = mails.filtered(lambda mail: mail.state == "outgoing")
        result = super().cancel()
        if mails:
            mails._dunning_notifications(["ready", "exception"]).write(
                {"notification_status": "canceled"}
            )
        if waiting:
            reached = waiting._dunning_reached()
            waiting.filtered(
                lambda mail: mail.id not in reached and not mail.dunning_to_cc_sent
            )._dunning_reminders()._dunning_mark_undelivered(
                _("The email was cancelled before it went out.")
            )
        return result
