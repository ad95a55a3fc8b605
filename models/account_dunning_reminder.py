# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .account_dunning_history_mixin import (
    HISTORY_FACTS,
    PERSONAL_CONTENT,
    SYSTEM_FIELDS,
)
from .account_dunning_selection import ISSUED
from .bounds import check_email_list, check_input

# The states of an SMS (sms.sms, same keys and names), and the status of its
# notification that each follows (the delivery reports update the notification)
SMS_STATES = [
    ("outgoing", "In Queue"),
    ("process", "Processing"),
    ("pending", "Sent"),
    ("sent", "Delivered"),
    ("error", "Error"),
    ("canceled", "Cancelled"),
]
NOTIFICATION_TO_SMS_STATE = {
    "ready": "outgoing",
    "process": "process",
    "pending": "pending",
    "sent": "sent",
    "bounce": "error",
    "exception": "error",
    "canceled": "canceled",
}


class AccountDunningReminder(models.Model):
    """One payment reminder to one customer: the history of dunning."""

    _name = "account.dunning.reminder"
    _description = "Payment Reminder"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "account.dunning.history.mixin",
    ]
    _dunning_system_fields = SYSTEM_FIELDS
    _dunning_history_facts = HISTORY_FACTS
    _dunning_personal_content = PERSONAL_CONTENT
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
            ("sending", "Sending"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        help="Sending: issued, its email waits in the outgoing queue; Sent: every "
        "channel went out (its email accepted by the mail server); Failed: its email "
        "was refused or bounced, to be sent again.",
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
    access_token = fields.Char(index="btree_not_null")  # opened by the email's link
    account_url = fields.Char(
        string="Customer Account Link",
        compute="_compute_account_url",
        help="The customer's account page in the portal, opened by this reminder's "
        "link: open invoices, reminders, statement, promises and disputes.",
    )
    sms_message_id = fields.Many2one(
        "mail.message",
        string="SMS Sent",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    sms_state = fields.Selection(
        SMS_STATES,
        string="SMS Status",
        compute="_compute_sms_state",
        store=True,
        help="What became of its SMS, as Odoo's SMS service reports it: in the "
        "queue, sent to the operator, delivered to the phone, or in error.",
    )
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter", readonly=True, copy=False, ondelete="set null"
    )
    documents_pending = fields.Boolean(
        string="Documents Being Printed",
        readonly=True,
        copy=False,
        help="Its letter or the PDFs its email carries are printed after the daily "
        "run's batch, by the scheduled action 'Payment reminders: print documents'; "
        "its email waits in the queue until they are attached.",
    )
    activity_id = fields.Many2one(
        "mail.activity",
        string="Activity",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    failure_reason = fields.Text(
        readonly=True,
        copy=False,
        help="Why the reminder failed, or why it waits for review.",
    )
    hold_reason = fields.Text(
        readonly=True,
        copy=False,
        help="Why the daily run kept this reminder for review although its level "
        "is automatic (see the README's safety holds); kept once it is sent anyway.",
    )
    level_forced = fields.Boolean(
        string="Level Above the Policy",
        readonly=True,
        copy=False,
        help="The level was chosen by hand above what the policy gave its invoices "
        "that day (the chatter says by whom).",
    )
    hold_cleared_by_id = fields.Many2one(
        "res.users", string="Sent Anyway By", readonly=True, copy=False
    )
    # Channels: preset from the level, adjustable until the reminder is sent.
    send_email = fields.Boolean(
        string="Email",
        compute="_compute_channels",
        store=True,
        readonly=False,
        precompute=True,
    )
    send_letter = fields.Boolean(
        string="Print Letter",
        compute="_compute_channels",
        store=True,
        readonly=False,
        precompute=True,
    )
    create_activity = fields.Boolean(
        string="Schedule Activity",
        compute="_compute_channels",
        store=True,
        readonly=False,
        precompute=True,
    )
    send_sms = fields.Boolean(
        string="SMS",
        compute="_compute_channels",
        store=True,
        readonly=False,
        precompute=True,
    )
    recipient_ids = fields.Many2many(
        "res.partner",
        "account_dunning_reminder_recipient_rel",
        "reminder_id",
        "partner_id",
        string="Recipients",
        compute="_compute_recipient_ids",
        store=True,
        readonly=False,
        precompute=True,
        help="A contact of type Payment Reminder Address if the customer has one, "
        "else its invoice address, else the customer.",
    )
    email_cc = fields.Char(string="CC", help="Addresses in copy, comma-separated.")
    email_partner_to = fields.Char(
        compute="_compute_email_partner_to",
        help="The recipients with an email address, for the email template.",
    )
    email_subject = fields.Char(
        copy=False, help="The subject as edited before sending; else the template's."
    )
    email_body = fields.Html(
        copy=False,
        sanitize="email_outgoing",
        help="The body as edited before sending; else the template's.",
    )
    fee_move_id = fields.Many2one(
        "account.move",
        string="Fees Invoice",
        readonly=True,
        copy=False,
        check_company=True,
        help="The customer invoice charging this reminder's fees and interest.",
    )
    call_outcome = fields.Selection(
        [
            ("promise", "Promise to pay"),
            ("dispute", "Dispute"),
            ("unreachable", "Unreachable"),
            ("paid", "Already paid"),
            ("other", "Other"),
        ],
        tracking=True,
        copy=False,
    )
    call_note = fields.Text(copy=False)
    origin = fields.Selection(
        [("auto", "Daily run"), ("manual", "Manual")],
        default="manual",
        required=True,
        readonly=True,
        copy=False,
    )
    attempt_count = fields.Integer(
        string="Send Attempts",
        readonly=True,
        copy=False,
        help="How many times the reminder went through its channels.",
    )
    cancel_reason = fields.Text(
        string="Cancellation Reason",
        copy=False,
        help="Why the reminder was cancelled; required once it was tried.",
    )
    cancelled_by_id = fields.Many2one(
        "res.users", string="Cancelled By", readonly=True, copy=False
    )
    personal_data_cleared = fields.Date(
        string="Personal Content Removed On",
        readonly=True,
        copy=False,
        help="The day its personal content (email, recipients, letter, call notes) "
        "was removed, the reminder being older than the company's retention period; "
        "its accounting facts stay.",
    )
    dunning_retention_years = fields.Integer(
        related="company_id.dunning_retention_years", string="Retention (years)"
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A reminder number must be unique per company.",
        ),
    ]

    def init(self):
        # Exactly once: the daily run makes at most one reminder per customer, company
        # and day, even with two workers (the second insert fails and is rolled back).
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS account_dunning_reminder_auto_once
                   ON account_dunning_reminder (company_id, partner_id, date)
                   WHERE origin = 'auto' AND state != 'cancelled'"""
            )
        )
        # the documents step's queue: a handful of rows among years of history
        self.env.cr.execute(
            SQL(
                """CREATE INDEX IF NOT EXISTS account_dunning_reminder_documents_todo
                   ON account_dunning_reminder (id) WHERE documents_pending"""
            )
        )

    @api.depends(
        "line_ids.currency_id",
        "line_ids.amount_residual",
        "line_ids.amount_residual_company",
        "line_ids.amount_overdue",
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
            reminder.amount_overdue = total("amount_overdue")
            reminder.fee_total = total("fee_amount")
            reminder.interest_total = total("interest_amount")

    @api.depends("level_id")
    def _compute_channels(self):
        for reminder in self:
            reminder.update(reminder.level_id._dunning_channels())

    @api.depends("sms_message_id.notification_ids.notification_status")
    def _compute_sms_state(self):
        # the SMS itself is deleted once sent: its notification keeps its fate
        for reminder in self:
            notification = reminder.sms_message_id.notification_ids.filtered(
                lambda n: n.notification_type == "sms"
            )[:1]
            reminder.sms_state = NOTIFICATION_TO_SMS_STATE.get(
                notification.notification_status, False
            )

    @api.depends("partner_id")
    def _compute_recipient_ids(self):
        for reminder in self:
            reminder.recipient_ids = reminder.partner_id._dunning_recipients()

    @api.depends("recipient_ids.email", "partner_id")
    def _compute_email_partner_to(self):
        for reminder in self:
            with_email = reminder.recipient_ids.filtered("email")
            reminder.email_partner_to = ",".join(str(pid) for pid in with_email.ids)

    def _compute_access_url(self):
        # the customer's account page: the reminder's token opens it
        for reminder in self:
            reminder.access_url = "/my/dunning"

    def _compute_account_url(self):
        """The customer's account page, opened by the reminder's own token (made
        for all of them in one statement): what the email links to."""
        missing = self.filtered(lambda r: r.id and not r.access_token)
        if missing:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_dunning_reminder "
                    "SET access_token = gen_random_uuid()::text "
                    "WHERE id = ANY(%s) AND access_token IS NULL",
                    missing.ids,
                )
            )
            missing.invalidate_recordset(["access_token"])
        base_url = self[:1].get_base_url() if self else ""
        for reminder in self:
            if reminder.access_token:
                url = f"{base_url}/my/dunning?access_token={reminder.access_token}"
            else:
                # a preview (not saved yet) links the page as its email will; its
                # own token comes when it is saved
                url = not reminder.id and f"{base_url}/my/dunning"
            reminder.account_url = url

    @api.depends(
        "line_ids.currency_id", "line_ids.amount_residual", "line_ids.amount_overdue"
    )
    @api.depends_context("lang")  # formatted in the reader's language
    def _compute_currency_summary(self):
        """The invoices' amounts the reminder reminds of, per currency: the overdue
        part of each invoice, never its instalments not due yet (with its fees and
        interest: amount_asked_summary)."""
        for reminder in self:
            reminder.currency_summary = " + ".join(
                a.currency.format(a.invoices) for a in reminder._dunning_amounts_asked()
            )

    # ------------------------------------------------------------------
    # History that nobody rewrites
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # numbered and completed here: the caller's dictionaries stay as they were
        vals_list = [dict(vals) for vals in vals_list]
        check_input(self, vals_list)
        if not self.env.su:
            self._dunning_check_user_create(vals_list)
        partner_ids = [
            vals["partner_id"] for vals in vals_list if vals.get("partner_id")
        ]
        commercial = {
            partner.id: partner.commercial_partner_id.id
            for partner in self.env["res.partner"].browse(partner_ids)
        }
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = commercial[vals["partner_id"]]
        self.env["account.dunning.numbering"]._assign(vals_list)
        self._dunning_complete_vals(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        if not self.env.su:
            self._dunning_check_user_write(vals)
        return super().write(vals)

    @api.constrains("email_cc")
    def _check_email_cc(self):
        for reminder in self.filtered("email_cc"):
            check_email_list(self.env, reminder.email_cc, _("CC"))

    def _dunning_complete_vals(self, vals_list):
        """Fill in, for the whole batch at once, what the precomputed fields would
        otherwise compute one new record at a time: the channels of the level, the
        recipients of the customer, and the copies of the reminder's values on its
        lines (thousands of them in a daily run)."""
        today = fields.Date.context_today(self)
        # records taken from one recordset share its prefetching: one query each
        levels = self.env["account.dunning.level"].browse(
            {v["level_id"] for v in vals_list if v.get("level_id")}
        )
        level_by_id = {level.id: level for level in levels}
        partners = self.env["res.partner"].browse(
            {v["partner_id"] for v in vals_list if v.get("partner_id")}
        )
        partner_by_id = {partner.id: partner for partner in partners}
        no_level = levels.browse()
        for vals in vals_list:
            level = level_by_id.get(vals.get("level_id"), no_level)
            for fname, value in level._dunning_channels().items():
                vals.setdefault(fname, value)
            if "recipient_ids" not in vals and vals.get("partner_id"):
                recipients = partner_by_id[vals["partner_id"]]._dunning_recipients()
                vals["recipient_ids"] = [Command.set(recipients.ids)]
            copied = {
                "company_id": vals.get("company_id") or self.env.company.id,
                "partner_id": vals.get("partner_id"),
                "state": vals.get("state", "draft"),
                "date": vals.get("date") or today,
            }
            for command in vals.get("line_ids") or ():
                if command[0] == Command.CREATE:
                    for fname, value in copied.items():
                        command[2].setdefault(fname, value)

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
        done = self.filtered(
            lambda r: r.state in (*ISSUED, "failed") or r.attempt_count
        )
        if done:
            raise UserError(
                _(
                    "Reminders that were sent or attempted are part of the customer's "
                    "history "
                    "and cannot be deleted: %(reminders)s. Cancel them instead.",
                    reminders=", ".join(done.mapped("name")),
                )
            )
