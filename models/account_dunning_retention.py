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
addresses, recipients) and of its SMS (the numbers, the SMS still queued). Kept:
the reminder's number, date, customer, invoices, level, amounts, fees, state and
its lines; the invoices' own PDFs (accounting documents of their own, only unlinked
from the email).

The scheduled action "Payment reminders: remove old personal content" works in
batches, each committed on its own, within the call's time (see ``cron_budget``);
``personal_data_cleared`` marks what is done, so that no reminder is done twice.
"""

import logging
from collections import Counter

from odoo import Command, api, fields, models
from odoo.tools import SQL

from .cron_budget import CallBudget, call_seconds, now, step_done

_logger = logging.getLogger(__name__)

CRON_XMLID = "account_dunning.ir_cron_dunning_retention"
BATCH_SIZE = 500


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
        """The SMS of these messages: the numbers they went to (kept on their
        notifications, which follow the delivery), and the SMS still queued or in
        error (Odoo deletes those sent)."""
        # sudo: as in _clear, the SMS module's records of these reminders' SMS
        env = self.sudo().env
        env["sms.sms"].search([("mail_message_id", "in", messages.ids)]).unlink()
        env["mail.notification"].search(
            [
                ("mail_message_id", "in", messages.ids),
                ("notification_type", "=", "sms"),
            ]
        ).write({"sms_number": False})

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
