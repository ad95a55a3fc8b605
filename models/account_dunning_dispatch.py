# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Step 4 of the pipeline, *dispatch*: each reminder through its channels.

Like core's ``account.move.send``: one entry point (``_send``), a method per channel
(``_render_letters``, ``_send_emails``, ``_schedule_activities``, ``_send_sms``)
that a channel module extends, then what follows a sent reminder (charges, notes,
holds, hand-over). Each reminder ends ``sending``/``sent`` or ``failed`` with its
reason; its state then follows its email (see ``mail.mail``), and its SMS state
follows its SMS (``sms_state``).

PDFs take about a second each with some wkhtmltopdf builds: the daily run, and a send
of many reminders, leave them to ``account.dunning.documents``, which prints them
after the batch and attaches them to the emails held in the queue meanwhile.
"""

from markupsafe import Markup, escape

from odoo import Command, _, api, models
from odoo.tools import SQL

from odoo.addons.mail.models.mail_message import _image_dataurl

from .ir_qweb import MAIL_BATCH_KEY

LETTER_REPORT = "account_dunning.action_report_dunning_letter"
STATEMENT_REPORT = "account_dunning.action_report_customer_statement"
# what a reminder email takes from its template (those send_mail_batch renders)
MAIL_RENDERED_FIELDS = (
    "attachment_ids",
    "auto_delete",
    "body_html",
    "email_cc",
    "email_from",
    "email_to",
    "mail_server_id",
    "partner_to",
    "reply_to",
    "report_template_ids",
    "scheduled_date",
    "subject",
)
# Above this many reminders with PDFs to print, a send leaves the printing to the
# documents step (the user does not wait minutes for a mass send).
INLINE_DOCUMENTS_MAX = 10
# Odoo's email layout (the company's logo, colours and footer) around each email,
# as Odoo's own emails have it; rendered once per company and language with these
# slots, where each reminder's number and body go
EMAIL_LAYOUT = "mail.mail_notification_light"
NAME_SLOT, BODY_SLOT = "__dunning_reminder_name__", "__dunning_reminder_body__"


class AccountDunningDispatch(models.AbstractModel):
    """Service: send reminders through their channels."""

    _name = "account.dunning.dispatch"
    _description = "Dunning Dispatch"

    def _send(self, reminders, log_invoices=True, defer_documents=None):
        """Run each reminder's channels. It ends ``sent``; or ``failed`` with the reason
        when its email cannot be queued; or stays as it was, with the reason, when
        missing data leaves it no channel (it waits in the review queue).

        The note of each reminder goes on its customer, and on each of its invoices
        unless ``log_invoices`` is False (the daily run: their Payment Reminders tab
        lists every reminder already).

        ``defer_documents``: whether the PDFs (letter, invoices, statement, the
        template's reports) are left to the documents step, their emails held in the
        queue until then; by default when more than INLINE_DOCUMENTS_MAX reminders
        have some.
        """
        reminders = reminders.filtered(lambda r: r.state in ("draft", "failed"))
        # who takes each activity, asked once for the fallbacks and the scheduling
        activity_users = {
            reminder.id: self._activity_user(reminder)
            for reminder in reminders.filtered("create_activity")
        }
        # where each SMS goes, or why it cannot, asked once for all
        sms_targets = self._sms_targets(
            [
                (r.id, r.level_id, r.recipient_ids, r.partner_id)
                for r in reminders.filtered("send_sms")
            ]
        )
        waiting = self._apply_fallbacks(reminders, activity_users, sms_targets)
        for reminder in reminders.filtered(lambda r: r.id in waiting):
            reminder._dunning_system_write({"failure_reason": waiting[reminder.id]})
        ready = reminders.filtered(lambda r: r.id not in waiting)
        self._retire_failed_mails(ready.filtered(lambda r: r.state == "failed"))
        # one write per count (the daily run's reminders are all at 0): not per reminder
        for count, group in ready.grouped("attempt_count").items():
            group._dunning_system_write({"attempt_count": count + 1})
        deferred = self._with_documents(ready)
        if defer_documents is None:
            defer_documents = len(deferred) > INLINE_DOCUMENTS_MAX
        if not defer_documents:
            deferred = deferred.browse()
        self._render_letters(ready - deferred)
        failures = self._send_emails(ready, held=deferred)
        failed = ready.filtered(lambda r: r.id in failures)
        for reminder in failed:
            reminder._dunning_system_write(
                {"state": "failed", "failure_reason": failures[reminder.id]}
            )
        sent = ready - failed
        documents = self.env["account.dunning.documents"]
        documents._queue(deferred & sent)
        if (sent - deferred).filtered("send_email"):
            documents._wake_mail_queue()  # ready now: they leave at once
        self._schedule_activities(sent, activity_users)
        # after the emails: an SMS that cannot go never fails its reminder
        self._send_sms(sent, sms_targets)
        # an email is out once the mail server accepted it (see mail.mail): until
        # then its reminder is issued, and says so, but not "Sent"
        emailed = sent.filtered("send_email")
        emailed._dunning_system_write({"state": "sending", "failure_reason": False})
        (sent - emailed)._dunning_system_write(
            {"state": "sent", "failure_reason": False}
        )
        self.env["account.dunning.charges"]._invoice_charges(sent)
        self._log_on_documents(sent, log_invoices)
        self.env["account.dunning.credit"]._apply_holds(sent)
        handed_over = sent.filtered(
            lambda r: r.level_id.collection_handoff
            and r.partner_id.dunning_stage != "collection"
        ).partner_id
        if handed_over:
            handed_over.action_dunning_handoff()
        return sent

    def _apply_fallbacks(self, reminders, activity_users, sms_targets=None):
        """Missing data blocks only its own channel: an email nobody can receive becomes
        a letter; a letter without a postal address is left out when an email goes;
        an activity nobody can take (``activity_users``: per reminder id, see
        ``_activity_user``), or an SMS that cannot go (``sms_targets``, see
        ``_sms_targets``), is left out when another channel goes.
        Returns {reminder id: reason} of those left without any channel.
        """
        waiting = {}
        sms_targets = sms_targets or {}
        for reminder in reminders:
            customer = reminder.partner_id.display_name
            sms_problem = reminder.send_sms and sms_targets[reminder.id][2]
            if sms_problem:
                if not (
                    reminder.send_email
                    or reminder.send_letter
                    or reminder.create_activity
                ):
                    waiting[reminder.id] = sms_problem
                    continue
                reminder._dunning_system_write({"send_sms": False})
                reminder._dunning_note(
                    sms_problem + " " + _("The reminder goes without it.")
                )
            if reminder.create_activity and not activity_users[reminder.id]:
                reason = _(
                    "Nobody can take the activity for %(customer)s: set its dunning "
                    "responsible, its salesperson or the company's default dunning "
                    "responsible.",
                    customer=customer,
                )
                if not (reminder.send_email or reminder.send_letter):
                    waiting[reminder.id] = reason
                    continue
                reminder._dunning_system_write({"create_activity": False})
                reminder._dunning_note(
                    reason + " " + _("The reminder goes without it.")
                )
            if not (
                reminder.send_email
                or reminder.send_letter
                or reminder.create_activity
                or reminder.send_sms
            ):
                # nothing would go out: never "Sent", the invoices stay where they are
                waiting[reminder.id] = _(
                    "No channel is chosen: tick Email, Letter, Activity or SMS, then "
                    "send it."
                )
                continue
            has_address = (
                reminder._dunning_letter_addressee()._dunning_has_postal_address()
            )
            if reminder.send_email and not reminder.email_partner_to:
                reason = _("%(customer)s has no email address.", customer=customer)
                if not has_address:
                    waiting[reminder.id] = " ".join(
                        [reason, _("There is no postal address for a letter either.")]
                    )
                    continue
                reminder._dunning_system_write(
                    {"send_email": False, "send_letter": True}
                )
                reminder._dunning_note(
                    reason + " " + _("A letter is prepared instead.")
                )
            if reminder.send_letter and not has_address:
                reason = _(
                    "%(customer)s has no postal address for a letter.",
                    customer=customer,
                )
                if not reminder.send_email:
                    waiting[reminder.id] = reason
                    continue
                reminder._dunning_system_write({"send_letter": False})
                reminder._dunning_note(reason + " " + _("The email goes alone."))
        return waiting

    def _with_documents(self, reminders):
        """The reminders that have a PDF to print: a letter to post or to attach to
        the email, the invoices or the statement, or the email template's reports."""

        def has_documents(reminder):
            level = reminder.level_id
            letter = reminder.send_letter or (
                reminder.send_email and level.attach_letter
            )
            if letter and not reminder._dunning_own_letter():
                return True
            return reminder.send_email and bool(
                level.attach_invoices
                or level.attach_statement
                or level.mail_template_id.report_template_ids
            )

        return reminders.filtered(has_documents)

    def _render_letters(self, reminders):
        """The letter of each reminder that prints one or attaches it to its email,
        stored as an attachment of the reminder; all rendered in one go."""
        # a reminder past its retention period gets no letter again: its letter
        # was removed with its personal content
        todo = reminders.filtered(
            lambda r: not r._dunning_own_letter()
            and not r.personal_data_cleared
            and (r.send_letter or (r.send_email and r.level_id.attach_letter))
        )
        if not todo:
            return
        documents, extension = self.env["ir.actions.report"]._dunning_render(
            LETTER_REPORT, todo
        )
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{reminder.name.replace('/', '-')}.{extension}",
                    "raw": documents[reminder.id],
                    "res_model": reminders._name,
                    "res_id": reminder.id,
                }
                for reminder in todo
            ]
        )
        for reminder, attachment in zip(todo, attachments, strict=True):
            reminder._dunning_system_write({"letter_attachment_id": attachment.id})
        Report = self.env["ir.actions.report"]
        if extension == "html" and Report._dunning_pdf_missing():
            # said where the accountant sees the letter, not only in the server log
            for reminder in todo:
                reminder._dunning_note(
                    _(
                        "The letter is attached as a web page (.html), not a PDF: "
                        "wkhtmltopdf, which Odoo prints PDFs with, is not installed "
                        "on the server. Print the page from a browser, or ask your "
                        "administrator to install wkhtmltopdf."
                    )
                )

    def _retire_failed_mails(self, reminders):
        """Sending a failed reminder again queues a new email: the failed one is
        cancelled first, so that a retry from the outgoing queue cannot mail the
        customer a second copy."""
        # sudo: the reminder's own emails, which the mail module keeps as superuser
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", reminders.mail_message_id.ids),
                    ("state", "=", "exception"),
                ]
            )
        )
        mails.cancel()

    def _send_emails(self, reminders, held=None):
        """Queue the emails of the reminders that send one; return {reminder id: reason}
        of those that cannot be queued. Those of ``held`` wait in the queue without
        their PDFs, which the documents step attaches."""
        failures = {}
        held_ids = set(held.ids) if held else set()
        emailing = reminders.filtered("send_email")
        for (template, waits), group in emailing.grouped(
            lambda r: (r.level_id.mail_template_id, r.id in held_ids)
        ).items():
            if not template:
                for reminder in group:
                    failures[reminder.id] = _(
                        "Level %(level)s has no email template.",
                        level=reminder.level_id.name,
                    )
                continue
            mails = self._queue_emails(group, template, held=waits)
            for reminder, mail in zip(group, mails, strict=True):
                reminder._dunning_system_write(
                    {"mail_message_id": mail.mail_message_id.id}
                )
        return failures

    def _queue_emails(self, reminders, template, held=False):
        """Queue one email per reminder, rendered from ``template``, with the letter,
        invoices and statement its level asks for and the subject and body edited
        before sending; return the mails in the reminders' order. ``held``: the PDFs
        are left out, and the emails wait for them (see ``account.dunning.documents``).

        What ``mail.template.send_mail_batch`` does without a layout, in one batch
        instead of chunks of 50, and with the message created before its mail: a mail
        created with the body sanitizes it a third time for its own copy of the
        inherited field (about 1.7 ms for an email of a dozen invoices).
        """
        template._send_check_access(reminders.ids)
        fields = MAIL_RENDERED_FIELDS
        if held:  # the template's reports are PDFs too
            fields = tuple(f for f in fields if f != "report_template_ids")
        rendered = template.with_context(**{MAIL_BATCH_KEY: True})._generate_template(
            reminders.ids, fields
        )
        attachments = self._mail_attachments(reminders, rendered, documents=not held)
        layouts = self._email_layouts(reminders)
        message_vals, mail_vals = [], []
        for reminder in reminders:
            values = rendered[reminder.id]
            body = reminder.email_body or values.get("body_html") or ""
            message = {
                "model": reminders._name,
                "res_id": reminder.id,
                "message_type": "email_outgoing",
                "subject": reminder.email_subject or values.get("subject") or False,
                "body": body,
                "reply_to": values.get("reply_to") or False,
                "mail_server_id": values.get("mail_server_id") or False,
                "attachment_ids": [Command.link(a) for a in attachments[reminder.id]],
            }
            if values.get("email_from"):  # else the author's, as in core
                message["email_from"] = values["email_from"]
            message_vals.append(message)
            mail_vals.append(
                {
                    "body_html": self._in_layout(layouts, reminder, body),
                    "email_to": values.get("email_to") or False,
                    "email_cc": values.get("email_cc") or False,
                    "recipient_ids": [
                        Command.link(pid) for pid in values.get("partner_ids") or []
                    ],
                    "auto_delete": values.get("auto_delete", False),
                    "scheduled_date": values.get("scheduled_date") or False,
                    "dunning_held": held,
                }
            )
        # sudo: queuing mail is the mail module's business, as in send_mail_batch
        messages = self._create_messages(message_vals)
        for mail, message in zip(mail_vals, messages, strict=True):
            # not a notification: the mail owns its message, as in send_mail_batch
            mail.update(mail_message_id=message.id, is_notification=False)
        # sudo: as the messages above
        mails = self.env["mail.mail"].sudo().create(mail_vals)
        mails._dunning_track_recipients()  # one delivery record per contact
        return mails

    def _email_layouts(self, reminders):
        """{(company id, language): the layout's HTML with its slots} for the
        companies and customers' languages of ``reminders``."""
        layouts = {}
        model = self.env["ir.model"]._get(reminders._name)
        for reminder in reminders:
            key = self._layout_key(reminder)
            if key in layouts:
                continue
            lang = key[1]
            # sudo: an unsaved message, only to render the layout as mail does
            message = (
                self.env["mail.message"]
                .sudo()
                .new({"body": Markup(BODY_SLOT), "record_name": NAME_SLOT})
            )
            html = (
                self.env["ir.qweb"]
                .with_context(lang=lang)
                ._render(
                    EMAIL_LAYOUT,
                    {
                        "message": message,
                        "model_description": model.with_context(lang=lang).display_name,
                        "company": reminder.company_id.with_context(lang=lang),
                        "record": reminder,
                    },
                    minimal_qcontext=True,
                    raise_if_not_found=False,
                )
            )
            layouts[key] = (
                self.env["mail.render.mixin"]._replace_local_links(html)
                if html
                else None
            )
        return layouts

    def _layout_key(self, reminder):
        """The layout a reminder's email goes in: its company's, in its customer's
        language."""
        return reminder.company_id.id, reminder.partner_id.lang or self.env.lang

    def _in_layout(self, layouts, reminder, body):
        """``body`` in the layout of the reminder's company and language."""
        layout = layouts.get(self._layout_key(reminder))
        if not layout:
            return body
        name = escape(reminder.name.replace("/", "-"))
        return (
            str(layout)
            .replace(NAME_SLOT, name)
            .replace(f"<p>{BODY_SLOT}</p>", body)
            .replace(BODY_SLOT, body)
        )

    @api.model
    def _create_messages(self, vals_list):
        """Create the messages of the reminder emails, their bodies sanitized once.

        The ORM sanitizes an HTML value twice when it creates a record (for the
        column, then for the cache); a reminder body of a dozen invoices takes about
        a millisecond each time. The bodies are sanitized here by the field's own
        conversion, the same rules, then stored in one statement. A body with
        embedded images goes through create, which turns them into attachments.
        """
        # sudo: the emails of reminders the user may send; the mail module queues
        # them as superuser too (send_mail_batch)
        messages = self.env["mail.message"].sudo()
        body_field = messages._fields["body"]
        bodies, to_create = {}, []
        for index, vals in enumerate(vals_list):
            if vals.get("body") and not _image_dataurl.search(vals["body"]):
                bodies[index] = body_field.convert_to_cache(vals["body"], messages)
                vals = dict(vals, body="")
            to_create.append(vals)
        messages = messages.create(to_create)
        if bodies:
            rows = [(messages[index].id, body) for index, body in bodies.items()]
            self.env.cr.execute(
                SQL(
                    """UPDATE mail_message m SET body = v.body
                         FROM (VALUES %s) AS v(id, body)
                        WHERE m.id = v.id""",
                    SQL(", ").join(SQL("(%s, %s)", *row) for row in rows),
                )
            )
            messages.invalidate_recordset(["body"])
        return messages

    def _mail_attachments(self, reminders, rendered, documents=True):
        """{reminder id: attachment ids} of each reminder's email: the template's own
        and reports (``rendered``: what the template generated), then the letter,
        invoices and statement its level asks for; without ``documents``, only the
        template's own files (the PDFs come later)."""
        if not documents:
            return {
                reminder.id: list(rendered[reminder.id].get("attachment_ids") or [])
                for reminder in reminders
            }
        report_attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": name,
                    "datas": datas,
                    "res_model": reminders._name,
                    "res_id": reminder_id,
                }
                for reminder_id, values in rendered.items()
                for name, datas in values.get("attachments") or []
            ]
        )
        reports = report_attachments.grouped("res_id")
        invoice_pdfs = self.env["account.move"]._dunning_invoice_pdfs(
            reminders.filtered(lambda r: r.level_id.attach_invoices).line_ids.move_id
        )
        statements = self._statement_attachments(
            reminders.filtered(lambda r: r.level_id.attach_statement)
        )
        result = {}
        for reminder in reminders:
            level = reminder.level_id
            ids = list(rendered[reminder.id].get("attachment_ids") or [])
            ids += reports.get(reminder.id, report_attachments).ids
            if level.attach_letter and reminder._dunning_own_letter():
                ids.append(reminder.letter_attachment_id.id)
            if level.attach_invoices:
                ids += [
                    invoice_pdfs[move.id].id
                    for move in reminder.line_ids.move_id
                    if move.id in invoice_pdfs
                ]
            if reminder.id in statements:
                ids.append(statements[reminder.id].id)
            result[reminder.id] = ids
        return result

    def _statement_attachments(self, reminders):
        """{reminder id: attachment} of the customer statement, rendered in one go."""
        if not reminders:
            return {}
        partners = reminders.partner_id
        documents, extension = self.env["ir.actions.report"]._dunning_render(
            STATEMENT_REPORT, partners
        )
        attachments = self.env["ir.attachment"].create(
            [
                {
                    # the customer's file, named in the customer's language (a
                    # comprehension has no self for _() to find a language in)
                    "name": self.with_context(lang=reminder.partner_id.lang).env._(
                        "Statement %(customer)s", customer=reminder.partner_id.name
                    )
                    + f".{extension}",
                    "raw": documents[reminder.partner_id.id],
                    "res_model": reminders._name,
                    "res_id": reminder.id,
                }
                for reminder in reminders
            ]
        )
        return {a.res_id: a for a in attachments}

    def _log_on_documents(self, reminders, log_invoices=True):
        """A note in the chatter of the customer (and of each invoice reminded), created
        in one batch."""
        note = self.env.ref("mail.mt_note").id
        author = self.env.user.partner_id
        documents = []  # (model, res_id, body)
        for reminder in reminders:
            body = Markup("%s <b>%s</b> (%s)") % (
                _("Payment reminder"),
                reminder.name,
                escape(reminder.level_id.name or ""),
            )
            documents.append(("res.partner", reminder.partner_id.id, body))
            if log_invoices:
                documents += [
                    ("account.move", move.id, body)
                    for move in reminder.line_ids.move_id
                ]
        headers = self._note_headers(documents, author.email_formatted)
        self.env["mail.message"].sudo().create(  # notes only, no recipient
            [
                {
                    "model": model,
                    "res_id": res_id,
                    "body": body,
                    "message_type": "notification",
                    "subtype_id": note,
                    "author_id": author.id,
                    "email_from": author.email_formatted,
                    **headers[model, res_id],
                }
                for model, res_id, body in documents
            ]
        )

    def _note_headers(self, documents, email_from):
        """Reply-to and record name of each (model, res_id), computed per model in one
        go: left out, mail.message would look them up one message at a time."""
        headers = {}
        by_model = {}
        for model, res_id, __ in documents:
            by_model.setdefault(model, []).append(res_id)
        for model, ids in by_model.items():
            # sudo: the record name is stored on the message as Odoo stores it, read
            # as superuser whatever the user may read of the record
            records = self.env[model].sudo().browse(ids)
            reply_to = records._notify_get_reply_to(default=email_from)
            for record in records:
                headers[model, record.id] = {
                    "reply_to": reply_to[record.id],
                    "record_name": record.display_name,
                }
        return headers
