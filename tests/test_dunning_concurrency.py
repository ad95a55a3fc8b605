# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading
from datetime import date

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

DUE = date(2026, 3, 2)
RUN_DAY = date(2026, 3, 9)


@tagged("post_install", "-at_install")
class TestDunningConcurrency(BaseCase):
    """Two workers run the daily run for the same company at the same time, each on
    its own database connection: every customer is reminded once, none twice.

    Not a TransactionCase: the workers must see committed data. The test database
    is a throw-away clone, so what this test commits goes with it.
    """

    CUSTOMERS = 12

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})

    def _make_data(self, dbname, name="Concurrency SA"):
        """A company of its own (the other tests never see it), its customers and
        their overdue invoices, committed."""
        with db_connect(dbname).cursor() as cr:
            env = self._env(cr)
            company = env["res.company"].create({"name": name})
            env["account.chart.template"].try_loading(
                "generic_coa", company=company, install_demo=False
            )
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            customers = env["res.partner"].create(
                [
                    {
                        "name": f"Concurrent {index:02d}",
                        "is_company": True,
                        "email": f"concurrent{index}@example.com",
                    }
                    for index in range(self.CUSTOMERS)
                ]
            )
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": customer.id,
                        "invoice_date": date(2026, 2, 1),
                        "invoice_date_due": DUE,
                        "invoice_payment_term_id": False,
                        "invoice_line_ids": [
                            Command.create(
                                {"name": "Work", "quantity": 1, "price_unit": 100}
                            )
                        ],
                    }
                    for customer in customers
                ]
            )
            moves.action_post()
            # the other connections must see it: this database is a throw-away clone
            cr.commit()  # pylint: disable=invalid-commit
            return company.id, customers.ids

    def _retire(self, dbname, company_id):
        """Keep the later tests' daily runs off this company."""
        with db_connect(dbname).cursor() as cr:
            self._env(cr)["res.company"].browse(company_id).dunning_auto_run = False
            # the other connections must see it: this database is a throw-away clone
            cr.commit()  # pylint: disable=invalid-commit

    def _worker(self, dbname, barrier, results, errors):
        try:
            with db_connect(dbname).cursor() as cr:
                env = self._env(cr)
                barrier.wait(timeout=30)
                done = env["account.dunning.reminder"]._cron_dunning_run(
                    batch_size=3, date=RUN_DAY
                )
                # the other connections must see it: this database is a throw-away clone
                cr.commit()  # pylint: disable=invalid-commit
                results.append(done)
        except Exception as error:  # reported by the main thread
            errors.append(error)

    @staticmethod
    def _registry_free():
        """Whether another thread may open the registry: Odoo's own runner runs
        post-install tests while it holds the registry lock (loading the modules),
        so a worker thread would wait for it forever."""
        free = []

        def probe():
            got = Registry._lock.acquire(timeout=2)
            if got:
                Registry._lock.release()
            free.append(got)

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        return free[0]

    def _database_errors(self):
        """The ERROR lines the database layer logs from now on (a contention the
        run handles is not one)."""
        records = []

        class Collect(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())

        handler = Collect(logging.ERROR)
        logger = logging.getLogger("odoo.sql_db")
        # as a server logs it (the test configuration may log less)
        self.addCleanup(logger.setLevel, logger.level)
        logger.setLevel(logging.ERROR)
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        return records

    def test_two_workers_at_once_remind_each_customer_once(self):
        dbname = get_db_name()
        if not self._registry_free():
            self.skipTest(
                "two workers need the registry, which Odoo's own test runner "
                "(odoo-bin --test-tags) holds locked while it runs the tests; this "
                "test runs under pytest-odoo (make test)"
            )
        database_errors = self._database_errors()
        company_id, partner_ids = self._make_data(dbname)
        self.addCleanup(self._retire, dbname, company_id)
        barrier = threading.Barrier(2)
        results, errors = [], []
        workers = [
            threading.Thread(
                target=self._worker, args=(dbname, barrier, results, errors)
            )
            for __ in range(2)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        self.assertFalse([w for w in workers if w.is_alive()], "a worker hung")
        self.assertFalse(errors, errors)
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT partner_id, COUNT(*) FROM account_dunning_reminder "
                "WHERE partner_id = ANY(%s) AND state != 'cancelled' "
                "GROUP BY partner_id",
                [partner_ids],
            )
            counts = dict(cr.fetchall())
        self.assertEqual(set(counts), set(partner_ids))  # everyone reminded
        self.assertEqual(set(counts.values()), {1})  # and only once
        self.assertEqual(len(results), 2)  # both workers ran to the end
        self.assertFalse(database_errors)  # contention handled, not logged as errors

    def test_scores_met_by_another_run_are_left_to_it_without_error_lines(self):
        """A run whose scoring meets another run's committed update (PostgreSQL's
        "could not serialize access") leaves the scores to that run: handled, so
        not logged as an error."""
        dbname = get_db_name()
        company_id, __ = self._make_data(dbname, name="Concurrency Scores SA")
        self.addCleanup(self._retire, dbname, company_id)
        database_errors = self._database_errors()
        with (
            db_connect(dbname).cursor() as first,
            db_connect(dbname).cursor() as second,
        ):
            first.execute("SELECT 1 FROM res_partner LIMIT 1")  # its snapshot
            self.assertTrue(self._score(second, company_id))
            # the other connections must see it: this database is a throw-away clone
            second.commit()  # pylint: disable=invalid-commit
            # the first run's update meets the second's: left to it, quietly
            self.assertFalse(self._score(first, company_id))
        self.assertFalse(database_errors)

    def _score(self, cr, company_id):
        env = self._env(cr)
        company = env["res.company"].browse(company_id)
        return env["account.dunning.engine"]._score_company(company, RUN_DAY)
