# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..dunning.instalments import instalment_dates, split_amount
from .access import check_button, check_system_fields
from .bounds import check_input, check_internal_user

# a plan spreads a debt over ten years at the most (monthly instalments)
MAX_INSTALMENTS = 120
# its first instalment: agreed a little while ago at the earliest, within a year
FIRST_DATE_PAST_DAYS = 90
FIRST_DATE_FUTURE_DAYS = 365
# Set by the plan's own steps (Activate, then done or broken by the payments), never
# by a user; its reference is its sequence's.
SYSTEM_FIELDS = frozenset({"state", "baseline_residual"})
# What the customer agreed: fixed once the plan is active.
PLAN_FACTS = frozenset(
    {
        "partner_id",
        "company_id",
        "move_ids",
        "amount_total",
        "instalment_count",
        "frequency",
        "first_date",
    }
)


class AccountDunningPlan(models.Model):
    """A payment plan: a customer's overdue invoices paid in instalments. While it
    is on track they are not chased; a missed instalment breaks it."""

    _name = "account.dunning.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True
    _order = "id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        "account_dunning_plan_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), "
        "('dunning_open', '=', True)]",
    )
    amount_total = fields.Monetary(
        string="Amount", help="What the plan spreads: the invoices' amount due."
    )
    instalment_count = fields.Integer(string="Instalments", default=3)
    frequency = fields.Selection(
        [
            ("weekly", "Every week"),
            ("biweekly", "Every two weeks"),
            ("monthly", "Every month"),
        ],
        default="monthly",
        required=True,
    )
    first_date = fields.Date(
        string="First Instalment", default=fields.Date.context_today
    )
    line_ids = fields.One2many(
        "account.dunning.plan.line", "plan_id", string="Schedule", copy=False
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("done", "Done"),
            ("broken", "Broken"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    paid_amount = fields.Monetary(compute="_compute_paid_amount")
    baseline_residual = fields.Monetary(
        copy=False,
        readonly=True,
        help="What was left to pay on the invoices when the plan started.",
    )
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user
    )

    @api.depends("line_ids.paid_amount")
    def _compute_paid_amount(self):
        for plan in self:
            plan.paid_amount = sum(plan.line_ids.mapped("paid_amount"))

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        for vals in vals_list:
            check_system_fields(
                self,
                {
                    fname
                    for fname in SYSTEM_FIELDS & vals.keys()
                    if vals[fname] not in (False, 0, 0.0, "draft")
                },
            )
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("account.dunning.plan") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        check_system_fields(self, (SYSTEM_FIELDS | {"name"}) & vals.keys())
        if PLAN_FACTS & vals.keys() and not self.env.su:
            self._dunning_check_schedule_editable()
        return super().write(vals)

    @api.constrains("instalment_count", "line_ids")
    def _check_instalment_count(self):
        if any(plan.instalment_count < 1 for plan in self):
            raise ValidationError(_("A payment plan needs at least one instalment."))
        for plan in self:
            if max(plan.instalment_count, len(plan.line_ids)) > MAX_INSTALMENTS:
                raise ValidationError(
                    _(
                        "Plan %(plan)s has more than %(maximum)s instalments: spread "
                        "it over fewer.",
                        plan=plan.name,
                        maximum=MAX_INSTALMENTS,
                    )
                )

    @api.constrains("first_date", "state")
    def _check_first_date(self):
        today = fields.Date.context_today(self)
        earliest = today - timedelta(days=FIRST_DATE_PAST_DAYS)
        latest = today + timedelta(days=FIRST_DATE_FUTURE_DAYS)
        for plan in self.filtered(lambda p: p.state == "draft" and p.first_date):
            if not earliest <= plan.first_date <= latest:
                raise ValidationError(
                    _(
                        "The first instalment of plan %(plan)s must fall between "
                        "%(earliest)s and %(latest)s, not %(date)s.",
                        plan=plan.name,
                        earliest=earliest,
                        latest=latest,
                        date=plan.first_date,
                    )
                )

    @api.constrains("partner_id", "move_ids", "amount_total", "state")
    def _check_moves(self):
        for plan in self:
            if plan.state == "draft":
                plan._dunning_check_covered()
            strangers = plan.move_ids.filtered(
                lambda m, plan=plan: m.commercial_partner_id
                != plan.partner_id.commercial_partner_id
            )
            if strangers:
                raise ValidationError(
                    _(
                        "Plan %(plan)s can only cover invoices of %(customer)s, not "
                        "%(invoices)s.",
                        plan=plan.name,
                        customer=plan.partner_id.display_name,
                        invoices=", ".join(strangers.mapped("name")),
                    )
                )

    @api.constrains("user_id", "company_id")
    def _check_user(self):
        label = self._fields["user_id"]._description_string(self.env)
        for plan in self:
            check_internal_user(self.env, plan.user_id, plan.company_id, label)

    def _dunning_check_covered(self):
        """What a plan agreed or to agree spreads: its customer's invoices left to
        pay (posted, not paid: no draft, no credit note), for no more than what is
        left on them."""
        self.ensure_one()
        closed = self.move_ids.filtered(lambda m: not m._dunning_is_open())
        if closed:
            raise ValidationError(
                _(
                    "Plan %(plan)s can only spread invoices left to pay: "
                    "%(invoices)s is a draft, a credit note, paid or cancelled.",
                    plan=self.name,
                    invoices=", ".join(closed.mapped("display_name")),
                )
            )
        left = self._dunning_residual()
        if self.amount_total < 0 or (
            self.move_ids
            and self.currency_id.compare_amounts(self.amount_total, left) > 0
        ):
            raise ValidationError(
                _(
                    "Plan %(plan)s spreads %(amount)s: between nothing and what is "
                    "left to pay on its invoices, %(left)s.",
                    plan=self.name,
                    amount=self.currency_id.format(self.amount_total),
                    left=self.currency_id.format(left),
                )
            )

    def _dunning_check_schedule_editable(self):
        """The schedule is the draft's to change; once agreed it is what the
        customer signed."""
        agreed = self.filtered(lambda plan: plan.state != "draft")
        if agreed:
            raise UserError(
                _(
                    "Plan %(plan)s was agreed: its schedule stays as signed.",
                    plan=agreed[0].name,
                )
            )

    @api.model
    def _dunning_form_action(self, partner):
        """A new plan for the customer's overdue invoices."""
        customer = partner.commercial_partner_id
        # the overdue invoices as the selection tells them (an instalment due is
        # enough), not yet under a plan
        rows = self.env["account.dunning.selection"]._open_items(
            self.env.company,
            fields.Date.context_today(self),
            SQL("lp.commercial_partner_id = %s", customer.id),
        )
        moves = self.env["account.move"].browse(
            row["move_id"]
            for row in rows
            if row["move_type"] == "out_invoice"
            and row["overdue_residual"] > 0
            and row["chase_reason"] != "plan"
        )
        if not moves:
            raise UserError(
                _(
                    "%(customer)s has no overdue invoice to plan.",
                    customer=customer.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": _("Payment Plan"),
            "res_model": self._name,
            "view_mode": "form",
            "context": {
                "default_partner_id": customer.id,
                "default_move_ids": moves.ids,
                "default_amount_total": sum(moves.mapped("amount_residual_signed")),
            },
        }

    def action_compute_schedule(self):
        """Split the amount into the instalments asked for."""
        check_button(self)
        for plan in self:
            if plan.state != "draft":
                raise UserError(_("Only a draft plan can be rescheduled."))
            if not plan.move_ids or plan.amount_total <= 0:
                raise UserError(
                    _("Plan %(plan)s needs invoices and an amount.", plan=plan.name)
                )
            dates = instalment_dates(
                plan.first_date, plan.instalment_count, plan.frequency
            )
            amounts = split_amount(
                plan.amount_total,
                plan.instalment_count,
                plan.currency_id.decimal_places,
            )
            plan.line_ids = [Command.clear()] + [
                Command.create({"date": day, "amount": amount})
                for day, amount in zip(dates, amounts, strict=True)
            ]
        return True

    def action_activate(self):
        """The customer agreed: its invoices leave dunning while the plan holds."""
        check_button(self)
        for plan in self:
            if plan.state != "draft" or not plan.line_ids:
                raise UserError(
                    _("Compute the schedule of %(plan)s first.", plan=plan.name)
                )
            if plan.currency_id.compare_amounts(
                sum(plan.line_ids.mapped("amount")), plan.amount_total
            ):
                raise UserError(
                    _(
                        "The instalments of %(plan)s do not add up to its amount.",
                        plan=plan.name,
                    )
                )
            if not plan.move_ids:
                raise UserError(
                    _("Plan %(plan)s needs invoices and an amount.", plan=plan.name)
                )
            plan._dunning_check_covered()
            # sudo: activating is the plan's own step, which sets its state and
            # what was left to pay when it started (no user writes them)
            plan.sudo().write(
                {"state": "active", "baseline_residual": plan._dunning_residual()}
            )
        # the drafts the plan leaves with nothing to remind go at once, with why
        self.env["account.dunning.engine"]._retire_stale_drafts(
            fields.Date.context_today(self), partners=self.partner_id
        )
        return True

    def _dunning_residual(self):
        self.ensure_one()
        return sum(self.move_ids.mapped("amount_residual_signed"))

    def _dunning_update_states(self, date=None):
        """Active plans whose invoices are paid are done; a plan with an instalment
        past due and not covered by payments is broken, and dunning resumes."""
        date = date or fields.Date.context_today(self)
        plans = self.search([("state", "=", "active")]) if not self else self
        plans = plans.filtered(lambda p: p.state == "active")
        done = plans.filtered(lambda p: all(m._dunning_is_paid() for m in p.move_ids))
        # sudo: the plan's own step sets its state, whoever's action leads to it
        done.sudo().write({"state": "done"})
        broken = (plans - done).filtered(
            lambda p: any(
                line.date < date
                and p.currency_id.compare_amounts(line.paid_amount, line.amount) < 0
                for line in p.line_ids
            )
        )
        broken.sudo().write({"state": "broken"})  # as above
        for plan in broken:
            plan.message_post(
                body=_(
                    "An instalment was missed: the plan is broken, reminders resume."
                ),
                subtype_xmlid="mail.mt_note",
            )
        return done, broken

    def _dunning_remind_instalments(self, date=None):
        """Each instalment due and unpaid gets its own reminder email, once."""
        date = date or fields.Date.context_today(self)
        plans = self.search([("state", "=", "active")]) if not self else self
        lines = plans.line_ids.filtered(
            lambda line: not line.reminder_sent
            and line.date <= date
            and line.plan_id.currency_id.compare_amounts(line.paid_amount, line.amount)
            < 0
        )
        if not lines:
            return lines
        template = self.env.ref("account_dunning.mail_template_dunning_instalment")
        template.send_mail_batch(lines.ids, force_send=False)
        # sudo: the instalment's own step records that its reminder went
        lines.sudo().write({"reminder_sent": True})
        for plan in lines.plan_id:
            plan.message_post(
                body=_("Instalment reminder sent."), subtype_xmlid="mail.mt_note"
            )
        return lines
