# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class AccountDunningReminder(models.Model):
    """One payment reminder to one customer: the history of dunning."""

    _name = "account.dunning.reminder"
    _description = "Payment Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True
    _order = "date desc, id desc"

    name = fields.Char(
        string="Number",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        index="trigram",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    policy_id = fields.Many2one(
        "account.dunning.policy", check_company=True, ondelete="restrict"
    )
    level_id = fields.Many2one(
        "account.dunning.level",
        check_company=True,
        ondelete="restrict",
        tracking=True,
        domain="[('policy_id', '=?', policy_id)]",
    )
    date = fields.Date(
        required=True, default=fields.Date.context_today, index=True, tracking=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        check_company=True,
        tracking=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    line_ids = fields.One2many(
        "account.dunning.reminder.line", "reminder_id", string="Invoices", copy=True
    )
    line_count = fields.Integer(compute="_compute_totals", store=True)
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_totals",
        store=True,
        help="The currency of the totals: the invoices' currency when they all share "
        "one, "
        "otherwise the company currency.",
    )
    amount_due = fields.Monetary(compute="_compute_totals", store=True)
    amount_overdue = fields.Monetary(compute="_compute_totals", store=True)
    fee_total = fields.Monetary(compute="_compute_totals", store=True)
    interest_total = fields.Monetary(compute="_compute_totals", store=True)
    currency_summary = fields.Char(
        string="Totals per Currency",
        compute="_compute_currency_summary",
        help="The amount due in each invoice currency.",
    )
    mail_message_id = fields.Many2one(
        "mail.message",
        string="Email Sent",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter", readonly=True, copy=False, ondelete="set null"
    )
    activity_id = fields.Many2one(
        "mail.activity",
        string="Activity",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    failure_reason = fields.Text(readonly=True, copy=False)

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A reminder number must be unique per company.",
        ),
    ]

    @api.depends(
        "line_ids.currency_id",
        "line_ids.amount_residual",
        "line_ids.amount_residual_company",
        "line_ids.days_overdue",
        "line_ids.fee_amount",
        "line_ids.interest_amount",
        "company_id",
    )
    def _compute_totals(self):
        for reminder in self:
            lines = reminder.line_ids
            mixed = len(lines.currency_id) > 1
            # Several invoice currencies: the totals are given in company currency.
            currency = reminder.company_id.currency_id if mixed else lines.currency_id
            currency = currency or reminder.company_id.currency_id

            def total(fname, lines=lines, mixed=mixed, currency=currency):
                return currency.round(
                    sum(line._amount_in(fname, mixed) for line in lines)
                )

            reminder.line_count = len(lines)
            reminder.currency_id = currency
            reminder.amount_due = total("amount_residual")
            reminder.amount_overdue = total(
                "amount_residual", lines.filtered(lambda line: line.days_overdue > 0)
            )
            reminder.fee_total = total("fee_amount")
            reminder.interest_total = total("interest_amount")

    @api.depends("line_ids.currency_id", "line_ids.amount_residual")
    def _compute_currency_summary(self):
        for reminder in self:
            parts = []
            for currency, lines in reminder.line_ids.grouped("currency_id").items():
                parts.append(
                    currency.format(
                        currency.round(sum(lines.mapped("amount_residual")))
                    )
                )
            reminder.currency_summary = " + ".join(parts)

    @api.model_create_multi
    def create(self, vals_list):
        today = fields.Date.context_today(self)
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("account.dunning.reminder", vals.get("date") or today)
                )
        return super().create(vals_list)

    @api.constrains("partner_id", "line_ids")
    def _check_lines_partner(self):
        for reminder in self:
            strangers = reminder.line_ids.move_id.filtered(
                lambda move, reminder=reminder: move.commercial_partner_id
                != reminder.partner_id.commercial_partner_id
            )
            if strangers:
                raise ValidationError(
                    _(
                        "Reminder %(reminder)s is for %(partner)s but lists invoices "
                        "of "
                        "another customer: %(invoices)s.",
                        reminder=reminder.name,
                        partner=reminder.partner_id.display_name,
                        invoices=", ".join(strangers.mapped("name")),
                    )
                )

    @api.constrains("policy_id", "level_id")
    def _check_level_policy(self):
        for reminder in self:
            if (
                reminder.level_id
                and reminder.policy_id
                and (reminder.level_id.policy_id != reminder.policy_id)
            ):
                raise ValidationError(
                    _(
                        "Level %(level)s does not belong to dunning policy %(policy)s.",
                        level=reminder.level_id.name,
                        policy=reminder.policy_id.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        done = self.filtered(lambda r: r.state in ("sent", "failed"))
        if done:
            raise UserError(
                _(
                    "Reminders that were sent or attempted are part of the customer's "
                    "history "
                    "and cannot be deleted: %(reminders)s. Cancel them instead.",
                    reminders=", ".join(done.mapped("name")),
                )
            )

    def action_cancel(self):
        sent = self.filtered(lambda r: r.state == "sent")
        if sent:
            raise UserError(
                _(
                    "Reminder %(reminder)s was already sent: it stays in the history.",
                    reminder=sent[0].name,
                )
            )
        self.write({"state": "cancelled"})
        return True

    def action_reset_to_draft(self):
        if any(reminder.state not in ("failed", "cancelled") for reminder in self):
            raise UserError(
                _("Only failed or cancelled reminders can be reset to draft.")
            )
        self.write({"state": "draft", "failure_reason": False})
        return True

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.line_ids.move_id.ids)]
        action["context"] = {"create": False}
        return action
