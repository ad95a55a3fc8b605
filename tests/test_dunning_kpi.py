# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningKpi(DunningCommon):
    """Every KPI on a small fixed data set, for March 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv_a = cls._invoice(cls.customer, 1000, date(2026, 2, 14))
        cls.inv_b = cls._invoice(cls.customer, 2000, date(2026, 3, 20))
        cls.inv_c = cls._invoice(cls.other_customer, 3000, date(2026, 4, 10))
        cls.inv_d = cls._invoice(cls.other_customer, 600, date(2026, 3, 5))
        cls._reminder(cls.customer, cls.inv_a, cls.level_email, on=date(2026, 3, 1))
        cls._reminder(cls.customer, cls.inv_b, cls.level_call, on=date(2026, 3, 22))
        cls._pay(cls.inv_a, 1000, on=date(2026, 3, 10))
        cls._pay(cls.inv_b, 500, on=date(2026, 3, 25))
        cls._pay(cls.inv_d, 600, on=date(2026, 3, 5))
        cls.kpi = cls.env["account.dunning.kpi"].create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}
        )

    def test_every_kpi(self):
        figures = self.kpi._dunning_kpis()
        # receivables on 31 March: B 1,500 + C 3,000; sales of March: C 3,000
        self.assertEqual(figures["receivables"], 4500.0)
        self.assertEqual(figures["sales"], 3000.0)
        # countback: March (31 days, 3,000) then 1,500 of February's 2,600
        self.assertEqual(figures["dso"], 47.2)
        # paid in March: A 24 days late (1,000), D on time (600)
        self.assertEqual(figures["avg_days_late"], 15.0)
        # B 1,500 overdue of 4,500
        self.assertEqual(figures["overdue_share"], 33.33)
        # (3,600 + 3,000 - 4,500) / (3,600 + 3,000 - 3,000 not due)
        self.assertEqual(figures["cei"], 58.33)
        # A (1,000) was overdue on 28 February and paid in March
        self.assertEqual(figures["recovery_rate"], 100.0)
        self.assertEqual(
            figures["by_level"],
            {
                self.level_email.name: (1000.0, 100.0),
                self.level_call.name: (2000.0, 25.0),
            },
        )
        # in the order of the ladder, whatever the order the reminders came in
        self.assertEqual(
            list(figures["by_level"]), [self.level_email.name, self.level_call.name]
        )
        self.assertEqual(
            figures["by_channel"], {"Email": (3000.0, 50.0), "Activity": (2000.0, 25.0)}
        )
        self.assertEqual(self.kpi.cei, 58.33)
        self.assertIn("Paid within 14 days", self.kpi.effectiveness_html)
        self.assertIn("25.00 %", self.kpi.effectiveness_html)
        # a French reader reads French numbers
        self.env["res.lang"]._activate_lang("fr_FR")
        french = self.kpi.with_context(lang="fr_FR")
        french.invalidate_recordset(["effectiveness_html"])
        self.assertIn("25,00 %", french.effectiveness_html)

    def test_levels_of_two_policies_under_one_name_add_up(self):
        key_accounts = self.env["account.dunning.policy"].create(
            {
                "name": "Key accounts",
                "level_ids": [
                    Command.create({"name": self.level_call.name, "delay": 12})
                ],
            }
        )
        inv_e = self._invoice(self.other_customer, 800, date(2026, 2, 20))
        self._reminder(
            self.other_customer, inv_e, key_accounts.level_ids, on=date(2026, 3, 1)
        )
        self._pay(inv_e, 400, on=date(2026, 3, 8))
        by_level = self.kpi._dunning_kpis()["by_level"]
        # 2,000 on the standard call (500 paid), 800 on the other policy's (400)
        self.assertEqual(by_level[self.level_call.name], (2800.0, 32.14))
        self.assertEqual(len(by_level), 2)

    def test_aged_receivables_by_bucket(self):
        today = fields.Date.today()
        late = self._invoice(self.other_customer, 700, today - timedelta(days=45))
        early = self._invoice(self.other_customer, 300, today + timedelta(days=5))
        self.env.flush_all()
        rows = self.env["account.dunning.aging.report"].search(
            [("move_id", "in", (late | early).ids)]
        )
        self.assertRecordValues(
            rows.sorted("days_overdue"),
            [
                {
                    "move_id": early.id,
                    "not_due": 300.0,
                    "days_31_60": 0.0,
                    "amount_due": 300.0,
                    "days_overdue": 0,
                },
                {
                    "move_id": late.id,
                    "not_due": 0.0,
                    "days_31_60": 700.0,
                    "days_overdue": 45,
                    "amount_due": 700.0,
                },
            ],
        )

    def test_menu_opens_the_report_not_a_new_record(self):
        auditor = new_test_user(
            self.env, login="kpi_auditor", groups="account.group_account_readonly"
        )
        action = self.env.ref("account_dunning.account_dunning_kpi_open_action")
        result = action.with_user(auditor).run()
        self.assertEqual(result["res_model"], "account.dunning.kpi")
        kpi = (
            self.env["account.dunning.kpi"].with_user(auditor).browse(result["res_id"])
        )
        self.assertTrue(kpi.exists())
        self.assertEqual(kpi.display_name, "Collection KPIs")
        self.assertEqual(kpi.date_to, fields.Date.context_today(kpi))
