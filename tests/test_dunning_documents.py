# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta
from unittest.mock import patch

from odoo.tests import freeze_time, tagged
from odoo.tools import config, mute_logger

from ..models.account_dunning_dispatch import INLINE_DOCUMENTS_MAX
from ..models.cron_budget import CALL_SECONDS_PARAM, default_call_seconds
from .common import DunningCommon

DUE = date(2026, 3, 2)
RUN_DAY = DUE + timedelta(days=5)  # the email level's day
MAIL_SERVER = "odoo.addons.base.models.ir_mail_server.IrMailServer"


@tagged("post_install", "-at_install")
@freeze_time(RUN_DAY)
class TestDunningDocuments(DunningCommon):
    """No PDF inside the daily run's batch: the letters and the files an email carries
    are printed afterwards, each email held in the queue until they are attached;
    every call keeps within its time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels.write({"auto_execute": True})
        cls.level_email.write({"attach_letter": True, "attach_invoices": True})
        cls.engine = cls.env["account.dunning.engine"]
        cls.documents = cls.env["account.dunning.documents"]
        cls.Mail = cls.env["mail.mail"].sudo()
        cls.invoice = cls._invoice(cls.customer, 1000, DUE)
        cls.other_invoice = cls._invoice(cls.other_customer, 500, DUE)

    def _batch(self):
        """One batch of the daily run for both customers, the printing left out."""
        return self.engine._run_batch(
            (self.customer | self.other_customer).ids, RUN_DAY
        ).sorted(lambda r: r.partner_id != self.customer)

    def _mail(self, reminder):
        return self.Mail.search([("mail_message_id", "=", reminder.mail_message_id.id)])

    def test_batch_prints_nothing_and_holds_the_emails(self):
        with patch(
            "odoo.addons.account_dunning.models.ir_actions_report.IrActionsReport"
            "._dunning_render",
            side_effect=AssertionError("a PDF rendered inside the batch"),
        ):
            reminders = self._batch()
        self.assertEqual(len(reminders), 2)
        self.assertEqual(set(reminders.mapped("state")), {"sending"})
        self.assertEqual(set(reminders.mapped("documents_pending")), {True})
        self.assertFalse(reminders.letter_attachment_id)
        mails = self._mail(reminders[0]) | self._mail(reminders[1])
        self.assertEqual(len(mails), 2)
        self.assertEqual(set(mails.mapped("dunning_held")), {True})
        self.assertFalse(mails.attachment_ids)  # nothing is sent without its PDFs
        cron = self.env.ref("account_dunning.ir_cron_dunning_documents")
        self.assertTrue(cron.sudo().active)
        self.assertIn(cron, self.env["ir.cron.trigger"].sudo().search([]).cron_id)

    def test_held_email_leaves_neither_by_the_queue_nor_by_send_now(self):
        reminder = self._batch()[0]
        mail = self._mail(reminder)
        with patch(f"{MAIL_SERVER}.send_email") as smtp_send:
            self.Mail.process_email_queue(ids=mail.ids)
            mail.send()
        smtp_send.assert_not_called()
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(reminder.state, "sending")

    def test_printed_afterwards_attached_once_then_released(self):
        reminders = self._batch()
        self.assertEqual(self.documents._cron_print(), 2)
        for reminder in reminders:
            mail = self._mail(reminder)
            self.assertFalse(reminder.documents_pending)
            self.assertFalse(mail.dunning_held)
            self.assertTrue(reminder.letter_attachment_id)
            names = sorted(mail.attachment_ids.mapped("name"))
            self.assertIn(reminder.letter_attachment_id.name, names)
            self.assertEqual(len(names), 2, names)  # the letter and the invoice
        # a second pass finds nothing to print: no attachment twice
        self.assertEqual(self.documents._cron_print(), 0)
        self.assertEqual(len(self._mail(reminders[0]).attachment_ids), 2)
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertIn(mail_cron, self.env["ir.cron.trigger"].sudo().search([]).cron_id)

    def test_the_daily_run_prints_what_its_time_allows(self):
        # time enough (PDFs take seconds each on a busy machine)
        self.env["ir.config_parameter"].sudo().set_param(CALL_SECONDS_PARAM, "60")
        reminders = self._run(RUN_DAY)
        self.assertEqual(len(reminders), 2)
        self.assertFalse(any(reminders.mapped("documents_pending")))
        self.assertTrue(all(reminders.mapped("letter_attachment_id")))

    def test_a_letter_that_cannot_be_printed_fails_its_reminder_only(self):
        reminders = self._batch()
        broken = reminders[0]
        render = type(self.env["account.dunning.dispatch"])._render_letters

        def render_or_fail(dispatch, todo):
            if broken in todo:
                raise OSError("wkhtmltopdf: cannot open display")
            return render(dispatch, todo)

        with (
            patch.object(
                type(self.env["account.dunning.dispatch"]),
                "_render_letters",
                render_or_fail,
            ),
            mute_logger("odoo.addons.account_dunning.models.account_dunning_documents"),
        ):
            self.assertEqual(self.documents._cron_print(), 2)
        self.assertRecordValues(
            broken, [{"state": "failed", "documents_pending": False}]
        )
        self.assertIn("could not be printed", broken.failure_reason)
        self.assertEqual(self._mail(broken).state, "cancel")  # never sent without it
        fine = reminders[1]
        self.assertRecordValues(
            fine, [{"state": "sending", "documents_pending": False}]
        )
        self.assertTrue(fine.letter_attachment_id)
        self.assertFalse(self._mail(fine).dunning_held)

    def test_a_send_of_one_reminder_prints_at_once(self):
        reminder = self._reminder(
            self.customer, self.invoice, self.level_email, on=RUN_DAY, state="draft"
        )
        reminder.action_send()
        self.assertFalse(reminder.documents_pending)
        self.assertTrue(reminder.letter_attachment_id)
        self.assertIn(
            reminder.letter_attachment_id, self._mail(reminder).attachment_ids
        )
        self.assertFalse(self._mail(reminder).dunning_held)

    def test_a_mass_send_leaves_the_printing_to_the_scheduled_action(self):
        customers = self.env["res.partner"]
        for index in range(INLINE_DOCUMENTS_MAX + 1):
            customers |= self._customer(f"Mass{index:02d} SA")
        reminders = self.env["account.dunning.reminder"]
        for customer in customers:
            invoice = self._invoice(customer, 100, DUE)
            reminders |= self._reminder(
                customer, invoice, self.level_email, on=RUN_DAY, state="draft"
            )
        reminders.action_send()
        self.assertEqual(set(reminders.mapped("documents_pending")), {True})
        self.documents._cron_print()
        self.assertEqual(set(reminders.mapped("documents_pending")), {False})
        self.assertTrue(all(reminders.mapped("letter_attachment_id")))

    # --- the time of a call ----------------------------------------------------------
    def _progress(self, cron_xmlid):
        """A progress record of the scheduled action, as Odoo's runner makes one per
        call; the id to put in the call's context."""
        cron = self.env.ref(cron_xmlid).sudo()
        cron, progress = cron._add_progress()
        return cron.env.context["ir_cron_progress_id"], progress

    def test_a_call_stops_within_its_time_and_says_what_is_left(self):
        customers = self.customer | self.other_customer
        for index in range(4):
            customer = self._customer(f"Budget{index} SA")
            self._invoice(customer, 100, DUE)
            customers |= customer
        self.env["ir.config_parameter"].sudo().set_param(CALL_SECONDS_PARAM, "0.001")
        # the scores of the companies other tests may have committed: done today
        (self.env["res.company"].sudo().search([]) - self.company).write(
            {"dunning_scores_date": RUN_DAY, "dunning_scores_upto": 2**31 - 1}
        )
        progress_id, progress = self._progress("account_dunning.ir_cron_dunning_run")
        Reminder = self.env["account.dunning.reminder"]
        Reminder = Reminder.with_context(ir_cron_progress_id=progress_id)
        done = Reminder._cron_dunning_run(batch_size=2)
        # the first batch always goes: a call makes progress, whatever its time
        self.assertEqual(done, 2)
        self.assertEqual((progress.done, progress.remaining), (2, 4))
        cron = self.env.ref("account_dunning.ir_cron_dunning_run")
        self.assertIn(cron, self.env["ir.cron.trigger"].sudo().search([]).cron_id)
        # the next calls go on where it stopped, until nothing is left
        calls = 1
        while progress.remaining and calls < 10:
            progress_id, progress = self._progress(
                "account_dunning.ir_cron_dunning_run"
            )
            Reminder.with_context(ir_cron_progress_id=progress_id)._cron_dunning_run(
                batch_size=2
            )
            calls += 1
        self.assertEqual(progress.remaining, 0)
        # three calls of a batch each, then one for the payment scores, for which
        # the third had no time left
        self.assertEqual(calls, 4)
        made = self.env["account.dunning.reminder"].search(
            [("partner_id", "in", customers.ids)]
        )
        self.assertEqual(made.partner_id, customers)

    def test_the_printing_stops_within_its_time_too(self):
        self._batch()
        progress_id, progress = self._progress(
            "account_dunning.ir_cron_dunning_documents"
        )
        documents = self.documents.with_context(ir_cron_progress_id=progress_id)
        printed = documents._cron_print(seconds=0.001)
        self.assertEqual(printed, 2)  # its first chunk: FIRST_CHUNK reminders
        self.assertEqual((progress.done, progress.remaining), (2, 0))

    def test_the_time_of_a_call_follows_the_server_limits(self):
        limits = {
            "limit_time_real_cron": -1,
            "limit_time_real": 120,
            "limit_time_cpu": 60,
            "workers": 2,
        }
        with patch.dict(config.options, limits):
            # ten calls a round, the CPU limit the smaller: 60 / 10 x 0.7
            self.assertAlmostEqual(default_call_seconds(), 4.2)
        with patch.dict(config.options, dict(limits, workers=0)):
            self.assertAlmostEqual(default_call_seconds(), 8.4)  # no CPU limit
        with patch.dict(config.options, dict(limits, limit_time_real_cron=300)):
            self.assertAlmostEqual(default_call_seconds(), 4.2)
        with patch.dict(
            config.options,
            dict(limits, workers=0, limit_time_real_cron=0, limit_time_real=0),
        ):
            self.assertEqual(default_call_seconds(), 60.0)
