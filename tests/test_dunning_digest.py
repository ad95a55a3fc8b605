# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collection KPIs in Odoo's digest email: the KPI screen's figures for the
digest's company and period, and an email that renders with all of them."""

from datetime import date, datetime

from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools.misc import format_decimalized_amount

from .common import TODAY, DunningCommon

DIGEST_KPIS = (
    "kpi_account_dunning_overdue",
    "kpi_account_dunning_dso",
    "kpi_account_dunning_cei",
    "kpi_account_dunning_recovered",
    "kpi_account_dunning_reminders_sent",
    "kpi_account_dunning_promises_kept",
    "kpi_account_dunning_promises_broken",
    "kpi_account_dunning_credit_hold",
)
# the digest's period for March 2026: from the day after its start to its end
MARCH = {
    "start_datetime": datetime(2026, 2, 28, 12, 0),
    "end_datetime": datetime(2026, 3, 31, 12, 0),
}


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningDigest(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, login="billing_digest", groups="account.group_account_invoice"
        )
        cls.auditor = new_test_user(
            cls.env, login="auditor_digest", groups="account.group_account_readonly"
        )
        cls.employee = new_test_user(
            cls.env, login="employee_digest", groups="base.group_user"
        )
        # A and B overdue on 31 March, C not due yet, D overdue on 28 February and
        # paid on 10 March
        cls.inv_a = cls._invoice(cls.customer, 1000, date(2026, 2, 14))
        cls.inv_b = cls._invoice(cls.customer, 2000, date(2026, 3, 20))
        cls.inv_c = cls._invoice(cls.other_customer, 3000, date(2026, 4, 10))
        cls.inv_d = cls._invoice(cls.other_customer, 600, date(2026, 2, 20))
        # issued in March: one sent, one in the outgoing queue; neither the draft
        # nor February's
        cls._reminder(cls.customer, cls.inv_a, cls.level_email, on=date(2026, 3, 5))
        cls._reminder(
            cls.customer,
            cls.inv_b,
            cls.level_email,
            on=date(2026, 3, 25),
            state="sending",
        )
        cls._reminder(
            cls.customer, cls.inv_a, cls.level_call, on=date(2026, 3, 30), state="draft"
        )
        cls._reminder(cls.customer, cls.inv_a, cls.level_courtesy, on=date(2026, 2, 20))
        # D promised for 8 March and paid (kept), B for 25 March and not (broken),
        # A for 10 April (open)
        Promise = cls.env["account.dunning.promise"]
        with freeze_time(date(2026, 3, 1)):
            cls._promise(cls.other_customer, cls.inv_d, date(2026, 3, 8))
        with freeze_time(date(2026, 3, 21)):
            cls._promise(cls.customer, cls.inv_b, date(2026, 3, 25))
        cls._promise(cls.customer, cls.inv_a, date(2026, 4, 10))
        cls._pay(cls.inv_d, 600, on=date(2026, 3, 10))
        Promise._dunning_update_states(TODAY)
        # sudo: the hold is set by a reminder's level or a manager
        cls.customer.sudo().with_company(cls.company).credit_hold = True
        cls.digest = cls.env["digest.digest"].create(
            {
                "name": "Collection",
                "company_id": cls.company.id,
                "user_ids": [(6, 0, cls.billing.ids)],
                "kpi_res_users_connected": True,
            }
            | dict.fromkeys(DIGEST_KPIS, True)
        )

    @classmethod
    def _promise(cls, partner, invoice, on):
        return cls.env["account.dunning.promise"].create(
            {
                "partner_id": partner.id,
                "move_ids": [(6, 0, invoice.ids)],
                "date": on,
                "amount": invoice.amount_total,
            }
        )

    def _kpi_screen(self, user, date_from, date_to, company=None):
        return (
            self.env["account.dunning.kpi"]
            .with_user(user)
            .create(
                {
                    "company_id": (company or self.company).id,
                    "date_from": date_from,
                    "date_to": date_to,
                }
            )
        )

    def test_values_are_the_kpi_screen_figures(self):
        digest = self.digest.with_user(self.billing).with_context(**MARCH)
        screen = self._kpi_screen(self.billing, date(2026, 3, 1), date(2026, 3, 31))
        figures = screen._dunning_kpis()
        # overdue on 31 March: A 1,000 + B 2,000, as the KPI screen and the
        # collection desk say
        self.assertEqual(digest.kpi_account_dunning_overdue_value, 3000.0)
        self.assertEqual(figures["overdue"], 3000.0)
        desk = (
            self.env["res.partner"]
            .with_user(self.billing)
            ._read_group(
                [("dunning_amount_overdue", ">", 0)], [], ["dunning_amount_overdue:sum"]
            )
        )
        self.assertEqual(desk[0][0], 3000.0)
        # receivables 6,000 on 31 March; sales: March 3,000 (31 days), February
        # 2,000 (28 days), then 1,000 of January's 1,600 (31 days x 1,000 / 1,600)
        self.assertEqual(digest.kpi_account_dunning_dso_value, 78.4)
        self.assertEqual(screen.dso, 78.4)
        # (3,600 open on 28 February + 3,000 sold - 6,000 open on 31 March)
        # / (3,600 + 3,000 - 3,000 not due yet)
        self.assertEqual(digest.kpi_account_dunning_cei_value, 16.67)
        self.assertEqual(screen.cei, 16.67)
        # D (600), overdue on 28 February, paid on 10 March: 600 of 1,600
        self.assertEqual(digest.kpi_account_dunning_recovered_value, 600.0)
        self.assertEqual(figures["recovered"], 600.0)
        self.assertEqual(screen.recovery_rate, 37.5)
        # the sent one and the one in the outgoing queue
        self.assertEqual(digest.kpi_account_dunning_reminders_sent_value, 2)
        self.assertEqual(
            screen._dunning_reminders_sent(date(2026, 3, 1), date(2026, 3, 31)), 2
        )
        self.assertEqual(digest.kpi_account_dunning_promises_kept_value, 1)
        self.assertEqual(digest.kpi_account_dunning_promises_broken_value, 1)
        self.assertEqual(
            screen._dunning_promises_settled(date(2026, 3, 1), date(2026, 3, 31)),
            {"kept": 1, "broken": 1},
        )
        # as the desk's filter "On credit hold" finds them
        self.assertEqual(digest.kpi_account_dunning_credit_hold_value, 1)
        held = (
            self.env["res.partner"]
            .with_user(self.billing)
            .search([("credit_hold", "=", True)])
        )
        self.assertEqual(held, self.customer)
        # read outside a digest email: the KPI screen's default period, from 1
        # January (the month 90 days back) to today, February's reminder with them
        self.assertEqual(
            self.digest.with_user(
                self.billing
            ).kpi_account_dunning_reminders_sent_value,
            3,
        )
        # an auditor reads the same
        audited = self.digest.with_user(self.auditor).with_context(**MARCH)
        self.assertEqual(audited.kpi_account_dunning_overdue_value, 3000.0)
        self.assertEqual(audited.kpi_account_dunning_cei_value, 16.67)

    def test_the_email_renders_every_kpi_with_its_period(self):
        kpis = {
            kpi["kpi_name"]: kpi
            for kpi in self.digest._compute_kpis(self.company, self.billing)
        }
        self.assertTrue(set(DIGEST_KPIS) <= set(kpis))
        # last 30 days: March; the 30 days before: 29 January to 28 February
        march = {name: kpis[name]["kpi_col3"] for name in DIGEST_KPIS}
        currency = self.company.currency_id
        self.assertEqual(
            march["kpi_account_dunning_overdue"]["value"],
            self.digest._format_currency_amount(
                format_decimalized_amount(3000.0), currency
            ),
        )
        # 3,000 overdue against 1,600 on 28 February
        self.assertEqual(march["kpi_account_dunning_overdue"]["margin"], 87.5)
        self.assertEqual(march["kpi_account_dunning_dso"]["value"], "78.40")
        self.assertEqual(march["kpi_account_dunning_cei"]["value"], "16.67")
        self.assertEqual(
            march["kpi_account_dunning_recovered"]["value"],
            self.digest._format_currency_amount(
                format_decimalized_amount(600.0), currency
            ),
        )
        # two issued in March against one in February: each period its own value
        self.assertEqual(march["kpi_account_dunning_reminders_sent"]["value"], 2)
        self.assertEqual(march["kpi_account_dunning_reminders_sent"]["margin"], 100.0)
        self.assertEqual(march["kpi_account_dunning_promises_kept"]["value"], 1)
        self.assertEqual(march["kpi_account_dunning_promises_broken"]["value"], 1)
        self.assertEqual(march["kpi_account_dunning_credit_hold"]["value"], 1)
        # last 7 days (25 to 31 March): the reminder in the queue; last 24 hours
        # (31 March): none
        sent = kpis["kpi_account_dunning_reminders_sent"]
        self.assertEqual((sent["kpi_col1"]["value"], sent["kpi_col2"]["value"]), (0, 1))
        # each KPI links to its screen
        for name in DIGEST_KPIS:
            self.assertTrue(self.env.ref(kpis[name]["kpi_action"]))

        # the email itself, sent to the billing user
        self.digest._action_send_to_user(self.billing)
        mail = self.env["mail.mail"].search(
            [("email_to", "=", self.billing.email_formatted)], order="id desc", limit=1
        )
        for name in DIGEST_KPIS:
            self.assertIn(f'data-field="{name}"', mail.body_html)
        self.assertIn("78.40", mail.body_html)
        self.assertIn("16.67", mail.body_html)

    def test_left_out_for_users_outside_accounting(self):
        kpis = [
            kpi["kpi_name"]
            for kpi in self.digest._compute_kpis(self.company, self.employee)
        ]
        # the rest of the digest still goes
        self.assertIn("kpi_res_users_connected", kpis)
        self.assertFalse(set(DIGEST_KPIS) & set(kpis))

    def test_values_of_the_digest_company(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        for customer in self.customer | self.other_customer:
            # sudo: holds are set by a reminder's level or a manager
            customer.sudo().with_company(company_b).credit_hold = True
        both = new_test_user(
            self.env,
            login="billing_both",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[(6, 0, (self.company | company_b).ids)],
        )
        digests = self.digest | self.digest.copy({"company_id": company_b.id})
        values = digests.with_user(both).with_context(**MARCH)
        self.assertRecordValues(
            values,
            [
                {
                    "kpi_account_dunning_overdue_value": 3000.0,
                    "kpi_account_dunning_reminders_sent_value": 2,
                    "kpi_account_dunning_credit_hold_value": 1,
                },
                {
                    "kpi_account_dunning_overdue_value": 0.0,
                    "kpi_account_dunning_reminders_sent_value": 0,
                    "kpi_account_dunning_credit_hold_value": 2,
                },
            ],
        )
        screen_b = self._kpi_screen(
            both, date(2026, 3, 1), date(2026, 3, 31), company=company_b
        )
        self.assertEqual(values[1].kpi_account_dunning_dso_value, screen_b.dso)
