# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
import time
from datetime import date, datetime, timedelta
from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.sql_db import db_connect
from odoo.tests import freeze_time, tagged
from odoo.tests.common import get_db_name

from ..models.contention import contention_of
from .common import DunningCommon
from .cron_worker import process_ready_jobs
from .test_dunning_concurrency import RUN_DAY, DunningConcurrencyCase

DUE = date(2026, 3, 2)
RUN_XMLID = "account_dunning.ir_cron_dunning_run"


@tagged("post_install", "-at_install")
class TestDunningRunBusyLedger(DunningConcurrencyCase):
    """The day's run is never lost to a busy ledger: an invoice row that an
    accountant's transaction holds, or changed since the run's began, leaves only
    its customer for a later call; the run neither waits for it nor fails."""

    CUSTOMERS = 5

    def _invoice_of(self, dbname, partner_id):
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT id FROM account_move WHERE partner_id = %s "
                "AND move_type = 'out_invoice'",
                [partner_id],
            )
            return cr.fetchone()[0]

    def _reminded(self, cr, partner_ids):
        """{partner id: number of reminders} as ``cr`` sees them."""
        cr.execute(
            "SELECT partner_id, COUNT(*) FROM account_dunning_reminder "
            "WHERE partner_id = ANY(%s) AND state != 'cancelled' GROUP BY partner_id",
            [partner_ids],
        )
        return dict(cr.fetchall())

    def _run_cron_ready(self, dbname):
        """The daily run ready to go now, in batches of two customers; put back
        after the test. Returns its id."""
        with db_connect(dbname).cursor() as cr:
            run = self._env(cr).ref(RUN_XMLID)
            before = {"code": run.code, "nextcall": run.nextcall}
            run.write(
                {
                    "code": "model._cron_dunning_run(batch_size=2)",
                    "nextcall": "2000-01-01 00:00:00",
                }
            )
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [run.id])
            cr.commit()  # pylint: disable=invalid-commit
            run_id = run.id

        def restore():
            with db_connect(dbname).cursor() as cr:
                self._env(cr)["ir.cron"].browse(run_id).write(before)
                cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [run_id])
                cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(restore)
        return run_id

    def _cron_state(self, dbname, run_id):
        """(failure count, next call, call times of its pending triggers)"""
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT failure_count, nextcall FROM ir_cron WHERE id = %s", [run_id]
            )
            failures, nextcall = cr.fetchone()
            cr.execute(
                "SELECT call_at FROM ir_cron_trigger WHERE cron_id = %s", [run_id]
            )
            return failures, nextcall, [row[0] for row in cr.fetchall()]

    def test_an_invoice_held_by_an_accountant_leaves_its_customer_to_the_next_call(
        self,
    ):
        """An accountant's open edit of one invoice (an UPDATE of its row, not
        committed) while Odoo's cron runner runs the daily run: the other customers
        are reminded at once, without waiting; the run is called again within a
        minute, not the next day, and then reminds the last customer."""
        dbname = get_db_name()
        due = date.today() - timedelta(days=5)  # the scheduled action runs today
        company_id, partner_ids = self._make_data(
            dbname, name="Busy Ledger SA", due=due
        )
        self.addCleanup(self._retire, dbname, company_id)
        database_errors = self._database_errors()
        run_id = self._run_cron_ready(dbname)
        held = partner_ids[2]
        invoice_id = self._invoice_of(dbname, held)
        registry, connection = Registry(dbname), db_connect(dbname)
        accountant = connection.cursor()
        self.addCleanup(accountant.close)
        accountant.execute(
            "UPDATE account_move SET ref = 'being edited' WHERE id = %s", [invoice_id]
        )
        # should the run wait for the row after all, the test ends instead of hanging
        release = threading.Timer(30, accountant.rollback)
        release.start()
        self.addCleanup(release.cancel)
        started = time.monotonic()
        self.assertTrue(process_ready_jobs(registry, connection, [run_id]))
        elapsed = time.monotonic() - started
        release.cancel()
        with connection.cursor() as cr:
            reminded = self._reminded(cr, partner_ids)
        self.assertEqual(sorted(reminded), sorted(set(partner_ids) - {held}))
        self.assertLess(elapsed, 15, "the run waited for the accountant's row")
        failures, nextcall, triggers = self._cron_state(dbname, run_id)
        self.assertEqual(failures, 0)  # no call failed
        # called again within the minute, not at its next daily time
        self.assertTrue(triggers, "the run was put off to its next daily call")
        soon = datetime.now() + timedelta(minutes=2)
        self.assertLessEqual(min(triggers), soon)
        self.assertGreater(nextcall, soon)  # Odoo's rescheduling: the trigger stands
        # the accountant saves; a minute later the run takes the last customer
        accountant.rollback()
        with connection.cursor() as cr:
            cr.execute(
                "UPDATE ir_cron_trigger SET call_at = call_at - interval '2 minutes' "
                "WHERE cron_id = %s",
                [run_id],
            )
            cr.commit()  # pylint: disable=invalid-commit
        self.assertTrue(process_ready_jobs(registry, connection, [run_id]))
        with connection.cursor() as cr:
            reminded = self._reminded(cr, partner_ids)
        self.assertEqual(reminded, dict.fromkeys(partner_ids, 1))
        self.assertFalse(database_errors)  # contention handled, not logged as errors

    def test_an_invoice_changed_since_the_run_began_waits_for_the_next_call(self):
        """An accountant saves an invoice after the run's transaction began (a
        serialization failure for the run, Odoo's repeatable read): its customer is
        left for the next call, the others are reminded in the same batch."""
        dbname = get_db_name()
        company_id, partner_ids = self._make_data(dbname, name="Changed Ledger SA")
        self.addCleanup(self._retire, dbname, company_id)
        database_errors = self._database_errors()
        changed = partner_ids[3]
        invoice_id = self._invoice_of(dbname, changed)
        with (
            db_connect(dbname).cursor() as run_cr,
            db_connect(dbname).cursor() as accountant,
        ):
            run_cr.execute("SELECT 1 FROM account_move LIMIT 1")  # its snapshot
            accountant.execute(
                "UPDATE account_move SET ref = 'saved' WHERE id = %s", [invoice_id]
            )
            accountant.commit()  # pylint: disable=invalid-commit
            env = self._env(run_cr)
            company = env["res.company"].browse(company_id)
            engine = env["account.dunning.engine"].with_company(company)
            reminders, later = engine._take_batch(partner_ids, RUN_DAY)
            self.assertEqual(later, [changed])
            self.assertEqual(
                sorted(reminders.partner_id.ids), sorted(set(partner_ids) - {changed})
            )
            run_cr.rollback()
        self.assertFalse(database_errors)

    def test_a_payment_link_never_waits_for_a_held_invoice(self):
        """An invoice held by an accountant gets no token of its own for now: its
        reminder links the customer's account page instead, at once."""
        dbname = get_db_name()
        company_id, partner_ids = self._make_data(
            dbname, name="Held Link SA", customers=1
        )
        self.addCleanup(self._retire, dbname, company_id)
        invoice_id = self._invoice_of(dbname, partner_ids[0])
        with (
            db_connect(dbname).cursor() as run_cr,
            db_connect(dbname).cursor() as accountant,
        ):
            accountant.execute(
                "UPDATE account_move SET ref = 'being edited' WHERE id = %s",
                [invoice_id],
            )
            run_cr.execute("SET lock_timeout = '10s'")  # a wait fails the test
            env = self._env(run_cr)
            company = env["res.company"].browse(company_id)
            engine = env["account.dunning.engine"].with_company(company)
            vals = engine._prepare(env["res.partner"].browse(partner_ids), RUN_DAY)
            reminder = env["account.dunning.reminder"].create(vals)
            started = time.monotonic()
            (line,) = reminder.line_ids
            self.assertFalse(line.move_id._dunning_pay_urls())
            self.assertEqual(line.pay_url, reminder.account_url)
            self.assertIn("/my/dunning?access_token=", line.pay_url)
            self.assertLess(time.monotonic() - started, 5)
            # once the accountant saved, the invoice gets its own link
            accountant.rollback()
            line.invalidate_recordset(["pay_url"])
            self.assertIn(f"/my/invoices/{invoice_id}?access_token=", line.pay_url)
            run_cr.rollback()


