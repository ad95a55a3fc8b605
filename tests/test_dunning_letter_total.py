# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date
from html import unescape

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import DunningCommon

DUE = date(2026, 3, 1)
DAY_45 = date(2026, 4, 15)
# the module's statutory clause as it was written out before {rate}
LEGACY_CLAUSE_FR = (
    "En cas de retard de paiement, des pénalités de retard sont exigibles de plein "
    "droit au taux de trois fois le taux d'intérêt légal, ainsi qu'une indemnité "
    "forfaitaire pour frais de recouvrement de 40 euros (articles L441-10 et D441-5 "
    "du Code de commerce)."
)


def text_of(html):
    """The words of a page or an email: tags gone, entities read, every run of spaces
    (the no-break spaces of the number formats too) one plain space."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", str(html))))


class LetterTotalCommon(DunningCommon):
    """Send reminders as a billing user and read what the customer reads."""

    def _send(self, moves, level, on=DAY_45):
        with freeze_time(on):
            action = moves.with_user(self.billing).action_dunning_send()
            wizard = (
                self.env["account.dunning.send"]
                .with_user(self.billing)
                .browse(action["res_id"])
            )
            wizard.level_id = level
            wizard.action_send()
        return self.env["account.dunning.reminder"].search(
            [("partner_id", "=", moves.commercial_partner_id.id), ("date", "=", on)]
        )

    def _letter(self, reminder):
        Report = self.env["ir.actions.report"].with_user(self.billing)
        html = Report._render_qweb_html(
            "account_dunning.action_report_dunning_letter", reminder.ids
        )[0]
        return text_of(html.decode())

    def _email(self, reminder):
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", reminder.mail_message_id.id)]
        )
        self.assertEqual(len(mail), 1)
        return text_of(mail.body_html)

    def _assert_sum_of_lines(self, reminder):
        """Each currency's total is what its lines claim plus their fees and
        interest, to the cent."""
        for asked in reminder._dunning_amounts_asked():
            lines = reminder.line_ids.filtered(
                lambda line, currency=asked.currency: line.currency_id == currency
            )
            expected = sum(
                lines.mapped(
                    lambda line: line.amount_reminded
                    + line.fee_amount
                    + line.interest_amount
                )
            )
            self.assertAlmostEqual(asked.total, expected, places=6)
            self.assertAlmostEqual(
                asked.total, asked.invoices + asked.fee + asked.interest, places=6
            )


@tagged("post_install", "-at_install")
class TestDunningLetterTotal(LetterTotalCommon):
    """What a reminder asks, in English: the invoices, the fees, the interest and
    their total, alike in the letter, the email and the form; per currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_interest_rate = 12.15
        cls.level_formal.write({"fee_amount": 40.0, "apply_interest": True})
        cls.invoices = cls._invoice(cls.customer, 6000, DUE) | cls._invoice(
            cls.customer, 135.50, DUE
        )
        cls.billing = new_test_user(
            cls.env, login="billing_total", groups="account.group_account_invoice"
        )

    def test_total_asked_is_the_invoices_plus_fees_plus_interest(self):
        reminder = self._send(self.invoices, self.level_formal)
        # 40.00 once per invoice; 6,000.00 and 135.50 x 12.15 % x 45 / 365
        self.assertRecordValues(
            reminder.line_ids,
            [
                {
                    "amount_reminded": 6000.0,
                    "fee_amount": 40.0,
                    "interest_amount": 89.88,
                },
                {"amount_reminded": 135.5, "fee_amount": 40.0, "interest_amount": 2.03},
            ],
        )
        usd = self.company.currency_id
        self.assertEqual(
            reminder._dunning_amounts_asked(),
            [(usd, 6135.5, 80.0, 91.91, 6307.41)],
        )
        self._assert_sum_of_lines(reminder)
        expected = [
            "Invoices $ 6,135.50",
            "Recovery fees $ 80.00",
            "Late interest $ 91.91",
            "Total due $ 6,307.41",
        ]
        letter = self._letter(reminder)
        email = self._email(reminder)
        form = text_of(reminder.with_user(self.billing).amounts_asked_html)
        for words in expected:
            self.assertIn(words, letter)
            self.assertIn(words, email)
            self.assertIn(words, form)
        # the invoices' amount is no longer called the total
        self.assertNotIn("Total due $ 6,135.50", letter + email)
        self.assertEqual(text_of(reminder.amount_asked_summary), "$ 6,307.41")

    def test_without_fees_or_interest_the_total_alone(self):
        reminder = self._send(self.invoices, self.level_email)
        self.assertEqual(
            reminder._dunning_amounts_asked(),
            [(self.company.currency_id, 6135.5, 0.0, 0.0, 6135.5)],
        )
        for text in (self._letter(reminder), self._email(reminder)):
            self.assertIn("Total due $ 6,135.50", text)
            self.assertNotIn("Recovery fees", text)
            self.assertNotIn("Late interest", text)
            self.assertNotIn("Invoices $", text)

    def test_each_currency_asked_on_its_own(self):
        invoices = self._invoice(self.other_customer, 1000, DUE) | self._invoice(
            self.other_customer, 500, DUE, currency=self.eur
        )
        reminder = self._send(invoices, self.level_formal)
        asked = {a.currency: a for a in reminder._dunning_amounts_asked()}
        usd = self.company.currency_id
        # the fee is 40.00 USD, 80.00 EUR at 2 EUR per USD; interest in each currency
        self.assertEqual(asked[usd], (usd, 1000.0, 40.0, 14.98, 1054.98))
        self.assertEqual(asked[self.eur], (self.eur, 500.0, 80.0, 7.49, 587.49))
        self._assert_sum_of_lines(reminder)
        letter = self._letter(reminder)
        email = self._email(reminder)
        for words in ("Total due $ 1,054.98", "Total due 587.49 €"):
            self.assertIn(words, letter)
            self.assertIn(words, email)
        self.assertEqual(
            text_of(reminder.amount_asked_summary), "$ 1,054.98 + 587.49 €"
        )


