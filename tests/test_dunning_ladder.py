# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The selection's SQL says when an invoice's next level is due, for speed; the plan
(``dunning.plan.Policy``) says which level an invoice is raised to. Both must agree,
over every combination of delays, level reached, days late, minimum interval and
level skipping."""

from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..dunning.plan import interval_respected
from .common import DunningCommon

DUE = date(2026, 3, 1)
# delays of the active levels, and one archived level (None: none)
SCHEDULES = [((-3, 5, 15, 30), 20), ((0, 10), None), ((5,), 2)]
INTERVALS = (0, 7)
LAST_REMINDER = (None, 8)  # days after the due date the customer was last reminded
DAYS = range(-8, 50)  # days from the due date the selection is asked on


@tagged("post_install", "-at_install")
class TestDunningLadder(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cases = []  # (invoice, policy, level reached, last reminder date)
        number = 0
        for delays, archived in SCHEDULES:
            for allow_skip in (False, True):
                for interval in INTERVALS:
                    policy = cls._policy(delays, archived, allow_skip, interval)
                    for last in LAST_REMINDER:
                        number += 1
                        cls._customer_cases(policy, last, number)

    @classmethod
    def _policy(cls, delays, archived, allow_skip, interval):
        levels = [{"name": f"After {delay}", "delay": delay} for delay in delays]
        if archived is not None:
            levels.append(
                {"name": f"Archived {archived}", "delay": archived, "active": False}
            )
        return cls.env["account.dunning.policy"].create(
            {
                "name": f"Ladder {delays} {allow_skip} {interval}",
                "company_id": cls.company.id,
                "allow_level_skip": allow_skip,
                "min_interval_days": interval,
                "level_ids": [
                    Command.create(dict(vals, send_email=False)) for vals in levels
                ],
            }
        )

    @classmethod
    def _customer_cases(cls, policy, last, number):
        customer = cls._customer(f"Ladder {number}")
        customer.sudo().with_company(cls.company).dunning_policy_id = policy
        levels = policy.with_context(active_test=False).level_ids
        last_date = None
        if last is not None:
            last_date = DUE + timedelta(days=last)
            paid = cls._invoice(customer, 10, DUE)
            cls._pay(paid, 10, on=DUE)
            cls._reminder(customer, paid, levels[0], on=last_date)
        for reached in [levels.browse(), *levels]:
            invoice = cls._invoice(customer, 100, DUE)
            if reached:
                # a level reached earlier (set as a sent reminder would)
                invoice.sudo().dunning_level_id = reached
            cls.cases.append((invoice, policy, reached, last_date))

    def test_sql_next_level_due_agrees_with_the_plan(self):
        engine = self.env["account.dunning.engine"]
        selection = self.env["account.dunning.selection"]
        invoices = self.env["account.move"].union(*(case[0] for case in self.cases))
        line_filter = SQL("l.move_id = ANY(%s)", invoices.ids)
        plans = engine._policies({case[1].id for case in self.cases})
        checked = 0
        for offset in DAYS:
            on = DUE + timedelta(days=offset)
            rows = {
                row["move_id"]: row
                for row in selection._open_items(self.company, on, line_filter)
            }
            for invoice, policy, reached, last_date in self.cases:
                plan_policy = plans[policy.id]
                row = rows[invoice.id]
                self.assertEqual(row["policy_id"], policy.id)
                raised = plan_policy.level_to_raise(
                    reached.delay if reached else None, offset
                )
                due_in_plan = raised is not None and interval_respected(
                    last_date, on, plan_policy.min_interval_days
                )
                due_in_sql = bool(row["next_date"]) and row["next_date"] <= on
                self.assertEqual(
                    due_in_sql,
                    due_in_plan,
                    f"{policy.name}, reached {reached.delay if reached else None}, "
                    f"last reminder {last_date}, day {offset}: next_date "
                    f"{row['next_date']}",
                )
                checked += 1
        self.assertEqual(checked, len(DAYS) * len(self.cases))
        # every situation met: levels due and not due, at the top of the ladder
        self.assertGreater(len(self.cases), 60)

    def test_sql_next_date_is_the_first_day_the_plan_raises(self):
        """Not only due or not on each day: the date the desk shows as the next
        reminder is the first day the plan would raise the invoice."""
        engine = self.env["account.dunning.engine"]
        selection = self.env["account.dunning.selection"]
        invoices = self.env["account.move"].union(*(case[0] for case in self.cases))
        rows = {
            row["move_id"]: row
            for row in selection._open_items(
                self.company, DUE, SQL("l.move_id = ANY(%s)", invoices.ids)
            )
        }
        plans = engine._policies({case[1].id for case in self.cases})
        at_the_top = 0
        for invoice, policy, reached, last_date in self.cases:
            plan_policy = plans[policy.id]
            first = next(
                (
                    DUE + timedelta(days=offset)
                    for offset in range(-30, 400)
                    if plan_policy.level_to_raise(
                        reached.delay if reached else None, offset
                    )
                    and interval_respected(
                        last_date,
                        DUE + timedelta(days=offset),
                        plan_policy.min_interval_days,
                    )
                ),
                None,
            )
            self.assertEqual(rows[invoice.id]["next_date"] or None, first)
            at_the_top += first is None
        self.assertTrue(at_the_top)
