# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's side: their account (open invoices, reminders received,
statement, promises and disputes) and their answers to a reminder (a promise to
pay, a dispute), from the portal or from the links in a reminder email.

Who may see what: a logged-in portal user sees their commercial entity; a visitor
with a reminder's access token sees that reminder's customer; a visitor with an
invoice's access token may answer for that invoice and nothing else."""

from datetime import timedelta

from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.urls import url_encode

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.account.controllers.portal import PortalAccount

from ..dunning.portal_input import parse_amount, parse_date, plausible_token

MAX_UPLOAD = 10 * 1024 * 1024  # a scan or a photo of a delivery note, not an archive
STATEMENT_REPORT = "account_dunning.report_customer_statement"
LETTER_REPORT = "account_dunning.report_dunning_letter"
RECEIVED = ("sending", "sent")


class DunningPortal(PortalAccount):
    # ------------------------------------------------------------------
    # Portal home
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "dunning_due_count" in counters:
            partner = request.env.user.partner_id.commercial_partner_id
            values["dunning_due_count"] = (
                self._dunning_open_invoice_count(partner)
                if not request.env.user._is_public()
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # The account page
    # ------------------------------------------------------------------

    @http.route("/my/dunning", type="http", auth="public", website=True)
    def portal_my_dunning(self, access_token=None, **kw):
        account = self._dunning_account(access_token)
        if account is None:
            return request.redirect("/web/login?redirect=/my/dunning")
        values = self._prepare_portal_layout_values()
        values.update(self._dunning_account_values(*account, access_token))
        return request.render("account_dunning.portal_my_dunning", values)

    @http.route("/my/dunning/statement", type="http", auth="public", website=True)
    def portal_my_dunning_statement(self, access_token=None, download=False, **kw):
        account = self._dunning_account(access_token)
        if account is None:
            return request.redirect("/web/login?redirect=/my/dunning/statement")
        partner, companies = account
        company = self._dunning_company(companies)
        filename = _("Statement %(customer)s", customer=partner.name)
        return self._dunning_document(
            STATEMENT_REPORT, partner.with_company(company), company, filename, download
        )

    @http.route(
        "/my/dunning/reminder/<int:reminder_id>/letter",
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_dunning_letter(self, reminder_id, access_token=None, download=False):
        account = self._dunning_account(access_token)
        if account is None:
            return request.redirect("/web/login?redirect=/my/dunning")
        partner, companies = account
        # sudo: the customer reads their own reminders, checked just below
        reminder = request.env["account.dunning.reminder"].sudo().browse(reminder_id)
        if (
            not reminder.exists()
            or reminder.partner_id != partner
            or reminder.state not in RECEIVED
            or reminder.company_id not in companies
        ):
            raise NotFound()
        letter = reminder._dunning_own_letter()
        if letter:
            mimetype = letter.mimetype or "application/pdf"
            return self._dunning_file(letter.raw, mimetype, letter.name, download)
        return self._dunning_document(
            LETTER_REPORT, reminder, reminder.company_id, reminder.name, download
        )

    # ------------------------------------------------------------------
    # Answers from an invoice's page
    # ------------------------------------------------------------------

    @http.route(
        "/my/invoices/<int:invoice_id>/dunning/promise",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_dunning_promise(self, invoice_id, access_token=None, **post):
        invoice = self._dunning_answer_invoice(invoice_id, access_token)
        Answer = self._dunning_answer_service(invoice)
        try:
            date = self._dunning_read_date(post.get("date"))
            amount = self._dunning_read_amount(post.get("amount"), invoice)
            with request.env.cr.savepoint():  # nothing half-made on a refusal
                Answer._customer_promise(
                    invoice,
                    date,
                    amount,
                    note=(post.get("note") or "").strip()[:2000],
                    author=self._dunning_author(invoice),
                )
        except (UserError, ValidationError) as error:
            return self._dunning_invoice_page(
                invoice, access_token, post, error=error.args[0], form="promise"
            )
        return self._dunning_back_to_invoice(invoice, access_token, "promise")

    @http.route(
        "/my/invoices/<int:invoice_id>/dunning/dispute",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_dunning_dispute(self, invoice_id, access_token=None, **post):
        invoice = self._dunning_answer_invoice(invoice_id, access_token)
        Answer = self._dunning_answer_service(invoice)
        try:
            reason = self._dunning_read_reason(post.get("reason"), invoice)
            with request.env.cr.savepoint():  # no file left behind on a refusal
                attachments = self._dunning_read_file(invoice)
                Answer._customer_dispute(
                    invoice,
                    (post.get("description") or "")[:10000],
                    reason=reason,
                    attachments=attachments,
                    author=self._dunning_author(invoice),
                )
        except (UserError, ValidationError) as error:
            return self._dunning_invoice_page(
                invoice, access_token, post, error=error.args[0], form="dispute"
            )
        return self._dunning_back_to_invoice(invoice, access_token, "dispute")

    # The invoice page shows the answer forms: see portal_invoice_dunning_answers
    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        values.update(
            self._dunning_answer_values(
                invoice,
                form
                if isinstance(form := kwargs.get("dunning_form_values"), dict)
                else {},
                answered=kwargs.get("dunning_answered"),
            )
        )
        return values

    # ------------------------------------------------------------------
    # Who is asking
    # ------------------------------------------------------------------

    def _dunning_account(self, access_token):
        """(customer, companies) of the account shown: the reminder's customer and
        company for the reminder's token, else the logged-in user's commercial
        entity in the user's companies (as Odoo's portal, a portal user belongs to
        companies); None for a visitor without a token."""
        if access_token:
            reminder = self._dunning_reminder_by_token(access_token)
            if not reminder:
                raise Forbidden()
            return reminder.partner_id.commercial_partner_id, reminder.company_id
        user = request.env.user
        if user._is_public():
            return None
        return user.partner_id.commercial_partner_id, user.company_ids

    def _dunning_reminder_by_token(self, access_token):
        if not plausible_token(access_token):
            # not a token Odoo makes (a NUL byte, a page of text): no query with it
            return request.env["account.dunning.reminder"]
        # sudo: a visitor's token is checked against the reminder's own, in
        # constant time
        reminder = (
            request.env["account.dunning.reminder"]
            .sudo()
            .search([("access_token", "=", access_token)], limit=1)
        )
        if (
            reminder
            and reminder.state in RECEIVED
            and not reminder.personal_data_cleared
            and consteq(reminder.access_token, access_token)
        ):
            return reminder
        return request.env["account.dunning.reminder"]

    def _dunning_company(self, companies):
        """The company whose statement is printed: the user's own if shown."""
        user_company = request.env.user.company_id
        return user_company if user_company in companies else companies[:1]

    def _dunning_answer_invoice(self, invoice_id, access_token):
        """The invoice answered for: readable by the logged-in customer (their own
        commercial entity's) or opened by its own token; else refused."""
        if access_token and not plausible_token(access_token):
            # not a token Odoo makes (a NUL byte, letters no token has): refused
            # before it is compared (Python compares ASCII text only)
            raise Forbidden()
        try:
            invoice = self._document_check_access(
                "account.move", invoice_id, access_token
            )
        except MissingError as error:
            raise NotFound() from error
        except AccessError as error:
            raise Forbidden() from error
        user = request.env.user
        by_token = bool(access_token) and consteq(
            invoice.access_token or "", access_token
        )
        if not by_token and (
            user._is_public()
            or invoice.commercial_partner_id != user.partner_id.commercial_partner_id
        ):
            # a portal user who follows another customer's invoice reads it, but
            # answers only for their own
            raise Forbidden()
        return invoice

    def _dunning_answer_service(self, invoice):
        """The answers' service, as the system on the customer's behalf, in the
        customer's language: the invoice was checked theirs above, and each value
        they typed is checked before it is written."""
        # sudo: visitors and portal users record their answer on an invoice proven
        # theirs (token or record rules); every value they chose is validated
        return (
            request.env["account.dunning.answer"]
            .sudo()
            .with_company(invoice.company_id)
            .with_context(lang=request.env.lang)
        )

    def _dunning_author(self, invoice):
        user = request.env.user
        if user._is_public():
            return invoice.partner_id
        return user.partner_id

    # ------------------------------------------------------------------
    # What the customer typed
    # ------------------------------------------------------------------

    def _dunning_read_date(self, text):
        try:
            date = parse_date(text)
        except ValueError:
            date = None
        if not date:
            raise ValidationError(_("Give the date you will pay by, as a date."))
        return date

    def _dunning_read_amount(self, text, invoice):
        try:
            amount = parse_amount(text, invoice.currency_id.decimal_places)
        except ValueError as error:
            raise ValidationError(
                _(
                    "Give the amount you will pay as a positive number, e.g. "
                    "%(example)s.",
                    example=invoice.currency_id.format(invoice.amount_residual),
                )
            ) from error
        return float(amount)

    def _dunning_read_reason(self, text, invoice):
        Reason = request.env["account.dunning.dispute.reason"]
        if not text:
            return Reason
        reasons = self._dunning_reasons(invoice)
        chosen = reasons.filtered(lambda r: str(r.id) == str(text).strip())
        if not chosen:
            raise ValidationError(_("Choose a reason from the list."))
        return chosen

    def _dunning_reasons(self, invoice):
        # sudo: visitors read the company's list of reasons to choose one
        return (
            request.env["account.dunning.dispute.reason"]
            .sudo()
            .with_context(lang=request.env.lang)
            .search(
                [
                    ("company_id", "in", (False, invoice.company_id.id)),
                    ("active", "=", True),
                ]
            )
        )

    def _dunning_read_file(self, invoice):
        files = [
            upload
            for name in ("attachment", "file")
            for upload in request.httprequest.files.getlist(name)
            if upload and upload.filename
        ]
        if not files:
            return request.env["ir.attachment"]
        if len(files) > 1:
            raise ValidationError(_("Join one file at most."))
        data = files[0].read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise ValidationError(
                _("The file is too large: %(size)s MB at most.", size=10)
            )
        # sudo: the file joins the customer's dispute on their own invoice; Odoo
        # stores what a visitor sends as plain text when it could run in a page
        return (
            request.env["ir.attachment"]
            .sudo()
            .with_context(no_new_invoice=True)
            .create(
                {
                    "name": files[0].filename[:200],
                    "raw": data,
                    "res_model": "account.move",
                    "res_id": invoice.id,
                }
            )
        )

    # ------------------------------------------------------------------
    # Pages and documents
    # ------------------------------------------------------------------

    def _dunning_invoice_page(self, invoice, access_token, post, error, form):
        values = self._invoice_get_page_view_values(
            invoice,
            access_token,
            dunning_form_values=dict(post, error=error, form=form),
        )
        return request.render("account.portal_invoice_page", values, status=400)

    def _dunning_back_to_invoice(self, invoice, access_token, answered):
        query = {"dunning_answered": answered}
        if access_token:
            query["access_token"] = access_token
        return request.redirect(
            f"{invoice.access_url}?{url_encode(query)}#dunning_answers", code=303
        )

    def _dunning_answer_values(self, invoice, form_values, answered=None):
        Answer = request.env["account.dunning.answer"]
        today = fields.Date.context_today(invoice)
        horizon = invoice.company_id.dunning_promise_horizon_days
        # sudo: the invoice's open promise and dispute, shown to its customer
        invoice_sudo = invoice.sudo()
        promise = invoice_sudo.dunning_promise_ids.filtered(
            lambda p: p.state == "open"
        )[:1]
        return {
            "dunning_answerable": invoice.company_id.dunning_portal_answers
            and Answer._is_answerable(invoice),
            "dunning_promise": promise,
            "dunning_dispute_state": invoice_sudo.dunning_dispute_state,
            "dunning_reasons": self._dunning_reasons(invoice),
            "dunning_date_min": fields.Date.to_string(today),
            "dunning_date_max": fields.Date.to_string(today + timedelta(days=horizon)),
            "dunning_default_date": fields.Date.to_string(
                today + timedelta(days=min(7, horizon))
            ),
            "dunning_form": form_values,
            "dunning_answered": answered
            if answered in ("promise", "dispute")
            else False,
        }

    def _dunning_account_values(self, partner, companies, access_token):
        # sudo: the customer's own invoices, reminders, promises and disputes, for
        # their account page; every search below is bound to their commercial
        # entity and to the companies they belong to
        env = request.env(su=True)
        today = fields.Date.context_today(env.user)
        statements = self._dunning_statements(env, partner, companies, today)
        moves = env["account.move"].browse(
            [line["move"].id for st in statements for line in st["lines"]]
        )
        invoices = moves.filtered(lambda m: m.move_type == "out_invoice")
        scope = [("partner_id", "=", partner.id), ("company_id", "in", companies.ids)]
        return {
            "page_name": "dunning",
            "dunning_partner": partner,
            "dunning_statements": statements,
            "dunning_pay_urls": invoices._dunning_pay_urls(),
            "dunning_reminders": env["account.dunning.reminder"].search(
                scope + [("state", "in", RECEIVED)], limit=50
            ),
            "dunning_promises": env["account.dunning.promise"].search(scope, limit=50),
            "dunning_disputes": env["account.move"].search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "in", companies.ids),
                    ("dunning_dispute_state", "in", ("open", "resolved")),
                ],
                order="invoice_date desc, id desc",
                limit=50,
            ),
            "dunning_token": access_token or "",
        }

    def _dunning_statements(self, env, partner, companies, today):
        """What the account page shows per company of ``companies`` where
        ``partner`` has open items: its statement's figures and lines (the
        collection desk's figures, see ``account.dunning.collection._statement``),
        read in ``env``."""
        return [
            dict(
                env["account.dunning.collection"]
                .with_company(company)
                ._statement(partner, today),
                company=company,
            )
            for company in self._dunning_open_companies(partner, companies, env)
        ]

    def _dunning_open_companies(self, partner, companies, env=None):
        """The companies among ``companies`` where ``partner`` has open items."""
        # sudo: counted for the customer's own account page only
        groups = (
            (env or request.env)["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "child_of", partner.id),
                    ("company_id", "in", companies.ids),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ],
                ["company_id"],
            )
        )
        return [company for (company,) in groups]

    def _dunning_open_invoice_count(self, partner):
        # sudo: counted for the customer's own portal home
        return (
            request.env["account.move"]
            .sudo()
            .search_count(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "in", request.env.user.company_ids.ids),
                    *request.env["account.move"]._dunning_open_domain(),
                ]
            )
        )

    def _dunning_document(self, report_ref, records, company, filename, download):
        # sudo: the customer's own statement or reminder letter (checked by the
        # caller), printed as the company that sent it
        Report = request.env["ir.actions.report"].sudo().with_company(company)
        documents, extension = Report.with_context(
            lang=request.env.lang
        )._dunning_render(report_ref, records)
        mimetype = "application/pdf" if extension == "pdf" else "text/html"
        name = f"{filename}.{extension}".replace("/", "-")
        return self._dunning_file(documents[records.id], mimetype, name, download)

    def _dunning_file(self, content, mimetype, filename, download):
        headers = [
            ("Content-Type", mimetype),
            ("Content-Length", len(content)),
            ("X-Content-Type-Options", "nosniff"),
        ]
        disposition = http.content_disposition(filename)
        if not download:  # shown in the browser, saved under its name
            disposition = disposition.replace("attachment;", "inline;", 1)
        headers.append(("Content-Disposition", disposition))
        return request.make_response(content, headers)
