# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Personal data by the rules: reminders older than their company's retention period
(``res.company.dunning_retention_years``, 10 years by default: the accounting archive
period) lose their personal content, and keep their accounting facts.

Removed: the reminder's personal fields (``PERSONAL_CONTENT``: the email as written,
its recipients and copies, the letter, the call's outcome and note, the free texts),
the files stored on the reminder (letter, statement and reports its email carried),
its activities and followers, and in its chatter the content of the emails, notes and
closed activities, any message (bodies, subjects, addresses, links to files; the
tracked changes of its facts stay), of the queued emails (``mail.mail``: body,
addresses, recipients), who was notified of each message and how (``mail.notification``,
the SMS numbers with them) and its SMS still queued. The files go from the filestore
once the batch is committed, not at Odoo's next file cleanup (see
``_delete_files_after_commit``). Kept: the reminder's number, date, customer,
invoices, level, amounts, fees, state (its SMS status too) and its lines; the
invoices' own PDFs (accounting documents of their own, only unlinked from the email).

The scheduled action "Payment reminders: remove old personal content" works in
batches, each committed on its own, within the call's time (see ``cron_budget``);
``personal_data_cleared`` marks what is done, so that no reminder is done twice.
"""

import contextlib
import logging
import os
import re
from collections import Counter

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.sql_db import db_connect
from odoo.tools import SQL

from .cron_budget import CallBudget, call_seconds, now, step_done

_logger = logging.getLogger(__name__)

CRON_XMLID = "account_dunning.ir_cron_dunning_retention"
BATCH_SIZE = 500
# how long the deletion of the files waits for the lock of Odoo's file cleanup
FILE_LOCK_TIMEOUT_MS = 10000


class AccountDunningRetention(models.AbstractModel):
    """Service: remove the personal content of reminders past their retention
    period."""

    _name = "account.dunning.retention"
    _description = "Dunning Personal Data Retention"

    # ------------------------------------------------------------------
    # Which reminders
    # ------------------------------------------------------------------
    def _due_sql(self, today):
        """The reminders not cleared yet, dated before ``today`` less their
        company's retention years."""
        return SQL(
            """FROM account_dunning_reminder r
               JOIN res_company c ON c.id = r.company_id
              WHERE r.personal_data_cleared IS NULL
                AND r.date < (%s::date
                    - make_interval(years => c.dunning_retention_years))::date""",
            today,
        )

    def _claim(self, today, size):
        """Up to ``size`` reminders due, company by company, locked until the
        transaction ends; those a user is editing now wait for the next call."""
        self.env["account.dunning.reminder"].flush_model(
            ["personal_data_cleared", "date", "company_id"]
        )
        self.env["res.company"].flush_model(["dunning_retention_years"])
        self.env.cr.execute(
            SQL(
                "SELECT r.id %s ORDER BY r.company_id, r.id LIMIT %s "
                "FOR UPDATE OF r SKIP LOCKED",
                self._due_sql(today),
                size,
            )
        )
        # sudo: the scheduled action clears every company's old reminders
        return (
            self.env["account.dunning.reminder"]
            .sudo()
            .browse([row[0] for row in self.env.cr.fetchall()])
        )

    def _remaining(self, today):
        self.env.cr.execute(SQL("SELECT COUNT(*) %s", self._due_sql(today)))
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------
    # Clearing
    # ------------------------------------------------------------------
    def _clear(self, reminders, today):
        """Remove the personal content of ``reminders`` (see the module's
        docstring), in a few statements for the whole batch."""
        if not reminders:
            return reminders
        model = reminders._name
        # sudo: the records the mail module keeps for these reminders (chatter,
        # queue, activities, followers, files), whoever runs the retention
        env = self.sudo().env
        messages = env["mail.message"].search(
            [("model", "=", model), ("res_id", "in", reminders.ids)]
        )
        # every message loses its content (notes are posted as notifications as well
        # as comments); the tracked changes of the facts stay
        self._clear_tracking(messages, reminders)
        self._clear_mails(messages)
        self._clear_sms(messages)
        files = env["ir.attachment"].search(
            [
                "|",
                "&",
                ("res_model", "=", model),
                ("res_id", "in", reminders.ids),
                "&",
                ("res_model", "=", "mail.message"),
                ("res_id", "in", messages.ids),
            ]
        )
        # who was notified of each message and how (the SMS numbers too); the
        # reminder's SMS status, a fact, stays as it was
        with env.protecting([reminders._fields["sms_state"]], reminders):
            env["mail.notification"].search(
                [("mail_message_id", "in", messages.ids)]
            ).unlink()
        messages.write(
            {
                "body": "",
                "subject": False,
                "email_from": False,
                "reply_to": False,
                "partner_ids": [Command.clear()],
                "attachment_ids": [Command.clear()],
            }
        )
        self._delete_files_after_commit(set(filter(None, files.mapped("store_fname"))))
        files.unlink()
        owned = [("res_model", "=", model), ("res_id", "in", reminders.ids)]
        # done activities are kept archived by some activity types: those too
        env["mail.activity"].with_context(active_test=False).search(owned).unlink()
        env["mail.followers"].search(owned).unlink()
        reminders._dunning_clear_personal_content(today)
        return reminders

    def _clear_tracking(self, messages, reminders):
        """The tracked old and new values of the personal fields (the call's
        outcome): the facts' tracking (level, date, state...) stays."""
        personal = [
            fname
            for fname in reminders._dunning_personal_content
            if getattr(reminders._fields[fname], "tracking", False)
        ]
        if not personal or not messages:
            return
        # sudo: as in _clear, the mail module's records of these reminders
        self.env["mail.tracking.value"].sudo().search(
            [
                ("mail_message_id", "in", messages.ids),
                ("field_id.model", "=", reminders._name),
                ("field_id.name", "in", personal),
            ]
        ).unlink()

    def _clear_mails(self, messages):
        """The queued copies of the emails: their body and addresses emptied; one
        still waiting to go is cancelled (it would go to nobody)."""
        # sudo: as in _clear, the mail module's queue of these reminders' emails
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "in", messages.ids)])
        )
        if not mails:
            return
        mails.filtered(lambda m: m.state in ("outgoing", "exception")).cancel()
        mails.write(
            {
                "body_html": False,
                "email_to": False,
                "email_cc": False,
                "recipient_ids": [Command.clear()],
                "headers": False,
            }
        )

    def _clear_sms(self, messages):
        """The SMS of these messages still queued or in error (Odoo deletes those
        sent; the numbers they went to are on their notifications, see _clear)."""
        # sudo: as in _clear, the SMS module's records of these reminders' SMS
        self.sudo().env["sms.sms"].search(
            [("mail_message_id", "in", messages.ids)]
        ).unlink()

    # ------------------------------------------------------------------
    # The files
    # ------------------------------------------------------------------
    def _delete_files_after_commit(self, fnames):
        """Delete the filestore files ``fnames`` (of attachments this transaction
        deletes) once it is committed, those no other attachment uses: not left
        until Odoo's next file cleanup (``ir.attachment._gc_file_store``, daily)."""
        if not fnames or self.env["ir.attachment"]._storage() != "file":
            return
        dbname, fnames = self.env.cr.dbname, sorted(fnames)

        @self.env.cr.postcommit.add
        def delete_files():
            try:
                with db_connect(dbname).cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["account.dunning.retention"]._delete_unused_files(fnames)
            # the commit is done whatever happens here: Odoo's cleanup comes later
            except Exception:  # noqa: BLE001
                _logger.warning(
                    "Reminders' files left to Odoo's cleanup", exc_info=True
                )

    def _delete_unused_files(self, fnames):
        """Delete the files ``fnames`` of the filestore that no attachment uses, and
        their marks in Odoo's cleanup list; return how many were deleted. Takes the
        lock of Odoo's own cleanup first (no attachment of these files can be made
        meanwhile), as the first statement of a transaction of its own; when it is
        not free within seconds, the files are left to Odoo's cleanup."""
        cr = self.env.cr
        Attachment = self.env["ir.attachment"]
        # before any query: the snapshot is taken once the lock is held, so that
        # it sees every attachment committed meanwhile (as Odoo's cleanup does)
        cr.execute(SQL("SET LOCAL lock_timeout TO %s", f"{FILE_LOCK_TIMEOUT_MS}ms"))
        try:
            with cr.savepoint(flush=False):
                cr.execute("LOCK ir_attachment IN SHARE MODE")
        except pg_errors.LockNotAvailable:
            _logger.info("Reminders' files left to Odoo's cleanup: attachments busy")
            return 0
        cr.execute(
            SQL(
                "SELECT store_fname FROM ir_attachment WHERE store_fname = ANY(%s)",
                list(fnames),
            )
        )
        used = {row[0] for row in cr.fetchall()}
        checklist = Attachment._full_path("checklist")
        deleted = 0
        for fname in sorted(set(fnames) - used):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(Attachment._full_path(fname))
                deleted += 1
            # its mark for Odoo's cleanup (ir.attachment._mark_for_gc): done
            mark = os.path.join(checklist, re.sub("[.]", "", fname).strip("/\\"))
            with contextlib.suppress(FileNotFoundError):
                os.unlink(mark)
        return deleted

    # ------------------------------------------------------------------
    # The scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _cron_clear(self, batch_size=BATCH_SIZE, date=None):
        """Clear the reminders past their retention period in batches, each
        committed, within the call's time; report progress so that Odoo calls
        again. Returns how many reminders this call cleared."""
        budget = CallBudget(call_seconds(self.env))
        today = date or fields.Date.context_today(self)
        per_company = Counter()
        done = remaining = 0
        while True:
            started = now()
            batch = self._claim(today, batch_size)
            if not batch:
                break
            self._clear(batch, today)
            for company, group in batch.grouped("company_id").items():
                per_company[company] += len(group)
            done += len(batch)
            remaining = self._remaining(today)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if not step_done(self.env, budget, started) or len(batch) < batch_size:
                break
        self._log(per_company)
        # what the last batch left (rows a user holds wait for the next day's call)
        if remaining:
            # sudo: the scheduled action wakes itself; not a right of the caller's
            self.env.ref(CRON_XMLID).sudo()._trigger()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _log(self, per_company):
        if not per_company:
            _logger.info("Payment reminders: no personal content past its retention")
        for company, count in per_company.items():
            _logger.info(
                "Payment reminders of %s: personal content removed from %s reminder(s) "
                "older than %s years",
                company.name,
                count,
                company.dunning_retention_years,
            )
