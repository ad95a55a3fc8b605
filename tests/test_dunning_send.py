# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import TODAY, DunningCommon


class DunningSendCommon(DunningCommon):
    """Customers, invoices and the billing user who sends, for the send tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["account.dunning.reminder"]
        cls.company.write(
            {"street": "12 rue du Port", "city": "Nantes", "zip": "44000"}
        )
        cls.bank = cls.env["res.partner.bank"].create(
            {
                "partner_id": cls.company.partner_id.id,
                "acc_number": "FR76 3000 6000 0112 3456 7890 189",
            }
        )
        cls.customer.write(
            {"street": "3 avenue Foch", "city": "Lyon", "phone": "+33 4 00 00 00 01"}
        )
        # Due 2026-03-10 (21 days late), 03-25 (6 days late), 04-15 (not due).
        cls.inv_old = cls._invoice(cls.customer, 1000, date(2026, 3, 10))
        cls.inv_recent = cls._invoice(cls.customer, 250, date(2026, 3, 25))
        cls.inv_not_due = cls._invoice(cls.customer, 400, date(2026, 4, 15))
        # The accountant who sends reminders: a billing user, no more.
        cls.billing = new_test_user(
            cls.env,
            login="billing_sender",
            groups="account.group_account_invoice",
            email="billing@yourcompany.example.com",
        )
        cls.env = cls.env(user=cls.billing)
        for name in (
            "customer",
            "other_customer",
            "inv_old",
            "inv_recent",
            "inv_not_due",
            "level_email",
            "level_call",
            "level_formal",
        ):
            setattr(cls, name, getattr(cls, name).with_env(cls.env))
        cls.Reminder = cls.env["account.dunning.reminder"]

    def _mail_of(self, reminder):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", reminder.mail_message_id.id)])
        )


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningSend(DunningSendCommon):
    """Send reminder: the wizard, the channels, the letters, the activities."""

    def test_daily_run_letter_signed_by_who_follows_the_customer(self):
        claire = new_test_user(
            self.env(su=True),
            login="claire_ar",
            name="Claire Martin",
            groups="account.group_account_invoice",
        )
        self.company.sudo().dunning_responsible_id = claire
        self._run_as_scheduler()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(reminder.user_id, claire)
        self.assertIn("Claire Martin", self._letter_html(reminder))

    def test_letter_without_wkhtmltopdf_says_so(self):
        self.level_email.sudo().attach_letter = True
        Report = type(self.env["ir.actions.report"])
        with (
            patch.object(Report, "get_wkhtmltopdf_state", return_value="install"),
            patch.object(Report, "_dunning_html_only", return_value=False),
        ):
            self._wizard(self.inv_old).action_send()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        self.assertTrue(reminder.letter_attachment_id.name.endswith(".html"))
        notes = " ".join(reminder.message_ids.mapped("body"))
        self.assertIn("wkhtmltopdf", notes)
        self.assertIn("not a PDF", notes)

    def test_email_in_the_company_layout_signed_without_repeating(self):
        # the daily run's reminder: nobody sends it, the company signs it once
        self._run_as_scheduler()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        self.assertFalse(reminder.user_id)
        mail = self._mail_of(reminder)
        body = str(mail.body_html)
        # Odoo's email layout: the reminder's number in its header, the company in
        # its footer, the reminder's own text inside
        self.assertIn(reminder.name.replace("/", "-"), body)
        self.assertIn(self.inv_old.name, body)
        self.assertNotIn("__dunning_reminder", body)
        name = re.escape(self.company.name)
        signature = rf"{name}\s*<br\s*/?>\s*{name}"
        self.assertFalse(re.search(signature, str(reminder.mail_message_id.body)))
        # the message in the chatter keeps the reminder's text alone
        self.assertNotIn(
            reminder.name.replace("/", "-"), str(reminder.mail_message_id.body)
        )

    # --- the wizard ------------------------------------------------------------------
    def test_wizard_from_an_invoice(self):
        wizard = self._wizard(self.inv_recent)
        self.assertRecordValues(
            wizard,
            [
                {
                    "partner_id": self.customer.id,
                    "is_mass": False,
                    "level_id": self.level_email.id,
                    "send_email": True,
                    "send_letter": False,
                    "create_activity": False,
                }
            ],
        )
        self.assertEqual(wizard.covered_move_ids, self.inv_recent)
        self.assertEqual(wizard.recipient_ids, self.customer)
        self.assertIn("payment reminder", wizard.email_subject)
        self.assertIn(self.inv_recent.name, wizard.email_body)
        self.assertNotIn(self.inv_old.name, wizard.email_body)
        self.assertIn(wizard.preview_name, wizard.email_subject)
        wizard.action_send()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(
            reminder,
            [
                {
                    "state": "sending",
                    "origin": "manual",
                    "level_id": self.level_email.id,
                    "name": wizard.preview_name,
                }
            ],
        )
        self.assertEqual(reminder.line_ids.move_id, self.inv_recent)
        self.assertEqual(self.inv_recent.dunning_level_id, self.level_email)
        self.assertFalse(self.inv_old.dunning_level_id)
        for document in (self.customer, self.inv_recent):
            self.assertTrue(
                document.message_ids.filtered(lambda m: reminder.name in m.body),
                document.display_name,
            )
        self.assertEqual(self._mail_of(reminder).state, "outgoing")

    def test_wizard_from_a_customer_covers_the_overdue_invoices(self):
        self.inv_old.sudo().dunning_level_id = self.level_email
        wizard = self._wizard(self.customer)
        self.assertEqual(wizard.covered_move_ids, self.inv_old | self.inv_recent)
        # the old invoice had its first reminder: the next level is the call
        self.assertEqual(wizard.level_id, self.level_call)
        self.assertTrue(wizard.create_activity)
        with Form(wizard) as form:
            form.level_id = self.level_email
            form.email_subject = f"Overdue invoices ({wizard.preview_name})"
            form.email_cc = "accounting@dupont.example.com"
        self.assertFalse(wizard.create_activity)
        wizard.action_send()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        # an invoice never goes back down: the old one stays at its level
        self.assertEqual(
            {line.move_id: line.level_id for line in reminder.line_ids},
            {self.inv_old: self.level_email, self.inv_recent: self.level_email},
        )
        mail = self._mail_of(reminder)
        self.assertEqual(mail.subject, f"Overdue invoices ({reminder.name})")
        self.assertEqual(mail.email_cc, "accounting@dupont.example.com")

    def test_wizard_refuses_draft_or_paid_invoices(self):
        draft = self.inv_old.copy()
        with self.assertRaisesMessage(UserError, "not paid yet"):
            draft.action_dunning_send()
        self._pay(self.inv_recent, 250)
        with self.assertRaisesMessage(UserError, "not paid yet"):
            self.inv_recent.action_dunning_send()
        nobody = self._customer("Nobody SAS")
        with self.assertRaisesMessage(UserError, "no open invoice"):
            nobody.action_dunning_send()

    def _mass_send_queries(self, count, prefix):
        customers = self.env["res.partner"]
        for index in range(count):
            customer = self._customer(f"{prefix}{index:02d} SARL")
            self._invoice(customer, 100 + index, date(2026, 3, 20))
            customers |= customer
        wizard = self._wizard(customers)
        self.assertTrue(wizard.is_mass)
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        wizard.action_send()
        self.env.flush_all()
        return customers, self.cr.sql_log_count - before

    def test_mass_send_over_twenty_customers(self):
        __, two = self._mass_send_queries(2, "Pair")
        customers, twenty = self._mass_send_queries(20, "Client")
        # Set-based: one select for all the customers, batched creates, numbers
        # and notes; 18 more customers cost less than one query each (measured:
        # 169 queries for 2 customers, 179 for 20).
        self.assertLessEqual(twenty - two, 18)
        self.assertLessEqual(twenty, 181)
        reminders = self.Reminder.search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(reminders), 20)
        self.assertEqual(set(reminders.mapped("state")), {"sending"})
        self.assertEqual(set(reminders.mapped("origin")), {"manual"})
        self.assertEqual(
            len(self.env["mail.mail"].sudo().search([("res_id", "in", reminders.ids)])),
            20,
        )

    # --- email -----------------------------------------------------------------------
    def test_email_recipients_language_body_and_attachments(self):
        self.env["res.lang"].sudo()._activate_lang("fr_FR")
        self.env["ir.module.module"].sudo()._load_module_terms(
            ["account_dunning"], ["fr_FR"]
        )
        self.customer.sudo().lang = "fr_FR"
        dunning_contact = (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": "Service comptable",
                    "type": "dunning",
                    "parent_id": self.customer.id,
                    "email": "compta@dupont.example.com",
                }
            )
        )
        self.level_email.sudo().write(
            {"attach_letter": True, "attach_invoices": True, "attach_statement": True}
        )
        self._wizard(self.inv_old).action_send()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(reminder.recipient_ids, dunning_contact)
        mail = self._mail_of(reminder)
        self.assertEqual(mail.recipient_ids, dunning_contact)
        self.assertIn("relance", mail.subject.lower())
        body = str(mail.body_html)
        self.assertIn("Madame, Monsieur" if "Madame" in body else "Bonjour", body)
        self.assertIn(self.inv_old.name, body)
        self.assertIn(f"/my/invoices/{self.inv_old.id}?access_token=", body)
        self.assertTrue(self.inv_old.access_token)
        self.assertIn(self.inv_old.access_token, body)
        names = mail.attachment_ids.mapped("name")
        self.assertIn(reminder.letter_attachment_id.name, names)
        self.assertEqual(len(names), 3, names)  # letter, invoice, statement
        letter = reminder.letter_attachment_id.raw.decode()
        self.assertIn("Relance de paiement", letter)

    def test_invoice_address_when_no_dunning_contact(self):
        billing = (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": "Billing",
                    "type": "invoice",
                    "parent_id": self.customer.id,
                    "email": "billing@dupont.example.com",
                }
            )
        )
        self.assertEqual(self.customer._dunning_recipients(), billing)
        billing.sudo().email = False
        self.assertEqual(self.customer._dunning_recipients(), self.customer)

    # --- letter and statement --------------------------------------------------------
    def _letter_html(self, reminder):
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "account_dunning.action_report_dunning_letter", reminder.ids
            )[0]
            .decode()
        )

    def test_letter_lists_invoices_and_payment_instructions(self):
        reminder = self._reminder(
            self.customer, self.inv_old | self.inv_recent, self.level_email
        )
        html = self._letter_html(reminder)
        for text in (
            "Payment reminder",
            reminder.name,
            self.inv_old.name,
            self.inv_recent.name,
            "FR76 3000 6000 0112 3456 7890 189",
            "3 avenue Foch",
            "1,250.00",
        ):
            self.assertIn(text, html)
        self.assertNotIn("Formal notice", html)

    def test_formal_notice_letter_with_french_legal_mentions(self):
        reminder = self._reminder(self.customer, self.inv_old, self.level_formal)
        self.company.sudo().country_id = self.env.ref("base.fr")
        html = self._letter_html(reminder)
        self.assertIn("Formal notice to pay", html)
        self.assertIn("Registered letter with acknowledgement of receipt", html)
        self.assertIn("L441-10", html)
        self.assertIn("40 euros", html)
        self.company.sudo().country_id = self.env.ref("base.be")
        self.assertNotIn("L441-10", self._letter_html(reminder))

    def _no_asset_server(self):
        """wkhtmltopdf asks the server for the report's stylesheets; under Odoo's own
        test runner the server waits for the test's cursor, which waits for
        wkhtmltopdf. Pointed at a closed port, it prints without them at once (the
        PDF is what these tests check, not its styles)."""
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )

    def test_letter_pdf_where_wkhtmltopdf_is_present(self):
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() not in ("ok", "upgrade", "workers"):
            self.skipTest("wkhtmltopdf is not installed here")
        self._no_asset_server()
        reminder = self._reminder(self.customer, self.inv_old, self.level_formal)
        documents, extension = Report.with_context(
            force_report_rendering=True
        )._dunning_render("account_dunning.action_report_dunning_letter", reminder)
        self.assertEqual(extension, "pdf")
        self.assertTrue(documents[reminder.id].startswith(b"%PDF"))

    def test_letters_of_several_customers_in_one_go(self):
        """Every letter printed, whichever wkhtmltopdf build: Odoo's patched one prints
        them in one run; a distribution build that fails on several documents gets
        them one by one."""
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() not in ("ok", "upgrade", "workers"):
            self.skipTest("wkhtmltopdf is not installed here")
        self._no_asset_server()
        other_invoice = self._invoice(self.other_customer, 90, date(2026, 3, 1))
        reminders = self._reminder(
            self.customer, self.inv_old, self.level_formal
        ) | self._reminder(self.other_customer, other_invoice, self.level_formal)
        documents, extension = Report.with_context(
            force_report_rendering=True
        )._dunning_render("account_dunning.action_report_dunning_letter", reminders)
        self.assertEqual(extension, "pdf")
        self.assertEqual(set(documents), set(reminders.ids))
        for document in documents.values():
            self.assertTrue(document.startswith(b"%PDF"))

    def test_statement_aging_buckets(self):
        older = self._invoice(self.customer, 300, date(2025, 11, 1))  # 150 days
        credit = self._invoice(
            self.customer, 50, date(2026, 3, 1), move_type="out_refund"
        )
        statement = self.customer._dunning_statement()
        self.assertEqual(
            [line["move"] for line in statement["lines"]],
            [older, credit, self.inv_old, self.inv_recent, self.inv_not_due],
        )
        self.assertEqual(
            statement["aging"],
            {
                "not_due": 400.0,  # the credit note is not aged: a credit apart
                "1_30": 1250.0,
                "31_60": 0.0,
                "61_90": 0.0,
                "91_120": 0.0,
                "over_120": 300.0,
            },
        )
        self.assertEqual(statement["credit"], 50.0)
        self.assertEqual(statement["total"], 1900.0)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "account_dunning.action_report_customer_statement", self.customer.ids
            )[0]
            .decode()
        )
        self.assertIn("Statement of account", html)
        self.assertIn("Over 120 days", html)
        self.assertIn(older.name, html)

    # --- phone call ------------------------------------------------------------------
    def test_call_activity_for_the_right_person_and_its_outcome(self):
        salesperson = (
            self.env["res.users"]
            .sudo()
            .create({"name": "Sales Rep", "login": "sales.rep@example.com"})
        )
        self.customer.sudo().user_id = salesperson
        self.level_call.sudo().activity_user_type = "salesperson"
        reminder = self._reminder(
            self.customer, self.inv_old, self.level_call, state="draft"
        )
        reminder.action_send()
        activity = reminder.activity_id
        self.assertRecordValues(
            activity,
            [{"user_id": salesperson.id, "res_id": self.customer.id}],
        )
        self.assertIn("+33 4 00 00 00 01", str(activity.note))
        self.assertIn(reminder.name, str(activity.note))
        with self.assertRaisesMessage(UserError, "outcome"):
            reminder.action_record_call_outcome()
        reminder.write({"call_outcome": "promise", "call_note": "Pays Friday"})
        reminder.action_record_call_outcome()
        self.assertFalse(activity.exists())
        done = self.customer.message_ids.filtered(lambda m: "Pays Friday" in m.body)
        self.assertIn("Promise to pay", done.body)

    def test_activity_for_a_specific_user_or_the_responsible(self):
        accountant = (
            self.env["res.users"]
            .sudo()
            .create({"name": "Accountant", "login": "accountant@example.com"})
        )
        self.level_call.sudo().write(
            {"activity_user_type": "user", "activity_user_id": accountant.id}
        )
        reminder = self._reminder(
            self.customer, self.inv_old, self.level_call, state="draft"
        )
        reminder.action_send()
        self.assertEqual(reminder.activity_id.user_id, accountant)

    # --- delivery --------------------------------------------------------------------
