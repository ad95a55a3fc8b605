# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Collection: what goes with a customer handed over to an agency or a lawyer (the
dossier: last formal notice, statement, reminder history, open invoices).

Only what collection needs leaves the company: the customer's identity and address
(the letter and statement), its invoices, amounts and due dates, and the dates,
levels and channels of the reminders that went out. Not the drafts and the
reminders that never went out, nor why an email failed (the mail server's words,
addresses), nor notes, call notes or who in the company wrote them."""

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..dunning.aging import BUCKETS
from ..dunning.csv_export import csv_bytes
from ..dunning.figures import Entry, kind, position
from .account_dunning_selection import ISSUED


class AccountDunningCollection(models.AbstractModel):
    """Service: the collection dossier and the history exports."""

    _name = "account.dunning.collection"
    _description = "Dunning Collection"

    def _hand_over(self, customers):
        """Hand ``customers`` over to collection: reminders stop, and a dossier is
        attached to each for the agency or the lawyer."""
        already = customers.filtered(lambda p: p.dunning_stage == "collection")
        if already:
            raise UserError(
                _(
                    "%(customers)s is already in collection.",
                    customers=", ".join(already.mapped("display_name")),
                )
            )
        # sudo: the hand-over is a collection decision billing users may take; it
        # writes the customer's stage and dossier, not its contact details
        customers.sudo().write(
            {
                "dunning_stage": "collection",
                "dunning_collection_date": fields.Date.context_today(self),
            }
        )
        for customer in customers:
            self._post_dossier(customer)
        # their drafts waiting for review will not go: cancelled at once, with why
        self.env["account.dunning.engine"]._retire_stale_drafts(
            fields.Date.context_today(self), partners=customers
        )

    def _take_back(self, customers):
        """Take ``customers`` back from collection: reminders resume."""
        customers = customers.filtered(lambda p: p.dunning_stage == "collection")
        customers.sudo().write(  # see action_dunning_handoff()
            {"dunning_stage": "dunning", "dunning_collection_date": False}
        )
        for customer in customers:
            customer.sudo().message_post(  # see action_dunning_handoff()
                body=_("Back from collection: reminders resume."),
                subtype_xmlid="mail.mt_note",
            )

    def _statement(self, customer, date):
        """``customer``'s open items in the current company on ``date``, for its
        statement and its account in the portal, all from the selection: {"date",
        "currency", "lines", "aging", "credit", "total", "balance", "overdue",
        "past_due", "not_due", "overdue_lines", "not_due_lines", "credit_lines"}.

        The figures are those of ``dunning.figures`` (the collection desk's, in
        company currency): ``overdue`` what is past due less the credits to apply
        (``credit``), never below zero; ``past_due`` what is past due before the
        credits; ``not_due`` what is not due yet; ``balance`` (``total``) what is
        open, credits included.

        Each line: the entry, its kind (``overdue``, ``not_due`` or ``credit``, see
        ``dunning.figures.kind``), its due date (a credit: its date), days late, the
        open amount in the entry's currency and in company currency, and its parts
        past due and not due yet in the entry's currency. ``overdue_lines``: the
        past-due parts of the entries; ``not_due_lines``: their parts not due yet,
        dated by their next instalment; ``credit_lines``: the credits. Aging: the
        debit instalments per bucket, in company currency, before the credits.
        """
        company = self.env.company
        rows = self.env["account.dunning.selection"]._open_items(
            company,
            date,
            SQL("lp.commercial_partner_id = %s", customer.id),
            aged=True,
        )
        Move = self.env["account.move"]
        moves = Move.browse([row["move_id"] for row in rows])
        moves.fetch(["name", "invoice_date", "date", "currency_id"])
        currency = company.currency_id
        lines = []
        for row, move in zip(rows, moves, strict=True):
            line_kind = kind(row["residual"], row["overdue_residual"])
            lines.append(
                {
                    "move": move,
                    "kind": line_kind,
                    "date": move.invoice_date or move.date,
                    "date_due": row["due"],
                    "days_overdue": (date - row["due"]).days
                    if line_kind == "overdue"
                    else 0,
                    "amount_currency": row["residual_currency"],
                    "amount": currency.round(row["residual"]),
                    "past_due_currency": row["overdue_currency"],
                    "not_due_currency": row["residual_currency"]
                    - row["overdue_currency"]
                    if line_kind != "credit"
                    else 0.0,
                    "not_due_date": row["not_due_date"],
                }
            )
        lines.sort(key=lambda line: (line["date_due"], line["move"].id))
        aged = {
            key: currency.round(sum(row[f"aged_{key}"] for row in rows))
            for key in BUCKETS
        }
        figures = position(
            [Entry(row["residual"], row["overdue_residual"]) for row in rows],
            digits=currency.decimal_places,
        )
        return {
            "date": date,
            "currency": currency,
            "lines": lines,
            "aging": aged,
            "credit": figures.credit,
            "total": figures.balance,
            "balance": figures.balance,
            "overdue": figures.overdue,
            "past_due": figures.past_due,
            "not_due": figures.not_due,
            "overdue_lines": [line for line in lines if line["kind"] == "overdue"],
            "not_due_lines": sorted(
                (
                    line
                    for line in lines
                    if line["kind"] != "credit"
                    and not line["move"].currency_id.is_zero(line["not_due_currency"])
                ),
                key=lambda line: (
                    line["not_due_date"] or line["date_due"],
                    line["move"].id,
                ),
            ),
            "credit_lines": [line for line in lines if line["kind"] == "credit"],
        }

    def _post_dossier(self, partner):
        """The collection dossier, posted on the customer: the last formal notice
        (else the last letter), the statement, the reminder history and the open
        invoices as CSV."""
        partner.ensure_one()
        files = self._dossier_files(partner)
        # sudo: the dossier goes with the hand-over (see action_dunning_handoff());
        # its files are the customer's own letters, statement and history
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": raw,
                        "res_model": "res.partner",
                        "res_id": partner.id,
                    }
                    for name, raw in files
                ]
            )
        )
        partner.sudo().message_post(  # see action_dunning_handoff()
            body=_("Handed over to collection. The dossier is attached."),
            attachment_ids=attachments.ids,
            subtype_xmlid="mail.mt_note",
        )
        return attachments

    def _dossier_files(self, partner):
        """[(file name, bytes)] of the collection dossier."""
        partner.ensure_one()
        reminders = self.env["account.dunning.reminder"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.env.company.id),
            ],
            order="date, id",
        )
        sent = reminders.filtered(lambda r: r.state in ISSUED)
        notices = self._formal_notices(sent) or sent[-1:]
        files = []
        if notices:
            self.env["account.dunning.dispatch"]._render_letters(notices)
            files += [
                (notice.letter_attachment_id.name, notice.letter_attachment_id.raw)
                for notice in notices
                if notice.letter_attachment_id
            ]
        documents, extension = self.env["ir.actions.report"]._dunning_render(
            "account_dunning.action_report_customer_statement", partner
        )
        files.append(
            (
                _("Statement %(customer)s", customer=partner.name) + f".{extension}",
                documents[partner.id],
            )
        )
        # what the customer was sent (or was tried): drafts are the company's work
        tried = reminders.filtered(lambda r: r.state in (*ISSUED, "failed"))
        files.append((_("Reminder history.csv"), self._history_csv(tried)))
        files.append((_("Open invoices.csv"), self._open_invoices_csv(partner)))
        return files

    def _formal_notices(self, sent):
        """The reminders among ``sent`` that carried each invoice's last formal
        notice (an invoice's line at a formal-notice level), oldest first: a
        reminder sent by hand for one invoice names only that invoice's."""
        last_by_move = {}
        for reminder in sent.sorted(lambda r: (r.date, r.id)):
            for line in reminder.line_ids.filtered("level_id.formal_notice"):
                last_by_move[line.move_id] = reminder
        notices = self.env["account.dunning.reminder"]
        for reminder in last_by_move.values():
            notices |= reminder
        return notices.sorted(lambda r: (r.date, r.id))

    def _open_invoices_csv(self, partner):
        statement = partner._dunning_statement()
        rows = [
            [
                line["move"].name,
                line["date"],
                line["date_due"],
                line["days_overdue"],
                line["amount_currency"],
                line["move"].currency_id.name,
                line["amount"],
            ]
            for line in statement["lines"]
        ]
        header = [
            _("Document"),
            _("Date"),
            _("Due date"),
            _("Days late"),
            _("Open amount"),
            _("Currency"),
            _("In company currency"),
        ]
        return csv_bytes(header, rows)

    def _history_csv(self, reminders):
        """The reminders as CSV: the history of a collection dossier (its facts
        only: see the module's docstring)."""
        state_labels = dict(reminders._fields["state"]._description_selection(self.env))
        header = [
            _("Number"),
            _("Date"),
            _("Level"),
            _("Channels"),
            _("Status"),
            _("Invoices"),
            _("Amount due"),
            _("Fees"),
            _("Interest"),
            _("Currency"),
        ]
        rows = []
        for reminder in reminders:
            channels = [
                label
                for label, used in (
                    (_("email"), reminder.send_email),
                    (_("letter"), reminder.send_letter),
                    (_("activity"), reminder.create_activity),
                )
                if used
            ]
            rows.append(
                [
                    reminder.name,
                    reminder.date,
                    reminder.level_id.name,
                    " + ".join(channels),
                    state_labels[reminder.state],
                    " ".join(reminder.line_ids.move_id.mapped("name")),
                    reminder.amount_due,
                    reminder.fee_total,
                    reminder.interest_total,
                    reminder.currency_id.name,
                ]
            )
        return csv_bytes(header, rows)
