# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from ..models import account_dunning_documents as documents_module
from ..models import account_dunning_engine_run as run_module
from ..models.cron_budget import CALL_SECONDS_PARAM, CallBudget
from .common import DunningCommon

DUE = date(2026, 3, 2)
RUN_DAY = DUE + timedelta(days=5)  # the email level's day
NO_TIME = "0.000001"  # seconds per call: none, in effect


@tagged("post_install", "-at_install")
@freeze_time(RUN_DAY)
class TestDunningRunBudget(DunningCommon):
    """Every call of the daily run keeps within its share of the time: its batches
    sized to the time left at the pace of the last one, the PDFs likewise, the
    payment scores in chunks of customers; a call without time still makes one
    step, then stops and says what is left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.customer | cls.other_customer
        for index in range(3):
            cls.customers |= cls._customer(f"Budget{index} SA")
        for customer in cls.customers:
            cls._invoice(customer, 100, DUE)
        cls.Reminder = cls.env["account.dunning.reminder"]
        cls.cron = cls.env.ref("account_dunning.ir_cron_dunning_run")
        cls.figures_cron = cls.env.ref("account_dunning.ir_cron_dunning_figures")

    def _scores_done_elsewhere(self):
        """The other companies' scores of the day as done (the database may hold
        companies that other tests committed): only this company's count."""
        others = self.env["res.company"].sudo().search([]) - self.company
        others.write({"dunning_scores_date": RUN_DAY, "dunning_scores_upto": 2**31 - 1})

    def _call_time(self, seconds):
        self.env["ir.config_parameter"].sudo().set_param(CALL_SECONDS_PARAM, seconds)

    def _call(self, **kwargs):
        """One call of the daily run, as Odoo's cron runner makes it: (its
        progress, the scheduled actions it woke)."""
        __, progress = self.cron.sudo()._add_progress()
        Reminder = self.Reminder.with_context(ir_cron_progress_id=progress.id)
        with patch.object(type(self.cron), "_trigger", autospec=True) as trigger:
            Reminder._cron_dunning_run(**kwargs)
        return progress, [call.args for call in trigger.call_args_list]

    def _reminded(self):
        return self.Reminder.search([("partner_id", "in", self.customers.ids)])

    def _scored(self):
        """The customers whose payment scores this company has."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM res_partner WHERE id = ANY(%s) AND risk_score ? %s",
            [self.customers.ids, str(self.company.id)],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def test_a_batch_is_as_large_as_half_the_time_left_allows(self):
        budget = CallBudget(4.2)
        budget.left = lambda: 4.0
        self.assertEqual(run_module.batch_size_for(budget, 200, None), 20)
        self.assertEqual(run_module.batch_size_for(budget, 5, None), 5)
        self.assertEqual(run_module.batch_size_for(budget, 200, 0.25), 8)
        self.assertEqual(run_module.batch_size_for(budget, 5, 0.25), 5)
        self.assertEqual(run_module.batch_size_for(budget, 200, 10.0), 1)
        budget.left = lambda: -1.0
        self.assertEqual(run_module.batch_size_for(budget, 200, 0.25), 1)

    def test_without_time_one_batch_at_the_known_pace_then_stop(self):
        """A call with no time left and a pace of 10 s per customer: one batch of
        one customer (a call always makes progress), then it stops, says what is
        left and wakes the run at once."""
        self._call_time(NO_TIME)
        paces = {self.env.cr.dbname: 10.0}
        with patch.object(run_module, "kept_paces", return_value=paces):
            progress, woken = self._call()
        self.assertEqual(len(self._reminded()), 1)
        self.assertRecordValues(progress, [{"done": 1, "remaining": 4}])
        # woken at once: it made progress (the mail queue too, for its email)
        self.assertEqual(
            [args for args in woken if args[0] == self.cron], [(self.cron,)]
        )
        self.assertFalse(self._scored())  # no time for the scores either

    def test_scores_in_chunks_one_call_each(self):
        """The payment scores go by chunks of customers, one per call when the call
        has no time; the figures are refreshed once they are all done."""
        self._call_time(NO_TIME)
        self._scores_done_elsewhere()
        with patch.object(run_module, "SCORING_CHUNK", 2):
            progress, woken = self._call()  # the first batch: every customer
            self.assertEqual(len(self._reminded()), 5)
            self.assertRecordValues(progress, [{"done": 5, "remaining": 5}])
            self.assertFalse(self._scored())
            scored, calls = [], 1
            while progress.remaining and calls < 10:
                progress, woken = self._call()
                calls += 1
                scored.append(len(self._scored()))
        self.assertEqual(scored, [2, 4, 5])
        self.assertRecordValues(progress, [{"done": 1, "remaining": 0}])
        self.assertIn((self.figures_cron,), woken)  # only once all are scored

    def test_the_printing_keeps_to_the_time_left_at_its_pace(self):
        """A PDF takes 10 s at this worker's pace: the run's spare 8 s print none;
        the printing's own call begins with one, not a first chunk of four."""
        self.level_email.write({"auto_execute": True, "attach_letter": True})
        self.env["account.dunning.engine"]._run_batch(self.customers[:2].ids, RUN_DAY)
        documents = self.env["account.dunning.documents"]
        self.assertEqual(documents._pending_count(), 2)
        paces = {self.env.cr.dbname: 10.0}
        Documents = type(documents)
        claim, sizes = Documents._claim, []

        def claimed(records, size):
            sizes.append(size)
            return claim(records, size)

        with (
            patch.object(documents_module, "may_commit", return_value=True),
            patch.object(documents_module, "_PACES", paces),
            patch.object(Documents, "_claim", claimed),
        ):
            printed = documents._cron_print(seconds=8.0, first_chunk_always=False)
            self.assertEqual((printed, sizes), (0, []))
            self.assertTrue(documents._cron_print(seconds=8.0))
        self.assertEqual(sizes[0], 1)
        self.assertLess(paces[self.env.cr.dbname], 10.0)  # the pace measured again
