# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import DunningCommon

DUE = date(2026, 3, 1)
DAY_45 = date(2026, 4, 15)
DAY_60 = date(2026, 4, 30)


@tagged("post_install", "-at_install")
class TestDunningCharges(DunningCommon):
    """Recovery fee once per invoice and to businesses only; simple late interest
    never charged twice; the fees invoice; the late-payment clause."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_interest_rate = 12.15
        cls.level_formal.write({"fee_amount": 40.0, "apply_interest": True})
        cls.level_plan.write({"fee_amount": 40.0, "apply_interest": True})
        cls.invoice = cls._invoice(cls.customer, 1000, DUE)
        cls.billing = new_test_user(
            cls.env, login="billing_charges", groups="account.group_account_invoice"
        )

    def _send(self, moves, level, on):
        """Send a reminder at ``level`` for ``moves`` through the wizard, as a billing
        user, on date ``on``."""
        with freeze_time(on):
            wizard = (
                self.env["account.dunning.send"]
                .with_user(self.billing)
                .browse(moves.with_user(self.billing).action_dunning_send()["res_id"])
            )
            wizard.level_id = level
            wizard.action_send()
        return self.env["account.dunning.reminder"].search(
            [("partner_id", "=", moves.commercial_partner_id.id), ("date", "=", on)]
        )

    def test_fee_once_per_invoice_and_interest_never_twice(self):
        first = self._send(self.invoice, self.level_formal, DAY_45)
        self.assertRecordValues(
            first.line_ids, [{"fee_amount": 40.0, "interest_amount": 14.98}]
        )
        self.assertRecordValues(first, [{"fee_total": 40.0, "interest_total": 14.98}])
        second = self._send(self.invoice, self.level_plan, DAY_60)
        # no second fee; interest for the 15 days since the first reminder only
        self.assertRecordValues(
            second.line_ids, [{"fee_amount": 0.0, "interest_amount": 4.99}]
        )

    def test_private_person_is_never_charged_the_fee(self):
        person = self._customer("Jean Dupuis", is_company=False)
        invoice = self._invoice(person, 1000, DUE)
        reminder = self._send(invoice, self.level_formal, DAY_45)
        self.assertRecordValues(
            reminder.line_ids, [{"fee_amount": 0.0, "interest_amount": 14.98}]
        )

    def test_level_without_charges_charges_nothing(self):
        reminder = self._send(self.invoice, self.level_email, DAY_45)
        self.assertRecordValues(
            reminder.line_ids, [{"fee_amount": 0.0, "interest_amount": 0.0}]
        )

    def test_fee_in_the_invoice_currency(self):
        invoice = self._invoice(self.other_customer, 1000, DUE, currency=self.eur)
        reminder = self._send(invoice, self.level_formal, DAY_45)
        # 40 USD at 2 EUR per USD; interest on the residual in EUR
        self.assertRecordValues(
            reminder.line_ids,
            [
                {
                    "fee_amount": 80.0,
                    "interest_amount": 14.98,
                    "currency_id": self.eur.id,
                }
            ],
        )

    def test_daily_run_charges_the_same_way(self):
        self.levels.write({"auto_execute": True})
        self.policy.allow_level_skip = True
        with freeze_time(DAY_45):
            self.env["account.dunning.reminder"]._cron_dunning_run()
        line = self.invoice.dunning_reminder_line_ids
        self.assertRecordValues(
            line,
            [
                {
                    "level_id": self.level_plan.id,
                    "fee_amount": 40.0,
                    "interest_amount": 14.98,
                }
            ],
        )

    def test_fees_invoice_posted_once(self):
        income = self.company_data["default_account_revenue"].copy({"code": "706100"})
        self.company.write(
            {"dunning_fee_invoicing": "posted", "dunning_fee_account_id": income.id}
        )
        reminder = self._send(self.invoice, self.level_formal, DAY_45)
        fees = reminder.fee_move_id
        self.assertRecordValues(
            fees,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.customer.id,
                    "amount_total": 54.98,
                    "invoice_origin": reminder.name,
                }
            ],
        )
        self.assertEqual(
            fees.invoice_line_ids.product_id,
            self.env.ref("account_dunning.product_late_payment_fees"),
        )
        self.assertEqual(fees.invoice_line_ids.account_id, income)
        self.env["account.dunning.charges"]._invoice_charges(reminder)
        self.assertEqual(reminder.fee_move_id, fees)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("invoice_origin", "=", reminder.name)]
            ),
            1,
        )

    def test_fees_invoice_posted_over_a_credit_block(self):
        """A customer over its credit limit, where the company blocks posting, or
        over OCA's risk (its action_post then returns a wizard unless told to
        bypass the risk): the fees of its reminder are posted all the same, being
        no new credit; a user's own invoice stays blocked."""
        income = self.company_data["default_account_revenue"]
        self.company.write(
            {
                "dunning_fee_invoicing": "posted",
                "dunning_fee_account_id": income.id,
                "account_use_credit_limit": True,
                "dunning_credit_check": "block",
            }
        )
        self.customer.sudo().credit_limit = 10
        Move = type(self.env["account.move"])
        original = Move.action_post

        def risk_checked(moves):  # as account_financial_risk does
            if not moves.env.context.get("bypass_risk"):
                return {"type": "ir.actions.act_window", "res_model": "risk.wizard"}
            return original(moves)

        try:
            Move.action_post = risk_checked
            reminder = self._send(self.invoice, self.level_formal, DAY_45)
        finally:
            Move.action_post = original
        self.assertEqual(reminder.fee_move_id.state, "posted")
        draft = self._draft_invoice(self.customer, 10)
        with self.assertRaisesMessage(UserError, "over its credit limit"):
            draft.with_user(self.billing).with_context(
                dunning_fee_posting="guess"
            ).action_post()

    def test_fees_invoice_draft_or_none(self):
        reminder = self._send(self.invoice, self.level_formal, DAY_45)
        self.assertFalse(reminder.fee_move_id)  # not invoiced by default
        self.company.dunning_fee_invoicing = "draft"
        other = self._send(
            self._invoice(self.other_customer, 500, DUE), self.level_formal, DAY_45
        )
        self.assertEqual(other.fee_move_id.state, "draft")

    def test_charges_in_the_letter_and_the_email(self):
        reminder = self._send(self.invoice, self.level_formal, DAY_45)
        html = self._letter_html(reminder)
        self.assertIn("Recovery fee", html)
        self.assertIn("14.98", html)
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", reminder.mail_message_id.id)]
        )
        self.assertIn("Recovery fees", str(mail.body_html))
        self.assertIn("14.98", str(mail.body_html))

    def test_french_company_gets_the_statutory_clause(self):
        company = self.env["res.company"].create(
            {"name": "Société Test", "country_id": self.env.ref("base.fr").id}
        )
        self.assertIn("40 euros", company.dunning_late_payment_clause)
        formal = company.dunning_policy_id.level_ids.filtered("formal_notice")
        self.assertRecordValues(formal, [{"fee_amount": 40.0, "apply_interest": True}])
        self.company.dunning_late_payment_clause = "Late fees apply."
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.account_invoices", self.invoice.ids)[0]
            .decode()
        )
        self.assertIn("Late fees apply.", html)