@tagged("post_install", "-at_install")
class TestDunningLetterTotalFrench(LetterTotalCommon):
    """A French formal notice: the total asked in French words and numbers, and a
    statutory clause that states the rate the interest was charged at."""

    chart_template = "generic_coa"  # the French chart is another module

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # French before the company: it gets the statutory clause in French too
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.fr = cls.setup_other_company(
            name="Atelier Lumière SAS",
            country_id=cls.env.ref("base.fr").id,
            currency_id=eur.id,
        )["company"]
        cls.fr.dunning_interest_rate = 12.15
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.fr.id])
        )
        cls.formal = cls.fr.dunning_policy_id.level_ids.filtered("formal_notice")
        cls.client = cls._customer("Boulangerie Martin SARL", lang="fr_FR")
        cls.invoice = cls._invoice(cls.client, 6135.50, DUE, currency=eur)
        cls.billing = new_test_user(
            cls.env,
            login="billing_total_fr",
            groups="account.group_account_invoice",
            company_id=cls.fr.id,
            company_ids=[cls.fr.id],
        )

    def test_french_letter_and_email_add_up(self):
        reminder = self._send(self.invoice, self.formal)
        # 6 135,50 x 12,15 % x 45 / 365 = 91,91; the 40 EUR indemnity
        self.assertEqual(
            reminder._dunning_amounts_asked(),
            [(self.fr.currency_id, 6135.5, 40.0, 91.91, 6267.41)],
        )
        self._assert_sum_of_lines(reminder)
        expected = [
            "Factures 6 135,50 €",
            "Frais de recouvrement 40,00 €",
            "Intérêts de retard 91,91 €",
            "Total dû 6 267,41 €",
        ]
        letter = self._letter(reminder)
        email = self._email(reminder)
        for words in expected:
            self.assertIn(words, letter)
            self.assertIn(words, email)
        self.assertNotIn("Total dû 6 135,50 €", letter + email)
        # the clause names the rate the interest above was charged at
        self.assertIn("pénalités de retard sont exigibles de plein droit", letter)
        self.assertIn("au taux de 12,15 % par an", letter)
        self.assertNotIn("trois fois le taux", letter)
        self.assertNotIn("{rate}", letter)
        # the accountant reads it in their own language and format
        french = reminder.with_user(self.billing).with_context(lang="fr_FR")
        form = text_of(french.amounts_asked_html)
        self.assertIn("Total dû 6 267,41 €", form)

    def test_english_customer_of_the_french_company(self):
        client = self._customer("Bakery Ltd")
        reminder = self._send(
            self._invoice(client, 6135.50, DUE, currency=self.fr.currency_id),
            self.formal,
        )
        letter = self._letter(reminder)
        self.assertIn("Total due 6,267.41 €", letter)
        self.assertIn("late-payment penalties at 12.15% a year", letter)

    def test_no_rate_set_states_the_legal_minimum(self):
        self.fr.dunning_interest_rate = 0.0
        reminder = self._send(self.invoice, self.formal)
        self.assertEqual(
            reminder._dunning_amounts_asked(),
            [(self.fr.currency_id, 6135.5, 40.0, 0.0, 6175.5)],
        )
        letter = self._letter(reminder)
        self.assertIn("Total dû 6 175,50 €", letter)
        self.assertNotIn("Intérêts de retard 0,00", letter)
        self.assertIn("au taux de trois fois le taux d'intérêt légal", letter)

    def test_invoices_print_the_rate_charged(self):
        html = (
            self.env["ir.actions.report"]
            .with_user(self.billing)
            ._render_qweb_html("account.account_invoices", self.invoice.ids)[0]
            .decode()
        )
        self.assertIn("au taux de 12,15 % par an", text_of(html))

    def test_settings_offer_the_clause_with_its_rate(self):
        settings = self.env["res.config.settings"].with_company(self.fr).create({})
        french = settings.with_context(lang="fr_FR").dunning_late_payment_clause
        self.assertIn("au taux de {rate}", french)
        self.assertIn("40 euros", french)
        self.assertEqual(
            self.fr.with_context(lang="fr_FR")._dunning_late_payment_clause_text(),
            french.replace("{rate}", "12,15\N{NO-BREAK SPACE}% par an"),
        )

    def test_company_keeps_its_own_clause(self):
        french = self.fr.with_context(lang="fr_FR")
        french.dunning_late_payment_clause = (
            "Pénalités de retard selon nos conditions générales de vente."
        )
        reminder = self._send(self.invoice, self.formal)
        letter = self._letter(reminder)
        self.assertIn("Pénalités de retard selon nos conditions générales", letter)
        self.assertNotIn("12,15", letter.split("Intérêts de retard 91,91 €")[1])
        # with the placeholder, its own words and the rate charged
        french.dunning_late_payment_clause = "Pénalités au taux de {rate} (CGV)."
        self.assertEqual(
            french._dunning_late_payment_clause_text(),
            "Pénalités au taux de 12,15\N{NO-BREAK SPACE}% par an (CGV).",
        )

    def test_clause_that_contradicts_the_rate_is_refused(self):
        french = self.fr.with_context(lang="fr_FR")
        with self.assertRaisesMessage(
            ValidationError, r"trois fois le taux d'intérêt légal.*12,15\s% par an"
        ):
            french.dunning_late_payment_clause = LEGACY_CLAUSE_FR
        with self.assertRaisesMessage(
            ValidationError, r"three times the legal.*12\.15%"
        ):
            self.fr.with_context(
                lang="en_US"
            ).dunning_late_payment_clause = (
                "Penalties at three times the French legal interest rate."
            )
        with self.assertRaisesMessage(ValidationError, r"\{taux\}.*\{rate\}"):
            french.dunning_late_payment_clause = "Pénalités au taux de {taux}."
        # without a rate of its own, the statutory minimum is what it charges
        self.fr.dunning_interest_rate = 0.0
        french.dunning_late_payment_clause = LEGACY_CLAUSE_FR
        # and a rate set later must not contradict it
        with self.assertRaisesMessage(ValidationError, r"write \{rate\}"):
            self.fr.with_context(lang="en_US").dunning_interest_rate = 10.0
