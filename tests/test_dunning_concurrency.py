# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import os
import threading
import time
import unittest
from datetime import date, timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from .cron_worker import process_ready_jobs

DUE = date(2026, 3, 2)
RUN_DAY = date(2026, 3, 9)


class DunningConcurrencyCase(BaseCase):
    """Tests on several database connections, with data committed in a company of
    their own (see ``_make_data``).

    Not a TransactionCase: the other connections must see committed data. It runs
    only in a throw-away database (see setUpClass), so what it commits goes with it.
    """

    CUSTOMERS = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # what the workers see must be committed: only in a database made to be
        # thrown away after the run (make test's clones say so), never in one a
        # test run must leave as it found it
        if not os.environ.get("ADT_THROWAWAY_DB"):
            raise unittest.SkipTest(
                "commits companies, customers and invoices: runs only in a "
                "throw-away database (ADT_THROWAWAY_DB=1, as make test sets)"
            )

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})

    def _make_data(
        self, dbname, name="Concurrency SA", due=DUE, letters=False, customers=None
    ):
        """A company of its own (the other tests never see it), its customers and
        their overdue invoices, committed; with ``letters``, every level sends its
        email at once with its letter attached."""
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
                    for index in range(customers or self.CUSTOMERS)
                ]
            )
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": customer.id,
                        "invoice_date": due - timedelta(days=30),
                        "invoice_date_due": due,
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
            if letters:
                company.dunning_policy_id.level_ids.write(
                    {"auto_execute": True, "attach_letter": True}
                )
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
    def _start_workers(target, *args):
        """Two worker threads running ``target(*args)``, started."""
        workers = [threading.Thread(target=target, args=args) for __ in range(2)]
        for worker in workers:
            worker.start()
        return workers

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


