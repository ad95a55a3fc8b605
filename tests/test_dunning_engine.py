# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time, tagged

from odoo.addons.account.models.account_move import AccountMove

from .common import DunningCommon

DUE = date(2026, 3, 2)


def day(n):
    return DUE + timedelta(days=n)


@tagged("post_install", "-at_install")
class TestDunningEngine(DunningCommon):
    """The daily run: which invoices climb which level, when, and exactly once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["account.dunning.reminder"]
        cls.cron = cls.env.ref("account_dunning.ir_cron_dunning_run")

    def _automatic_levels(self):
        self.levels.write({"auto_execute": True})

    # --- the schedule ----------------------------------------------------------
    def test_schedule_day_by_day(self):
        self._automatic_levels()
        invoice = self._invoice(self.customer, 1000, DUE)
        made = {}
        for n in range(-5, 26):
            for reminder in self._run(day(n)):
                made[n] = (reminder.level_id, reminder.state, reminder.line_ids.move_id)
        self.assertEqual(sorted(made), [5, 10, 15, 20])
        self.assertEqual(
            [made[n][0] for n in (5, 10, 15, 20)],
            [self.level_email, self.level_call, self.level_formal, self.level_plan],
        )
        self.assertEqual({state for __, state, __ in made.values()}, {"sending"})
        self.assertEqual({move for __, __, move in made.values()}, {invoice})
        self.assertRecordValues(
            invoice,
            [
                {
                    "dunning_level_id": self.level_plan.id,
                    "dunning_count": 4,
                    "dunning_last_date": day(20),
                }
            ],
        )

    def test_courtesy_level_before_due_date_when_active(self):
        self.level_courtesy.active = True
        self._invoice(self.customer, 100, DUE)
        self.assertFalse(self._run(day(-4)))
        (reminder,) = self._run(day(-3))
        self.assertEqual(reminder.level_id, self.level_courtesy)
        self.assertEqual(reminder.line_ids.days_overdue, -3)

    def test_late_start_without_level_skip_climbs_one_level_per_interval(self):
        self._automatic_levels()
        self._invoice(self.customer, 1000, DUE)
        levels = [self._run(day(n)).level_id for n in (30, 31, 35, 40)]
        self.assertEqual(
            levels,
            [
                self.level_email,
                self.env["account.dunning.level"],
                self.level_call,
                self.level_formal,
            ],
        )

    def test_level_skip_goes_straight_to_deserved_level(self):
        self._automatic_levels()
        self.policy.allow_level_skip = True
        invoice = self._invoice(self.customer, 1000, DUE)
        self.assertEqual(self._run(day(17)).level_id, self.level_formal)
        self.assertEqual(invoice.dunning_level_id, self.level_formal)
        self.assertEqual(self._run(day(22)).level_id, self.level_plan)

    def test_minimum_interval_holds_the_next_level(self):
        self._automatic_levels()
        self.policy.min_interval_days = 7
        self._invoice(self.customer, 1000, DUE)
        self.assertEqual(self._run(day(5)).level_id, self.level_email)
        for n in range(6, 12):
            self.assertFalse(self._run(day(n)), f"day {n}")
        self.assertEqual(self._run(day(12)).level_id, self.level_call)

    # --- one reminder per customer, amounts -------------------------------------
    def test_one_reminder_per_customer_with_each_invoice_level(self):
        self._automatic_levels()
        old = self._invoice(self.customer, 1000, DUE)
        with freeze_time(day(10)):
            old.sudo().dunning_level_id = self.level_call
        new = self._invoice(self.customer, 200, day(9))
        (reminder,) = self._run(day(15))
        self.assertEqual(reminder.level_id, self.level_formal)
        self.assertRecordValues(
            reminder.line_ids.sorted("date_due"),
            [
                {
                    "move_id": old.id,
                    "level_id": self.level_formal.id,
                    "days_overdue": 15,
                },
                {"move_id": new.id, "level_id": self.level_email.id, "days_overdue": 6},
            ],
        )
        self.assertEqual(reminder.amount_due, 1200.0)

    def test_partial_payment_and_credit_note(self):
        invoice = self._invoice(self.customer, 1000, DUE)
        self._pay(invoice, 300, on=day(1))
        refund = self._invoice(self.customer, 100, DUE, move_type="out_refund")
        (reminder,) = self._run(day(5))
        self.assertEqual(
            reminder.line_ids.move_id, invoice
        )  # credit notes never chased
        self.assertEqual(reminder.line_ids.amount_residual, 700.0)
        self.assertEqual(reminder.amount_due, 700.0)
        self.assertEqual(self.customer.dunning_amount_overdue, 600.0)  # 700 - 100
        self.assertFalse(refund.dunning_level_id)

    def test_credit_note_covering_the_debt_stops_reminders(self):
        self._invoice(self.customer, 500, DUE)
        self._invoice(self.customer, 500, DUE, move_type="out_refund")
        self.assertFalse(self._run(day(5)))

    def test_two_currencies_in_one_reminder(self):
        usd = self._invoice(self.customer, 1000, DUE)
        eur = self._invoice(self.customer, 300, DUE, currency=self.eur)
        (reminder,) = self._run(day(5))
        self.assertRecordValues(
            reminder.line_ids.sorted(lambda line: line.move_id.id),
            [
                {
                    "move_id": usd.id,
                    "amount_residual": 1000.0,
                    "currency_id": usd.currency_id.id,
                },
                {
                    "move_id": eur.id,
                    "amount_residual": 300.0,
                    "currency_id": self.eur.id,
                },
            ],
        )
        self.assertEqual(
            sorted(reminder.line_ids.mapped("amount_residual_company")), [150.0, 1000.0]
        )
        self.assertEqual(reminder.currency_id, self.company.currency_id)
        self.assertEqual(reminder.amount_due, 1150.0)

    def test_excluded_invoice_and_customer_are_not_chased(self):
        excluded = self._invoice(self.customer, 1000, DUE)
        excluded.write({"dunning_excluded": True, "dunning_exclusion_reason": "Agreed"})
        kept = self._invoice(self.customer, 400, DUE)
        self._invoice(self.other_customer, 1000, DUE)
        self.other_customer.dunning_excluded = True
        (reminder,) = self._run(day(5))
        self.assertEqual(reminder.partner_id, self.customer)
        self.assertEqual(reminder.line_ids.move_id, kept)

    def test_minimum_amount(self):
        self.policy.minimum_amount = 500
        self._invoice(self.customer, 499.99, DUE)
        self._invoice(self.other_customer, 500, DUE)
        self.assertEqual(self._run(day(5)).partner_id, self.other_customer)

    def test_paid_invoice_leaves_the_position_and_keeps_its_history(self):
        self._automatic_levels()
        invoice = self._invoice(self.customer, 1000, DUE)
        self.assertTrue(self._run(day(5)))
        self._pay(invoice, 1000, on=day(7))
        self.assertFalse(self._run(day(10)))
        self.assertEqual(invoice.dunning_count, 1)
        self.assertEqual(self.customer.dunning_status, "none")

    def test_payment_without_journal_entry_is_not_chased(self):
        """With the accounting app, a payment method without outstanding account
        makes no journal entry: the invoice is in payment, its receivable still open."""
        first = self._invoice(self.customer, 1000, DUE)
        second = self._invoice(self.customer, 600, day(1))
        journal = self.company_data["default_journal_bank"]
        journal.inbound_payment_method_line_ids.payment_account_id = False
        with patch.object(
            AccountMove, "_get_invoice_in_payment_state", lambda self: "in_payment"
        ):
            payment = self._pay(first | second, 1200, on=day(3))
            self.assertFalse(payment.move_id)
            self.assertEqual(first.amount_residual, 1000.0)
            self.assertEqual(first.payment_state, "in_payment")
            (reminder,) = self._run(day(6))
        # 1,200 paid: the first invoice in full, 200 of the second.
        self.assertEqual(reminder.line_ids.move_id, second)
        self.assertEqual(reminder.line_ids.amount_residual, 400.0)
        self.assertEqual(self.customer.dunning_amount_overdue, 400.0)

    # --- review queue and channels ----------------------------------------------
    def test_manual_levels_wait_as_drafts_and_block_a_second_one(self):
        invoice = self._invoice(self.customer, 1000, DUE)
        invoice.sudo().dunning_level_id = self.level_call
        (draft,) = self._run(day(15))  # formal notice: not automatic
        self.assertRecordValues(draft, [{"state": "draft", "origin": "auto"}])
        # A draft changes nothing on the invoice until it is sent.
        self.assertRecordValues(
            invoice, [{"dunning_level_id": self.level_call.id, "dunning_count": 0}]
        )
        self.assertFalse(self._run(day(16)))
        self.assertFalse(self._run(day(25)))
        draft.action_send()
        self.assertEqual(draft.state, "sending")
        self.assertEqual(invoice.dunning_level_id, self.level_formal)
        self.assertEqual(
            self._notes(invoice, draft), 1
        )  # sent by hand: noted there too
        self.assertEqual(self._notes(self.customer, draft), 1)

    def test_email_and_activity_of_automatic_levels(self):
        invoice = self._invoice(self.customer, 1000, DUE)
        invoice.sudo().dunning_level_id = self.level_email
        self.customer.dunning_responsible_id = self.env.user
        (reminder,) = self._run(day(10))
        self.assertEqual(reminder.state, "sending")
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", reminder.mail_message_id.id)]
        )
        self.assertEqual(mail.state, "outgoing")  # queued, not sent inline
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertIn(invoice.name, str(mail.body_html))
        self.assertIn("second payment reminder", mail.subject)
        self.assertRecordValues(
            reminder.activity_id,
            [
                {
                    "res_model": "res.partner",
                    "res_id": self.customer.id,
                    "user_id": self.env.user.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                }
            ],
        )
        # The daily run notes the customer; the invoice lists it in its reminders.
        self.assertEqual(self._notes(self.customer, reminder), 1)
        self.assertEqual(self._notes(invoice, reminder), 0)
        self.assertEqual(invoice.dunning_reminder_line_ids.reminder_id, reminder)

    def test_emails_of_the_run_leave_at_once(self):
        """The run's emails without PDFs wake Odoo's mail queue: they leave now, not
        at the queue's next round (an hour); drafts waiting for review do not."""
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search([("cron_id", "=", mail_cron.id)])
        self._invoice(self.customer, 1000, DUE)
        self.levels.write({"auto_execute": False})
        (draft,) = self._run(day(5))
        self.assertEqual(draft.state, "draft")
        self.assertFalse(Trigger.search([("cron_id", "=", mail_cron.id)]) - before)
        self.levels.write({"auto_execute": True})
        self._invoice(self.other_customer, 1000, DUE)
        reminder = self._run(day(5)) - draft
        self.assertEqual(reminder.partner_id, self.other_customer)
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", reminder.mail_message_id.id)]
        )
        self.assertRecordValues(mail, [{"state": "outgoing", "dunning_held": False}])
        triggers = Trigger.search([("cron_id", "=", mail_cron.id)]) - before
        self.assertEqual(triggers.mapped("call_at"), [datetime.combine(day(5), time())])

    def test_batch_email_matches_plain_rendering_and_follows_edits(self):
        """Reminder emails reuse one compiled body per batch: same text as Odoo's own
        rendering, and a template edited between batches is rendered anew."""
        from odoo.addons.account_dunning.models.ir_qweb import MAIL_BATCH_KEY

        self._invoice(self.customer, 1000, DUE)
        self._invoice(self.other_customer, 400, DUE)
        reminders = self.env["account.dunning.reminder"].create(
            self.env["account.dunning.reminder"]._dunning_prepare(date=day(6))
        )
        template = self.level_email.mail_template_id

        def bodies(batch):
            values = template.with_context(
                **{MAIL_BATCH_KEY: batch}
            )._generate_template(reminders.ids, ["body_html"])
            return [values[reminder.id]["body_html"] for reminder in reminders]

        plain = bodies(False)
        self.assertEqual(bodies(True), plain)
        self.assertEqual(bodies(True), plain)  # from the cache now
        self.assertIn("Dupont SA", plain[0] + plain[1])
        template.body_html = template.body_html.replace("Dear", "Hello")
        edited = bodies(True)
        self.assertTrue(all("Hello" in body and "Dear" not in body for body in edited))

    def test_notes_carry_what_mail_would_compute(self):
        invoice = self._invoice(self.customer, 1000, DUE)
        (reminder,) = self._run(day(6))
        note = self.customer.message_ids.filtered(lambda m: reminder.name in m.body)
        expected_reply_to = self.customer._notify_get_reply_to(
            default=self.env.user.partner_id.email_formatted
        )[self.customer.id]
        self.assertRecordValues(
            note,
            [
                {
                    "record_name": self.customer.display_name,
                    "reply_to": expected_reply_to,
                    "email_from": self.env.user.partner_id.email_formatted,
                    "author_id": self.env.user.partner_id.id,
                }
            ],
        )
        self.assertIn(invoice, reminder.line_ids.move_id)

    def _notes(self, document, reminder):
        return len(document.message_ids.filtered(lambda m: reminder.name in m.body))

    def test_customer_without_email_or_address_waits_for_review(self):
        """Missing data blocks only its channel: without email but with an address
        the reminder becomes a letter; with neither it waits as a draft, with why."""
        self.customer.email = False
        self.other_customer.write(
            {"email": False, "street": "1 rue de la Paix", "city": "Paris"}
        )
        self._invoice(self.customer, 1000, DUE)
        self._invoice(self.other_customer, 500, DUE)
        waiting, fallback = self._run(day(5)).sorted(
            lambda r: r.partner_id != self.customer
        )
        self.assertRecordValues(
            waiting, [{"partner_id": self.customer.id, "state": "draft"}]
        )
        self.assertIn("no email address", waiting.failure_reason)
        self.assertIn("no postal address", waiting.failure_reason)
        self.assertRecordValues(
            fallback,
            [{"state": "sent", "send_email": False, "send_letter": True}],
        )
        self.assertTrue(fallback.letter_attachment_id)
        self.assertFalse(fallback.mail_message_id)
        self.customer.email = "compta@dupont.example.com"
        waiting.invalidate_recordset(["recipient_ids"])
        waiting.recipient_ids = self.customer
        waiting.action_send()
        self.assertRecordValues(
            waiting, [{"state": "sending", "failure_reason": False}]
        )

    # --- exactly once, companies, cost ---------------------------------------------
    def test_scheduled_action_runs_the_daily_run(self):
        self.assertEqual(self.cron.code.strip(), "model._cron_dunning_run()")
        self.assertEqual(self.cron.model_id.model, "account.dunning.reminder")
        self.assertTrue(self.cron.active)
        self._invoice(self.customer, 1000, DUE)
        with freeze_time(day(5)):
            self.cron.method_direct_trigger()
        reminder = self.Reminder.search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(reminder, [{"origin": "auto", "state": "sending"}])

    def test_second_run_on_the_same_day_makes_nothing(self):
        self._invoice(self.customer, 1000, DUE)
        self.assertEqual(len(self._run(day(5))), 1)
        with freeze_time(day(5)):
            self.assertEqual(self.Reminder._cron_dunning_run(), 0)
        self.assertEqual(len(self.Reminder.search([])), 1)

    def test_database_refuses_a_second_automatic_reminder_the_same_day(self):
        invoice = self._invoice(self.customer, 1000, DUE)
        with freeze_time(day(5)):
            vals = self.Reminder._dunning_prepare(date=day(5))
            self.Reminder.sudo().create([dict(vals[0], origin="auto")])
            # A concurrent worker that prepared before the first commit:
            engine = self.env["account.dunning.engine"]
            self.assertFalse(engine._run_batch([self.customer.id], day(5)))
            with patch.object(type(engine), "_blocked_partner_ids", lambda *a: set()):
                made = engine._run_batch([self.customer.id], day(5))
        self.assertFalse(made)
        self.assertEqual(len(invoice.dunning_reminder_line_ids), 1)

    def test_prepare_writes_nothing(self):
        self._invoice(self.customer, 1000, DUE)
        with freeze_time(day(5)):
            vals = self.Reminder._dunning_prepare()
        self.assertEqual(len(vals), 1)
        self.assertEqual(vals[0]["partner_id"], self.customer.id)
        self.assertEqual(vals[0]["level_id"], self.level_email.id)
        self.assertFalse(self.Reminder.search([]))

    def test_two_companies_kept_apart(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        invoice_a = self._invoice(self.customer, 1000, DUE)
        invoice_b = (
            self.env["account.move"]
            .with_company(company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": DUE - timedelta(days=30),
                    "invoice_date_due": DUE - timedelta(days=10),
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "B", "price_unit": 50, "tax_ids": []})
                    ],
                }
            )
        )
        invoice_b.action_post()
        reminders = self._run(day(5))
        self.assertEqual(len(reminders), 2)
        by_company = {r.company_id: r for r in reminders}
        self.assertEqual(by_company[self.company].line_ids.move_id, invoice_a)
        self.assertEqual(by_company[company_b].line_ids.move_id, invoice_b)
        self.assertEqual(by_company[company_b].policy_id, company_b.dunning_policy_id)
        self.assertEqual(
            by_company[company_b].level_id.policy_id, company_b.dunning_policy_id
        )

    def test_company_without_automatic_run_is_skipped(self):
        self.company.dunning_auto_run = False
        self._invoice(self.customer, 1000, DUE)
        self.assertFalse(self._run(day(5)))
        with freeze_time(day(5)):
            self.assertEqual(len(self.Reminder._dunning_prepare()), 1)

    def test_batches_and_progress(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Client {i}", "email": f"c{i}@example.com"} for i in range(5)]
        )
        for customer in customers:
            self._invoice(customer, 100, DUE)
        with (
            freeze_time(day(5)),
            patch.object(type(self.cron), "_trigger", autospec=True) as trigger,
        ):
            done = self.Reminder._cron_dunning_run(batch_size=2, batches=2)
            self.assertEqual(done, 4)
            # the run wakes itself once (the mail queue is woken too: its emails)
            woken = [call.args[0] for call in trigger.call_args_list]
            self.assertEqual(woken.count(self.cron), 1)
            self.assertEqual(
                self.Reminder._cron_dunning_run(batch_size=2, batches=2), 1
            )
        self.assertEqual(len(self.Reminder.search([])), 5)

    def test_crash_keeps_finished_batches_and_next_run_finishes(self):
        """A batch that fails leaves nothing behind, the batches before it stay, and
        the next run makes the rest: no customer reminded twice."""
        customers = self.env["res.partner"].create(
            [{"name": f"Client {i}", "email": f"c{i}@example.com"} for i in range(5)]
        )
        for customer in customers:
            self._invoice(customer, 100, DUE)
        Dispatch = type(self.env["account.dunning.dispatch"])
        send = Dispatch._send
        calls = []

        def crash_on_second_batch(dispatch, reminders, *args, **kwargs):
            calls.append(reminders.partner_id)
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return send(dispatch, reminders, *args, **kwargs)

        # Not assertRaises: it would roll back to its own savepoint, as if nothing
        # had been committed. Tests do not commit; each batch's savepoint stands in.
        crashed = False
        with (
            freeze_time(day(5)),
            patch.object(Dispatch, "_send", crash_on_second_batch),
        ):
            try:
                self.Reminder._cron_dunning_run(batch_size=2)
            except RuntimeError:
                crashed = True
        self.assertTrue(crashed)
        first = self.Reminder.search([])
        self.assertEqual(first.partner_id, calls[0])  # batch 1 kept, batch 2 undone
        self.assertEqual(set(first.mapped("state")), {"sending"})
        with freeze_time(day(5)):
            self.Reminder._cron_dunning_run(batch_size=2)
        reminders = self.Reminder.search([])
        self.assertEqual(len(reminders), 5)
        self.assertEqual(reminders.partner_id, customers)

    def test_prepare_queries_do_not_grow_with_customers(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Client {i}", "email": f"c{i}@example.com"} for i in range(20)]
        )
        for customer in customers:
            self._invoice(customer, 100, DUE)
            self._invoice(customer, 50, day(-10), currency=self.eur)
        with freeze_time(day(5)):
            self._count_prepare_queries(customers[:1])  # warm the ORM caches
            two = self._count_prepare_queries(customers[:2])
            twenty = self._count_prepare_queries(customers)
        self.assertEqual(two, twenty)

    def _count_prepare_queries(self, partners):
        self.env.invalidate_all()
        self.env.flush_all()
        start = self.cr.sql_log_count
        vals = self.Reminder._dunning_prepare(partners=partners)
        self.assertEqual(len(vals), len(partners))
        return self.cr.sql_log_count - start


