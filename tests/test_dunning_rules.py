# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One definition per rule: every copy of "open invoice" and of "chased, and if
not why" (Python, domain, SQL kept for speed, the selection, the doors) agrees
with it over generated ledgers."""

import random
from datetime import timedelta

from odoo import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from .common import TODAY, DunningCommon

# why an invoice is not chased, in the order the rule tells them (the first holds)
ORDER = ("excluded_invoice", "excluded_customer", "collection", "dispute", "promise")


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningOneRule(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rng = random.Random(20261208)
        cls.customers = [cls._customer(f"Rule {n} SARL") for n in range(4)]

    def _ledger(self, count):
        """``count`` entries of every kind: draft, posted, partly and fully paid,
        reversed, cancelled invoices, credit notes."""
        moves = self.env["account.move"]
        for __ in range(count):
            partner = self.rng.choice(self.customers)
            amount = self.rng.choice((100, 250.5, 999.99))
            due = TODAY - timedelta(days=self.rng.randint(-20, 60))
            kind = self.rng.choice(
                ("draft", "posted", "partial", "paid", "reversed", "cancel", "refund")
            )
            if kind == "draft":
                moves |= self._draft_invoice(partner, amount)
                continue
            move_type = "out_refund" if kind == "refund" else "out_invoice"
            move = self._invoice(partner, amount, due, move_type=move_type)
            if kind == "partial":
                self._pay(move, amount / 2)
            elif kind == "paid":
                self._pay(move, amount)
            elif kind == "reversed":
                move._reverse_moves(cancel=True)
            elif kind == "cancel":
                move.button_draft()
                move.button_cancel()
            moves |= move
        return moves

    def test_open_invoice_is_one_definition(self):
        moves = self._ledger(40)
        Move = self.env["account.move"]
        by_domain = Move.search([("id", "in", moves.ids), *Move._dunning_open_domain()])
        by_field = Move.search([("id", "in", moves.ids), ("dunning_open", "=", True)])
        not_open = Move.search([("id", "in", moves.ids), ("dunning_open", "=", False)])
        self.env.cr.execute(
            SQL(
                "SELECT m.id FROM account_move m WHERE m.id = ANY(%s) AND %s",
                moves.ids,
                Move._dunning_open_sql("m"),
            )
        )
        by_sql = Move.browse(row[0] for row in self.env.cr.fetchall())
        rows = self.env["account.dunning.selection"]._open_rows(
            self.company,
            TODAY,
            SQL("l.move_id = ANY(%s)", moves.ids),
        )
        by_selection = Move.browse(
            row.move_id
            for row in rows
            if row.residual > 0 and row.chase_reason != "credit"
        )
        for move in moves:
            expected = move._dunning_is_open()
            with self.subTest(
                move=move.name, state=move.state, paid=move.payment_state
            ):
                self.assertEqual(move.dunning_open, expected)
                self.assertEqual(move in by_domain, expected)
                self.assertEqual(move in by_field, expected)
                self.assertEqual(move in not_open, not expected)
                self.assertEqual(move in by_sql, expected)
                self.assertEqual(move in by_selection, expected)
                self.assertEqual(
                    move._dunning_is_paid(),
                    move.payment_state in ("paid", "in_payment", "reversed"),
                )
        self.assertTrue(by_domain and not_open)  # the ledger had both kinds

    def _answer_at_random(self, invoices):
        """Disputes, promises, exclusions and hand-overs at random; the reasons
        expected for each invoice by the rule, in its order."""
        expected = {}
        handed = self.rng.choice(self.customers)
        self.env["account.dunning.collection"]._hand_over(handed)
        excluded = self.rng.choice([c for c in self.customers if c != handed])
        excluded.sudo().dunning_excluded = True
        for invoice in invoices:
            reasons = set()
            if self.rng.random() < 0.2:
                invoice.sudo().dunning_excluded = True
                reasons.add("excluded_invoice")
            if invoice.commercial_partner_id == excluded:
                reasons.add("excluded_customer")
            if invoice.commercial_partner_id == handed:
                reasons.add("collection")
            if self.rng.random() < 0.3:
                invoice.sudo().write(
                    {"dunning_dispute_state": "open", "dunning_dispute_reason": "?"}
                )
                reasons.add("dispute")
            if self.rng.random() < 0.3:
                self.env["account.dunning.promise"].create(
                    {
                        "partner_id": invoice.commercial_partner_id.id,
                        "move_ids": [Command.set(invoice.ids)],
                        "date": TODAY + timedelta(days=3),
                        "amount": invoice.amount_residual,
                    }
                )
                reasons.add("promise")
            first = next((r for r in ORDER if r in reasons), None)
            expected[invoice.id] = first
        return expected

    def test_chased_or_why_is_one_definition(self):
        invoices = self.env["account.move"]
        for __ in range(24):
            partner = self.rng.choice(self.customers)
            due = TODAY - timedelta(days=self.rng.randint(1, 40))
            invoices |= self._invoice(partner, self.rng.choice((80, 400)), due)
        expected = self._answer_at_random(invoices)
        rows = self.env["account.dunning.selection"]._open_rows(
            self.company, TODAY, SQL("l.move_id = ANY(%s)", invoices.ids)
        )
        found = {row.move_id: row.chase_reason for row in rows}
        engine = self.env["account.dunning.engine"]
        proposals = engine._propose_manual(self.company, None, invoices)
        told = engine._chase_reason_texts()
        left_out = {
            move.id: why
            for proposal in proposals.values()
            for move, why in proposal.left_out
        }
        for invoice in invoices:
            reason = expected[invoice.id]
            with self.subTest(invoice=invoice.name, reason=reason):
                # the selection, the invoice's own position, and every door
                self.assertEqual(found[invoice.id], reason)
                self.assertEqual(bool(invoice.dunning_next_date), reason is None)
                self.assertEqual(left_out.get(invoice.id), told.get(reason))
        self.assertTrue(set(expected.values()) - {None})  # some were not chased
        self.assertIn(None, expected.values())  # and some were
