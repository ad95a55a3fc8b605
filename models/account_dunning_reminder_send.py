# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import namedtuple

from odoo import _, api, fields, models
from odoo.tools import html_sanitize

from .account_dunning_selection import ISSUED

# What a reminder asks in one currency: the invoices' amounts claimed, the recovery
# fees, the late interest, and their sum (each rounded to the currency)
AmountsAsked = namedtuple("AmountsAsked", "currency invoices fee interest total")
# the line figures they are made of
ASKED_FROM = (
    "line_ids.currency_id",
    "line_ids.amount_residual",
    "line_ids.amount_overdue",
    "line_ids.fee_amount",
    "line_ids.interest_amount",
)


class AccountDunningReminder(models.Model):
    """What the dispatch, the documents and the mail ask of one reminder: what it
    asks the customer to pay, its letter's addressee and file, its notes, the fate
    of its email, the edits made in the send wizard."""

    _inherit = "account.dunning.reminder"

    amount_asked_summary = fields.Char(
        string="Total Asked",
        compute="_compute_amount_asked_summary",
        help="What the reminder asks the customer to pay, in each invoice currency: "
        "the invoices' amounts, its recovery fees and its late interest.",
    )
    amounts_asked_html = fields.Html(
        string="Amounts Asked",
        compute="_compute_amounts_asked_html",
        # rendered by the module's own template, every value escaped by QWeb
        sanitize=False,
        help="The invoices, recovery fees, late interest and total asked in each "
        "currency, as the letter and the email show them.",
    )

    @api.depends(*ASKED_FROM)
    @api.depends_context("lang")  # formatted in the reader's language
    def _compute_amount_asked_summary(self):
        for reminder in self:
            reminder.amount_asked_summary = " + ".join(
                asked.currency.format(asked.total)
                for asked in reminder._dunning_amounts_asked()
            )

    @api.depends(*ASKED_FROM)
    @api.depends_context("lang")
    def _compute_amounts_asked_html(self):
        # the letter's own block: the form shows what the letter says
        QWeb = self.env["ir.qweb"]
        for reminder in self:
            reminder.amounts_asked_html = (
                QWeb._render("account_dunning.reminder_amounts_asked", {"o": reminder})
                if reminder.line_ids
                else False
            )

    def _dunning_amounts_asked(self):
        """What this reminder asks the customer to pay, one ``AmountsAsked`` per
        invoice currency (in the order of its lines), never converted: the letter,
        the emails and the form show these figures. The invoices count for what is
        reminded of them (see ``amount_reminded``); the total is the exact sum of
        the invoices, the fees and the interest."""
        self.ensure_one()
        result = []
        for currency, lines in self.line_ids.grouped("currency_id").items():
            invoices = currency.round(sum(lines.mapped("amount_reminded")))
            fee = currency.round(sum(lines.mapped("fee_amount")))
            interest = currency.round(sum(lines.mapped("interest_amount")))
            total = currency.round(invoices + fee + interest)
            result.append(AmountsAsked(currency, invoices, fee, interest, total))
        return result

    def _dunning_letter_addressee(self):
        """Whose postal address the letter bears: the first recipient with one, else
        the customer."""
        self.ensure_one()
        with_address = self.recipient_ids.filtered(
            lambda p: p._dunning_has_postal_address()
        )
        return with_address[:1] or self.partner_id

    def _dunning_note(self, text):
        self.ensure_one()
        self.message_post(
            body=text, message_type="comment", subtype_xmlid="mail.mt_note"
        )

    def _dunning_own_letter(self):
        """The letter the addon printed for this reminder, or nothing: a file that is
        not this reminder's own is never sent as its letter."""
        self.ensure_one()
        # sudo: the attachment's owner fields, to tell ours from any other file
        letter = self.letter_attachment_id.sudo()
        if letter and (letter.res_model, letter.res_id) == (self._name, self.id):
            return self.letter_attachment_id
        return self.env["ir.attachment"]

    def _dunning_mark_undelivered(self, reason):
        """The email could not be delivered (refused or bounced): failed, with why."""
        for reminder in self.filtered(lambda r: r.state in ISSUED):
            reminder._dunning_system_write(
                {
                    "state": "failed",
                    # what happened and what to do first; the mail server's
                    # own words after, for whoever checks it
                    "failure_reason": _(
                        "The email could not be delivered. Check the customer's "
                        "email address, or ask your administrator to check the "
                        "outgoing mail server, then send the reminder again.\n"
                        "Technical reason: %(reason)s",
                        reason=reason,
                    ),
                }
            )

    def _dunning_mark_delivered(self):
        """The mail server accepted the email: the reminder is sent."""
        self.filtered(lambda r: r.state in ("sending", "failed"))._dunning_system_write(
            {"state": "sent", "failure_reason": False}
        )

    def _message_receive_bounce(self, email, partner):
        """A reminder email bounced: the reminder failed."""
        result = super()._message_receive_bounce(email, partner)
        self._dunning_mark_undelivered(_("%(email)s bounced.", email=email))
        return result

    def _dunning_apply_edits(self, wizard):
        """Keep the subject and body the accountant edited in the send wizard; the
        number they show (the preview's) becomes the reminder's."""
        self.ensure_one()
        edits = {}
        if wizard.email_subject and wizard.email_subject != wizard.rendered_subject:
            edits["email_subject"] = wizard.email_subject
        if wizard.email_body and html_sanitize(wizard.email_body) != html_sanitize(
            wizard.rendered_body or ""
        ):
            edits["email_body"] = wizard.email_body
        if wizard.preview_name and wizard.preview_name != self.name:
            edits = {
                fname: text.replace(wizard.preview_name, self.name)
                for fname, text in edits.items()
            }
        if edits:
            self.write(edits)