@tagged("post_install", "-at_install")
@freeze_time(DUE + timedelta(days=5))
class TestDunningRunContention(DunningCommon):
    """Contention however it surfaces, here a serialization failure met while an
    email is rendered (mail's "Failed to render QWeb template"), leaves only its
    customer for the next call; the call reports its progress and wakes the run
    again at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.third_customer = cls._customer("Durand SAS")
        cls.customers = cls.customer | cls.other_customer | cls.third_customer
        for customer in cls.customers:
            cls._invoice(customer, 100, DUE)
        cls.cron = cls.env.ref(RUN_XMLID)
        cls.Reminder = cls.env["account.dunning.reminder"]

    def _progress(self):
        return self.env["ir.cron.progress"].create({"cron_id": self.cron.id})

    def _run(self, progress, **kwargs):
        Reminder = self.Reminder.with_context(ir_cron_progress_id=progress.id)
        with patch.object(type(self.cron), "_trigger", autospec=True) as trigger:
            done = Reminder._cron_dunning_run(**kwargs)
        # the run's own wake-ups (the mail queue is woken for its emails too)
        return done, [
            call.args[1:]
            for call in trigger.call_args_list
            if call.args[0] == self.cron
        ]

    def test_serialization_failure_in_rendering_leaves_one_customer(self):
        victim = self.other_customer
        Move = type(self.env["account.move"])
        pay_urls = Move._dunning_pay_urls

        def busy(moves):
            if victim in moves.commercial_partner_id:
                raise pg_errors.SerializationFailure(
                    "could not serialize access due to concurrent update"
                )
            return pay_urls(moves)

        Engine = type(self.env["account.dunning.engine"])
        make_batch, errors = Engine._make_batch, []

        def recording(engine, *args, **kwargs):
            try:
                return make_batch(engine, *args, **kwargs)
            except Exception as error:
                errors.append(error)
                raise

        progress = self._progress()
        with (
            patch.object(Move, "_dunning_pay_urls", busy),
            patch.object(Engine, "_make_batch", recording),
        ):
            done, triggers = self._run(progress, batch_size=10)
        # the failure surfaced wrapped by mail's rendering, and was known for what
        # it is
        self.assertTrue(errors)
        self.assertIsInstance(errors[0], UserError)
        self.assertIn("Failed to render", str(errors[0]))
        self.assertIsInstance(contention_of(errors[0]), pg_errors.SerializationFailure)
        reminders = self.Reminder.search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(reminders.partner_id, self.customers - victim)
        self.assertEqual(set(reminders.mapped("state")), {"sending"})
        # progress reported, the victim left, the run woken again at once
        self.assertEqual(done, 2)
        self.assertRecordValues(progress, [{"done": 2, "remaining": 1}])
        self.assertEqual(triggers, [()])
        # the next call takes it
        progress = self._progress()
        done, triggers = self._run(progress, batch_size=10)
        self.assertEqual(done, 1)
        # nothing left (its progress counts the payment scores updated too)
        self.assertEqual(progress.remaining, 0)
        self.assertGreaterEqual(progress.done, 1)
        reminders = self.Reminder.search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(reminders.partner_id, self.customers)
        self.assertEqual(len(reminders), 3)

    def test_a_call_that_takes_nobody_comes_back_within_the_minute(self):
        """Every customer a call meets is held: no progress, so Odoo would put the
        run off to its next daily call; the run wakes itself a minute later."""
        progress = self._progress()
        with patch.object(
            type(self.env["account.dunning.engine"]),
            "_make_batch",
            side_effect=pg_errors.LockNotAvailable("lock timeout"),
            autospec=True,
        ):
            done, triggers = self._run(progress, batch_size=2)
        self.assertEqual(done, 0)
        self.assertRecordValues(progress, [{"done": 0, "remaining": 3}])
        self.assertEqual(len(triggers), 1)
        (at,) = triggers[0]
        self.assertEqual(
            at, datetime.now().replace(microsecond=0) + timedelta(seconds=60)
        )
        self.assertFalse(
            self.Reminder.search([("partner_id", "in", self.customers.ids)])
        )