@tagged("post_install", "-at_install")
class TestDunningDayQueue(DunningCommon):
    """The day's candidates are found once per worker process, and afresh once the
    list runs out: a run ends only when a fresh search finds nobody."""

    def test_found_once_then_afresh_when_the_list_runs_out(self):
        from ..models import account_dunning_engine as engine_module

        engine = self.env["account.dunning.engine"]
        engine_cls = type(engine)
        searches = []
        candidates = [self.customer.id, self.other_customer.id]

        def counted_candidates(records, date):
            searches.append(date)
            return list(candidates)

        self.addCleanup(engine_module._DAY_CANDIDATES.clear)
        with (
            patch.object(engine_module, "may_commit", return_value=True),
            patch.object(engine_cls, "_candidates", counted_candidates),
            patch.object(
                engine_cls,
                "_day_queue",
                lambda e, d: engine_module.DayQueue(e, self.company, d),
            ),
        ):
            first_call = engine._day_queue(DUE)
            company, ids = first_call.next_batch(1)
            self.assertEqual((company, ids), (self.company, [self.customer.id]))
            first_call.forget(company, ids)
            self.assertEqual(first_call.left(), 1)  # the other, from the list
            # the next call goes on with the list: no search
            second_call = engine._day_queue(DUE)
            self.assertEqual(second_call.next_batch(5)[1], [self.other_customer.id])
            self.assertEqual(len(searches), 1)
            second_call.forget(self.company, [self.other_customer.id])
            # the list ran out: not done until a fresh search says so
            candidates.clear()
            self.assertEqual(second_call.left(), 0)
            self.assertEqual(len(searches), 2)
            self.assertEqual(second_call.next_batch(5), (None, []))
            self.assertEqual(len(searches), 2)  # searched once per call at most
            # another day: its own search
            engine._day_queue(day(1)).next_batch(5)
            self.assertEqual(searches[-1], day(1))
