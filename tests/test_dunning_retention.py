# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import os
import uuid
from datetime import date, timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, freeze_time, new_test_user, tagged
from odoo.tests.common import get_db_name

from .common import TODAY, DunningCommon

# 2026-03-31 less 10 years: 2016-03-31; less 20 years: 2006-03-31
OLD = date(2015, 6, 1)
RECENT = date(2016, 4, 15)  # a fortnight younger than ten years
ANCIENT = date(2005, 6, 1)
RETENTION_LOGGER = "odoo.addons.account_dunning.models.account_dunning_retention"

REMINDER_FACTS = [
    "name",
    "date",
    "partner_id",
    "company_id",
    "policy_id",
    "level_id",
    "state",
    "origin",
    "user_id",
    "line_ids",
    "line_count",
    "currency_id",
    "amount_due",
    "amount_overdue",
    "fee_total",
    "interest_total",
    "fee_move_id",
    "attempt_count",
    "send_email",
    "send_letter",
    "create_activity",
    "mail_message_id",
    "hold_reason",
]
LINE_FACTS = [
    "reminder_id",
    "company_id",
    "partner_id",
    "state",
    "date",
    "move_id",
    "level_id",
    "currency_id",
    "date_due",
    "amount_residual",
    "amount_residual_company",
    "amount_overdue",
    "amount_not_due",
    "days_overdue",
    "fee_amount",
    "interest_amount",
]
PERSONAL = [
    "email_subject",
    "email_body",
    "email_cc",
    "recipient_ids",
    "letter_attachment_id",
    "call_outcome",
    "call_note",
    "failure_reason",
    "cancel_reason",
    "personal_data_cleared",
]


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningRetention(DunningCommon):
    """Reminders older than their company's retention period lose their personal
    content (email, recipients, letter, call notes, the chatter's emails and notes)
    and keep their accounting facts; nothing else changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, login="billing_retention", groups="account.group_account_invoice"
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Jeanne Dupont",
                "street": "12 rue de la Paix",
                "zip": "75002",
                "city": "Paris",
                "country_id": cls.env.ref("base.fr").id,
                "email": "jeanne.dupont@example.com",
                "parent_id": cls.customer.id,
                "type": "invoice",
            }
        )
        # the reminders go by SMS too, to Mrs Dupont's mobile
        cls.level_email.sms_template_id = cls.env.ref(
            "account_dunning.sms_template_dunning_reminder"
        )
        cls.contact.mobile = "+33 6 12 34 56 78"
        cls.old_invoice = cls._invoice(cls.customer, 1000, OLD - timedelta(days=20))
        cls.recent_invoice = cls._invoice(
            cls.customer, 700, RECENT - timedelta(days=20)
        )
        cls.old = cls._sent_reminder(cls.old_invoice, OLD, "Old")
        cls.recent = cls._sent_reminder(cls.recent_invoice, RECENT, "Recent")
        # another company keeps its reminders 20 years
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.company_b.dunning_retention_years = 20
        cls.customer_b = cls._customer("Bernard SAS", company_id=cls.company_b.id)
        cls.kept_b = cls._reminder_b(OLD)
        cls.ancient_b = cls._reminder_b(ANCIENT)

    @classmethod
    def _sent_reminder(cls, invoice, on, label):
        """A reminder sent on ``on`` by email and letter, with what people wrote on
        it: an edited email, a copy, notes of the call, a closed call activity and a
        note in its chatter."""
        reminder = cls._reminder(
            cls.customer, invoice, cls.level_email, on=on, state="draft"
        )
        reminder.write(
            {
                "send_letter": True,
                "email_subject": f"{label}: your overdue invoice, Mrs Dupont",
                "email_body": f"<p>{label}: dear Mrs Dupont, please pay.</p>",
                "email_cc": "accounting.dupont@example.com",
                "send_sms": True,
            }
        )
        reminder.message_subscribe(partner_ids=cls.contact.ids)
        sent = cls.env["account.dunning.dispatch"]._send(reminder)
        assert sent == reminder, reminder.failure_reason
        # the mail server accepted it
        cls.env["mail.mail"].sudo().search(
            [("mail_message_id", "=", reminder.mail_message_id.id)]
        ).write({"state": "sent"})
        reminder._dunning_mark_delivered()
        reminder.write(
            {"call_outcome": "promise", "call_note": f"{label}: her husband is ill"}
        )
        # the changes Odoo tracks (after the test's commit only): its status, a fact,
        # and the call's outcome, personal
        tracking = cls.env["mail.tracking.value"]
        info = reminder.fields_get(
            ["state", "call_outcome"], attributes=("string", "type", "selection")
        )
        reminder._message_log(
            tracking_value_ids=[
                Command.create(
                    tracking._create_tracking_values(
                        old, new, fname, info[fname], reminder
                    )
                )
                for fname, old, new in (
                    ("state", "sending", "sent"),
                    ("call_outcome", False, "promise"),
                )
            ]
        )
        reminder.message_post(
            body=f"{label}: Mrs Dupont moved to Lyon", subtype_xmlid="mail.mt_note"
        )
        # a call type that keeps its done activities (archived), notes and all
        cls.env.ref("mail.mail_activity_data_call").keep_done = True
        activity = reminder.activity_schedule(
            "mail.mail_activity_data_call", note=f"{label}: call 06 12 34 56 78"
        )
        activity.action_feedback(feedback=f"{label}: she will pay on Friday")
        reminder.activity_schedule(
            "mail.mail_activity_data_todo", note=f"{label}: call back her son"
        )
        return reminder

    @classmethod
    def _reminder_b(cls, on):
        invoice = (
            cls.env["account.move"]
            .with_company(cls.company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer_b.id,
                    "invoice_date": on - timedelta(days=40),
                    "invoice_date_due": on - timedelta(days=10),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Audit", "price_unit": 300, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        level = cls.company_b.dunning_policy_id.level_ids.sorted("delay")[1]
        reminder = (
            cls.env["account.dunning.reminder"]
            .with_company(cls.company_b)
            .create(
                {
                    "partner_id": cls.customer_b.id,
                    "company_id": cls.company_b.id,
                    "policy_id": level.policy_id.id,
                    "level_id": level.id,
                    "date": on,
                    "call_note": "Bernard: ask for Mr Bernard's mobile",
                    "email_body": "<p>Dear Mr Bernard</p>",
                    "line_ids": [
                        Command.create(
                            {
                                "move_id": invoice.id,
                                "level_id": level.id,
                                "date_due": invoice.invoice_date_due,
                                "amount_residual": 300,
                                "amount_residual_company": 300,
                                "amount_overdue": 300,
                                "days_overdue": 10,
                            }
                        )
                    ],
                }
            )
        )
        reminder.sudo().write({"state": "sent"})  # as its own steps do
        return reminder

    # ------------------------------------------------------------------
    # What the tests compare
    # ------------------------------------------------------------------
    def _run(self):
        """The scheduled action, as the scheduler runs it (superuser)."""
        Reminder = self.env["account.dunning.reminder"].with_user(SUPERUSER_ID)
        with self.assertLogs(RETENTION_LOGGER, logging.INFO) as logs:
            done = Reminder._cron_dunning_retention()
        self.env.invalidate_all()
        return done, "\n".join(logs.output)

    def _messages(self, reminder):
        return (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", reminder._name), ("res_id", "=", reminder.id)])
        )

    def _mails(self, reminder):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "in", self._messages(reminder).ids)])
        )

    def _notifications(self, reminder):
        return (
            self.env["mail.notification"]
            .sudo()
            .search([("mail_message_id", "in", self._messages(reminder).ids)])
        )

    def _facts(self, reminder):
        reminder = reminder.sudo()
        return (
            reminder.read(REMINDER_FACTS)[0],
            reminder.line_ids.read(LINE_FACTS),
        )

    def _everything(self, reminder):
        """The reminder's facts, personal fields, chatter, mails and files."""
        sudo = reminder.sudo()
        messages = self._messages(reminder)
        return (
            self._facts(reminder),
            sudo.read(PERSONAL)[0],
            messages.read(
                ["body", "subject", "email_from", "partner_ids", "attachment_ids"]
            ),
            self._mails(reminder).read(
                ["body_html", "email_to", "email_cc", "recipient_ids", "state"]
            ),
            self.env["ir.attachment"]
            .sudo()
            .search_read(
                [("res_model", "=", reminder._name), ("res_id", "=", reminder.id)],
                ["name", "checksum"],
            ),
            messages.tracking_value_ids.ids,
            sudo.activity_ids.read(["note"]),
            sudo.message_follower_ids.ids,
        )

    def _others(self):
        """The records around the reminders that the retention must leave alone."""
        invoices = self.old_invoice | self.recent_invoice
        return (
            invoices.read(
                ["name", "state", "amount_residual", "payment_state", "partner_id"]
            ),
            self.env["mail.message"]
            .sudo()
            .search_read(
                [("model", "=", "account.move"), ("res_id", "in", invoices.ids)],
                ["body"],
            ),
            self.customer.read(["name", "email", "street", "city"]),
            self.contact.read(["name", "email", "parent_id"]),
            self.env["mail.message"]
            .sudo()
            .search_read(
                [("model", "=", "res.partner"), ("res_id", "=", self.customer.id)],
                ["body"],
            ),
            self.env["ir.attachment"]
            .sudo()
            .search_count([("res_model", "=", "account.move")]),
        )

    # ------------------------------------------------------------------
    # The tests
    # ------------------------------------------------------------------
    def test_setup_holds_personal_content(self):
        """The reminders hold what the run must remove (or the tests prove nothing)."""
        old = self.old.sudo()
        self.assertEqual(old.state, "sent")
        self.assertTrue(old.letter_attachment_id)
        self.assertEqual(old.recipient_ids, self.contact)
        self.assertTrue(old.mail_message_id)
        self.assertIn("Mrs Dupont", old.mail_message_id.body)
        mail = self._mails(self.old)
        self.assertEqual(len(mail), 1)
        self.assertIn("Mrs Dupont", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.contact)
        self.assertTrue(old.activity_ids)
        self.assertIn(self.contact, old.message_partner_ids)
        tracked = self._messages(self.old).tracking_value_ids.field_id.mapped("name")
        self.assertEqual(sorted(tracked), ["call_outcome", "state"])
        bodies = " ".join(str(body) for body in self._messages(self.old).mapped("body"))
        self.assertIn("she will pay on Friday", bodies)
        self.assertIn("moved to Lyon", bodies)
        # who was notified, how: the SMS to Mrs Dupont's mobile among them
        notifications = self._notifications(self.old)
        self.assertTrue(any(notifications.mapped("sms_number")))
        self.assertTrue(old.sms_state)

    def test_old_reminder_loses_personal_content_keeps_facts(self):
        facts = self._facts(self.old)
        sms_state = self.old.sudo().sms_state
        message = self.old.sudo().mail_message_id
        letter = self.old.sudo().letter_attachment_id
        recent = self._everything(self.recent)
        kept_b = self._everything(self.kept_b)
        others = self._others()

        done, log = self._run()

        self.assertEqual(done, 2)  # the old one here, the ancient one of company B
        old = self.old.sudo()
        self.assertRecordValues(
            old,
            [
                {
                    "email_subject": False,
                    "email_body": False,
                    "email_cc": False,
                    "recipient_ids": [],
                    "letter_attachment_id": False,
                    "call_outcome": False,
                    "call_note": False,
                    "personal_data_cleared": TODAY,
                }
            ],
        )
        self.assertFalse(letter.exists())
        self.assertFalse(
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", old._name), ("res_id", "=", old.id)])
        )
        # the email stays as a trace that one went out, without its content
        self.assertEqual(old.mail_message_id, message)
        messages = self._messages(self.old)
        self.assertTrue(messages)
        self.assertRecordValues(
            messages,
            [
                {
                    "body": "",
                    "subject": False,
                    "attachment_ids": [],
                    "partner_ids": [],
                }
                for __ in messages
            ],
        )
        # the tracked changes of its facts stay, its call's outcome goes
        tracked = messages.tracking_value_ids.field_id.mapped("name")
        self.assertEqual(tracked, ["state"])
        bodies = " ".join(str(m.body) for m in self._messages(self.old))
        for secret in ("Dupont", "ill", "Lyon", "Friday", "06 12"):
            self.assertNotIn(secret, bodies)
        mail = self._mails(self.old)
        self.assertRecordValues(
            mail,
            [
                {
                    "body_html": False,
                    "email_to": False,
                    "email_cc": False,
                    "recipient_ids": [],
                    "state": "sent",
                }
            ],
        )
        self.assertFalse(old.activity_ids)
        self.assertFalse(
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search([("res_model", "=", old._name), ("res_id", "=", old.id)])
        )
        self.assertFalse(old.message_follower_ids)
        # nobody's notification of its messages left (the SMS numbers with them),
        # nothing left in the SMS queue; its SMS status, a fact, as it was
        self.assertFalse(self._notifications(self.old))
        self.assertFalse(
            self.env["sms.sms"].sudo().search([("mail_message_id", "in", messages.ids)])
        )
        self.assertEqual(old.sms_state, sms_state)
        # the facts as they were
        self.assertEqual(self._facts(self.old), facts)
        # the recent one, the other company's kept one and the rest: untouched
        self.assertEqual(self._everything(self.recent), recent)
        self.assertEqual(self._everything(self.kept_b), kept_b)
        self.assertEqual(self._others(), others)
        # company B's 20 years reach its reminder of 2005 only
        self.assertEqual(self.ancient_b.sudo().personal_data_cleared, TODAY)
        self.assertFalse(self.ancient_b.sudo().call_note)
        self.assertRegex(log, rf"{self.company.name}: .* 1 reminder\(s\) .* 10 years")
        self.assertRegex(log, r"Company B: .* 1 reminder\(s\) .* 20 years")

    def test_files_leave_the_filestore_once_committed(self):
        """The letter's file goes from the filestore once the clearing is committed,
        not at Odoo's next file cleanup; a file another attachment uses stays."""
        letter = self.old.sudo().letter_attachment_id
        kept = self.recent.sudo().letter_attachment_id
        gone_fname, kept_fname = letter.store_fname, kept.store_fname
        gone_path, kept_path = (
            letter._full_path(gone_fname),
            kept._full_path(kept_fname),
        )
        self.assertTrue(os.path.isfile(gone_path))
        Retention = type(self.env["account.dunning.retention"])
        after_commit = Retention._delete_files_after_commit
        scheduled = []

        def spy(retention, fnames):
            scheduled.extend(fnames)
            return after_commit(retention, fnames)

        with patch.object(Retention, "_delete_files_after_commit", spy):
            self._run()
        self.assertIn(gone_fname, scheduled)
        self.assertNotIn(kept_fname, scheduled)  # the recent reminder's letter
        self.assertTrue(os.path.isfile(gone_path))  # not before the commit
        # what the commit runs (see TestDunningRetentionFiles for the commit itself)
        deleted = self.env["account.dunning.retention"]._delete_unused_files(
            [gone_fname, kept_fname]
        )
        self.assertEqual(deleted, 1)
        self.assertFalse(os.path.exists(gone_path))
        self.assertTrue(os.path.isfile(kept_path))

    def test_second_run_changes_nothing(self):
        self._run()
        old, recent = self._everything(self.old), self._everything(self.recent)
        ancient = self._everything(self.ancient_b)
        done, __ = self._run()
        self.assertEqual(done, 0)
        self.assertEqual(self._everything(self.old), old)
        self.assertEqual(self._everything(self.recent), recent)
        self.assertEqual(self._everything(self.ancient_b), ancient)

    def test_batches_within_the_call(self):
        """Small batches: each is cleared and the call goes on while time is left."""
        Retention = self.env["account.dunning.retention"].with_user(SUPERUSER_ID)
        with self.assertLogs(RETENTION_LOGGER, logging.INFO):
            done = Retention._cron_clear(batch_size=1)
        self.assertEqual(done, 2)
        self.assertEqual(Retention._remaining(TODAY), 0)

    def test_the_day_it_turns_old(self):
        """A reminder is cleared once older than the period, not before."""
        with freeze_time(RECENT.replace(year=2026)):
            done, __ = self._run()
            self.assertEqual(done, 2)  # the old and the ancient
            self.assertFalse(self.recent.sudo().personal_data_cleared)
        with freeze_time(RECENT.replace(year=2026) + timedelta(days=1)):
            done, __ = self._run()
        self.assertEqual(done, 1)
        self.assertTrue(self.recent.sudo().personal_data_cleared)

    def test_users_cannot_mark_or_send_cleared(self):
        self._run()
        with self.assertRaises(UserError):
            self.old.with_user(self.billing).write({"personal_data_cleared": False})
        with self.assertRaises(UserError):
            self.recent.with_user(self.billing).write({"personal_data_cleared": TODAY})
        self.assertFalse(self.recent.sudo().personal_data_cleared)
        failed = self.ancient_b.sudo()
        failed.write({"state": "failed"})
        with self.assertRaises(UserError):
            failed.action_send()

    def test_retention_years_bounds(self):
        company = self.company.with_user(
            new_test_user(
                self.env,
                login="settings_retention",
                groups="base.group_system,account.group_account_manager",
            )
        )
        self.assertEqual(self.company.dunning_retention_years, 10)
        for wrong in (0, -1, -10, 101):
            with self.assertRaises(ValidationError):
                company.write({"dunning_retention_years": wrong})
        self.assertEqual(self.company.dunning_retention_years, 10)
        settings = (
            self.env["res.config.settings"].with_user(company.env.user).create({})
        )
        settings.dunning_retention_years = 7
        settings.execute()
        self.assertEqual(self.company.dunning_retention_years, 7)
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].with_user(company.env.user).create(
                {"dunning_retention_years": 0}
            ).execute()
        self.assertEqual(self.company.dunning_retention_years, 7)