@tagged("post_install", "-at_install")
class TestFrenchCompanyCharges(DunningCommon):
    """A French company in euros: its default policy charges the 40 EUR recovery
    indemnity and late interest at the formal notice."""

    chart_template = "generic_coa"  # the French chart is another module

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
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
        cls.client = cls._customer("Boulangerie Martin SARL")
        cls.invoice = cls._invoice(cls.client, 1000, DUE, currency=eur)
        cls.billing = new_test_user(
            cls.env,
            login="billing_fr",
            groups="account.group_account_invoice",
            company_id=cls.fr.id,
            company_ids=[cls.fr.id],
        )

    def _send(self, moves, on):
        with freeze_time(on):
            action = moves.with_user(self.billing).action_dunning_send()
            wizard = (
                self.env["account.dunning.send"]
                .with_user(self.billing)
                .browse(action["res_id"])
            )
            wizard.level_id = self.formal
            wizard.action_send()
        return self.env["account.dunning.reminder"].search(
            [("partner_id", "=", moves.commercial_partner_id.id), ("date", "=", on)]
        )

    def test_forty_euros_once_per_invoice_across_reminders(self):
        self.assertRecordValues(
            self.formal, [{"fee_amount": 40.0, "apply_interest": True}]
        )
        first = self._send(self.invoice, DAY_45)
        self.assertRecordValues(
            first.line_ids,
            [
                {
                    "fee_amount": 40.0,
                    "interest_amount": 14.98,
                    "currency_id": self.fr.currency_id.id,
                }
            ],
        )
        second = self._send(self.invoice, DAY_60)
        self.assertRecordValues(
            second.line_ids, [{"fee_amount": 0.0, "interest_amount": 4.99}]
        )
        self.assertEqual(
            sum(self.invoice.dunning_reminder_line_ids.mapped("fee_amount")), 40.0
        )

    def test_never_for_a_private_person(self):
        person = self._customer("Marie Curie", is_company=False)
        invoice = self._invoice(person, 1000, DUE, currency=self.fr.currency_id)
        reminder = self._send(invoice, DAY_45)
        self.assertRecordValues(
            reminder.line_ids, [{"fee_amount": 0.0, "interest_amount": 14.98}]
        )


@tagged("post_install", "-at_install")
class TestInterestWithoutDecimals(DunningCommon):
    """Interest in a currency with no decimals is rounded to whole units."""

    def test_interest_in_yen(self):
        yen = self.setup_other_currency(
            "JPY", rounding=1.0, rates=[("2016-01-01", 100.0)]
        )
        self.assertEqual(yen.decimal_places, 0)
        self.company.dunning_interest_rate = 12.15
        self.level_formal.apply_interest = True
        invoice = self._invoice(self.customer, 100000, DUE, currency=yen)
        with freeze_time(DAY_45):
            action = invoice.action_dunning_send()
            wizard = self.env["account.dunning.send"].browse(action["res_id"])
            wizard.level_id = self.level_formal
            wizard.action_send()
        # 100,000 x 12.15 % x 45 / 365 = 1,497.95 -> 1,498 yen
        self.assertRecordValues(
            invoice.dunning_reminder_line_ids,
            [{"interest_amount": 1498.0, "currency_id": yen.id}],
        )
