# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Promises to pay and payment plans by RPC: their states are their own steps',
what a settled promise or an agreed plan said stays, and they link open invoices
of their own customer and company only, one open promise per invoice (held by the
database). Each attempt is made by the least-privileged user who could try it, and
leaves the database as it was."""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import TODAY
from .facts_common import OTHER_COMPANY, OWN_STEPS, FactsCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningFactsPromises(FactsCommon):
    # --- 7. promises and plans ------------------------------------------------------

    def test_promise_and_plan_states_are_their_own_steps(self):
        promise = self._as(self.billing, self._promise(self.invoice))
        plan = self._as(self.billing, self.plan)
        Promise = self._as(self.billing, self.env["account.dunning.promise"])
        Plan = self._as(self.billing, self.env["account.dunning.plan"])
        self.assertRefused(
            [
                (
                    "a promise kept by hand",
                    lambda: promise.write({"state": "kept"}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a promise broken by hand",
                    lambda: promise.write({"state": "broken"}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a promise created kept",
                    lambda: Promise.create(
                        {
                            "partner_id": self.customer.id,
                            "move_ids": [Command.set(self.other_invoice.ids)],
                            "date": TODAY + timedelta(days=3),
                            "amount": 10,
                            "state": "kept",
                        }
                    ),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a plan done by hand",
                    lambda: plan.write({"state": "done"}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a plan activated by hand",
                    lambda: plan.write({"state": "active"}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a plan's starting residual",
                    lambda: plan.write({"baseline_residual": 1}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a plan's reference",
                    lambda: plan.write({"name": "PLAN/FAKE"}),
                    UserError,
                    OWN_STEPS,
                ),
                (
                    "a plan created active",
                    lambda: Plan.create(
                        {
                            "partner_id": self.customer.id,
                            "move_ids": [Command.set(self.other_invoice.ids)],
                            "amount_total": 100,
                            "state": "active",
                        }
                    ),
                    UserError,
                    OWN_STEPS,
                ),
            ]
        )
        # their own steps do: Activate, and the payment that keeps the promise
        plan.action_activate()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.sudo().baseline_residual, 400)
        self._pay(self.invoice, self.invoice.amount_residual)
        self.assertEqual(promise.state, "kept")
        # what a settled promise said, and what an agreed plan spreads, stay
        self.assertRefused(
            [
                (
                    "a kept promise's amount",
                    lambda: promise.write({"amount": 50}),
                    UserError,
                    "what was promised stays",
                ),
                (
                    "an active plan's amount",
                    lambda: plan.write({"amount_total": 10}),
                    UserError,
                    "schedule stays as signed",
                ),
            ]
        )

    def test_promises_link_open_invoices_of_their_customer(self):
        Promise = self._as(self.billing, self.env["account.dunning.promise"])
        promise = self._promise(self.other_invoice)

        def vals(moves, amount=10, **more):
            return {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(moves.ids)],
                "date": TODAY + timedelta(days=3),
                "amount": amount,
            } | more

        self.assertRefused(
            [
                (
                    "attached to another customer's invoice from the invoice",
                    lambda: self._as(self.billing, self.stranger).write(
                        {"dunning_promise_ids": [Command.link(promise.id)]}
                    ),
                    UserError,
                    "own steps",
                ),
                (
                    "its invoices replaced from the invoice side",
                    lambda: self._as(self.billing, self.other_invoice).write(
                        {"dunning_promise_ids": [Command.clear()]}
                    ),
                    UserError,
                    "own steps",
                ),
                (
                    "for another customer's invoice",
                    lambda: Promise.create(vals(self.stranger)),
                    ValidationError,
                    "its own customer invoices",
                ),
                (
                    "on a draft invoice",
                    lambda: Promise.create(vals(self.draft_invoice)),
                    ValidationError,
                    "draft, paid or cancelled",
                ),
                (
                    "on a paid invoice",
                    lambda: Promise.create(vals(self.paid)),
                    ValidationError,
                    "draft, paid or cancelled",
                ),
                (
                    "on a credit note",
                    lambda: Promise.create(vals(self.credit_note)),
                    ValidationError,
                    "its own customer invoices",
                ),
                (
                    "for more than is owed",
                    lambda: Promise.create(vals(self.invoice, amount=1000.01)),
                    ValidationError,
                    "more than what is left to pay",
                ),
                (
                    "raised above what is owed",
                    lambda: self._as(self.billing, promise).write({"amount": 401}),
                    ValidationError,
                    "more than what is left to pay",
                ),
                (
                    "with no invoice",
                    lambda: Promise.create(vals(self.env["account.move"])),
                    ValidationError,
                    "at least one invoice",
                ),
                (
                    "another company's invoice",
                    lambda: Promise.create(vals(self.invoice_b)),
                    AccessError,
                    OTHER_COMPANY,
                ),
                (
                    "a second open promise for an invoice",
                    lambda: Promise.create(vals(self.other_invoice)),
                    UserError,
                    "one open promise per invoice",
                ),
                (
                    "a second one through a change of invoices",
                    lambda: self._as(self.billing, self._promise(self.invoice)).write(
                        {"move_ids": [Command.link(self.other_invoice.id)]}
                    ),
                    UserError,
                    "one open promise per invoice",
                ),
                (
                    "recorded by a portal user",
                    lambda: Promise.create(
                        vals(
                            self.invoice,
                            user_id=new_test_user(
                                self.env, login="f_portal", groups="base.group_portal"
                            ).id,
                        )
                    ),
                    ValidationError,
                    "internal user",
                ),
            ]
        )
        # what is owed, exactly, on the customer's open invoices
        full = Promise.create(vals(self.invoice, amount=1000))
        self.assertEqual(full.state, "open")
        # once settled, its invoice may be promised again
        full.sudo().write({"state": "broken"})  # as its date passing unpaid does
        self.assertTrue(Promise.create(vals(self.invoice, amount=5)))

    def test_one_open_promise_per_invoice_is_held_by_the_database(self):
        """The rule is an index of the database, not a search before the insert:
        the relation's rows of open promises are unique per invoice."""
        promise = self._promise(self.invoice)
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes "
            "WHERE indexname = 'account_dunning_promise_move_rel_one_open'"
        )
        (definition,) = self.env.cr.fetchone()
        self.assertIn("UNIQUE", definition)
        self.assertIn("WHERE open_promise", definition)
        self.env.cr.execute(
            "SELECT move_id FROM account_dunning_promise_move_rel "
            "WHERE promise_id = %s AND open_promise",
            [promise.id],
        )
        self.assertEqual(self.env.cr.fetchall(), [(self.invoice.id,)])
        # kept: its row no longer holds the invoice
        self._pay(self.invoice, self.invoice.amount_residual)
        self.assertEqual(promise.state, "kept")
        self.env.cr.execute(
            "SELECT COUNT(*) FROM account_dunning_promise_move_rel "
            "WHERE promise_id = %s AND open_promise",
            [promise.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (0,))

    def test_plans_spread_open_invoices_of_their_customer(self):
        Plan = self._as(self.billing, self.env["account.dunning.plan"])

        def plan_for(moves, amount=None):
            return Plan.create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(moves.ids)],
                    "amount_total": amount
                    if amount is not None
                    else sum(moves.mapped("amount_residual_signed")),
                }
            )

        def activated(moves, amount=None):
            plan = plan_for(moves, amount)
            plan.action_compute_schedule()
            plan.action_activate()

        spread = "can only spread invoices left to pay"
        self.assertRefused(
            [
                (
                    "a draft entry",
                    lambda: activated(self.draft_invoice, 300),
                    ValidationError,
                    spread,
                ),
                (
                    "a paid invoice",
                    lambda: activated(self.paid, 200),
                    ValidationError,
                    spread,
                ),
                (
                    "a credit note",
                    lambda: activated(self.credit_note, 50),
                    ValidationError,
                    spread,
                ),
                (
                    "1e12 for an invoice of 1,000",
                    lambda: activated(self.invoice, 1e12),
                    ValidationError,
                    "what is left to pay",
                ),
                (
                    "more than is owed",
                    lambda: activated(self.invoice, 1000.01),
                    ValidationError,
                    "what is left to pay",
                ),
                (
                    "another company's invoice",
                    lambda: plan_for(self.invoice_b, 600),
                    AccessError,
                    OTHER_COMPANY,
                ),
                (
                    "a portal user responsible",
                    lambda: plan_for(self.invoice).write(
                        {
                            "user_id": new_test_user(
                                self.env, login="f_portal2", groups="base.group_portal"
                            ).id
                        }
                    ),
                    ValidationError,
                    "internal user",
                ),
            ]
        )
        # paid since the draft was made: no longer activated
        plan = plan_for(self.invoice)
        plan.action_compute_schedule()
        self._pay(self.invoice, self.invoice.amount_residual)
        with self.assertRaisesMessage(ValidationError, spread):
            plan.action_activate()
        self.assertEqual(plan.state, "draft")
