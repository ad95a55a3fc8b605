# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The PDFs of reminders, printed after the batch that made them.

A PDF takes about a second with some wkhtmltopdf builds: printed inside the daily
run's batch, it would hold the batch (and its customers) for minutes and overrun the
cron's time limit. The dispatch queues such reminders here instead
(``documents_pending``), their emails held in the mail queue (``mail.mail``'s
``dunning_held``). The scheduled action "Payment reminders: print documents", and the
daily run once its batches are done, print them in chunks, each taken with SKIP LOCKED
so that several cron workers share the queue, and committed on its own: the letters,
the invoices and statement the email carries, the template's reports; then each email
gets its attachments and leaves the hold, once.
"""

import logging

from psycopg2 import errors as pg_errors

from odoo import Command, _, api, models
from odoo.tools import SQL

from .account_dunning_engine import contention_expected
from .cron_budget import CallBudget, call_seconds, may_commit, now, step_done

_logger = logging.getLogger(__name__)

CRON_XMLID = "account_dunning.ir_cron_dunning_documents"
MAIL_CRON_XMLID = "mail.ir_cron_mail_scheduler_action"
# reminders of the first chunk of a call; the next chunks are sized on the time
# the previous one took per reminder
FIRST_CHUNK = 4
MAX_CHUNK = 100
# {database: seconds per reminder of the last chunk}, kept between the calls of a
# worker process (in tests, where nothing is committed, each call starts afresh)
_PACES = {}


class AccountDunningDocuments(models.AbstractModel):
    """Service: print the PDFs of reminders after their batch, and release their
    emails."""

    _name = "account.dunning.documents"
    _description = "Dunning Documents"

    # ------------------------------------------------------------------
    # The queue
    # ------------------------------------------------------------------
    def _queue(self, reminders):
        """Leave the PDFs of ``reminders`` (issued, emails held) to this step."""
        if not reminders:
            return
        reminders._dunning_system_write({"documents_pending": True})
        # sudo: waking the scheduled action is no right of the user's
        self.env.ref(CRON_XMLID).sudo()._trigger()

    def _pending_count(self):
        self.env.cr.execute(
            "SELECT COUNT(*) FROM account_dunning_reminder WHERE documents_pending"
        )
        return self.env.cr.fetchone()[0]

    def _claim(self, size):
        """Up to ``size`` reminders waiting for their PDFs that no other worker holds,
        locked until this transaction ends; none when another worker changed them
        since this transaction began (it printed them: the next call looks again)."""
        try:
            # another worker's chunk is handled below: not an error to log
            with contention_expected(), self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        """SELECT id FROM account_dunning_reminder
                            WHERE documents_pending
                            ORDER BY id LIMIT %s
                              FOR UPDATE SKIP LOCKED""",
                        size,
                    )
                )
                ids = [row[0] for row in self.env.cr.fetchall()]
        except pg_errors.SerializationFailure:
            return None
        # sudo: the queue's own reminders, in every company
        return self.env["account.dunning.reminder"].sudo().browse(ids)

    # ------------------------------------------------------------------
    # Printing
    # ------------------------------------------------------------------
    def _print(self, reminders):
        """Print the PDFs of ``reminders``, attach them to their emails and release
        the emails; a reminder whose PDF cannot be printed fails with the reason and
        its email is cancelled (never sent without it)."""
        reminders = reminders.filtered("documents_pending")
        if not reminders:
            return reminders
        try:
            with self.env.cr.savepoint():
                self._print_all(reminders)
            return reminders
        except pg_errors.TransactionRollbackError:
            raise  # a conflict with another transaction, not a printing failure
        except Exception:  # noqa: BLE001 - each reminder alone tells which one
            if len(reminders) == 1:
                self._fail(reminders)
                return reminders.browse()
        printed = reminders.browse()
        for reminder in reminders:
            printed |= self._print(reminder)
        return printed

    def _print_all(self, reminders):
        dispatch = self.env["account.dunning.dispatch"]
        dispatch._render_letters(reminders)
        emailing = reminders.filtered(lambda r: r.send_email and r.mail_message_id)
        rendered = {reminder.id: {} for reminder in emailing}
        for template, group in emailing.grouped(
            lambda r: r.level_id.mail_template_id
        ).items():
            if template.report_template_ids:
                rendered.update(
                    template._generate_template(group.ids, ("report_template_ids",))
                )
        attachments = dispatch._mail_attachments(emailing, rendered)
        for reminder in emailing:
            if attachments[reminder.id]:
                # sudo: the reminder's own message, which the mail module keeps
                reminder.mail_message_id.sudo().attachment_ids = [
                    Command.link(attachment_id)
                    for attachment_id in attachments[reminder.id]
                ]
        self._release(reminders)

    def _held_mails(self, reminders):
        # sudo: the reminders' own emails, which the mail module keeps as superuser
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", reminders.mail_message_id.ids),
                    ("dunning_held", "=", True),
                ]
            )
        )

    def _release(self, reminders):
        mails = self._held_mails(reminders)
        reminders._dunning_system_write({"documents_pending": False})
        if mails:
            mails.write({"dunning_held": False})
            self._wake_mail_queue()

    def _wake_mail_queue(self):
        """Have Odoo's mail queue send the emails released or queued now (by this
        step, or by a batch for the emails without PDFs) at once, not at its next
        round (an hour by default)."""
        mail_cron = self.env.ref(MAIL_CRON_XMLID, raise_if_not_found=False)
        if mail_cron:
            # sudo: waking the mail queue is no right of the user's
            mail_cron.sudo()._trigger()

    def _fail(self, reminder):
        """The PDF of ``reminder`` could not be printed: its email is cancelled, the
        reminder fails with the reason, to be sent again."""
        _logger.exception(
            "Payment reminder %s: its documents could not be printed", reminder.name
        )
        reason = _(
            "Its documents (letter or attachments) could not be printed; the email "
            "was not sent. Send it again once printing works (see the server log)."
        )
        self._held_mails(reminder).cancel()
        reminder._dunning_system_write(
            {"state": "failed", "failure_reason": reason, "documents_pending": False}
        )

    # ------------------------------------------------------------------
    # The scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _cron_print(self, seconds=None, first_chunk_always=True):
        """Print waiting documents in chunks until the queue is empty or the call's
        time is spent; report progress so that Odoo calls again. Returns how many
        reminders this call printed.

        The first chunk goes whatever the time, so that a call makes progress,
        unless ``first_chunk_always`` is False (the daily run's spare time).
        """
        budget = CallBudget(seconds or call_seconds(self.env))
        done = 0
        # the pace of this worker process's last chunk sizes the first one too: a
        # chunk takes about half the time left (PDFs take a second each or more)
        paces = _PACES if may_commit(self.env) else {}
        pace = paces.get(self.env.cr.dbname)
        if pace:
            size = max(1, min(MAX_CHUNK, int(budget.left() / 2 / pace)))
        else:
            size = FIRST_CHUNK if first_chunk_always else 1
        while first_chunk_always or budget.fits_another_step((pace or 0) * size):
            first_chunk_always = False
            started = now()
            chunk = self._claim(size)
            if chunk is None:  # met another worker's chunk: its transaction is over
                if not may_commit(self.env):
                    break
                self.env.cr.rollback()
                continue
            if not chunk:
                break
            self._print(chunk)
            done += len(chunk)
            if not step_done(self.env, budget, started):
                break
            pace = max(now() - started, 0.001) / len(chunk)
            paces[self.env.cr.dbname] = pace
            size = max(1, min(MAX_CHUNK, int(budget.left() / 2 / pace)))
        remaining = self._pending_count()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
