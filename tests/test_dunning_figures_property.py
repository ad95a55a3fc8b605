# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One meaning per figure, on every screen, over generated ledgers.

A seeded generator gives each of many customers a ledger of its own: invoices paid
in instalments (payment terms), in company currency or not, partly paid, credit
notes and payments not matched, payments registered without a journal entry, an
entry with its own credit line, disputes, promises, payment plans, invoices and
customers excluded, reminders sent. The test computes each customer's figures
from its ledger alone (``dunning.figures.reference``) and holds every screen to
them: the collection desk (list, kanban, search, the figures kept for it), the
customer form, the aged receivables, the statement, the portal's account, the KPI
screen and the digest, today and, for the KPIs, on a day of the past."""

import random
from ast import literal_eval
from collections import defaultdict
from datetime import timedelta

from odoo.tests import freeze_time, new_test_user, tagged

from ..controllers.portal import DunningPortal
from ..dunning.figures import LedgerEntry, Line, entry_of, reference, unbooked_payments
from ..dunning.kpis import share
from ..dunning.plan import Level, Policy
from .common import DunningCommon
from .figures_ledgers import CUSTOMERS, SEED, TODAY, GeneratedLedgers

BUCKETS = ("days_1_30", "days_31_60", "days_61_90", "days_91_120", "days_over_120")
PAST = TODAY - timedelta(days=20)  # a day of the past, for the KPIs
FIGURES = (
    "dunning_amount_overdue",
    "dunning_amount_to_claim",
    "dunning_credit_amount",
    "dunning_overdue_count",
)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningFiguresProperty(GeneratedLedgers, DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, login="billing_property", groups="account.group_account_invoice"
        )
        cls.terms = [
            cls._terms("30 % now, 70 % at 30 days", (30, 0), (70, 30)),
            cls._terms("Three instalments", (40, 15), (30, 45), (30, 75)),
        ]
        cls.rng = random.Random(SEED)
        cls.customers = cls.env["res.partner"]
        # per customer id its payments registered without an entry; the entries
        # the daily run does not chase; per customer id its last reminder's day
        cls.unbooked = defaultdict(list)
        cls.not_chased = set()
        cls.last_reminder = {}
        for index in range(CUSTOMERS):
            cls.customers |= cls._generate(index)
        cls._generate_unbooked()

    # --- the reference: each customer's figures from its ledger -------------------
    def _policy(self):
        policy = self.company.dunning_policy_id
        return Policy(
            policy.id,
            tuple(
                Level(level.id, level.delay)
                for level in policy.level_ids
                if level.active
            ),
            policy.minimum_amount,
            policy.min_interval_days,
            policy.allow_level_skip,
        )

    def _ledgers(self, on=TODAY):
        """Per customer id, its ledger on day ``on`` (``dunning.figures``): its
        receivable lines as open that day, what its payments without an entry paid
        by then, which invoices are chased and the level each reached."""
        self.env.flush_all()
        lines = self.env["account.move.line"].search_read(
            [
                ("company_id", "=", self.company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("partner_id.commercial_partner_id", "in", self.customers.ids),
            ],
            ["move_id", "partner_id", "date", "date_maturity", "balance"],
        )
        partials = self.env["account.partial.reconcile"].search_read(
            [("max_date", "<=", on)],
            ["debit_move_id", "credit_move_id", "amount"],
        )
        matched = defaultdict(float)
        for partial in partials:
            matched[partial["debit_move_id"][0]] -= partial["amount"]
            matched[partial["credit_move_id"][0]] += partial["amount"]
        moves = self.env["account.move"].browse({line["move_id"][0] for line in lines})
        partners = self.env["res.partner"].browse(
            {line["partner_id"][0] for line in lines}
        )
        # an entry's customer: its lines' (a misc entry has no partner of its own)
        customer_of = {
            line["move_id"][0]: partners.browse(
                line["partner_id"][0]
            ).commercial_partner_id.id
            for line in lines
        }
        by_move = defaultdict(list)
        for line in lines:
            if line["date"] > on:
                continue
            open_amount = round(line["balance"] + matched[line["id"]], 2)
            due = line["date_maturity"] or line["date"]
            by_move[line["move_id"][0]].append(Line(due, open_amount))
        unbooked = {}
        for payments in self.unbooked.values():
            invoices = {}
            for payment in payments:
                for invoice in payment.invoice_ids:
                    booked = [item for item in by_move[invoice.id] if item.open]
                    debits = [item.due for item in booked if item.open > 0]
                    invoices[invoice.id] = (
                        min(debits or [item.due for item in booked] or [on]),
                        sum(item.open for item in booked),
                    )
            unbooked.update(
                unbooked_payments(
                    [
                        (
                            payment.amount_company_currency_signed,
                            payment.invoice_ids.ids,
                        )
                        for payment in payments
                        if payment.date <= on
                    ],
                    invoices,
                )
            )
        ledgers = defaultdict(list)
        for move in moves:
            # every promise is for a day to come: promised invoices are not chased
            chased = move.move_type == "out_invoice" and move.id not in self.not_chased
            ledgers[customer_of[move.id]].append(
                (
                    move,
                    LedgerEntry(
                        tuple(by_move[move.id]),
                        unbooked.get(move.id, 0.0),
                        chased,
                        move.dunning_level_id.delay if move.dunning_level_id else None,
                    ),
                )
            )
        return ledgers

    def _expected(self, on=TODAY):
        """Per customer id, its figures from its ledger: the ``Position``, the
        number of invoices with something past due and the level reached."""
        policy = self._policy()
        expected = {}
        ledgers = self._ledgers(on)
        for customer in self.customers:
            items = ledgers.get(customer.id, [])
            last = self.last_reminder.get(customer.id)
            figures = reference([item for __, item in items], on, policy, last)
            count, level = 0, None
            for move, item in items:
                entry, __ = entry_of(item, on, policy, last)
                if entry is None or entry.residual <= 0:
                    continue
                if move.move_type == "out_invoice" and entry.past_due > 0:
                    count += 1
                reached = move.dunning_level_id
                if reached and (not level or reached.delay > level.delay):
                    level = reached
            expected[customer.id] = (figures, count, level)
        return expected

    # --- the screens --------------------------------------------------------------
    def _desk_domain(self):
        action = self.env.ref("account_dunning.res_partner_dunning_action")
        return [*literal_eval(action.domain), ("id", "in", self.customers.ids)]

    def _check_desk(self, expected, what):
        """The collection desk's list and kanban, its search and sort, and the
        customer form, as a billing user reads them."""
        Partner = self.env["res.partner"].with_user(self.billing)
        listed = {
            row["id"]: row for row in Partner.search_read(self._desk_domain(), FIGURES)
        }
        form = Partner.browse(self.customers.ids).web_read(dict.fromkeys(FIGURES, {}))
        by_level = defaultdict(float)
        for customer, on_form in zip(self.customers, form, strict=True):
            figures, count, level = expected[customer.id]
            values = {
                "dunning_amount_overdue": figures.overdue,
                "dunning_amount_to_claim": figures.to_claim,
                "dunning_credit_amount": figures.credit,
                "dunning_overdue_count": count,
            }
            self.assertEqual(
                {name: round(on_form[name], 2) for name in FIGURES},
                values,
                f"{what}: the form of {customer.name}",
            )
            row = listed.get(customer.id)
            if row is None:  # nothing open: not a customer of the desk
                self.assertFalse(figures.balance or figures.credit, customer.name)
                continue
            self.assertEqual(
                {name: round(row[name], 2) for name in FIGURES},
                values,
                f"{what}: the desk's line of {customer.name}",
            )
            by_level[level.id if level else False] += figures.overdue
        # the kanban's columns and the list's total
        columns = Partner.read_group(
            self._desk_domain(), ["dunning_amount_overdue:sum"], ["dunning_level_id"]
        )
        self.assertEqual(
            {
                (group["dunning_level_id"] or [False])[0]: round(
                    group["dunning_amount_overdue"], 2
                )
                for group in columns
                if group["dunning_level_id_count"]
            },
            {level: round(total, 2) for level, total in by_level.items()},
            f"{what}: the kanban's columns",
        )
        (total,) = Partner.read_group(
            self._desk_domain(), ["dunning_amount_overdue:sum"], []
        )
        self.assertEqual(
            round(total["dunning_amount_overdue"], 2),
            round(sum(figures.overdue for figures, __, __ in expected.values()), 2),
            f"{what}: the desk's total",
        )
        # searched and sorted on the same figure
        overdue = Partner.search(
            [("id", "in", self.customers.ids), ("dunning_amount_overdue", ">", 0)],
            order="dunning_amount_overdue desc, id",
        )
        self.assertEqual(
            overdue.ids,
            [
                customer_id
                for customer_id, __ in sorted(
                    (
                        (customer_id, figures.overdue)
                        for customer_id, (figures, __, __) in expected.items()
                        if figures.overdue > 0
                    ),
                    key=lambda item: (-item[1], item[0]),
                )
            ],
            f"{what}: the desk searched and sorted",
        )

    def _check_aging(self, expected, what):
        """The aged receivables: a customer's rows add up to its figures."""
        rows = (
            self.env["account.dunning.aging.report"]
            .with_user(self.billing)
            .search_read(
                [("partner_id", "in", self.customers.ids)],
                [
                    "partner_id",
                    "date_due",
                    "days_overdue",
                    "amount_due",
                    "amount_overdue",
                    "credit",
                    "not_due",
                    *BUCKETS,
                ],
            )
        )
        totals = defaultdict(lambda: defaultdict(float))
        for row in rows:
            total = totals[row["partner_id"][0]]
            for name in ("amount_due", "amount_overdue", "credit", "not_due"):
                total[name] += row[name]
            total["past_due"] += sum(row[name] for name in BUCKETS)
            self.assertGreaterEqual(row["amount_overdue"], 0, what)
            self.assertLessEqual(
                row["amount_overdue"], sum(row[name] for name in BUCKETS) + 0.001
            )
            if row["amount_due"] > 0:  # late exactly when its due date has passed
                self.assertEqual(row["days_overdue"] > 0, row["date_due"] < TODAY)
            else:
                self.assertEqual((row["days_overdue"], row["not_due"]), (0, 0.0))
        for customer in self.customers:
            figures = expected[customer.id][0]
            total = totals.get(customer.id, {})
            self.assertEqual(
                {
                    name: round(total.get(name, 0.0), 2)
                    for name in (
                        "amount_due",
                        "amount_overdue",
                        "credit",
                        "not_due",
                        "past_due",
                    )
                },
                {
                    "amount_due": figures.balance,
                    "amount_overdue": figures.overdue,
                    "credit": figures.credit,
                    "not_due": figures.not_due,
                    "past_due": figures.past_due,
                },
                f"{what}: the aged receivables of {customer.name}",
            )

    def _check_statement_and_portal(self, expected):
        """The statement's figures and lines, and the portal's account (the
        controller's values)."""
        portal = DunningPortal()
        for customer in self.customers:
            figures = expected[customer.id][0]
            statement = customer.with_user(self.billing)._dunning_statement()
            # the account page: the statement's figures, where something is open
            on_portal = [
                values
                for values in portal._dunning_statements(
                    self.env(su=True), customer, self.company, TODAY
                )
                if values["lines"]
            ]
            self.assertEqual(
                [self._statement_figures(values) for values in on_portal],
                [self._statement_figures(statement)] if statement["lines"] else [],
                f"the portal's account of {customer.name}",
            )
            self.assertEqual(
                self._statement_figures(statement),
                {
                    "overdue": figures.overdue,
                    "credit": figures.credit,
                    "balance": figures.balance,
                    "past_due": figures.past_due,
                    "not_due": figures.not_due,
                },
                f"the statement of {customer.name}",
            )
            if figures.overdue > 0:  # a balance never below its overdue part
                self.assertGreaterEqual(statement["balance"], statement["overdue"])
            for line in statement["lines"]:
                # credits as credits; a date passed is never "not due yet"
                self.assertEqual(line["kind"] == "credit", line["amount"] < 0)
                if line["kind"] != "credit":
                    self.assertEqual(
                        line["kind"] == "overdue", line["date_due"] < TODAY
                    )
            for line in statement["not_due_lines"]:
                self.assertGreaterEqual(line["not_due_date"] or line["date_due"], TODAY)
            self.assertTrue(
                all(line["kind"] == "credit" for line in statement["credit_lines"])
            )

    @staticmethod
    def _statement_figures(values):
        return {
            name: round(values[name], 2)
            for name in ("overdue", "credit", "balance", "past_due", "not_due")
        }

    def _check_kpis(self, expected, on):
        """The KPI screen and the digest: the desk's overdue amounts added up."""
        overdue = round(sum(f.overdue for f, __, __ in expected.values()), 2)
        owed = sum(max(f.balance, 0.0) for f, __, __ in expected.values())
        kpi = (
            self.env["account.dunning.kpi"]
            .with_user(self.billing)
            .create({"date_from": on - timedelta(days=60), "date_to": on})
        )
        self.assertEqual(kpi.amount_overdue, overdue, f"the KPIs of {on}")
        self.assertEqual(kpi.overdue_share, share(overdue, owed))
        self.assertLessEqual(kpi.overdue_share, 100.0)
        digest = self.env["digest.digest"].with_user(self.billing)
        figures = digest._dunning_digest_figures(
            self.company, on - timedelta(days=30), on
        )
        self.assertEqual(figures["overdue"], overdue, f"the digest of {on}")
        return overdue

    # --- the properties -----------------------------------------------------------
    def test_every_screen_shows_the_ledger_figures(self):
        expected = self._expected()
        positions = [figures for figures, __, __ in expected.values()]
        # the generator made the cases that once showed different figures
        self.assertTrue(any(f.credit > f.past_due > 0 for f in positions))
        self.assertTrue(any(f.past_due > f.overdue > 0 for f in positions))
        self.assertTrue(any(f.overdue > f.to_claim for f in positions))
        self.assertTrue(any(f.to_claim > 0 for f in positions))
        self.assertTrue(any(f.balance < 0 for f in positions))
        self.assertTrue(self.unbooked)
        disputed = self.env["account.move"].search(
            [
                ("commercial_partner_id", "in", self.customers.ids),
                ("dunning_dispute_state", "=", "open"),
            ]
        )
        self.assertTrue(disputed.filtered("days_overdue"))
        store = self.env["account.dunning.figures"]
        self.assertFalse(store._is_fresh(self.company, TODAY))
        self._check_desk(expected, "computed")
        self._check_aging(expected, "computed")
        self._check_statement_and_portal(expected)
        total = self._check_kpis(expected, TODAY)
        # the figures kept for the desk, read through the store
        store._refresh()
        self.assertTrue(store._is_fresh(self.company, TODAY))
        self._check_desk(expected, "stored")
        self._check_aging(expected, "stored")
        self.assertEqual(self._check_kpis(expected, TODAY), total)

    def test_the_kpis_of_a_past_day_are_that_day_figures(self):
        """On a day of the past, what was open that day, by the same definition."""
        # entries and payments came after that day: it is not today's ledger
        self.assertTrue(
            self.env["account.move.line"].search_count(
                [("partner_id", "child_of", self.customers.ids), ("date", ">", PAST)]
            )
        )
        self.assertTrue(self._check_kpis(self._expected(PAST), PAST))
