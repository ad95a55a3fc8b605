# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's side over HTTP, as a portal user and as a visitor holding the
link of a reminder email: the account page, the statement, a promise to pay and a
dispute, and what must never pass (another customer's invoice, a forged id or
token, a date or an amount that is not one)."""

import base64
import re
from datetime import timedelta
from unittest.mock import patch

from werkzeug.urls import url_encode

from odoo import Command, fields, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import DunningCommon

QUIET = ("odoo.http", "odoo.addons.http_routing.models.ir_http")


@tagged("post_install", "-at_install")
class TestDunningPortal(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.late = cls._invoice(cls.customer, 1200, cls.today - timedelta(days=20))
        cls.not_due = cls._invoice(cls.customer, 300, cls.today + timedelta(days=10))
        cls.stranger = cls._invoice(
            cls.other_customer, 700, cls.today - timedelta(days=20)
        )
        cls.collector = new_test_user(
            cls.env,
            login="dp_collector",
            groups="base.group_user,account.group_account_invoice",
            email="dp_collector@example.com",
        )
        cls.customer.sudo().dunning_responsible_id = cls.collector
        cls.portal_user = new_test_user(
            cls.env,
            login="dp_portal",
            groups="base.group_portal",
            email="dp_portal@example.com",
            lang="en_US",
        )
        cls.portal_user.partner_id.sudo().parent_id = cls.customer
        cls.reminder = cls._reminder(
            cls.customer, cls.late, cls.level_email, on=cls.today
        )
        cls.other_reminder = cls._reminder(
            cls.other_customer, cls.stranger, cls.level_email, on=cls.today
        )

    # --- helpers -----------------------------------------------------------------

    def _post(self, url, data, files=None):
        return self.url_open(
            url,
            data=dict(data, csrf_token=http.Request.csrf_token(self)),
            files=files,
            allow_redirects=False,
        )

    def _promise_url(self, invoice):
        return f"/my/invoices/{invoice.id}/dunning/promise"

    def _dispute_url(self, invoice):
        return f"/my/invoices/{invoice.id}/dunning/dispute"

    def _promises(self, invoice):
        return self.env["account.dunning.promise"].search(
            [("move_ids", "in", invoice.ids)]
        )

    def _chased_today(self, invoice):
        """Whether the daily run would remind ``invoice`` today (its one rule)."""
        rows = self.env["account.dunning.selection"]._open_items(
            self.company,
            self.today,
            SQL("lp.commercial_partner_id = %s", invoice.commercial_partner_id.id),
        )
        return [row["chase_reason"] for row in rows if row["move_id"] == invoice.id]

    def _activities(self, invoice):
        return self.env["mail.activity"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", invoice.id)]
        )

    def _by_customer_notes(self, invoice):
        return invoice.message_ids.filtered(
            lambda m: m.author_id.commercial_partner_id == self.customer
        )

    # --- the account page and the statement --------------------------------------

    def test_account_page_as_portal_user(self):
        self.authenticate("dp_portal", "dp_portal")
        response = self.url_open("/my/dunning")
        self.assertEqual(response.status_code, 200)
        page = response.text
        # what is overdue and what is not due yet, each with its pay-now link
        self.assertIn(f'data-move-id="{self.late.id}"', page)
        self.assertIn(f'data-move-id="{self.not_due.id}"', page)
        self.assertIn(f"access_token={self.late.access_token}", page)
        self.assertIn('data-group="overdue"', page)
        self.assertIn('data-group="not_due"', page)
        # the reminder received and its letter, the statement
        self.assertIn(f'data-reminder-id="{self.reminder.id}"', page)
        self.assertIn(f"/my/dunning/reminder/{self.reminder.id}/letter", page)
        self.assertIn("/my/dunning/statement", page)
        # nothing of another customer
        self.assertNotIn(self.stranger.name, page)
        self.assertNotIn(f'data-reminder-id="{self.other_reminder.id}"', page)

    def test_account_page_tells_credits_apart_and_nets_them(self):
        """A credit note is a credit to apply, never "not due yet"; the overdue
        amount is what is past due less the credits, under the balance."""
        refund = self._invoice(
            self.customer, 200, self.today - timedelta(days=5), move_type="out_refund"
        )
        self.authenticate("dp_portal", "dp_portal")
        page = self.url_open("/my/dunning").text
        groups = dict(re.findall(r'data-group="(\w+)"(.*?)</table>', page, re.S))
        self.assertEqual(set(groups), {"overdue", "not_due", "credit"})
        self.assertIn(f'data-move-id="{refund.id}"', groups["credit"])
        self.assertNotIn(f'data-move-id="{refund.id}"', groups["not_due"])
        self.assertIn(f'data-move-id="{self.late.id}"', groups["overdue"])
        self.assertIn(f'data-move-id="{self.not_due.id}"', groups["not_due"])
        # 1,200 + 300 - 200 = 1,300, of which overdue 1,200 - 200 = 1,000
        figures = dict(
            re.findall(
                r'class="[^"]*o_dunning_(balance|overdue)"[^>]*>(.*?)</strong>',
                page,
                re.S,
            )
        )
        self.assertIn("1,300.00", figures["balance"])
        self.assertIn("1,000.00", figures["overdue"])
        self.assertIn("o_dunning_portal_netting", page)

    def test_portal_home_links_the_account(self):
        self.authenticate("dp_portal", "dp_portal")
        response = self.url_open("/my/home")
        self.assertEqual(response.status_code, 200)
        self.assertIn('href="/my/dunning"', response.text)

    def test_statement_and_letter_as_portal_user(self):
        self.authenticate("dp_portal", "dp_portal")
        statement = self.url_open("/my/dunning/statement")
        self.assertEqual(statement.status_code, 200)
        # Odoo's test mode prints reports as web pages; a server prints the PDF
        self.assertIn(
            statement.headers["Content-Type"].split(";")[0],
            ("application/pdf", "text/html"),
        )
        self.assertIn(self.late.name, statement.text)
        self.assertIn(self.not_due.name, statement.text)
        self.assertNotIn(self.stranger.name, statement.text)
        letter = self.url_open(f"/my/dunning/reminder/{self.reminder.id}/letter")
        self.assertEqual(letter.status_code, 200)
        self.assertIn(self.late.name, letter.text)
        with mute_logger(*QUIET):
            other = self.url_open(
                f"/my/dunning/reminder/{self.other_reminder.id}/letter"
            )
        self.assertEqual(other.status_code, 404)

    def test_statement_is_a_pdf_where_wkhtmltopdf_is_present(self):
        """Outside Odoo's test mode the statement is the PDF (the other tests read
        the web page Odoo's test mode prints instead)."""
        Report = self.env["ir.actions.report"]
        if Report._dunning_pdf_missing():
            self.skipTest("wkhtmltopdf is not installed here: no PDF to check")
        # wkhtmltopdf would ask this very server for the stylesheets, which waits
        # for the test's cursor: pointed at a closed port, it prints without them
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        self.authenticate("dp_portal", "dp_portal")
        IrReport = type(Report)
        render = IrReport._dunning_render

        def as_outside_tests(self, report_ref, records):
            return render(
                self.with_context(force_report_rendering=True), report_ref, records
            )

        with patch.object(IrReport, "_dunning_render", as_outside_tests):
            response = self.url_open("/my/dunning/statement?download=1")
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertIn("attachment;", response.headers["Content-Disposition"])
        self.assertIn(".pdf", response.headers["Content-Disposition"])

    def test_account_page_from_the_reminder_email(self):
        """A customer without a login opens the account page from the link in the
        reminder email; the link carries the reminder's own token."""
        url = self.reminder.account_url
        self.assertIn("/my/dunning?access_token=", url)
        self.assertIn(url, self._email_body(self.reminder))
        self.authenticate(None, None)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn(f'data-move-id="{self.late.id}"', response.text)
        self.assertNotIn(self.stranger.name, response.text)
        token = self.reminder.access_token
        statement = self.url_open(f"/my/dunning/statement?access_token={token}")
        self.assertEqual(statement.status_code, 200)
        self.assertIn(self.late.name, statement.text)
        with mute_logger(*QUIET):
            # a token opens its customer's account only
            forged = self.url_open("/my/dunning?access_token=not-a-token")
            self.assertEqual(forged.status_code, 403)
            other_letter = self.url_open(
                f"/my/dunning/reminder/{self.other_reminder.id}/letter"
                f"?access_token={token}"
            )
            self.assertEqual(other_letter.status_code, 404)
            # an invoice's token is not a key to the account
            by_invoice = self.url_open(
                f"/my/dunning?access_token={self.late._portal_ensure_token()}"
            )
            self.assertEqual(by_invoice.status_code, 403)
        # a reminder whose personal content was removed: its link opens nothing
        self.reminder.sudo()._dunning_clear_personal_content(self.today)
        self.assertFalse(self.reminder.sudo().access_token)
        with mute_logger(*QUIET):
            self.assertEqual(self.url_open(url).status_code, 403)
        # no token, no login: the login page
        # (through the visitor's language prefix first where several are active)
        anonymous = self.url_open("/my/dunning")
        self.assertIn("/web/login", anonymous.url)
        self.assertIn("redirect=/my/dunning", anonymous.url)

    def _email_body(self, reminder):
        template = self.env.ref("account_dunning.mail_template_dunning_first")
        return template._render_field("body_html", reminder.ids)[reminder.id]

    # --- a promise to pay --------------------------------------------------------

    def test_promise_as_portal_user(self):
        self.authenticate("dp_portal", "dp_portal")
        date = self.today + timedelta(days=10)
        response = self._post(
            self._promise_url(self.late),
            {"date": fields.Date.to_string(date), "amount": "1200", "note": "Friday"},
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertIn(f"/my/invoices/{self.late.id}", response.headers["Location"])
        promise = self._promises(self.late)
        self.assertRecordValues(
            promise,
            [
                {
                    "partner_id": self.customer.id,
                    "date": date,
                    "amount": 1200.0,
                    "note": "Friday",
                    "state": "open",
                    "by_customer": True,
                    "user_id": False,
                }
            ],
        )
        # the same pause as a promise recorded in the back office
        self.assertEqual(self._chased_today(self.late), ["promise"])
        activity = self._activities(self.late)
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.date_deadline, date)
        note = self._by_customer_notes(self.late)
        self.assertEqual(note.author_id, self.portal_user.partner_id)
        self.assertIn("by the customer", note.body)
        # the page then says it is recorded
        page = self.url_open(response.headers["Location"])
        self.assertIn('id="dunning_answers"', page.text)
        self.assertIn('class="o_dunning_promise"', page.text)
        # a second promise waits for the first
        with mute_logger(*QUIET):
            again = self._post(
                self._promise_url(self.late),
                {"date": fields.Date.to_string(date), "amount": "100"},
            )
        self.assertEqual(again.status_code, 400)
        self.assertEqual(len(self._promises(self.late)), 1)

    def test_promise_with_the_invoice_token(self):
        """No login: the invoice's own token, as in the pay-now link."""
        self.authenticate(None, None)
        token = self.late._portal_ensure_token()
        date = self.today + timedelta(days=5)
        response = self._post(
            self._promise_url(self.late),
            {
                "access_token": token,
                "date": fields.Date.to_string(date),
                "amount": "500.50",
            },
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        promise = self._promises(self.late)
        self.assertEqual(promise.amount, 500.5)
        self.assertTrue(promise.by_customer)
        self.assertEqual(self._by_customer_notes(self.late).author_id, self.customer)
        self.assertEqual(self._activities(self.late).user_id, self.collector)

    def test_promise_in_another_currency(self):
        """The customer promises in the invoice's currency; the promise keeps it in
        company currency, everything promised being exactly what is left."""
        invoice = self._invoice(
            self.customer, 800, self.today - timedelta(days=5), currency=self.eur
        )
        self.authenticate(None, None)
        response = self._post(
            self._promise_url(invoice),
            {
                "access_token": invoice._portal_ensure_token(),
                "date": fields.Date.to_string(self.today + timedelta(days=3)),
                "amount": "800,00",
            },
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertEqual(self._promises(invoice).amount, invoice.amount_residual_signed)
        self.assertEqual(self._promises(invoice).amount, 400.0)

    def test_bad_dates_and_amounts_are_refused(self):
        self.authenticate(None, None)
        token = self.late._portal_ensure_token()
        horizon = self.company.dunning_promise_horizon_days
        good_date = fields.Date.to_string(self.today + timedelta(days=3))
        cases = [
            ({"date": fields.Date.to_string(self.today - timedelta(days=1))}, "date"),
            (
                {"date": fields.Date.to_string(self.today + timedelta(horizon + 1))},
                "date",
            ),
            ({"date": "2026-02-31"}, "date"),
            ({"date": "next week"}, "date"),
            # not read as its first ten characters
            ({"date": good_date + "garbage<script>"}, "date"),
            ({"date": good_date + "T10:00:00"}, "date"),
            ({"date": ""}, "date"),
            ({"amount": "abc"}, "amount"),
            ({"amount": "-5"}, "amount"),
            ({"amount": "0"}, "amount"),
            ({"amount": "1200.001"}, "amount"),
            ({"amount": "1" + "0" * 400}, "amount"),  # not a server error
            ({"amount": "\u0661\u0662\u0663"}, "amount"),  # other scripts' digits
            ({"amount": "1200.01"}, "amount"),  # more than is left to pay
            ({"amount": ""}, "amount"),
        ]
        for change, what in cases:
            with self.subTest(change=change), mute_logger(*QUIET):
                data = {"access_token": token, "date": good_date, "amount": "100"}
                data.update(change)
                response = self._post(self._promise_url(self.late), data)
                self.assertEqual(response.status_code, 400, what)
                self.assertIn("o_dunning_error", response.text)
                self.assertFalse(self._promises(self.late))
        self.assertEqual(self._chased_today(self.late), [None])

    # --- a dispute -----------------------------------------------------------------

    def test_dispute_with_the_invoice_token(self):
        self.authenticate(None, None)
        reason = self.env.ref("account_dunning.dispute_reason_price")
        response = self._post(
            self._dispute_url(self.late),
            {
                "access_token": self.late._portal_ensure_token(),
                "description": "We ordered 10, not 12. <a href='https://x.example'>IBAN</a>",
                "reason": str(reason.id),
            },
            files={"attachment": ("delivery.txt", b"10 boxes delivered", "text/plain")},
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertRecordValues(
            self.late,
            [
                {
                    "dunning_dispute_state": "open",
                    "dunning_dispute_reason": "We ordered 10, not 12. "
                    "<a href='https://x.example'>IBAN</a>",
                    "dunning_dispute_reason_id": reason.id,
                    "dunning_dispute_user_id": self.collector.id,
                }
            ],
        )
        self.assertEqual(self._chased_today(self.late), ["dispute"])
        activity = self._activities(self.late)
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(self.late.dunning_dispute_activity_id, activity)
        # the customer's words are text wherever they are shown, never a link
        self.assertNotIn("<a", str(activity.note))
        self.assertIn("&lt;a href", str(activity.note))
        # the file is the customer's evidence, not a bill Odoo tries to read
        self.assertEqual(
            self.late.message_ids.filtered(lambda m: m.message_type == "comment"),
            self.env["mail.message"],
        )
        note = self._by_customer_notes(self.late)
        self.assertEqual(note.author_id, self.customer)
        self.assertIn("by the customer", note.body)
        self.assertEqual(note.attachment_ids.mapped("name"), ["delivery.txt"])
        self.assertEqual(
            base64.b64decode(note.attachment_ids.datas), b"10 boxes delivered"
        )

    def test_dispute_as_portal_user_and_what_is_refused(self):
        self.authenticate("dp_portal", "dp_portal")
        with mute_logger(*QUIET):
            empty = self._post(self._dispute_url(self.late), {"description": "  "})
            self.assertEqual(empty.status_code, 400)
            other_company = self.env["res.company"].sudo().create({"name": "Other"})
            foreign_reason = self.env["account.dunning.dispute.reason"].create(
                {"name": "Other company's", "company_id": other_company.id}
            )
            wrong_reason = self._post(
                self._dispute_url(self.late),
                {"description": "Wrong", "reason": str(foreign_reason.id)},
            )
            self.assertEqual(wrong_reason.status_code, 400)
            huge = self._post(
                self._dispute_url(self.late),
                {"description": "Too big"},
                files={"attachment": ("big.bin", b"0" * (10 * 1024 * 1024 + 1))},
            )
            self.assertEqual(huge.status_code, 400)
        self.assertEqual(self.late.dunning_dispute_state, "none")
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "account.move"), ("res_id", "=", self.late.id)]
            )
        )
        response = self._post(self._dispute_url(self.late), {"description": "Wrong"})
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertEqual(self.late.dunning_dispute_state, "open")
        self.assertFalse(self.late.dunning_dispute_reason_id)
        self.assertEqual(
            self._by_customer_notes(self.late).author_id, self.portal_user.partner_id
        )

    # --- what must never pass ------------------------------------------------------

    def test_another_customers_invoice_or_a_forged_id_is_refused(self):
        date = fields.Date.to_string(self.today + timedelta(days=3))
        promise = {"date": date, "amount": "10"}
        dispute = {"description": "Not ours"}
        self.authenticate("dp_portal", "dp_portal")
        with mute_logger(*QUIET):
            # a portal user answers for their own commercial entity only, even
            # for an invoice they follow
            self.stranger.sudo().message_subscribe(self.portal_user.partner_id.ids)
            for url, data in (
                (self._promise_url(self.stranger), promise),
                (self._dispute_url(self.stranger), dispute),
            ):
                self.assertEqual(self._post(url, data).status_code, 403)
            missing = self.env["account.move"].search([], order="id desc", limit=1)
            self.assertEqual(
                self._post(
                    f"/my/invoices/{missing.id + 1000}/dunning/promise", promise
                ).status_code,
                404,
            )
        self.authenticate(None, None)
        with mute_logger(*QUIET):
            # no token, another invoice's token, a made-up token
            for token in (None, self.late._portal_ensure_token(), "forged"):
                for url, data in (
                    (self._promise_url(self.stranger), promise),
                    (self._dispute_url(self.stranger), dispute),
                ):
                    data = dict(data, access_token=token) if token else data
                    self.assertEqual(self._post(url, data).status_code, 403)
            # a form posted from elsewhere (no CSRF token)
            response = self.url_open(
                self._promise_url(self.late),
                data=dict(promise, access_token=self.late.access_token),
                allow_redirects=False,
            )
            self.assertNotIn(response.status_code, (200, 303))
        self.assertFalse(self._promises(self.stranger) | self._promises(self.late))
        self.assertEqual(self.stranger.dunning_dispute_state, "none")
        self.assertEqual(self.late.dunning_dispute_state, "none")

    def test_a_token_that_is_no_token_is_refused_not_a_server_error(self):
        """A NUL byte, letters no token has or a page of text as the token of a
        reminder or an invoice: refused (403), never a server error (500)."""
        date = fields.Date.to_string(self.today + timedelta(days=3))
        self.authenticate(None, None)
        pages = (
            "/my/dunning",
            "/my/dunning/statement",
            f"/my/dunning/reminder/{self.reminder.id}/letter",
        )
        with mute_logger(*QUIET):
            for token in ("\x00", "abc\x00def", "é" * 36, "<script>", "x" * 4000):
                with self.subTest(token=token[:10]):
                    for page in pages:
                        # (a database in one language only redirects first)
                        response = self.url_open(
                            f"{page}?{url_encode({'access_token': token})}"
                        )
                        self.assertEqual(response.status_code, 403, page)
                    for url, data in (
                        (self._promise_url(self.late), {"date": date, "amount": "1"}),
                        (self._dispute_url(self.late), {"description": "No"}),
                    ):
                        response = self._post(url, dict(data, access_token=token))
                        self.assertEqual(response.status_code, 403, url)
        self.assertFalse(self._promises(self.late))
        self.assertEqual(self.late.dunning_dispute_state, "none")

    def test_paid_invoice_or_answers_turned_off(self):
        self.authenticate(None, None)
        token = self.late._portal_ensure_token()
        date = fields.Date.to_string(self.today + timedelta(days=3))
        self.company.dunning_portal_answers = False
        with mute_logger(*QUIET):
            response = self._post(
                self._promise_url(self.late),
                {"access_token": token, "date": date, "amount": "10"},
            )
        self.assertEqual(response.status_code, 400)
        page = self.url_open(f"/my/invoices/{self.late.id}?access_token={token}")
        self.assertNotIn("o_dunning_promise_form", page.text)
        self.company.dunning_portal_answers = True
        page = self.url_open(f"/my/invoices/{self.late.id}?access_token={token}")
        self.assertIn("o_dunning_promise_form", page.text)
        self.assertIn("o_dunning_dispute_form", page.text)
        self._pay(self.late, 1200, on=self.today)
        with mute_logger(*QUIET):
            response = self._post(
                self._dispute_url(self.late),
                {"access_token": token, "description": "Late anyway"},
            )
        self.assertEqual(response.status_code, 400)
        self.assertIn("o_dunning_error", response.text)  # and says why
        self.assertEqual(self.late.dunning_dispute_state, "none")

    def test_refusals_speak_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.portal_user.sudo().lang = "fr_FR"
        self.authenticate("dp_portal", "dp_portal")
        with mute_logger(*QUIET):
            response = self._post(
                self._promise_url(self.late),
                {
                    "date": fields.Date.to_string(self.today + timedelta(days=3)),
                    "amount": "douze",
                },
            )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Indiquez le montant que vous paierez", response.text)
        self.assertFalse(self._promises(self.late))

    # --- what a portal user reads of their invoice ---------------------------------

    def test_portal_user_reads_no_dunning_field_and_pages_still_work(self):
        """A portal user reads their invoice, none of its dunning fields (level,
        last reminder, count, next date, days overdue, promises, credit warning...),
        nor filters on them; the pages that show their promise still work (they
        read it as the system, for the invoice proven theirs)."""
        self.env["account.dunning.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.late.ids)],
                "date": self.today + timedelta(days=5),
                "amount": 1200,
            }
        )
        mine = self.late.with_user(self.portal_user)
        self.assertEqual(mine.read(["amount_residual"])[0]["amount_residual"], 1200)
        # every field the addon adds to invoices, the among them
        restricted = {
            n for n, f in mine._fields.items() if "account_dunning" in f._modules
        }
        self.assertLessEqual(
            {"dunning_level_id", "dunning_last_date", "dunning_count", "days_overdue"}
            | {"dunning_next_date", "dunning_promise_ids", "dunning_credit_warning"},
            restricted,
        )
        for name in restricted:
            with (
                self.subTest(field=name),
                self.assertRaises(AccessError),
                mute_logger("odoo.models"),
            ):
                mine.read([name])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            mine.search_count([("dunning_count", ">", 0)])
        # the invoice page, its answers and the list of invoices still render
        self.authenticate("dp_portal", "dp_portal")
        page = self.url_open(f"/my/invoices/{self.late.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn('class="o_dunning_promise"', page.text)
        self.assertEqual(self.url_open("/my/invoices").status_code, 200)
        self.assertEqual(self.url_open("/my/dunning").status_code, 200)
