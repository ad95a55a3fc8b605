# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's answers to reminders: a promise to pay, a dispute. One service
whoever records them, the accountant in the back office or the customer in the
portal, so that both make the same records, pause dunning by the same rule and
tell the dunning responsible the same way."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date


class AccountDunningAnswer(models.AbstractModel):
    _name = "account.dunning.answer"
    _description = "Customer Answers to Reminders"

    @api.model
    def _open_dispute(self, moves, details, owner=None, reason=None, **how):
        """Put ``moves`` in dispute: they are not reminded, and leave the amounts to
        collect, until it is resolved. ``owner`` sorts it out (an activity is
        scheduled for them; default: each invoice's dunning responsible).

        ``how``: ``by_customer`` (the customer answered online: their name in the
        chatter, as author ``author``), ``attachments`` (ir.attachment, joined to
        the chatter line)."""
        if not moves:
            raise UserError(_("Choose the invoices the customer disputes."))
        if len(moves.company_id) > 1:
            raise UserError(
                _(
                    "A dispute is on invoices of one company: %(companies)s are "
                    "several.",
                    companies=", ".join(moves.company_id.mapped("name")),
                )
            )
        moves._dunning_check_sendable()
        details = (details or "").strip()
        if not details:
            raise ValidationError(
                _("Say what the customer disputes: the reason is required.")
            )
        reason = reason or self.env["account.dunning.dispute.reason"]
        self._check_reason(moves, reason)
        already = moves.filtered(lambda m: m.dunning_dispute_state == "open")
        if already:
            raise UserError(
                _(
                    "%(invoices)s is already in dispute: it is being looked into.",
                    invoices=", ".join(already.mapped("name")),
                )
            )
        vals = {
            "dunning_dispute_state": "open",
            "dunning_dispute_reason": details,
            "dunning_dispute_reason_id": reason.id,
        }
        for move in moves:
            user = owner or self._responsible(move)
            move.write(vals | {"dunning_dispute_user_id": user.id})
            if user:
                move.dunning_dispute_activity_id = move.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self._summary(_("Resolve the dispute"), **how),
                    note=self._as_text(details),
                    user_id=user.id,
                )
            self._post(
                move,
                _("Invoice disputed by the customer:")
                if how.get("by_customer")
                else _("Invoice in dispute:"),
                details,
                reason,
                **how,
            )
        self._retire_stale_drafts(moves)
        return moves

    @api.model
    def _promise(self, moves, date, amount, note=None, **how):
        """A promise to pay ``amount`` (company currency) for ``moves`` by ``date``:
        they are not reminded until then. Made by the customer (``how``: see
        ``_open_dispute``), it tells their dunning responsible with an activity."""
        moves._dunning_check_sendable()
        partner = moves.commercial_partner_id
        if len(partner) != 1 or len(moves.company_id) != 1:
            raise UserError(_("A promise to pay covers invoices of one customer."))
        # what is left to pay, the invoices' state and the one open promise per
        # invoice: the promise's own checks, whoever records it
        promise = (
            self.env["account.dunning.promise"]
            .with_company(moves.company_id)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": moves.company_id.id,
                    "move_ids": [fields.Command.set(moves.ids)],
                    "date": date,
                    "amount": amount,
                    "note": (note or "").strip() or False,
                    "by_customer": bool(how.get("by_customer")),
                    "user_id": False if how.get("by_customer") else self.env.uid,
                }
            )
        )
        if how.get("by_customer"):
            details = _(
                "%(amount)s by %(date)s.",
                amount=how.get("amount_shown")
                or promise.currency_id.format(promise.amount),
                date=format_date(self.env, promise.date),
            )
            for move in moves:
                user = self._responsible(move)
                if user:
                    move.activity_schedule(
                        "mail.mail_activity_data_todo",
                        summary=self._summary(_("Promise to pay"), **how),
                        note=Markup("%s<br/>%s") % (details, promise.note or ""),
                        user_id=user.id,
                        date_deadline=promise.date,
                    )
                self._post(
                    move,
                    _("Promise to pay by the customer:"),
                    "\n".join(filter(None, (details, promise.note))),
                    **how,
                )
        self._retire_stale_drafts(moves)
        return promise

    @api.model
    def _retire_stale_drafts(self, moves):
        """The drafts of ``moves``' customer left with nothing to remind by this
        answer are cancelled at once, with why (see the engine)."""
        # sudo: the pipeline's own drafts, whoever answered (a customer online too)
        self.env["account.dunning.engine"].sudo()._retire_stale_drafts(
            fields.Date.context_today(self), partners=moves.commercial_partner_id
        )

    @api.model
    def _customer_promise(self, invoice, date, amount, note=None, author=None):
        """The customer promises from the portal to pay ``amount`` of ``invoice``
        (in the invoice's currency, what they read on it) by ``date``. One open
        promise per invoice: a second would leave two dates to chase by."""
        self._check_answerable(invoice)
        if invoice.dunning_promise_ids.filtered(lambda p: p.state == "open"):
            raise UserError(
                _(
                    "A promise to pay %(invoice)s is already recorded: to change it, "
                    "please contact us.",
                    invoice=invoice.name,
                )
            )
        currency = invoice.currency_id
        if currency.compare_amounts(amount, invoice.amount_residual) > 0:
            raise ValidationError(
                _(
                    "The amount promised, %(amount)s, is more than what is left to "
                    "pay: %(left)s.",
                    amount=currency.format(amount),
                    left=currency.format(invoice.amount_residual),
                )
            )
        # the promise is kept in company currency: the invoice's own ratio of its
        # residual in both currencies, so that promising everything is exactly it
        company_amount = invoice.amount_residual_signed
        if currency.compare_amounts(amount, invoice.amount_residual):
            company_amount = invoice.company_currency_id.round(
                amount * invoice.amount_residual_signed / invoice.amount_residual
            )
        return self._promise(
            invoice,
            date,
            company_amount,
            note,
            by_customer=True,
            author=author,
            amount_shown=currency.format(amount),
        )

    @api.model
    def _customer_dispute(
        self, invoice, details, reason=None, attachments=None, author=None
    ):
        """The customer disputes ``invoice`` from the portal (an archived reason is
        refused by the invoice itself, see ``_dunning_check_dispute_reason_id``)."""
        self._check_answerable(invoice)
        return self._open_dispute(
            invoice,
            details,
            reason=reason,
            by_customer=True,
            author=author,
            attachments=attachments or self.env["ir.attachment"],
        )

    @api.model
    def _check_answerable(self, invoice):
        """What a customer may answer online: a posted customer invoice not paid
        yet, of a company that lets its customers answer."""
        invoice.ensure_one()
        if not invoice.company_id.dunning_portal_answers:
            raise UserError(
                _(
                    "Please contact %(company)s to promise a payment or dispute this "
                    "invoice.",
                    company=invoice.company_id.name,
                )
            )
        if not self._is_answerable(invoice):
            raise UserError(
                _(
                    "%(invoice)s is paid or closed: there is nothing to promise or "
                    "dispute.",
                    invoice=invoice.name,
                )
            )

    @api.model
    def _is_answerable(self, invoice):
        return invoice._dunning_is_open()

    @api.model
    def _check_reason(self, moves, reason):
        """A dispute reason from the list of the invoices' company."""
        if reason and reason.company_id and reason.company_id != moves.company_id:
            raise ValidationError(
                _(
                    "The reason %(reason)s is not one of %(company)s's.",
                    reason=reason.name,
                    company=moves.company_id[:1].name,
                )
            )

    @api.model
    def _responsible(self, move):
        """Who follows up the invoice's customer: its dunning responsible, its
        salesperson, the company's default dunning responsible, the invoice's
        salesperson; a person of the company, else nobody."""
        # sudo: the customer's, the company's and the invoice's people, and whether
        # a user is active and internal, whoever answers (a customer in the portal
        # reads no users); what is returned is back in the caller's environment
        move = move.sudo()
        customer = move.commercial_partner_id.with_company(move.company_id)
        Dispatch = self.env["account.dunning.dispatch"]
        for user in (
            customer.dunning_responsible_id,
            customer.user_id,
            move.company_id.dunning_responsible_id,
            move.invoice_user_id,
        ):
            if Dispatch._can_act(user, move.company_id):
                return user.with_env(self.env)
        return self.env["res.users"]

    @api.model
    def _as_text(self, text):
        """``text`` as it was typed, in HTML: escaped, its lines kept, nothing made
        a link (a customer's words never become markup in the back office)."""
        return Markup("<p>%s</p>") % Markup("<br/>").join((text or "").splitlines())

    @api.model
    def _summary(self, summary, **how):
        if how.get("by_customer"):
            return _("%(summary)s (by the customer)", summary=summary)
        return summary

    @api.model
    def _post(self, move, title, details, reason=None, **how):
        body = Markup("%s<br/>%s") % (title, details)
        if reason:
            body += Markup("<br/>%s") % _("Reason: %(reason)s", reason=reason.name)
        author = how.get("author")
        # no_new_invoice: a file joined to the answer is not a bill to decode
        move.with_context(no_new_invoice=True).message_post(
            body=body,
            author_id=author.id if author else None,
            attachment_ids=how.get("attachments", self.env["ir.attachment"]).ids,
            subtype_xmlid="mail.mt_note",
        )