@tagged("post_install", "-at_install")
class TestDunningConcurrency(DunningConcurrencyCase):
    """Two workers run the daily run for the same company at the same time, each on
    its own database connection: every customer is reminded once, none twice."""

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
        workers = self._start_workers(self._worker, dbname, barrier, results, errors)
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

    def test_one_open_promise_per_invoice_is_the_databases(self):
        """Two customers answer at once for one invoice (the portal's promise, each
        on its own connection): the second meets the first's in the database,
        which refuses it, although its own search before the insert saw none."""
        dbname = get_db_name()
        company_id, (partner_id,) = self._make_data(
            dbname, name="Concurrency Promise SA", customers=1
        )
        self.addCleanup(self._retire, dbname, company_id)
        self.addCleanup(self._drop_promises, dbname, company_id)
        database_errors = self._database_errors()
        day = date.today() + timedelta(days=7)
        with (
            db_connect(dbname).cursor() as first,
            db_connect(dbname).cursor() as second,
        ):
            invoice = self._env(second)["account.move"].search(
                [("partner_id", "=", partner_id)]
            )
            self.assertFalse(invoice.dunning_promise_ids)  # its snapshot, before
            answers = self._env(first)["account.dunning.answer"]
            answers._customer_promise(invoice.with_env(answers.env), day, 10)
            # the other connections must see it: this database is a throw-away clone
            first.commit()  # pylint: disable=invalid-commit
            with self.assertRaises(UserError) as refused:
                self._env(second)["account.dunning.answer"]._customer_promise(
                    invoice, day, 20
                )
            # said in the customer's language: the invoice it is about
            self.assertIn(invoice.name, str(refused.exception))
            second.rollback()  # as a request refused: nothing of it stays
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT p.amount FROM account_dunning_promise p "
                "JOIN account_dunning_promise_move_rel r ON r.promise_id = p.id "
                "WHERE r.move_id = %s AND p.state = 'open'",
                [invoice.id],
            )
            self.assertEqual(cr.fetchall(), [(10.0,)])
        self.assertFalse(database_errors)  # a refusal, not logged as a server error

    def _drop_promises(self, dbname, company_id):
        with db_connect(dbname).cursor() as cr:
            self._env(cr)["account.dunning.promise"].search(
                [("company_id", "=", company_id)]
            ).unlink()
            # the other connections must see it: this database is a throw-away clone
            cr.commit()  # pylint: disable=invalid-commit

    def _score(self, cr, company_id):
        env = self._env(cr)
        company = env["res.company"].browse(company_id)
        return env["account.dunning.engine"]._score_company(company, RUN_DAY)

    # --- real cron workers -----------------------------------------------------------
    def _setting(self, dbname, key, value):
        """A system parameter, committed, and put back after the test."""
        with db_connect(dbname).cursor() as cr:
            params = self._env(cr)["ir.config_parameter"]
            before = params.get_param(key)
            params.set_param(key, value)
            # the other connections must see it: this database is a throw-away clone
            cr.commit()  # pylint: disable=invalid-commit

        def restore():
            with db_connect(dbname).cursor() as cr:
                self._env(cr)["ir.config_parameter"].set_param(key, before or False)
                cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(restore)

    def _prepare_crons(self, dbname, smtp_port):
        """The daily run due now, in batches of two customers; a mail server on the
        loopback; all put back after the test. Returns the ids of the scheduled
        actions the workers run: the daily run, the printing, the mail queue."""
        xmlids = (
            "account_dunning.ir_cron_dunning_run",
            "account_dunning.ir_cron_dunning_documents",
            "mail.ir_cron_mail_scheduler_action",
        )
        with db_connect(dbname).cursor() as cr:
            env = self._env(cr)
            crons = [env.ref(xmlid) for xmlid in xmlids]
            run = crons[0]
            before = {"code": run.code, "nextcall": run.nextcall}
            run.write(
                {
                    "code": "model._cron_dunning_run(batch_size=2)",
                    "nextcall": "2000-01-01 00:00:00",
                }
            )
            server = env["ir.mail_server"].create(
                {
                    "name": "Loopback workers",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": smtp_port,
                    "smtp_encryption": "none",
                    "sequence": 1,
                }
            )
            ids = [cron.id for cron in crons]
            cr.commit()  # pylint: disable=invalid-commit

        def restore():
            with db_connect(dbname).cursor() as cr:
                env = self._env(cr)
                env["ir.cron"].browse(ids[0]).write(before)
                env["ir.mail_server"].browse(server.id).unlink()
                cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(restore)
        return ids

    def _cron_worker(self, dbname, cron_ids, stop, errors):
        """What an Odoo cron worker does (ir.cron._process_jobs), on the given
        scheduled actions only: take each job that is ready and no other worker
        holds, run it (its calls, progress and rescheduling), again and again."""
        try:
            registry, connection = Registry(dbname), db_connect(dbname)
            while not stop.is_set():
                ran = process_ready_jobs(registry, connection, cron_ids)
                if not ran:
                    time.sleep(0.05)
        except Exception as error:  # reported by the main thread
            errors.append(error)

    def _timed(self, registry, model, method, calls):
        """Record the length of every call of ``model.method`` (all threads)."""
        cls = registry[model]
        original = getattr(cls, method)

        def timed(records, *args, **kwargs):
            started = time.monotonic()
            try:
                return original(records, *args, **kwargs)
            finally:
                calls.append((method, time.monotonic() - started))

        patcher = patch.object(cls, method, timed)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _reminder_rows(self, dbname, partner_ids):
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT r.partner_id, r.state, r.documents_pending, a.name "
                "FROM account_dunning_reminder r "
                "LEFT JOIN ir_attachment a ON a.id = r.letter_attachment_id "
                "WHERE r.partner_id = ANY(%s) AND r.state != 'cancelled'",
                [partner_ids],
            )
            return cr.fetchall()

    def test_two_cron_workers_with_letters_remind_and_mail_each_customer_once(self):
        """Two real cron workers share the daily run, the printing and the mail
        queue, with letters attached and a small time per call: every customer is
        reminded once, every email sent once with its letter, no call longer than
        its time."""
        from .smtp_server import SMTPTestServer

        dbname = get_db_name()
        if not self._registry_free():
            self.skipTest(
                "cron workers need the registry, which Odoo's own test runner "
                "(odoo-bin --test-tags) holds locked while it runs the tests; this "
                "test runs under pytest-odoo (make test)"
            )
        budget = 1.0
        due = date.today() - timedelta(days=5)  # the jobs run on today's date
        company_id, partner_ids = self._make_data(
            dbname, name="Cron Workers SA", due=due, letters=True, customers=40
        )
        self.addCleanup(self._retire, dbname, company_id)
        self._setting(dbname, "account_dunning.cron_call_seconds", str(budget))
        registry = Registry(dbname)
        calls = []
        self._timed(registry, "account.dunning.engine", "_cron_run", calls)
        self._timed(registry, "account.dunning.documents", "_cron_print", calls)
        with (
            SMTPTestServer() as smtp,
            patch("odoo.modules.module.current_test", False),
        ):
            cron_ids = self._prepare_crons(dbname, smtp.port)
            stop, errors = threading.Event(), []
            workers = self._start_workers(
                self._cron_worker, dbname, cron_ids, stop, errors
            )
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not errors:
                outcome = self._reminder_rows(dbname, partner_ids)
                if len(outcome) == len(partner_ids) and all(
                    state == "sent" for __, state, __, __ in outcome
                ):
                    break
                time.sleep(0.2)
            stop.set()
            for worker in workers:
                worker.join(timeout=60)
        self.assertFalse([w for w in workers if w.is_alive()], "a worker hung")
        self.assertFalse(errors, errors)
        outcome = self._reminder_rows(dbname, partner_ids)
        # every customer reminded once, and its reminder sent
        self.assertEqual(sorted(row[0] for row in outcome), sorted(partner_ids))
        self.assertEqual({row[1:3] for row in outcome}, {("sent", False)})
        # every email sent once, with its letter
        letters = {row[3] for row in outcome}
        # the queue also sends what the other tests here left in it: ours only
        accepted = [
            (recipients, message)
            for recipients, message in smtp.accepted
            if "Cron Workers SA" in message["Subject"]
        ]
        self.assertEqual(len(accepted), len(partner_ids))
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT id, email FROM res_partner WHERE id = ANY(%s)", [partner_ids]
            )
            emails = {email.lower() for __, email in cr.fetchall()}
        received = [recipients[0].lower() for recipients, __ in accepted]
        self.assertEqual(sorted(received), sorted(emails))
        attached = [
            {part.get_filename() for part in message.walk() if part.get_filename()}
            for __, message in accepted
        ]
        for names in attached:
            self.assertEqual(len(names & letters), 1, names)
        # no call longer than its time; and the work was spread over several calls
        self.assertTrue(calls)
        self.assertLessEqual(max(seconds for __, seconds in calls), budget, calls)
        self.assertGreater(len([c for c in calls if c[0] == "_cron_run"]), 1, calls)

    def test_a_customer_being_reminded_can_be_saved_meanwhile(self):
        """While a batch of the daily run works on a customer, and while its letter
        prints, an accountant saves the customer without waiting."""
        dbname = get_db_name()
        if not self._registry_free():
            self.skipTest(
                "the run needs the registry in a thread of its own, which Odoo's own "
                "test runner holds locked while it runs the tests; this test runs "
                "under pytest-odoo (make test)"
            )
        company_id, partner_ids = self._make_data(
            dbname, name="Saved Meanwhile SA", letters=True
        )
        self.addCleanup(self._retire, dbname, company_id)
        registry = Registry(dbname)
        for model, method, step in (
            ("account.dunning.dispatch", "_send", self._run_batch_step),
            ("account.dunning.dispatch", "_render_letters", self._print_step),
        ):
            with self.subTest(step=method):
                saved = self._save_while_paused(
                    dbname, registry, model, method, step, company_id, partner_ids
                )
                self.assertLess(saved, 2.0)

    def _run_batch_step(self, env, company_id, partner_ids):
        company = env["res.company"].browse(company_id)
        env["account.dunning.engine"].with_company(company)._run_batch(
            partner_ids, RUN_DAY
        )

    def _print_step(self, env, company_id, partner_ids):
        env["account.dunning.documents"]._cron_print()

    def _save_while_paused(
        self, dbname, registry, model, method, step, company_id, partner_ids
    ):
        """Run ``step`` in a worker, paused inside ``model.method``; meanwhile save
        the first customer in another transaction. Returns how long the save took."""
        paused, resume = threading.Event(), threading.Event()
        cls = registry[model]
        original = getattr(cls, method)

        def pausing(records, *args, **kwargs):
            result = original(records, *args, **kwargs)
            paused.set()
            resume.wait(30)
            return result

        errors = []

        def work():
            try:
                with db_connect(dbname).cursor() as cr:
                    step(self._env(cr), company_id, partner_ids)
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:  # reported by the main thread
                errors.append(error)

        with patch.object(cls, method, pausing):
            worker = threading.Thread(target=work)
            worker.start()
            try:
                self.assertTrue(paused.wait(30), "the step never reached its pause")
                with db_connect(dbname).cursor() as cr:
                    cr.execute("SET lock_timeout = '5s'")
                    started = time.monotonic()
                    customer = self._env(cr)["res.partner"].browse(partner_ids[0])
                    customer.write({"phone": "+33 1 23 45 67 89", "comment": "Called"})
                    cr.commit()  # pylint: disable=invalid-commit
                    saved = time.monotonic() - started
            finally:
                resume.set()
                worker.join(timeout=60)
        self.assertFalse(errors, errors)
        return saved
