# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import freeze_time, tagged

from .common import DunningCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestDunningScoring(DunningCommon):
    """Scores and predicted dates for three customers with known histories."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prompt = cls._customer("Prompt SA")
        cls.slow = cls._customer("Slow SARL")
        cls.worse = cls._customer("Worse SAS")
        # Prompt: two invoices paid before their due date.
        for due in (date(2026, 2, 10), date(2026, 5, 10)):
            cls._pay(
                cls._invoice(cls.prompt, 1000, due),
                1000,
                on=date(due.year, due.month, 5),
            )
        # Slow: 1,000 paid 30 days late, 1,000 on time; both within 12 months.
        cls._pay(
            cls._invoice(cls.slow, 1000, date(2026, 1, 10)), 1000, on=date(2026, 2, 9)
        )
        cls._pay(
            cls._invoice(cls.slow, 1000, date(2026, 2, 10)), 1000, on=date(2026, 2, 10)
        )
        # Worse: 10 days late long ago, 40 days late recently, a broken promise, a
        # dispute, and an invoice 30 days overdue today.
        cls._pay(
            cls._invoice(cls.worse, 1000, date(2026, 1, 5)), 1000, on=date(2026, 1, 15)
        )
        cls._pay(
            cls._invoice(cls.worse, 1000, date(2026, 5, 1)), 1000, on=date(2026, 6, 10)
        )
        cls.worse_open = cls._invoice(cls.worse, 500, date(2026, 5, 31))
        cls.worse_open.dunning_dispute_state = "resolved"
        with freeze_time(date(2026, 6, 1)):
            promise = cls.env["account.dunning.promise"].create(
                {
                    "partner_id": cls.worse.id,
                    "move_ids": [(6, 0, cls.worse_open.ids)],
                    "date": date(2026, 6, 15),
                    "amount": 500,
                }
            )
        # as its own step does once its date passed unpaid (users never write it)
        promise.sudo().state = "broken"
        cls.prompt_open = cls._invoice(cls.prompt, 300, date(2026, 7, 20))
        cls.slow_open = cls._invoice(cls.slow, 300, date(2026, 7, 20))
        with freeze_time(TODAY):
            cls.env["account.dunning.reminder"]._cron_dunning_run()

    def test_three_customers(self):
        self.assertRecordValues(
            self.prompt | self.slow | self.worse,
            [
                {
                    "payment_avg_days_late": 0.0,
                    "payment_on_time_ratio": 1.0,
                    "payment_paid_count": 2,
                    "risk_score": 0,
                },
                {
                    "payment_avg_days_late": 15.0,
                    "payment_on_time_ratio": 0.5,
                    "payment_paid_count": 2,
                    "risk_score": 25,
                },
                {
                    "payment_avg_days_late": 25.0,
                    "payment_on_time_ratio": 0.0,
                    "payment_paid_count": 2,
                    # 25 late + 20 all late + 10 trend (40 against 10) + 10 promise
                    # + 5 dispute + 5 (30 days overdue)
                    "risk_score": 75,
                },
            ],
        )
        self.assertFalse(self.prompt.risk_reasons)
        self.assertEqual(
            self.slow.risk_reasons.splitlines(),
            ["+15 Pays 15.0 days late on average", "+10 50 % of the amount paid late"],
        )
        self.assertIn("+10 1 broken promise(s) to pay", self.worse.risk_reasons)
        # a customer that never paid has no history: not "paid on time"
        self.assertEqual(self.customer.payment_paid_count, 0)
        # said in the reader's language, not the daily run's
        self.env["res.lang"]._activate_lang("fr_FR")
        self.assertEqual(
            self.slow.with_context(lang="fr_FR").risk_reasons.splitlines()[0],
            "+15 Paie avec 15,0 jours de retard en moyenne",
        )
        risky = self.env["res.partner"].search([("risk_score", ">=", 50)])
        self.assertIn(self.worse, risky)
        self.assertNotIn(self.slow, risky)

    def test_predicted_payment_dates(self):
        with freeze_time(TODAY):
            (self.prompt_open | self.slow_open | self.worse_open).invalidate_recordset()
            self.assertEqual(self.prompt_open.predicted_payment_date, date(2026, 7, 20))
            self.assertEqual(self.slow_open.predicted_payment_date, date(2026, 8, 4))
            # 25 days after 31 May is 25 June, already past: today at the earliest
            self.assertEqual(self.worse_open.predicted_payment_date, TODAY)
