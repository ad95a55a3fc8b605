# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningFigures(DunningCommon):
    """What each invoice and each customer owes, how late, and what is due next.

    Company currency USD; 1 USD = 2 EUR. On 2026-03-31 Dupont SA has: - INV1 1,000.00
    due 03-01, 400.00 paid: 600.00 open, 30 days late; - INV2 500.00 due 03-25: 6 days
    late; - INV3 200.00 due 04-10: not due yet; - INV4 300.00 EUR due 03-10: 150.00 USD,
    21 days late; - a credit note of 150.00, not applied; - INV5 800.00 due 02-01, paid
    in full.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv1 = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls.inv2 = cls._invoice(cls.customer, 500, date(2026, 3, 25))
        cls.inv3 = cls._invoice(cls.customer, 200, date(2026, 4, 10))
        cls.inv4 = cls._invoice(cls.customer, 300, date(2026, 3, 10), currency=cls.eur)
        cls.refund = cls._invoice(
            cls.customer, 150, date(2026, 3, 20), move_type="out_refund"
        )
        cls.inv5 = cls._invoice(cls.customer, 800, date(2026, 2, 1))
        cls._pay(cls.inv1, 400)
        cls._pay(cls.inv5, 800)

    def test_invoice_days_overdue(self):
        self.assertRecordValues(
            self.inv1 + self.inv2 + self.inv3 + self.inv4 + self.inv5,
            [
                {
                    "days_overdue": 30,
                    "payment_state": "partial",
                    "amount_residual": 600,
                },
                {
                    "days_overdue": 6,
                    "payment_state": "not_paid",
                    "amount_residual": 500,
                },
                {
                    "days_overdue": 0,
                    "payment_state": "not_paid",
                    "amount_residual": 200,
                },
                {
                    "days_overdue": 21,
                    "payment_state": "not_paid",
                    "amount_residual": 300,
                },
                {
                    "days_overdue": 0,
                    "payment_state": "paid",
                    "amount_residual": 0,
                },
            ],
        )

    def test_invoice_next_reminder_date(self):
        # Never reminded: first level (+5 days) after the due date.
        self.assertEqual(self.inv1.dunning_next_date, date(2026, 3, 6))
        self.assertEqual(self.inv3.dunning_next_date, date(2026, 4, 15))
        self.assertFalse(self.inv5.dunning_next_date)  # paid
        self.assertFalse(self.refund.dunning_next_date)  # credit notes are never chased
        self.inv1.sudo().dunning_level_id = self.level_plan  # top: nothing comes next
        self.assertFalse(self.inv1.dunning_next_date)

    def test_invoice_days_overdue_follows_earliest_unpaid_instalment(self):
        term = self._terms("Half now, half in 30 days", (50, 0), (50, 30))
        invoice = self._invoice(
            self.other_customer,
            1000,
            date(2026, 2, 1),
            invoice_date=date(2026, 2, 1),
            invoice_payment_term_id=term.id,
        )
        # Instalments due 02-01 and 03-03.
        self.assertEqual(invoice.days_overdue, 58)
        self._pay(invoice, 500)
        invoice.invalidate_recordset(["days_overdue"])
        self.assertEqual(invoice.days_overdue, 28)

    def test_customer_totals_net_credits_and_convert_currencies(self):
        # 600 + 500 + 150 (300 EUR) - 150 (credit note); INV3 is not due, INV5 is paid.
        self.assertRecordValues(
            self.customer,
            [
                {
                    "dunning_amount_overdue": 1100.0,
                    "dunning_overdue_count": 3,
                    "dunning_status": "action",
                    "dunning_next_date": date(2026, 3, 6),
                    "dunning_level_id": False,
                }
            ],
        )
        self.assertEqual(self.customer.dunning_currency_id, self.company.currency_id)

    def test_contact_shows_its_company_figures(self):
        contact = self.env["res.partner"].create(
            {"name": "Jeanne Dupont", "parent_id": self.customer.id}
        )
        self.assertEqual(contact.dunning_amount_overdue, 1100.0)
        self.assertEqual(contact.dunning_status, "action")

    def test_customer_without_receivable(self):
        self.assertRecordValues(
            self.other_customer,
            [
                {
                    "dunning_amount_overdue": 0.0,
                    "dunning_overdue_count": 0,
                    "dunning_status": "none",
                    "dunning_next_date": False,
                }
            ],
        )

    def test_status_overdue_when_no_level_is_due(self):
        late = self._invoice(self.other_customer, 250, date(2026, 3, 28))
        self.assertEqual(late.days_overdue, 3)
        self.assertEqual(self.other_customer.dunning_status, "overdue")
        self.assertEqual(self.other_customer.dunning_next_date, date(2026, 4, 2))

    def test_status_respects_policy_minimum(self):
        self._invoice(self.other_customer, 250, date(2026, 3, 1))
        self.assertEqual(self.other_customer.dunning_status, "action")
        self.policy.minimum_amount = 300
        self.other_customer.invalidate_recordset()
        self.assertEqual(self.other_customer.dunning_status, "overdue")

    def test_excluded_invoice_and_customer(self):
        late = self._invoice(self.other_customer, 250, date(2026, 3, 1))
        late.dunning_excluded = True
        self.assertFalse(late.dunning_next_date)
        self.assertEqual(late.days_overdue, 30)  # still late, only not chased
        self.assertEqual(self.other_customer.dunning_status, "overdue")
        self.assertEqual(self.other_customer.dunning_amount_overdue, 250.0)
        self.customer.dunning_excluded = True
        self.assertEqual(self.customer.dunning_status, "excluded")
        self.assertFalse(self.inv1.dunning_next_date)
        self.customer.write({"dunning_excluded": False, "credit_hold": True})
        # on hold and still chased: the status tells the chase, the hold is its own
        self.assertEqual(self.customer.dunning_status, "action")
        self.assertTrue(self.customer.credit_hold)
        # A hold stops new credit, not the chasing of what is already owed.
        self.inv1.invalidate_recordset(["dunning_next_date"])
        self.assertEqual(self.inv1.dunning_next_date, date(2026, 3, 6))

    def test_archived_customer_policy_falls_back_to_company_default(self):
        own = self.env["account.dunning.policy"].create(
            {
                "name": "Slow",
                "level_ids": [Command.create({"name": "Mail", "delay": 12})],
            }
        )
        self.other_customer.dunning_policy_id = own
        late = self._invoice(self.other_customer, 250, date(2026, 3, 1))
        self.assertEqual(late.dunning_next_date, date(2026, 3, 13))
        own.active = False
        late.invalidate_recordset(["dunning_next_date"])
        self.assertEqual(late.dunning_next_date, date(2026, 3, 6))

    def test_level_and_interval_set_next_date(self):
        # Reminded at +5 on 03-28: the +10 level, due since 03-11, waits for the
        # 5-day interval to end on 04-02.
        self._reminder(self.customer, self.inv1, self.level_email, on=date(2026, 3, 28))
        self.assertEqual(self.inv1.dunning_level_id, self.level_email)
        self.inv1.invalidate_recordset(["dunning_next_date"])
        self.assertEqual(self.inv1.dunning_next_date, date(2026, 4, 2))
        self.assertEqual(self.customer.dunning_level_id, self.level_email)

    def test_pending_draft_means_action_needed(self):
        late = self._invoice(self.other_customer, 250, date(2026, 3, 28))
        self.assertEqual(self.other_customer.dunning_status, "overdue")
        self._reminder(self.other_customer, late, self.level_email, state="draft")
        self.other_customer.invalidate_recordset()
        self.assertEqual(self.other_customer.dunning_status, "action")

    def test_search_and_sort_in_sql(self):
        self._invoice(self.other_customer, 250, date(2026, 3, 28))
        both = self.customer | self.other_customer
        Partner = self.env["res.partner"]
        domain = [("id", "in", both.ids)]
        self.assertEqual(
            Partner.search(domain + [("dunning_status", "=", "action")]), self.customer
        )
        self.assertEqual(
            Partner.search(domain + [("dunning_status", "in", ("overdue", "none"))]),
            self.other_customer,
        )
        self.assertEqual(
            Partner.search(domain + [("dunning_amount_overdue", ">", 1000)]),
            self.customer,
        )
        self.assertEqual(
            Partner.search(domain + [("dunning_amount_overdue", "<", 1000)]),
            self.other_customer,
        )
        self.assertEqual(
            Partner.search(domain, order="dunning_amount_overdue desc").ids, both.ids
        )
        self.assertEqual(
            Partner.search(domain, order="dunning_amount_overdue asc").ids,
            both.ids[::-1],
        )
        self.assertEqual(
            Partner.search(domain, order="dunning_status, id").ids,
            both.ids,  # 'action' sorts before 'overdue'
        )

    def test_grouping_customers_by_status(self):
        both = self.customer | self.other_customer
        groups = self.env["res.partner"]._read_group(
            [("id", "in", both.ids)], ["dunning_status"], ["__count"]
        )
        self.assertEqual(dict(groups), {"action": 1, "none": 1})

    def test_customers_by_level_for_the_kanban(self):
        """The kanban groups customers by the level reached, with a column for every
        level of the company (empty ones too); a column opens its customers."""
        self._reminder(self.customer, self.inv1, self.level_call, on=date(2026, 3, 28))
        self._invoice(self.other_customer, 250, date(2026, 3, 28))  # no level yet
        both = self.customer | self.other_customer
        Partner = self.env["res.partner"]
        groups = dict(
            Partner._read_group(
                [("id", "in", both.ids)], ["dunning_level_id"], ["__count"]
            )
        )
        self.assertEqual(
            groups, {self.level_call: 1, self.env["account.dunning.level"]: 1}
        )
        columns = Partner.web_read_group(
            [("id", "in", both.ids)], ["dunning_level_id"], ["dunning_level_id"]
        )["groups"]
        self.assertEqual(
            [g["dunning_level_id"] and g["dunning_level_id"][0] for g in columns],
            [*self.levels.filtered("active").ids, False],
        )
        (call_column,) = [
            g
            for g in columns
            if g["dunning_level_id"] and g["dunning_level_id"][0] == self.level_call.id
        ]
        self.assertEqual(
            Partner.search([("id", "in", both.ids)] + call_column["__domain"]),
            self.customer,
        )
        self.assertEqual(
            Partner.search([("id", "in", both.ids), ("dunning_level_id", "=", False)]),
            self.other_customer,
        )

    def test_figures_cost_the_same_queries_for_2_or_20_customers(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Client {i}", "is_company": True} for i in range(20)]
        )
        for customer in customers:
            self._invoice(customer, 100, date(2026, 3, 1))
        fields = ["dunning_amount_overdue", "dunning_status", "dunning_level_id"]
        self._count_read_queries(customers[:1], fields)  # warm the ORM caches
        two = self._count_read_queries(customers[:2], fields)
        twenty = self._count_read_queries(customers, fields)
        self.assertEqual(two, twenty)
        self.assertLessEqual(twenty, 8)

    def _count_read_queries(self, partners, fields):
        self.env.invalidate_all()
        self.env.flush_all()
        start = self.cr.sql_log_count
        partners.read(fields)
        return self.cr.sql_log_count - start

    def test_kanban_columns_keep_each_policy_together_and_named(self):
        """With two policies, the desk's kanban shows each policy's levels together,
        the company's default policy first, each column named with its policy."""
        other = self.env["account.dunning.policy"].create(
            {
                "name": "Key accounts",
                "level_ids": [
                    Command.create({"name": "Formal notice", "delay": 20}),
                    Command.create({"name": "Friendly reminder", "delay": 3}),
                ],
            }
        )
        Partner = self.env["res.partner"].with_context(dunning_level_policy=1)
        columns = Partner.web_read_group(
            [("id", "=", self.customer.id)], ["dunning_level_id"], ["dunning_level_id"]
        )["groups"]
        labels = [g["dunning_level_id"][1] for g in columns if g["dunning_level_id"]]
        default = self.policy.name
        ours = [f"{default}: {level.name}" for level in self.levels.filtered("active")]
        self.assertEqual(
            labels,
            [*ours, "Key accounts: Friendly reminder", "Key accounts: Formal notice"],
        )
        # elsewhere a level keeps its own name
        self.assertEqual(
            other.level_ids.sorted("delay")[0].display_name, "Friendly reminder"
        )