@tagged("post_install", "-at_install")
class TestDunningRetentionFiles(BaseCase):
    """The files of the attachments the retention deletes leave the filestore when
    the transaction commits, those no other attachment uses. Not a TransactionCase:
    it commits (the test database is a throw-away clone)."""

    def test_files_deleted_when_the_transaction_commits(self):
        with db_connect(get_db_name()).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Attachment = env["ir.attachment"]
            if Attachment._storage() != "file":
                self.skipTest("attachments stored in the database: no file to delete")
            token = uuid.uuid4().hex
            gone = Attachment.create({"name": "letter.pdf", "raw": token.encode()})
            shared = Attachment.create(
                [
                    {"name": f"copy{i}.pdf", "raw": f"{token}-shared".encode()}
                    for i in (1, 2)
                ]
            )
            cr.commit()  # pylint: disable=invalid-commit
            self.addCleanup(self._unlink, shared[1].id)
            paths = [Attachment._full_path(a.store_fname) for a in (gone, shared[0])]
            fnames = {gone.store_fname, shared[0].store_fname}
            self.assertEqual(shared[0].store_fname, shared[1].store_fname)
            (gone | shared[0]).unlink()
            env["account.dunning.retention"]._delete_files_after_commit(fnames)
            self.assertTrue(all(os.path.isfile(path) for path in paths))
            cr.commit()  # pylint: disable=invalid-commit
        self.assertFalse(os.path.exists(paths[0]))
        self.assertTrue(os.path.isfile(paths[1]))  # the other copy uses it

    def _unlink(self, attachment_id):
        with db_connect(get_db_name()).cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.attachment"].browse(
                attachment_id
            ).unlink()
            cr.commit()  # pylint: disable=invalid-commit
