# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import SQL

from ..models import account_dunning_figures
from ..models.account_dunning_figures import CUSTOMERS, DIRTY, STATE
from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningFiguresStore(DunningCommon):
    """The customers' figures kept for the screens that list them all read exactly
    as the selection computes them, whatever changed since they were stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store = cls.env["account.dunning.figures"]
        cls.selection = cls.env["account.dunning.selection"]
        cls.inv1 = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls.inv2 = cls._invoice(cls.customer, 500, date(2026, 3, 25))
        cls.inv3 = cls._invoice(cls.other_customer, 300, date(2026, 2, 1))
        cls.contact = (
            cls.env["res.partner"]
            .sudo()
            .create({"name": "Anne Dupont", "parent_id": cls.customer.id})
        )
        cls.inv_contact = cls._invoice(cls.contact, 250, date(2026, 3, 10))

    def _today(self):
        return self.store._store_date(self.company)

    def _live(self, today=None):
        today = today or self._today()
        customers = self.selection._customer_figures(self.company, today)
        entries = self.selection._fetch(
            self.store._live_entries_sql(self.company, today, SQL("TRUE"))
        )
        return customers, sorted(entries, key=lambda row: row["move_id"])

    def _kept(self, today=None):
        today = today or self._today()
        customers = self.store._customer_figures(self.company, today)
        entries = self.selection._fetch(self.store._entries_sql(self.company, today))
        return customers, sorted(entries, key=lambda row: row["move_id"])

    def assertKeptAsComputed(self, what, fresh=True):
        """The figures read through the store are the selection's, and the store
        was indeed read (its rows are today's)."""
        self.assertEqual(self.store._is_fresh(self.company, self._today()), fresh, what)
        self.assertEqual(self._kept(), self._live(), what)

    def _marked(self):
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT DISTINCT partner_id FROM %s", SQL(DIRTY)))
        return {partner_id for (partner_id,) in self.env.cr.fetchall()}

    def test_every_change_reads_as_computed(self):
        self.assertEqual(self.store._refresh(), 0)
        self.assertFalse(self._marked())
        self.assertKeptAsComputed("just stored")
        customer = self.customer

        self._invoice(self.other_customer, 80, date(2026, 3, 20))
        self.assertIn(self.other_customer.id, self._marked())
        self.assertKeptAsComputed("an invoice posted")

        self._pay(self.inv1, 400)
        self.assertKeptAsComputed("a payment registered")

        self.inv2.sudo().dunning_dispute_state = "open"
        self.assertKeptAsComputed("a dispute opened")

        self.env["account.dunning.promise"].create(
            {
                "partner_id": self.other_customer.id,
                "move_ids": [Command.set(self.inv3.ids)],
                "date": TODAY + timedelta(days=10),
                "amount": 300,
            }
        )
        self.assertKeptAsComputed("a promise recorded")

        self.store._refresh()
        self.assertFalse(self._marked())
        self.assertKeptAsComputed("stored again")

        self._reminder(customer, self.inv1, self.level_email, state="draft")
        self.assertIn(customer.id, self._marked())
        self.assertKeptAsComputed("a draft awaiting review")

        self._run(TODAY)
        self.assertKeptAsComputed("the daily run sent reminders")

        # the contact moves to the other customer: both customers change
        self.contact.sudo().parent_id = self.other_customer
        self.assertTrue({customer.id, self.other_customer.id} <= self._marked())
        self.assertKeptAsComputed("a contact moved to another company")

        self.other_customer.sudo().dunning_excluded = True
        self.assertKeptAsComputed("a customer excluded")

        self.inv2.button_draft()
        self.assertKeptAsComputed("an invoice reset to draft")

        # a policy's setting concerns every customer: nothing stored is read
        self.policy.minimum_amount = 5000
        self.assertKeptAsComputed("the policy changed", fresh=False)

        self.store._refresh()
        self.assertFalse(self._marked())
        self.assertKeptAsComputed("stored after the policy changed")

    def test_refresh_by_chunks_within_the_call(self):
        """Changed customers are stored again a chunk at a time; a call that has no
        time left stops between chunks and says how many are left."""
        self.store._refresh()
        self._invoice(self.customer, 10, date(2026, 3, 1))
        self._invoice(self.other_customer, 10, date(2026, 3, 1))
        self.assertEqual(self._marked(), {self.customer.id, self.other_customer.id})
        with patch.object(account_dunning_figures, "REFRESH_CHUNK", 1):
            self.assertEqual(self.store._refresh(seconds=1e-9), 1)
            self.assertEqual(len(self._marked()), 1)
            self.assertKeptAsComputed("half stored")
            self.assertEqual(self.store._refresh(seconds=1e-9), 0)
        self.assertFalse(self._marked())
        self.assertKeptAsComputed("all stored")
        # the scheduled action is the same refresh
        self._pay(self.inv1, 100)
        self.env["account.dunning.reminder"]._cron_dunning_figures()
        self.assertFalse(self._marked())
        self.assertKeptAsComputed("stored by the scheduled action")

    def test_billing_user_reads_their_own_change(self):
        """What a billing user changes reaches the desk at once: the marks are the
        database's, whoever writes, and reading needs no right on the store."""
        self.store._refresh()
        billing = new_test_user(
            self.env, login="billing_store", groups="account.group_account_invoice"
        )
        env = self.env(user=billing)
        Partner = env["res.partner"]
        before = Partner.browse(self.customer.id).dunning_amount_overdue
        self.assertEqual(before, 1750)
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.inv1.ids
        ).create({"amount": 1000, "payment_date": TODAY})._create_payments()
        env.invalidate_all()
        self.assertEqual(
            Partner.search(
                [("dunning_amount_overdue", "=", 750), ("parent_id", "=", False)]
            ),
            self.customer,
        )
        self.assertKeptAsComputed("after the billing user's payment")

    def test_a_new_day_reads_nothing_stored(self):
        self.store._refresh()
        tomorrow = TODAY + timedelta(days=1)
        with freeze_time(tomorrow):
            self.assertFalse(self.store._is_fresh(self.company, tomorrow))
            self.assertEqual(self._kept(tomorrow), self._live(tomorrow))
            self.store._refresh()
            self.assertTrue(self.store._is_fresh(self.company, tomorrow))
            self.assertEqual(self._kept(tomorrow), self._live(tomorrow))

    def test_desk_reads_the_store(self):
        """The desk's searches, sorts and groups read the stored rows (a stored
        figure altered by hand shows), and the live ones for marked customers."""
        Partner = self.env["res.partner"]
        desk = [("dunning_is_customer", "=", True)]
        order = "dunning_amount_overdue desc"
        before = Partner.search(desk, order=order)
        self.assertEqual(before, self.customer + self.other_customer)
        self.store._refresh()
        self.assertEqual(Partner.search(desk, order=order), before)
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET amount_overdue = 99999 WHERE partner_id = %s",
                SQL(CUSTOMERS),
                self.other_customer.id,
            )
        )
        self.assertEqual(
            Partner.search(desk, order=order), self.other_customer + self.customer
        )
        self.assertEqual(
            Partner.search([("dunning_amount_overdue", "=", 99999)]),
            self.other_customer,
        )
        # once marked, the customer is computed again, whatever is stored
        self._invoice(self.other_customer, 10, date(2026, 3, 1))
        self.assertEqual(Partner.search(desk, order=order), before)
        self.assertFalse(Partner.search([("dunning_amount_overdue", "=", 99999)]))

    def test_aged_receivables_read_the_store(self):
        self.store._refresh()
        report = self.env["account.dunning.aging.report"]
        self.assertEqual(
            report.search([]).mapped("move_id"),
            (self.inv1 + self.inv2 + self.inv3 + self.inv_contact).sorted(
                lambda m: -(TODAY - m.invoice_date_due).days
            ),
        )
        self._pay(self.inv3, 300)
        self.assertNotIn(self.inv3, report.search([]).mapped("move_id"))

    def test_uninstall_leaves_nothing(self):
        self.store._uninstall()
        cr = self.env.cr
        cr.execute(
            "SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'account_dunning_fig%%'"
        )
        self.assertEqual(cr.fetchone()[0], 0)
        cr.execute(
            "SELECT COUNT(*) FROM pg_proc WHERE proname LIKE 'account_dunning_fig%%'"
        )
        self.assertEqual(cr.fetchone()[0], 0)
        cr.execute("SELECT to_regclass(%s)", [STATE])
        self.assertIsNone(cr.fetchone()[0])
        # Odoo's invoices and payments work without the store
        invoice = self._invoice(self.customer, 10, date(2026, 3, 1))
        self._pay(invoice, 10)
        # paid, or "in payment" while the payment waits for its bank statement
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
