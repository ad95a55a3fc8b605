# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reminder's state follows its email, over a real SMTP session on the
loopback: no reminder says Sent unless the mail server accepted its email, no
recipient gets two copies (a deferred or lost one is tried again alone), deferred
emails go out once the server recovers."""

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import DunningCommon
from .smtp_server import ACCEPT, DROP, SMTPTestServer

MIDNIGHT = datetime(2026, 3, 31)


@tagged("post_install", "-at_install")
@freeze_time(MIDNIGHT)
class TestDunningMailStates(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env,
            login="ms_billing",
            groups="account.group_account_invoice",
            email="billing@example.com",
        )
        cls.env.ref("base.lang_en").active = True
        cls.third_customer = cls._customer("Leroy SA")
        cls.customers = cls.customer | cls.other_customer | cls.third_customer
        cls.invoices = [
            cls._invoice(customer, 100 * (index + 1), date(2026, 3, 10))
            for index, customer in enumerate(cls.customers)
        ]
        # only the test's own server: no other is picked for the reminders' emails
        cls.env["ir.mail_server"].sudo().search([]).active = False

    @contextmanager
    def _smtp(self):
        """A real SMTP server on the loopback, and Odoo allowed to talk to it (tests
        otherwise skip connecting and sending)."""
        with SMTPTestServer() as smtp:
            server = (
                self.env["ir.mail_server"]
                .sudo()
                .create(
                    {
                        "name": "Loopback",
                        "smtp_host": "127.0.0.1",
                        "smtp_port": smtp.port,
                        "smtp_encryption": "none",
                    }
                )
            )
            with patch("odoo.modules.module.current_test", False):
                yield smtp
            server.active = False

    def _send(self, customers, cc=None):
        """Reminders sent by a billing user, their emails queued; ``cc`` in copy of
        the first."""
        reminders = self.env["account.dunning.reminder"]
        for customer, invoice in zip(self.customers, self.invoices, strict=True):
            if customer in customers:
                reminders |= self._reminder(
                    customer, invoice, self.level_email, state="draft"
                )
        if cc:
            reminders[:1].email_cc = cc
        reminders = reminders.with_user(self.billing).with_context(lang="en_US")
        reminders.action_send()
        self.assertEqual(set(reminders.mapped("state")), {"sending"})
        self.sent_reminders = reminders
        return reminders

    def _mail(self, reminder):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", reminder.mail_message_id.id)])
        )

    def _run_queue(self):
        """The queue run, on this test's emails only: others may wait in the queue
        (committed by tests that need real transactions)."""
        ours = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "account.dunning.reminder"),
                    ("res_id", "in", self.sent_reminders.ids),
                ]
            )
        )
        with mute_logger(
            "odoo.addons.mail.models.mail_mail",
            "odoo.addons.base.models.ir_mail_server",
        ):
            mails = self.env["mail.mail"].sudo().with_context(lang="en_US")
            mails.process_email_queue(ids=ours.ids)
        self.env.invalidate_all()

    def _copies(self, smtp, customer):
        """The messages the server accepted for a customer (or an address)."""
        address = (customer if isinstance(customer, str) else customer.email).lower()
        return [
            message
            for recipients, message in smtp.accepted
            if address in (r.lower() for r in recipients)
        ]

    def _received(self, smtp, *recipients):
        """How many copies the server accepted for each recipient."""
        return [len(self._copies(smtp, recipient)) for recipient in recipients]

    def _contacts(self, customer, *names):
        """Payment reminder contacts of ``customer``, in this order of recipients."""
        return (
            self.env["res.partner"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "parent_id": customer.id,
                        "type": "dunning",
                        "email": f"{name.split()[-1].lower()}@dupont.example.com",
                    }
                    for name in names
                ]
            )
        )

    def _delivery(self, mail):
        """{contact: its delivery state} of a reminder email (core's notifications)."""
        notifications = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [("mail_mail_id", "=", mail.id), ("notification_type", "=", "email")]
            )
        )
        return {n.res_partner_id: n.notification_status for n in notifications}

    def test_deferred_recipient_is_tried_again_alone(self):
        """An email to two contacts, the mail server deferring (451) one of them:
        the other gets one copy, the deferred one gets its copy at the next try,
        alone; first or second, the same."""
        ap, cfo = self._contacts(self.customer, "A Payables", "B Treasurer")
        for deferred, other in ((cfo, ap), (ap, cfo)):
            with self.subTest(deferred=deferred.name), self.env.cr.savepoint() as sp:
                reminder = self._send(self.customer)
                mail = self._mail(reminder)
                self.assertEqual(mail.recipient_ids, ap | cfo)
                self.assertEqual(self._delivery(mail), {ap: "ready", cfo: "ready"})
                with self._smtp() as smtp:
                    smtp.recipient_script = {
                        deferred.email: ["451 4.7.1 Greylisted, try again later"]
                    }
                    self._run_queue()
                    self.assertRecordValues(
                        mail, [{"state": "outgoing", "dunning_attempts": 1}]
                    )
                    self.assertEqual(self._received(smtp, deferred), [0])
                    # Odoo sends to the contacts one after the other and stops at
                    # the first failure: the other went before it, or waits
                    if self._received(smtp, other) == [1]:
                        self.assertEqual(reminder.state, "sent")
                        self.assertEqual(
                            self._delivery(mail), {other: "sent", deferred: "ready"}
                        )
                        self.assertIn("deferred", mail.failure_reason)
                    else:
                        self.assertEqual(self._received(smtp, other), [0])
                        self.assertEqual(reminder.state, "sending")
                    with freeze_time(MIDNIGHT + timedelta(minutes=6)):
                        self._run_queue()
                    self._run_queue()  # nothing left to send
                self.assertEqual(self._received(smtp, ap, cfo), [1, 1])
                self.assertEqual(len(smtp.accepted), 2)
                self.assertEqual(mail.state, "sent")
                self.assertEqual(reminder.state, "sent")
                self.assertFalse(reminder.failure_reason)
                self.assertEqual(self._delivery(mail), {ap: "sent", cfo: "sent"})
                sp.close(rollback=True)

    def test_lost_connection_mid_email_sends_nobody_two_copies(self):
        """The session is lost in the middle of an email to a copy address and two
        contacts, after two of its copies were accepted: the next queue run sends
        the third copy and the next customer's email; nobody gets two copies."""
        ap, cfo = self._contacts(self.customer, "A Payables", "B Treasurer")
        copy = "copy@dupont.example.com"
        reminders = self._send(self.customer | self.other_customer, cc=copy)
        first = self._mail(reminders[0])
        with self._smtp() as smtp:
            # the copy address first, then each contact (one copy each)
            smtp.script = [ACCEPT, ACCEPT, DROP]
            self._run_queue()
            # the copy, then the contact Odoo tried first; dropped at the other
            self.assertEqual(self._received(smtp, copy), [1])
            reached, waiting = (
                (ap, cfo) if self._received(smtp, ap) == [1] else (cfo, ap)
            )
            self.assertEqual(self._received(smtp, reached, waiting), [1, 0])
            self.assertEqual(reminders.mapped("state"), ["sent", "sending"])
            self.assertRecordValues(
                first, [{"state": "outgoing", "dunning_to_cc_sent": True}]
            )
            self.assertNotIn("without exception", first.failure_reason or "")
            self.assertEqual(self._delivery(first), {reached: "sent", waiting: "ready"})
            self._run_queue()  # the server is back
            self._run_queue()  # nothing left to send
        self.assertEqual(
            self._received(smtp, copy, ap, cfo, self.other_customer), [1, 1, 1, 1]
        )
        self.assertEqual(len(smtp.accepted), 4)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(self._delivery(first), {ap: "sent", cfo: "sent"})

    def test_refused_recipient_is_noted_and_retried_alone(self):
        """One contact refused for good, the other reached: the reminder is sent
        (the customer has it) and says who it did not reach; a retry from the
        emails' list sends the refused contact alone."""
        ap, cfo = self._contacts(self.customer, "A Payables", "B Treasurer")
        reminder = self._send(self.customer)
        mail = self._mail(reminder)
        with self._smtp() as smtp:
            smtp.recipient_script = {cfo.email: ["550 5.1.1 Mailbox unavailable"]}
            self._run_queue()
            self.assertEqual(mail.state, "exception")
            self.assertEqual(reminder.state, "sent")
            self.assertEqual(self._delivery(mail), {ap: "sent", cfo: "exception"})
            note = reminder.message_ids.filtered(
                lambda m: "did not reach" in str(m.body)
            )
            self.assertIn(cfo.email, str(note.body))
            self.assertIn("Mailbox unavailable", str(note.body))
            self.assertNotIn(ap.email, str(note.body))
            self.assertEqual(self.invoices[0].dunning_level_id, self.level_email)
            mail.action_retry()  # Settings > Technical > Emails > Retry
            self.assertEqual(reminder.state, "sent")
            self._run_queue()
        self.assertEqual(self._received(smtp, ap, cfo), [1, 1])
        self.assertEqual(mail.state, "sent")
        self.assertEqual(self._delivery(mail), {ap: "sent", cfo: "sent"})

    def test_cancelled_email_that_reached_a_contact_keeps_the_reminder_sent(self):
        ap, cfo = self._contacts(self.customer, "A Payables", "B Treasurer")
        reminder = self._send(self.customer)
        mail = self._mail(reminder)
        with self._smtp() as smtp:
            smtp.recipient_script = {cfo.email: ["451 4.3.0 Busy"]}
            self._run_queue()
        self.assertEqual(self._received(smtp, ap, cfo), [1, 0])
        mail.cancel()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(self._delivery(mail), {ap: "sent", cfo: "canceled"})
        other = self._send(self.other_customer)
        self._mail(other).cancel()  # reached nobody: failed
        self.assertEqual(other.state, "failed")

    def test_lost_connection_mid_queue_keeps_the_rest_sending(self):
        reminders = self._send(self.customers)
        with self._smtp() as smtp:
            smtp.script = ["accept", DROP]
            self._run_queue()
            self.assertEqual(reminders.mapped("state"), ["sent", "sending", "sending"])
            for reminder in reminders[1:]:
                mail = self._mail(reminder)
                self.assertEqual(mail.state, "outgoing", reminder.name)
                self.assertNotIn("without exception", mail.failure_reason or "")
            self._run_queue()  # the server is back
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        for customer in self.customers:
            self.assertEqual(len(self._copies(smtp, customer)), 1, customer.name)

    def test_retry_from_the_emails_then_send_mails_one_copy(self):
        reminder = self._send(self.customer)
        with self._smtp() as smtp:
            smtp.script = ["550 5.1.1 Mailbox unavailable"]
            self._run_queue()
            self.assertEqual(reminder.state, "failed")
            self.assertIn("Mailbox unavailable", reminder.failure_reason)
            mail = self._mail(reminder)
            mail.action_retry()  # Settings > Technical > Emails > Retry
            self.assertEqual(reminder.state, "sending")
            with self.assertRaisesMessage(UserError, "Only draft or failed"):
                reminder.action_send()
            self._run_queue()
            self.assertEqual(reminder.state, "sent")
            self.assertFalse(reminder.failure_reason)
            with self.assertRaisesMessage(UserError, "Only draft or failed"):
                reminder.action_send()
        self.assertEqual(len(self._copies(smtp, self.customer)), 1)

    def test_send_again_then_retry_the_old_email_mails_one_copy(self):
        reminder = self._send(self.customer)
        with self._smtp() as smtp:
            smtp.script = ["554 5.7.1 Rejected"]
            self._run_queue()
            old = self._mail(reminder)
            self.assertEqual(reminder.state, "failed")
            reminder.action_send()  # a new email; the failed one is withdrawn
            self.assertEqual(old.state, "cancel")
            old.action_retry()  # too late: it was withdrawn
            self._run_queue()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(len(self._copies(smtp, self.customer)), 1)

    def test_temporary_error_is_tried_again_until_the_server_recovers(self):
        reminder = self._send(self.customer)
        with self._smtp() as smtp:
            smtp.script = ["451 4.7.1 Greylisted, try again later"]
            self._run_queue()
            mail = self._mail(reminder)
            self.assertEqual(reminder.state, "sending")
            self.assertRecordValues(
                mail, [{"state": "outgoing", "dunning_attempts": 1}]
            )
            self.assertGreater(mail.scheduled_date, MIDNIGHT)
            self.assertIn("deferred", reminder.failure_reason)
            self._run_queue()  # not yet: it waits for its time
            self.assertFalse(smtp.accepted)
            with freeze_time(MIDNIGHT + timedelta(minutes=6)):
                self._run_queue()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(len(self._copies(smtp, self.customer)), 1)
        self.assertEqual(self.invoices[0].dunning_level_id, self.level_email)

    def test_a_server_that_never_recovers_fails_the_reminder(self):
        reminder = self._send(self.customer)
        with self._smtp() as smtp:
            smtp.script = ["451 4.3.0 Busy"] * 10
            when = MIDNIGHT
            for __ in range(6):
                with freeze_time(when):
                    self._run_queue()
                when += timedelta(days=1)
        self.assertEqual(reminder.state, "failed")
        self.assertIn("Busy", reminder.failure_reason)
        self.assertFalse(smtp.accepted)
        self.assertFalse(self.invoices[0].dunning_level_id)  # not delivered
