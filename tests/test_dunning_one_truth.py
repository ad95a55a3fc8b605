# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One figure, every screen: each situation that once showed different amounts on
different screens, asserted on each screen that shows it (desk, kanban, customer
form, invoice, reminder, email, letter, statement, aged receivables, KPIs)."""

from ast import literal_eval
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import TODAY, DunningCommon

LETTER = "account_dunning.action_report_dunning_letter"
STATEMENT = "account_dunning.action_report_customer_statement"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningOneTruth(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, login="billing_truth", groups="account.group_account_invoice"
        )
        cls.desk_action = cls.env.ref("account_dunning.res_partner_dunning_action")

    # --- helpers: what each screen shows ---
    def _desk(self, partner):
        """The collection desk's list row (and the kanban card's) of ``partner``, as
        the billing user reads it through the desk's action."""
        domain = [*self._desk_domain(), ("id", "=", partner.id)]
        rows = (
            self.env["res.partner"]
            .with_user(self.billing)
            .search_read(
                domain,
                ["dunning_amount_overdue", "dunning_credit_amount", "dunning_status"],
            )
        )
        return rows[0] if rows else None

    def _desk_domain(self):
        return literal_eval(self.desk_action.domain)

    def _kanban_total(self, partner):
        """The kanban's column sum for the customer's level."""
        groups = (
            self.env["res.partner"]
            .with_user(self.billing)
            .read_group(
                [("id", "=", partner.id)],
                ["dunning_amount_overdue:sum"],
                ["dunning_level_id"],
            )
        )
        return sum(g["dunning_amount_overdue"] or 0.0 for g in groups)

    def _aging(self, partner):
        return (
            self.env["account.dunning.aging.report"]
            .with_user(self.billing)
            .search([("partner_id", "=", partner.id)])
        )

    def _html(self, report, records):
        html, __ = self.env["ir.actions.report"]._render_qweb_html(report, records.ids)
        return html.decode()

    def _instalment_terms(self):
        return self._terms("30 % at 30 days, 70 % at 60 days", (30, 30), (70, 60))

    # --- instalments ---
    def test_instalments_only_what_is_due_is_overdue_everywhere(self):
        """1,000 in 30 % at 30 days and 70 % at 60 days, 12 days after the first due
        date: 300 is overdue, 700 is not due yet, on every screen."""
        first_due = TODAY - timedelta(days=12)
        invoice = self._invoice(
            self.customer,
            1000,
            first_due,
            invoice_date=first_due - timedelta(days=30),
            invoice_payment_term_id=self._instalment_terms().id,
            invoice_date_due=False,
        )
        self.assertEqual(len(invoice.line_ids.filtered("date_maturity")), 2)
        # customer form, desk, kanban
        customer = self.customer.with_user(self.billing)
        self.assertEqual(customer.dunning_amount_overdue, 300.0)
        self.assertEqual(self._desk(self.customer)["dunning_amount_overdue"], 300.0)
        self.assertEqual(self._kanban_total(self.customer), 300.0)
        # invoice
        self.assertEqual(invoice.days_overdue, 12)
        # aged receivables
        aging = self._aging(self.customer)
        self.assertRecordValues(
            aging,
            [
                {
                    "days_1_30": 300.0,
                    "not_due": 700.0,
                    "days_31_60": 0.0,
                    "amount_due": 1000.0,
                    "days_overdue": 12,
                    "date_due": first_due,
                }
            ],
        )
        # statement
        statement = self.customer._dunning_statement()
        self.assertEqual(statement["aging"]["1_30"], 300.0)
        self.assertEqual(statement["aging"]["not_due"], 700.0)
        self.assertEqual(statement["total"], 1000.0)
        self.assertEqual(statement["lines"][0]["days_overdue"], 12)
        # KPIs
        kpi = self.env["account.dunning.kpi"].create(
            {"date_from": TODAY - timedelta(days=60), "date_to": TODAY}
        )
        receivables = kpi._dunning_receivables(TODAY)
        self.assertEqual((receivables["overdue"], receivables["current"]), (300, 700))
        self.assertEqual(kpi.overdue_share, 30.0)
        # reminder, with interest: on the overdue instalment from its own due date
        self.company.dunning_interest_rate = 10.0
        wizard = self._wizard(self.customer.with_user(self.billing))
        wizard.level_id.sudo().apply_interest = True
        wizard.action_send()
        reminder = self.env["account.dunning.reminder"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertRecordValues(
            reminder.line_ids,
            [
                {
                    "amount_residual": 1000.0,
                    "amount_overdue": 300.0,
                    "amount_not_due": 700.0,
                    "amount_reminded": 300.0,
                    # 300 x 10 % x 12 / 365, never on the 700 not due yet
                    "interest_amount": 0.99,
                }
            ],
        )
        self.assertEqual(reminder.amount_overdue, 300.0)
        self.assertEqual(
            reminder.currency_summary, self.company.currency_id.format(300)
        )
        # email and letter claim the overdue part
        body = reminder.mail_message_id.body
        self.assertIn("300.00", body)
        self.assertNotIn("1,000.00", body)
        letter = self._html(LETTER, reminder)
        self.assertIn("300.00", letter)
        self.assertNotIn("1,000.00", letter)

    # --- customers in credit ---
    def test_credit_is_never_negative_overdue_and_is_shown_as_credit(self):
        """An overdue 1,000 and an unapplied credit note of 1,500: nothing overdue
        (0, never -500), a credit of 1,500 to apply, a balance of -500."""
        invoice = self._invoice(self.customer, 1000, date(2026, 3, 11))
        refund = self._invoice(
            self.customer, 1500, date(2026, 3, 20), move_type="out_refund"
        )
        desk = self._desk(self.customer)
        self.assertEqual(desk["dunning_amount_overdue"], 0.0)
        self.assertEqual(desk["dunning_credit_amount"], 1500.0)
        self.assertEqual(desk["dunning_status"], "none")
        self.assertEqual(self._kanban_total(self.customer), 0.0)
        self.assertNotIn(
            self.customer,
            self.env["res.partner"].search([("dunning_amount_overdue", ">", 0)]),
        )
        # statement and aged receivables: the same buckets, credit and balance
        statement = self.customer._dunning_statement()
        aging = self._aging(self.customer)
        self.assertEqual(statement["aging"]["1_30"], 1000.0)
        self.assertEqual(sum(aging.mapped("days_1_30")), 1000.0)
        self.assertEqual(statement["credit"], 1500.0)
        self.assertEqual(sum(aging.mapped("credit")), 1500.0)
        self.assertEqual(statement["total"], -500.0)
        self.assertEqual(sum(aging.mapped("amount_due")), -500.0)
        # the credit note: not aged, dated the same on both
        credit_row = aging.filtered(lambda row: row.move_id == refund)
        self.assertEqual(credit_row.not_due, 0.0)
        credit_line = next(
            line for line in statement["lines"] if line["move"] == refund
        )
        self.assertEqual(credit_line["date_due"], credit_row.date_due)
        self.assertEqual(credit_line["days_overdue"], 0)
        # the link opens the credit to apply
        action = self.customer.with_user(self.billing).action_view_dunning_credits()
        self.assertEqual(self.env["account.move"].search(action["domain"]), refund)
        # KPIs: the desk's overdue amount (0: the credit covers what is past due)
        # of what the customer owes (nothing: it is in credit): 0 %, never over 100
        kpi = self.env["account.dunning.kpi"].create(
            {"date_from": TODAY - timedelta(days=60), "date_to": TODAY}
        )
        self.assertEqual(kpi.amount_overdue, 0.0)
        self.assertEqual(kpi.overdue_share, 0.0)
        self.assertLessEqual(kpi.cei, 100.0)
        # nothing is claimed of a customer in credit
        self.assertFalse(self._run(TODAY))
        self.assertEqual(invoice.days_overdue, 20)

    def test_a_disputed_invoice_is_overdue_on_every_screen(self):
        """Once the desk left a disputed invoice out (720) where the dashboard and
        the portal counted it (4,820): it is overdue everywhere, and only the
        amount to claim leaves it out."""
        claimed = self._invoice(self.customer, 720, date(2026, 3, 1))
        disputed = self._invoice(self.customer, 4100, date(2026, 3, 10))
        disputed.sudo().write(
            {"dunning_dispute_state": "open", "dunning_dispute_reason": "Damaged"}
        )
        customer = self.customer.with_user(self.billing)
        self.assertRecordValues(
            customer,
            [
                {
                    "dunning_amount_overdue": 4820.0,
                    "dunning_amount_to_claim": 720.0,
                    "dunning_overdue_count": 2,
                    "dunning_status": "action",
                }
            ],
        )
        self.assertEqual(self._desk(self.customer)["dunning_amount_overdue"], 4820.0)
        self.assertEqual(self._kanban_total(self.customer), 4820.0)
        self.assertEqual(sum(self._aging(self.customer).mapped("amount_overdue")), 4820)
        statement = customer._dunning_statement()
        self.assertEqual((statement["overdue"], statement["balance"]), (4820, 4820))
        self.assertEqual(
            [line["kind"] for line in statement["lines"]], ["overdue", "overdue"]
        )
        kpi = (
            self.env["account.dunning.kpi"]
            .with_user(self.billing)
            .create({"date_from": TODAY - timedelta(days=60), "date_to": TODAY})
        )
        self.assertEqual(kpi.amount_overdue, 4820.0)
        # the reminder claims what the amount to claim says
        (reminder,) = self._run(TODAY)
        self.assertEqual(reminder.line_ids.move_id, claimed)
        self.assertEqual(reminder.amount_overdue, 720.0)

    def test_credits_above_what_is_past_due_on_every_screen(self):
        """Once the desk said 0.00, the dashboard 34,250 and the portal "Balance
        0.00, of which overdue 34,250", its credit notes "not due yet": the
        credits are set against what is past due everywhere, and shown as
        credits."""
        late = self._invoice(self.customer, 34250, date(2026, 2, 15))
        coming = self._invoice(self.customer, 5750, date(2026, 4, 20))
        refund = self._invoice(
            self.customer, 37500, date(2026, 4, 15), move_type="out_refund"
        )
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 2500,
                "date": date(2026, 3, 17),
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        customer = self.customer.with_user(self.billing)
        self.assertRecordValues(
            customer,
            [
                {
                    "dunning_amount_overdue": 0.0,
                    "dunning_credit_amount": 40000.0,
                    "dunning_amount_to_claim": 0.0,
                    "dunning_status": "none",
                }
            ],
        )
        aging = self._aging(self.customer)
        self.assertEqual(sum(aging.mapped("amount_overdue")), 0.0)
        self.assertEqual(sum(aging.mapped("days_31_60")), 34250.0)  # before credits
        statement = customer._dunning_statement()
        self.assertEqual(
            {key: statement[key] for key in ("balance", "overdue", "credit")},
            {"balance": 0.0, "overdue": 0.0, "credit": 40000.0},
        )
        kinds = {line["move"]: line["kind"] for line in statement["lines"]}
        self.assertEqual(
            kinds,
            {
                late: "overdue",
                coming: "not_due",
                refund: "credit",
                payment.move_id: "credit",
            },
        )
        html = self._html(STATEMENT, self.customer)
        self.assertEqual(html.count("Credit to apply"), 2)
        # why nothing is overdue: 34,250 past due less 40,000 of credits
        self.assertIn("o_dunning_statement_netting", html)
        # a partly covered customer: the statement says what the overdue comes from
        refund.button_draft()
        refund.invoice_line_ids.price_unit = 30000
        refund.action_post()
        statement = customer._dunning_statement()
        self.assertEqual((statement["overdue"], statement["balance"]), (1750, 7500))
        customer.invalidate_recordset()
        self.assertEqual(customer.dunning_amount_overdue, 1750.0)
        self.assertIn(
            "o_dunning_statement_netting", self._html(STATEMENT, self.customer)
        )

    def test_a_manager_continuing_the_risk_wizard_confirms_once(self):
        """OCA's partner risk wizard continues with its bypass_risk: a manager's
        Continue is the approval (no second confirmation against another message);
        anyone else's context lifts nothing."""
        self.company.account_use_credit_limit = True
        self.company.dunning_credit_check = "block"
        self.customer.sudo().credit_limit = 5
        manager = new_test_user(
            self.env, login="manager_risk", groups="account.group_account_manager"
        )
        draft = self._draft_invoice(self.customer, 10)
        with self.assertRaisesMessage(UserError, "over its credit limit"):
            draft.with_user(self.billing).with_context(bypass_risk=True).action_post()
        self.assertEqual(draft.state, "draft")
        draft.with_user(manager).with_context(bypass_risk=True).action_post()
        self.assertEqual(draft.state, "posted")
        self.assertRecordValues(
            draft.sudo(),
            [
                {
                    "dunning_credit_override_user_id": manager.id,
                    "dunning_credit_override_reason": (
                        "Confirmed over the partner risk warning"
                    ),
                }
            ],
        )
        note = draft.message_ids.filtered(lambda m: "partner risk warning" in m.body)
        self.assertIn(manager.name, note.body)

    # --- what the desk says, the wizard does ---
    def test_action_needed_for_a_draft_opens_the_draft(self):
        invoice = self._invoice(self.customer, 1000, date(2026, 3, 1))
        draft = self._reminder(self.customer, invoice, self.level_email, state="draft")
        invoice.sudo().dunning_excluded = True  # nothing left the run would send
        self.assertEqual(self._desk(self.customer)["dunning_status"], "action")
        action = self.customer.with_user(self.billing).action_dunning_send()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("account.dunning.reminder", draft.id),
        )

    def test_a_plan_a_promise_or_a_dispute_is_the_reason_given(self):
        plan_invoice = self._invoice(self.customer, 1000, date(2026, 3, 1))
        action = self.customer.with_user(self.billing).action_dunning_plan()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.billing)
            .with_context(**action["context"])
        )
        form.instalment_count = 2
        form.first_date = TODAY + timedelta(days=5)
        plan = form.save()
        self.assertEqual(plan.move_ids, plan_invoice)
        plan.action_compute_schedule()
        plan.action_activate()
        self.assertEqual(self._desk(self.customer)["dunning_status"], "paused")
        with self.assertRaisesMessage(UserError, "under a payment plan"):
            self.customer.with_user(self.billing).action_dunning_send()

        promised = self._invoice(self.other_customer, 400, date(2026, 3, 1))
        self.env["account.dunning.promise"].create(
            {
                "partner_id": self.other_customer.id,
                "move_ids": [Command.set(promised.ids)],
                "date": TODAY + timedelta(days=7),
                "amount": 400,
            }
        )
        self.assertEqual(self._desk(self.other_customer)["dunning_status"], "paused")
        with self.assertRaisesMessage(UserError, "a promise to pay covers it"):
            self.other_customer.with_user(self.billing).action_dunning_send()

        third = self._customer("Durand SAS")
        disputed = self._invoice(third, 300, date(2026, 3, 1))
        disputed.sudo().write(
            {"dunning_dispute_state": "open", "dunning_dispute_reason": "Damaged"}
        )
        self.assertEqual(self._desk(third)["dunning_status"], "paused")
        with self.assertRaisesMessage(UserError, "disputed"):
            third.with_user(self.billing).action_dunning_send()

    # --- one label per situation ---
    def test_excluded_collection_and_hold_are_told_apart(self):
        self._invoice(self.customer, 1000, date(2026, 3, 1))
        self._invoice(self.other_customer, 1000, date(2026, 3, 1))
        self.customer.sudo().dunning_excluded = True
        self.other_customer.sudo().credit_hold = True
        self.assertEqual(self._desk(self.customer)["dunning_status"], "excluded")
        # on hold, still chased: the run reminds it, the desk says so
        self.assertEqual(self._desk(self.other_customer)["dunning_status"], "action")
        self.assertEqual(self._run(TODAY).partner_id, self.other_customer)
        self.customer.sudo().write(
            {"dunning_excluded": False, "dunning_stage": "collection"}
        )
        self.assertEqual(self._desk(self.customer)["dunning_status"], "collection")
        labels = dict(
            self.env["res.partner"]
            ._fields["dunning_status"]
            ._description_selection(self.env)
        )
        self.assertEqual(len(set(labels.values())), len(labels))
        self.assertNotIn("hold", labels["excluded"].lower())

    # --- who is a customer ---
    def test_desk_lists_customers_with_receivables_only(self):
        self._invoice(self.customer, 1000, date(2026, 3, 1))
        own_company = self.company.partner_id
        employee = new_test_user(
            self.env, login="employee_truth", groups="base.group_user"
        ).partner_id
        for partner in own_company | employee:
            self._invoice(partner, 100, date(2026, 3, 1))
        listed = (
            self.env["res.partner"].with_user(self.billing).search(self._desk_domain())
        )
        self.assertIn(self.customer, listed)
        self.assertNotIn(own_company, listed)
        self.assertNotIn(employee, listed)
        self.assertNotIn(self.other_customer, listed)  # owes nothing

    # --- next to OCA account_financial_risk and Sales ---
    def test_override_wizard_returns_what_posting_asks_next(self):
        """A module whose action_post returns a wizard gets it shown, not a closed
        window over a draft; the manager's override is the one confirmation: OCA's
        risk check is told (its bypass_risk) not to ask again."""
        self.company.account_use_credit_limit = True
        self.company.dunning_credit_check = "block"
        self.customer.sudo().credit_limit = 5
        manager = new_test_user(
            self.env, login="manager_truth", groups="account.group_account_manager"
        )
        draft = self._draft_invoice(self.customer, 10)
        with self.assertRaisesMessage(UserError, "over its credit limit"):
            draft.with_user(self.billing).action_post()
        # a billing user cannot approve by writing the approval
        with self.assertRaises(AccessError):
            draft.with_user(self.billing).write(
                {"dunning_credit_override_reason": "mine"}
            )
        override = (
            self.env["account.dunning.credit.override"]
            .with_user(manager)
            .create({"move_ids": [Command.set(draft.ids)], "reason": "Agreed by phone"})
        )
        next_step = {"type": "ir.actions.act_window", "res_model": "risk.wizard"}
        asked = []
        Move = type(self.env["account.move"])
        original = Move.action_post

        def action_post(moves):
            asked.append(moves.env.context.get("bypass_risk"))
            return next_step

        try:
            Move.action_post = action_post
            self.assertEqual(override.action_confirm(), next_step)
        finally:
            Move.action_post = original
        self.assertEqual(asked, [True])  # posted with the other check told
        self.assertEqual(draft.state, "draft")
        # the other module's wizard continues: posted, over the lifted block
        draft.with_user(self.billing).action_post()
        self.assertEqual(draft.state, "posted")
        note = draft.message_ids.filtered(lambda m: "Agreed by phone" in m.body)
        self.assertIn(manager.name, note.body)

    def _refresh(self, draft):
        draft.invalidate_recordset(
            [
                "dunning_credit_warning",
                "partner_credit_warning",
                "dunning_credit_banner",
            ]
        )

    def test_credit_limit_follows_odoo_switch_and_shows_one_banner(self):
        self.customer.sudo().credit_limit = 500
        self._invoice(self.customer, 450, date(2026, 4, 15))
        draft = self._draft_invoice(self.customer, 100)
        self.company.account_use_credit_limit = False
        self._refresh(draft)
        self.assertFalse(draft.dunning_credit_warning)
        self.assertFalse(draft.partner_credit_warning)
        self.assertFalse(draft.dunning_credit_banner)
        self.company.account_use_credit_limit = True
        self._refresh(draft)
        self.assertIn("over its credit limit", draft.dunning_credit_warning)
        # core's banner says it as core says it (its contract), and this addon's
        # does not say it a second time
        self.assertIn("has reached its credit limit of", draft.partner_credit_warning)
        self.assertFalse(draft.dunning_credit_banner)
        # where the company blocks, this addon's banner says what core's cannot
        self.company.dunning_credit_check = "block"
        self._refresh(draft)
        self.assertIn("Posting it is blocked", draft.dunning_credit_banner)
        self.assertIn("has reached its credit limit of", draft.partner_credit_warning)

    def test_alert_threshold_and_hold_in_this_addons_banner_only(self):
        self.company.account_use_credit_limit = True
        self.customer.sudo().credit_limit = 1000
        self._invoice(self.customer, 800, date(2026, 4, 15))
        draft = self._draft_invoice(self.customer, 100)
        self._refresh(draft)
        # 90 % used: core says nothing below the limit, this addon's alert does
        self.assertFalse(draft.partner_credit_warning)
        self.assertIn("uses 90 % of its credit limit", draft.dunning_credit_banner)
        self.customer.sudo().credit_hold = True
        self._refresh(draft)
        self.assertIn("is on credit hold", draft.dunning_credit_banner)
        arch = self.env["account.move"].get_view(
            self.env.ref("account.view_move_form").id, "form"
        )["arch"]
        self.assertIn('name="dunning_credit_banner"', arch)

    def test_sales_order_invoiced_is_counted_once(self):
        if "sale.order" not in self.env:
            self.skipTest("Sales is not installed: its orders' exposure is not there")
        self.company.account_use_credit_limit = True
        product = self.env["product.product"].create(
            {"name": "Service", "list_price": 5000, "taxes_id": [Command.clear()]}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "price_unit": 5000,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.customer.invalidate_recordset(["credit_exposure"])
        self.assertEqual(self.customer.sudo().credit_exposure, 5000)
        invoice = order._create_invoices()
        self.customer.invalidate_recordset(["credit_exposure"])
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(self.customer.sudo().credit_exposure, 5000)
