# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

FRENCH_CUSTOMERS = [
    "demo_fr_customer_martin",
    "demo_fr_customer_lefevre",
    "demo_fr_customer_bernard",
    "demo_fr_customer_moreau",
    "demo_fr_customer_girard",
]


def text_of(html):
    """The words of a rendered page, tags and runs of spaces gone."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@tagged("post_install", "-at_install")
class TestDunningDemo(TransactionCase):
    """The demo as ``make run`` builds it, its French company above all: loaded here
    from the module's demo files, in their order, where the database has no demo
    data (as the test databases have), checked as installed otherwise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the letters' styles from a closed port, not from the test server (see
        # DunningCommon): a database that served HTTP would hang the PDF
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        if not cls.env.ref("account_dunning.demo_fr_customer_martin", False):
            for filename in get_manifest("account_dunning")["demo"]:
                convert_file(
                    cls.env,
                    "account_dunning",
                    filename,
                    {},
                    mode="init",
                    noupdate=True,
                    kind="demo",
                )
        company = cls.env.ref("base.demo_company_fr_dunning")
        cls.env = cls.env(
            context=dict(cls.env.context, lang="fr_FR", allowed_company_ids=company.ids)
        )
        cls.company = company.with_env(cls.env)
        cls.Reminder = cls.env["account.dunning.reminder"]

    def _customer(self, name):
        return self.env.ref(f"account_dunning.{name}").with_company(self.company)

    def _reminders(self, name):
        return self.Reminder.search(
            [("partner_id", "=", self._customer(name).id)], order="date, id"
        )

    def test_a_french_company_in_euros_with_its_chart(self):
        self.assertEqual(self.company.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(self.company.country_code, "FR")
        self.assertEqual(self.company.account_fiscal_country_id.code, "FR")
        self.assertTrue(self.company.chart_template)
        self.assertIn(self.company, self.env.ref("base.user_admin").company_ids)
        formal = self.company.dunning_policy_id.level_ids.filtered("formal_notice")
        self.assertEqual(formal.fee_amount, 40.0)
        self.assertTrue(formal.apply_interest)
        self.assertEqual(self.company.dunning_interest_rate, 12.15)
        self.assertEqual(self.company.dunning_policy_id.name, "Relances standard")

    def test_french_customers_with_postal_addresses(self):
        for name in FRENCH_CUSTOMERS:
            customer = self._customer(name)
            with self.subTest(customer=customer.name):
                self.assertEqual(customer.lang, "fr_FR")
                self.assertEqual(customer.company_id, self.company)
                self.assertTrue(customer.street and customer.zip and customer.city)
                self.assertEqual(customer.country_id.code, "FR")

    def test_the_customer_who_pays_on_time_really_paid(self):
        martin = self._customer("demo_fr_customer_martin")
        invoices = self.env["account.move"].search(
            [("partner_id", "=", martin.id), ("move_type", "=", "out_invoice")]
        )
        paid = invoices.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        self.assertEqual(len(paid), 3)
        self.assertEqual(len(invoices - paid), 1)  # not due yet
        self.assertEqual(martin.payment_paid_count, 3)
        self.assertEqual(martin.payment_on_time_ratio, 1.0)
        self.assertFalse(self._reminders("demo_fr_customer_martin"))

    def test_each_customer_where_the_runs_left_it(self):
        levels = {
            name: self._reminders(name).mapped("level_id.name")
            for name in FRENCH_CUSTOMERS
        }
        self.assertEqual(levels["demo_fr_customer_lefevre"], ["Première relance"])
        self.assertEqual(
            levels["demo_fr_customer_bernard"],
            ["Première relance", "Appel téléphonique"],
        )
        self.assertEqual(levels["demo_fr_customer_moreau"][-1], "Mise en demeure")
        # Girard promised before any reminder was due
        self.assertEqual(levels["demo_fr_customer_girard"], [])
        self.assertEqual(
            self.env.ref("account_dunning.demo_fr_promise_girard").state, "open"
        )

    def test_french_emails_to_the_reminder_contact(self):
        sent = self._reminders("demo_fr_customer_bernard")[-1]
        self.assertEqual(sent.state, "sent")
        mail = self.env["mail.mail"].search(
            [("model", "=", sent._name), ("res_id", "=", sent.id)]
        )
        self.assertIn("relance", mail.subject)
        body = text_of(str(mail.body_html))
        self.assertIn("Bonjour Transports Bernard", body)
        self.assertIn("Montant dû", body)
        self.assertIn("3 120,00 €", body)
        moreau = self._reminders("demo_fr_customer_moreau")[-1]
        self.assertEqual(
            moreau.recipient_ids,
            self.env.ref("account_dunning.demo_fr_contact_moreau_compta"),
        )

    def test_the_formal_notice_letter_in_french_with_its_statutory_mentions(self):
        notice = self._reminders("demo_fr_customer_moreau")[-1]
        self.assertEqual(notice.state, "draft")  # waiting for review
        self.assertEqual(notice.fee_total, 40.0)  # once, on the invoice that got there
        self.assertGreater(notice.interest_total, 0)
        Report = self.env["ir.actions.report"]
        report = "account_dunning.action_report_dunning_letter"
        letter = text_of(Report._render_qweb_html(report, notice.ids)[0].decode())
        for words in (
            "Menuiserie Durand SARL",
            "12 rue des Artisans",
            "Imprimerie Moreau",
            "23 rue Mercière",
            "69002 Lyon",
            "Mise en demeure de payer",
            "Lettre recommandée avec accusé de réception",
            "4 860,00 €",
            "Frais de recouvrement 40,00 €",
            "Intérêts de retard",
            "article L441-10 du Code de commerce",
            "indemnité forfaitaire pour frais de recouvrement de 40 euros",
            "article 1344 du Code civil",
            "Veuillez agréer",
            "SIRET 732 829 320 00017",
        ):
            self.assertIn(words, letter)
        self.assertNotIn("Formal notice", letter)
        if Report.get_wkhtmltopdf_state() in ("ok", "upgrade", "workers"):
            pdf = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
                report, notice.ids
            )[0]
            self.assertTrue(pdf.startswith(b"%PDF"))
