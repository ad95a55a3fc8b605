# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import gc
import logging
import threading
from contextlib import contextmanager
from typing import NamedTuple

from markupsafe import Markup, escape
from psycopg2 import errors as pg_errors

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, html_sanitize, split_every

from odoo.addons.mail.models.mail_message import _image_dataurl

from ..dunning.charges import interest_days, late_interest, recovery_fee
from ..dunning.csv_export import csv_bytes
from ..dunning.plan import Customer, Level, OpenItem, Policy, plan
from .access import check_button
from .bounds import check_email_list
from .ir_qweb import MAIL_BATCH_KEY

SEQUENCE_CODE = "account.dunning.reminder"
# A reminder issued: sent, or its email waiting in the outgoing queue. Its invoices
# reach its level and its date starts the customer's minimum interval.
ISSUED = ("sending", "sent")
# What a reminder said to its customer: fixed once it was sent or tried (its number,
# origin and company are never a user's to write, see SYSTEM_FIELDS).
HISTORY_FACTS = frozenset(
    {
        "partner_id",
        "policy_id",
        "level_id",
        "date",
        "line_ids",
        "send_email",
        "send_letter",
        "create_activity",
        "recipient_ids",
        "email_cc",
        "email_subject",
        "email_body",
    }
)
# Set by the reminder's own steps (as superuser, see _dunning_system_write), never by
# a user's create or write: what went out, when, and how it ended.
SYSTEM_FIELDS = frozenset(
    {
        "state",
        "origin",
        "mail_message_id",
        "letter_attachment_id",
        "activity_id",
        "failure_reason",
        "fee_move_id",
        "attempt_count",
        "cancelled_by_id",
    }
)
LETTER_REPORT = "account_dunning.action_report_dunning_letter"
STATEMENT_REPORT = "account_dunning.action_report_customer_statement"
# what a reminder email takes from its template (those send_mail_batch renders)
MAIL_RENDERED_FIELDS = (
    "attachment_ids",
    "auto_delete",
    "body_html",
    "email_cc",
    "email_from",
    "email_to",
    "mail_server_id",
    "partner_to",
    "reply_to",
    "report_template_ids",
    "scheduled_date",
    "subject",
)

_logger = logging.getLogger(__name__)


class OpenRow(NamedTuple):
    """One open entry as the run reads it (see ``_dunning_open_rows``)."""

    move_id: int
    partner_id: int
    policy_id: int | None
    last_reminder_date: object
    responsible_id: int | None
    currency_id: int
    due: object
    chaseable: bool
    current_delay: int | None
    residual: float
    residual_currency: float
    fee_charged: bool
    interest_until: object
    is_company: bool


@contextmanager
def collector_paused():
    """Pause Python's cycle collector while a block builds many objects it keeps;
    reference counting still frees everything else. Restores the previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _ContentionFilter(logging.Filter):
    """Drops the database layer's "bad query" lines of the thread that expects
    contention (see ``contention_expected``): thread by thread, unlike mute_logger,
    which swaps the logger's handlers for every thread at once."""

    expected = threading.local()

    def filter(self, record):
        return not getattr(self.expected, "active", False)


_CONTENTION_FILTER = _ContentionFilter()
logging.getLogger("odoo.sql_db").addFilter(_CONTENTION_FILTER)


@contextmanager
def contention_expected():
    """A block whose conflicts with another worker are handled by the caller: the
    query that meets one is not logged as an error."""
    _CONTENTION_FILTER.expected.active = True
    try:
        yield
    finally:
        _CONTENTION_FILTER.expected.active = False


# Customers per batch of the daily run, and batches per call (the cron runner calls
# again while _notify_progress reports work remaining).
CRON_BATCH_SIZE = 200
CRON_BATCHES_PER_CALL = 25


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
    failure_reason = fields.Text(
        readonly=True,
        copy=False,
        help="Why the reminder failed, or why it waits for review.",
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

    @api.depends("level_id")
    def _compute_channels(self):
        for reminder in self:
            reminder.update(reminder.level_id._dunning_channels())

    @api.depends("partner_id")
    def _compute_recipient_ids(self):
        for reminder in self:
            reminder.recipient_ids = reminder.partner_id._dunning_recipients()

    @api.depends("recipient_ids.email", "partner_id")
    def _compute_email_partner_to(self):
        for reminder in self:
            with_email = reminder.recipient_ids.filtered("email")
            reminder.email_partner_to = ",".join(str(pid) for pid in with_email.ids)

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

    # ------------------------------------------------------------------
    # History that nobody rewrites
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # numbered and completed here: the caller's dictionaries stay as they were
        vals_list = [dict(vals) for vals in vals_list]
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
        self._dunning_assign_names(vals_list)
        self._dunning_complete_vals(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._dunning_check_user_write(vals)
        return super().write(vals)

    def _dunning_system_write(self, vals):
        """Write what only the addon's own steps set (state, channels' results):
        users reach them through the buttons, never by a write of their own."""
        # sudo: the values come from the pipeline, not from the user
        return self.sudo().write(vals)

    def _dunning_field_labels(self, fnames):
        return ", ".join(
            sorted(
                self._fields[fname]._description_string(self.env) for fname in fnames
            )
        )

    @api.model
    def _dunning_check_user_create(self, vals_list):
        """A user creates draft reminders of their own; what the addon sets (state,
        number, origin, the letter, the email...) is never taken from them."""
        for vals in vals_list:
            given = {
                fname
                for fname in SYSTEM_FIELDS & vals.keys()
                if vals[fname]
                and not (fname == "state" and vals[fname] == "draft")
                and not (fname == "origin" and vals[fname] == "manual")
            }
            if vals.get("name", "/") != "/":
                given.add("name")
            if given:
                raise UserError(
                    _(
                        "A new payment reminder starts as a draft; these are set by "
                        "the reminder's own steps, not by hand: %(fields)s.",
                        fields=self._dunning_field_labels(given),
                    )
                )
            self._dunning_check_date(vals.get("date"))
        self._dunning_check_links(vals_list)

    def _dunning_check_user_write(self, vals):
        """Only the buttons move a reminder's state; once it went out (or was tried)
        what it said to the customer stays as it was."""
        locked = (SYSTEM_FIELDS | {"name", "company_id"}) & vals.keys()
        if locked:
            raise UserError(
                _(
                    "These values of a payment reminder are set by its own steps "
                    "(Send, Cancel), not by hand: %(fields)s.",
                    fields=self._dunning_field_labels(locked),
                )
            )
        for reminder in self:
            frozen = set()
            if reminder.state != "draft":
                frozen |= HISTORY_FACTS
            if reminder.state not in ("draft", "failed"):
                frozen.add("cancel_reason")
            changed = frozen & vals.keys()
            if changed:
                raise UserError(
                    _(
                        "Reminder %(reminder)s is %(state)s: it is part of the "
                        "customer's history and keeps what it said (%(fields)s).",
                        reminder=reminder.name,
                        state=reminder._dunning_state_label(),
                        fields=self._dunning_field_labels(changed),
                    )
                )
        if "date" in vals:
            self._dunning_check_date(vals["date"])
        self._dunning_check_links([vals])

    def _dunning_check_lines_editable(self):
        """The invoices of a reminder are its draft's to change; afterwards they are
        what was reminded."""
        issued = self.filtered(lambda r: r.state != "draft")
        if issued:
            raise UserError(
                _(
                    "Reminder %(reminder)s is %(state)s: the invoices it listed stay "
                    "as they were.",
                    reminder=issued[0].name,
                    state=issued[0]._dunning_state_label(),
                )
            )

    def _dunning_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    @api.model
    def _dunning_check_date(self, value):
        """A reminder is dated the day it goes out: never later than today (the
        next level counts from it)."""
        if value and fields.Date.to_date(value) > fields.Date.context_today(self):
            raise ValidationError(
                _(
                    "A payment reminder cannot be dated in the future (%(date)s).",
                    date=fields.Date.to_date(value),
                )
            )

    @api.model
    def _dunning_check_links(self, vals_list):
        """Who a user names on a reminder (customer, recipients, responsible) must be
        someone that user may read: the email goes to them."""
        partner_ids, user_ids = set(), set()
        for vals in vals_list:
            if vals.get("partner_id"):
                partner_ids.add(vals["partner_id"])
            for command in vals.get("recipient_ids") or ():
                if command[0] == Command.SET:
                    partner_ids.update(command[2])
                elif command[0] == Command.LINK:
                    partner_ids.add(command[1])
            if vals.get("user_id"):
                user_ids.add(vals["user_id"])
        self.env["res.partner"].browse(partner_ids).check_access("read")
        users = self.env["res.users"].browse(user_ids)
        users.check_access("read")
        # sudo: whether the user is internal, to refuse a portal user
        if users.sudo().filtered("share"):
            raise ValidationError(
                _("The responsible of a reminder must be an internal user.")
            )

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

    def _dunning_assign_names(self, vals_list):
        """Number the new reminders from the sequence, per company and date.

        The first number of each group goes through ``next_by_code`` (which finds
        the company's sequence and its yearly range, creating the range if needed);
        the others draw from that same range directly: one query each instead of
        three, as the daily run creates thousands at once.
        """
        today = fields.Date.context_today(self)
        unnamed = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        groups = {}
        for vals in unnamed:
            key = (
                vals.get("company_id") or self.env.company.id,
                vals.get("date") or today,
            )
            groups.setdefault(key, []).append(vals)
        Sequence = self.env["ir.sequence"]
        for (company_id, date), group in groups.items():
            sequence = Sequence.with_company(company_id)
            group[0]["name"] = sequence.next_by_code(SEQUENCE_CODE, date)
            if len(group) == 1:
                continue
            date_range = self._dunning_sequence_range(company_id, date)
            for vals in group[1:]:
                vals["name"] = (
                    date_range._next()
                    if date_range
                    else sequence.next_by_code(SEQUENCE_CODE, date)
                )

    def _dunning_peek_name(self, company, date):
        """The number the next reminder of ``company`` on ``date`` will get, without
        drawing it (for a preview)."""
        sequence = self._dunning_sequence(company.id)
        if not sequence:
            return "/"
        if not sequence.use_date_range:
            return sequence.get_next_char(sequence.number_next_actual)
        date_range = self._dunning_sequence_range(company.id, date)
        number = date_range.number_next_actual if date_range else 1
        return sequence.with_context(
            ir_sequence_date_range=date_range.date_from or date
        ).get_next_char(number)

    def _dunning_apply_edits(self, wizard):
        """Keep the subject and body the accountant edited in the send wizard; the
        number they show (the preview's) becomes the reminder's."""
        self.ensure_one()
        edits = {}
        if wizard.email_subject and wizard.email_subject != wizard.rendered_subject:
            edits["email_subject"] = wizard.email_subject
        if wizard.email_body and html_sanitize(wizard.email_body) != html_sanitize(
            wizard.rendered_body or ""
        ):
            edits["email_body"] = wizard.email_body
        if wizard.preview_name and wizard.preview_name != self.name:
            edits = {
                fname: text.replace(wizard.preview_name, self.name)
                for fname, text in edits.items()
            }
        if edits:
            self.write(edits)

    def _dunning_sequence(self, company_id):
        """The reminder sequence ``next_by_code`` uses for the company."""
        return self.env["ir.sequence"].search(
            [("code", "=", SEQUENCE_CODE), ("company_id", "in", [company_id, False])],
            order="company_id",
            limit=1,
        )

    def _dunning_sequence_range(self, company_id, date):
        """The sequence's date range in use on ``date`` for the company, or nothing
        when the sequence is not numbered per range."""
        sequence = self._dunning_sequence(company_id)
        if not sequence.use_date_range:
            return self.env["ir.sequence.date_range"]
        date_range = self.env["ir.sequence.date_range"].search(
            [
                ("sequence_id", "=", sequence.id),
                ("date_from", "<=", date),
                ("date_to", ">=", date),
            ],
            limit=1,
        )
        return date_range.with_context(ir_sequence_date_range=date_range.date_from)

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

    def action_cancel(self):
        """Cancel a draft, or a failed reminder with the reason why: the record stays,
        with who cancelled it and why; a reminder that went out cannot be."""
        check_button(self)
        for reminder in self:
            if reminder.state not in ("draft", "failed"):
                raise UserError(
                    _(
                        "Reminder %(reminder)s is %(state)s: it stays in the history "
                        "as it is. Only drafts and failed reminders can be cancelled.",
                        reminder=reminder.name,
                        state=reminder._dunning_state_label(),
                    )
                )
            if reminder.attempt_count and not (reminder.cancel_reason or "").strip():
                raise UserError(
                    _(
                        "Reminder %(reminder)s was already tried: say why it is "
                        "cancelled (Cancellation Reason) first.",
                        reminder=reminder.name,
                    )
                )
        for reminder in self:
            reason = (reminder.cancel_reason or "").strip()
            reminder._dunning_note(
                _("Cancelled by %(user)s.", user=self.env.user.name)
                + (" " + _("Reason: %(reason)s", reason=reason) if reason else "")
            )
        self._dunning_system_write(
            {"state": "cancelled", "cancelled_by_id": self.env.user.id}
        )
        return True

    def action_reset_to_draft(self):
        """A cancelled draft that never went out may be taken up again; a reminder
        that was tried is sent again from Failed, never reset."""
        check_button(self)
        if any(r.state != "cancelled" or r.attempt_count for r in self):
            raise UserError(
                _(
                    "Only cancelled reminders that were never sent can be reset to "
                    "draft; a failed reminder is sent again with Send."
                )
            )
        self._dunning_system_write(
            {"state": "draft", "failure_reason": False, "cancelled_by_id": False}
        )
        return True

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.line_ids.move_id.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Pipeline: select + plan (_dunning_prepare), create, execute
    # ------------------------------------------------------------------
    @api.model
    def _dunning_prepare(self, partners=None, date=None):
        """What a run would create for ``date`` in the current company: a list of
        ``create()`` values, one reminder per customer. Writes nothing.
        """
        company = self.env.company
        date = date or fields.Date.context_today(self)
        if partners is None:
            line_filter = SQL("TRUE")
        else:
            commercial_ids = partners.commercial_partner_id.ids
            line_filter = SQL("lp.commercial_partner_id = ANY(%s)", commercial_ids)
        # Tens of thousands of small objects, all kept until the end: the cycle
        # collector would only walk them again and again.
        with collector_paused():
            rows = self._dunning_open_rows(company, date, line_filter)
            if not rows:
                return []
            customers = self._dunning_customers(rows, company, date)
            policies = self._dunning_policies({row.policy_id for row in rows} - {None})
            proposals = plan(customers, policies, date)
            return self._dunning_reminder_vals(proposals, rows, company, date)

    @api.model
    def _dunning_open_rows(self, company, date, line_filter):
        """The open entries as ``OpenRow`` tuples: only what planning and creating
        need, amounts as floats (already rounded by the select)."""
        Move = self.env["account.move"]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT move_id, partner_id, policy_id, last_reminder_date,
                          responsible_id, currency_id, due, chaseable, current_delay,
                          residual::float8, residual_currency::float8,
                          fee_charged, interest_until, is_company
                     FROM (%s) open_moves""",
                Move._dunning_open_moves_sql(company, date, line_filter),
            )
        )
        return list(map(OpenRow._make, self.env.cr.fetchall()))

    @api.model
    def _dunning_blocked_partner_ids(self, company, date, partner_ids):
        """Customers that get no new reminder: a draft awaits review, or one was made on
        ``date`` already.
        """
        groups = self._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", list(partner_ids)),
                "|",
                ("state", "=", "draft"),
                "&",
                ("date", "=", date),
                ("state", "!=", "cancelled"),
            ],
            ["partner_id"],
        )
        return {partner.id for (partner,) in groups}

    @api.model
    def _dunning_customers(self, rows, company, date):
        by_partner = {}
        for row in rows:
            by_partner.setdefault(row.partner_id, []).append(row)
        blocked = self._dunning_blocked_partner_ids(company, date, by_partner)
        return [
            Customer(
                partner_id,
                partner_rows[0].policy_id,
                [
                    OpenItem(
                        row.move_id,
                        row.residual,
                        row.due,
                        row.chaseable,
                        row.current_delay,
                    )
                    for row in partner_rows
                ],
                partner_rows[0].last_reminder_date,
                partner_id in blocked,
            )
            for partner_id, partner_rows in by_partner.items()
        ]

    @api.model
    def _dunning_policies(self, policy_ids):
        policies = self.env["account.dunning.policy"].browse(sorted(policy_ids))
        return {
            policy.id: Policy(
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
            for policy in policies
        }

    @api.model
    def _dunning_reminder_vals(self, proposals, rows, company, date):
        """create() values of the proposals; amounts come rounded from the select."""
        row_by_move = {row.move_id: row for row in rows}
        fallback_user = (
            company.dunning_responsible_id or self._dunning_human_user()
        ).id
        charges = self._dunning_charges(company, date)
        vals_list = []
        for proposal in proposals:
            lines = []
            for raised in proposal.raises:
                row = row_by_move[raised.move_id]
                fee, interest = charges(row, raised.level_id)
                # The bare command tuple: built tens of thousands of times a run.
                lines.append(
                    (
                        fields.Command.CREATE,
                        0,
                        {
                            "move_id": raised.move_id,
                            "level_id": raised.level_id,
                            "currency_id": row.currency_id,
                            "date_due": row.due,
                            "days_overdue": raised.days_overdue,
                            "amount_residual": row.residual_currency,
                            "amount_residual_company": row.residual,
                            "fee_amount": fee,
                            "interest_amount": interest,
                        },
                    )
                )
            first = row_by_move[proposal.raises[0].move_id]
            vals_list.append(
                {
                    "partner_id": proposal.partner_id,
                    "company_id": company.id,
                    "policy_id": proposal.policy_id,
                    "level_id": proposal.level_id,
                    "date": date,
                    "user_id": first.responsible_id or fallback_user or False,
                    "line_ids": lines,
                }
            )
        return vals_list

    @api.model
    def _dunning_charges(self, company, date):
        """A function (open row, level id) -> (fee, interest) in the invoice's
        currency, for reminders of ``company`` on ``date``: the level's fixed fee once
        per invoice and to businesses only, and simple interest at the company's rate
        since the due date or the last interest charged."""
        levels = (
            self.env["account.dunning.level"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
        )
        # plain values read once: this runs for each of tens of thousands of lines
        charging = {
            level.id: (level.fee_amount, level.apply_interest)
            for level in levels
            if level.fee_amount or level.apply_interest
        }
        rate = company.dunning_interest_rate
        company_currency = company.currency_id
        currencies = {}

        def currency_of(currency_id):
            if currency_id not in currencies:
                currencies[currency_id] = self.env["res.currency"].browse(currency_id)
            return currencies[currency_id]

        def charges(row, level_id):
            spec = charging.get(level_id)
            if spec is None:
                return 0.0, 0.0
            fee_amount, apply_interest = spec
            currency = currency_of(row.currency_id)
            fee = recovery_fee(fee_amount, row.fee_charged, row.is_company)
            if fee and currency != company_currency:
                fee = company_currency._convert(fee, currency, company, date)
            interest = 0.0
            if apply_interest and row.due:
                interest = late_interest(
                    row.residual_currency,
                    rate,
                    interest_days(row.due, row.interest_until, date),
                    currency.decimal_places,
                )
            return fee, interest

        return charges

    def _dunning_human_user(self):
        """The current user, unless it is the scheduler's technical user."""
        user = self.env.user
        return self.env["res.users"] if user._is_superuser() else user

    def _dunning_execute(self, log_invoices=True):
        """Run each reminder's channels. It ends ``sent``; or ``failed`` with the reason
        when its email cannot be queued; or stays as it was, with the reason, when
        missing data leaves it no channel (it waits in the review queue).

        The note of each reminder goes on its customer, and on each of its invoices
        unless ``log_invoices`` is False (the daily run: their Payment Reminders tab
        lists every reminder already).
        """
        reminders = self.filtered(lambda r: r.state in ("draft", "failed"))
        waiting = reminders._dunning_apply_fallbacks()
        for reminder in reminders.filtered(lambda r: r.id in waiting):
            reminder._dunning_system_write({"failure_reason": waiting[reminder.id]})
        ready = reminders.filtered(lambda r: r.id not in waiting)
        ready.filtered(lambda r: r.state == "failed")._dunning_retire_failed_mails()
        # one write per count (the daily run's reminders are all at 0): not per reminder
        for count, group in ready.grouped("attempt_count").items():
            group._dunning_system_write({"attempt_count": count + 1})
        ready._dunning_render_letters()
        failures = ready._dunning_send_emails()
        failed = ready.filtered(lambda r: r.id in failures)
        for reminder in failed:
            reminder._dunning_system_write(
                {"state": "failed", "failure_reason": failures[reminder.id]}
            )
        sent = ready - failed
        sent._dunning_schedule_activities()
        # an email is out once the mail server accepted it (see mail.mail): until
        # then its reminder is issued, and says so, but not "Sent"
        emailed = sent.filtered("send_email")
        emailed._dunning_system_write({"state": "sending", "failure_reason": False})
        (sent - emailed)._dunning_system_write(
            {"state": "sent", "failure_reason": False}
        )
        sent._dunning_invoice_charges()
        sent._dunning_log_on_documents(log_invoices)
        sent._dunning_apply_credit_holds()
        handed_over = sent.filtered(
            lambda r: r.level_id.collection_handoff
            and r.partner_id.dunning_stage != "collection"
        ).partner_id
        if handed_over:
            handed_over.action_dunning_handoff()
        return sent

    def _dunning_apply_credit_holds(self):
        """Customers reminded at a level that puts them on credit hold."""
        for reminder in self.filtered(lambda r: r.level_id.credit_hold):
            # sudo: the hold follows from the level, whoever sends the reminder;
            # with_company: the hold is kept per company
            customer = reminder.partner_id.sudo().with_company(reminder.company_id)
            if not customer.credit_hold:
                customer.credit_hold = True
                customer.message_post(
                    body=_(
                        "Put on credit hold by reminder %(reminder)s.",
                        reminder=reminder.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    @api.model
    def _dunning_release_credit_holds(self, company):
        """Customers on hold with nothing overdue any more, where the company
        releases holds by itself."""
        if not company.dunning_credit_hold_release:
            return self.env["res.partner"]
        held = (
            self.env["res.partner"]
            .with_company(company)
            .search([("credit_hold", "=", True), ("parent_id", "=", False)])
        )
        held.invalidate_recordset(["dunning_amount_overdue"])  # figures of today
        released = held.filtered(lambda p: p.dunning_amount_overdue <= 0)
        released.write({"credit_hold": False})
        for customer in released:
            customer.message_post(
                body=_("Credit hold released: nothing is overdue any more."),
                subtype_xmlid="mail.mt_note",
            )
        return released

    def _dunning_history_csv(self):
        """The reminders as CSV: the history of a collection dossier."""
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        header = [
            _("Number"),
            _("Date"),
            _("Level"),
            _("Channels"),
            _("Status"),
            _("Reason"),
            _("Invoices"),
            _("Amount due"),
            _("Fees"),
            _("Interest"),
            _("Currency"),
        ]
        rows = []
        for reminder in self:
            channels = [
                label
                for label, used in (
                    (_("email"), reminder.send_email),
                    (_("letter"), reminder.send_letter),
                    (_("activity"), reminder.create_activity),
                )
                if used
            ]
            rows.append(
                [
                    reminder.name,
                    reminder.date,
                    reminder.level_id.name,
                    " + ".join(channels),
                    state_labels[reminder.state],
                    reminder.failure_reason,
                    " ".join(reminder.line_ids.move_id.mapped("name")),
                    reminder.amount_due,
                    reminder.fee_total,
                    reminder.interest_total,
                    reminder.currency_id.name,
                ]
            )
        return csv_bytes(header, rows)

    def _dunning_invoice_charges(self):
        """One customer invoice "Late payment fees" per sent reminder that charges
        fees or interest, when the company invoices them; never twice."""
        todo = self.filtered(
            lambda r: not r.fee_move_id
            and r.company_id.dunning_fee_invoicing != "none"
            and (r.fee_total or r.interest_total)
        )
        if not todo:
            return
        moves = self.env["account.move"].create(
            [reminder._dunning_fee_invoice_vals() for reminder in todo]
        )
        for reminder, move in zip(todo, moves, strict=True):
            reminder._dunning_system_write({"fee_move_id": move.id})
        moves.filtered(
            lambda m: m.company_id.dunning_fee_invoicing == "posted"
        ).action_post()

    def _dunning_fee_invoice_vals(self):
        self.ensure_one()
        company = self.company_id
        product = company.dunning_fee_product_id or self.env.ref(
            "account_dunning.product_late_payment_fees"
        )
        lines = [
            (
                _("Recovery fees, reminder %(reminder)s", reminder=self.name),
                self.fee_total,
            ),
            (
                _("Late interest, reminder %(reminder)s", reminder=self.name),
                self.interest_total,
            ),
        ]
        vals = {
            "move_type": "out_invoice",
            "company_id": company.id,
            "partner_id": self.partner_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": self.date,
            "invoice_origin": self.name,
            "ref": _("Late payment fees"),
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": name,
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                    | (
                        {"account_id": company.dunning_fee_account_id.id}
                        if company.dunning_fee_account_id
                        else {}
                    )
                )
                for name, amount in lines
                if amount
            ],
        }
        if company.dunning_fee_journal_id:
            vals["journal_id"] = company.dunning_fee_journal_id.id
        return vals

    def _dunning_letter_addressee(self):
        """Whose postal address the letter bears: the first recipient with one, else
        the customer."""
        self.ensure_one()
        with_address = self.recipient_ids.filtered(
            lambda p: p._dunning_has_postal_address()
        )
        return with_address[:1] or self.partner_id

    def _dunning_apply_fallbacks(self):
        """Missing data blocks only its own channel: an email nobody can receive becomes
        a letter; a letter without a postal address is left out when an email goes.
        Returns {reminder id: reason} of those left without any channel.
        """
        waiting = {}
        for reminder in self:
            customer = reminder.partner_id.display_name
            has_address = (
                reminder._dunning_letter_addressee()._dunning_has_postal_address()
            )
            if reminder.send_email and not reminder.email_partner_to:
                reason = _("%(customer)s has no email address.", customer=customer)
                if not has_address:
                    waiting[reminder.id] = " ".join(
                        [reason, _("There is no postal address for a letter either.")]
                    )
                    continue
                reminder._dunning_system_write(
                    {"send_email": False, "send_letter": True}
                )
                reminder._dunning_note(
                    reason + " " + _("A letter is prepared instead.")
                )
            if reminder.send_letter and not has_address:
                reason = _(
                    "%(customer)s has no postal address for a letter.",
                    customer=customer,
                )
                if not reminder.send_email:
                    waiting[reminder.id] = reason
                    continue
                reminder._dunning_system_write({"send_letter": False})
                reminder._dunning_note(reason + " " + _("The email goes alone."))
        return waiting

    def _dunning_note(self, text):
        self.ensure_one()
        self.message_post(
            body=text, message_type="comment", subtype_xmlid="mail.mt_note"
        )

    def _dunning_render_letters(self):
        """The letter of each reminder that prints one or attaches it to its email,
        stored as an attachment of the reminder; all rendered in one go."""
        todo = self.filtered(
            lambda r: not r._dunning_own_letter()
            and (r.send_letter or (r.send_email and r.level_id.attach_letter))
        )
        if not todo:
            return
        documents, extension = self.env["ir.actions.report"]._dunning_render(
            LETTER_REPORT, todo
        )
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{reminder.name.replace('/', '-')}.{extension}",
                    "raw": documents[reminder.id],
                    "res_model": self._name,
                    "res_id": reminder.id,
                }
                for reminder in todo
            ]
        )
        for reminder, attachment in zip(todo, attachments, strict=True):
            reminder._dunning_system_write({"letter_attachment_id": attachment.id})

    def _dunning_retire_failed_mails(self):
        """Sending a failed reminder again queues a new email: the failed one is
        cancelled first, so that a retry from the outgoing queue cannot mail the
        customer a second copy."""
        # sudo: the reminder's own emails, which the mail module keeps as superuser
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", self.mail_message_id.ids),
                    ("state", "=", "exception"),
                ]
            )
        )
        mails.cancel()

    def _dunning_own_letter(self):
        """The letter the addon printed for this reminder, or nothing: a file that is
        not this reminder's own is never sent as its letter."""
        self.ensure_one()
        # sudo: the attachment's owner fields, to tell ours from any other file
        letter = self.letter_attachment_id.sudo()
        if letter and (letter.res_model, letter.res_id) == (self._name, self.id):
            return self.letter_attachment_id
        return self.env["ir.attachment"]

    def _dunning_send_emails(self):
        """Queue the emails of the reminders that send one; return {reminder id: reason}
        of those that cannot be queued."""
        failures = {}
        emailing = self.filtered("send_email")
        for template, reminders in emailing.grouped(
            lambda r: r.level_id.mail_template_id
        ).items():
            if not template:
                for reminder in reminders:
                    failures[reminder.id] = _(
                        "Level %(level)s has no email template.",
                        level=reminder.level_id.name,
                    )
                continue
            mails = reminders._dunning_queue_emails(template)
            for reminder, mail in zip(reminders, mails, strict=True):
                reminder._dunning_system_write(
                    {"mail_message_id": mail.mail_message_id.id}
                )
        return failures

    def _dunning_queue_emails(self, template):
        """Queue one email per reminder, rendered from ``template``, with the letter,
        invoices and statement its level asks for and the subject and body edited
        before sending; return the mails in the reminders' order.

        What ``mail.template.send_mail_batch`` does without a layout, in one batch
        instead of chunks of 50, and with the message created before its mail: a mail
        created with the body sanitizes it a third time for its own copy of the
        inherited field (about 1.7 ms for an email of a dozen invoices).
        """
        template._send_check_access(self.ids)
        rendered = template.with_context(**{MAIL_BATCH_KEY: True})._generate_template(
            self.ids, MAIL_RENDERED_FIELDS
        )
        attachments = self._dunning_mail_attachments(rendered)
        message_vals, mail_vals = [], []
        for reminder in self:
            values = rendered[reminder.id]
            body = reminder.email_body or values.get("body_html") or ""
            message = {
                "model": self._name,
                "res_id": reminder.id,
                "message_type": "email_outgoing",
                "subject": reminder.email_subject or values.get("subject") or False,
                "body": body,
                "reply_to": values.get("reply_to") or False,
                "mail_server_id": values.get("mail_server_id") or False,
                "attachment_ids": [Command.link(a) for a in attachments[reminder.id]],
            }
            if values.get("email_from"):  # else the author's, as in core
                message["email_from"] = values["email_from"]
            message_vals.append(message)
            mail_vals.append(
                {
                    "body_html": body,
                    "email_to": values.get("email_to") or False,
                    "email_cc": values.get("email_cc") or False,
                    "recipient_ids": [
                        Command.link(pid) for pid in values.get("partner_ids") or []
                    ],
                    "auto_delete": values.get("auto_delete", False),
                    "scheduled_date": values.get("scheduled_date") or False,
                }
            )
        # sudo: queuing mail is the mail module's business, as in send_mail_batch
        messages = self._dunning_create_messages(message_vals)
        for mail, message in zip(mail_vals, messages, strict=True):
            # not a notification: the mail owns its message, as in send_mail_batch
            mail.update(mail_message_id=message.id, is_notification=False)
        # sudo: as the messages above
        return self.env["mail.mail"].sudo().create(mail_vals)

    @api.model
    def _dunning_create_messages(self, vals_list):
        """Create the messages of the reminder emails, their bodies sanitized once.

        The ORM sanitizes an HTML value twice when it creates a record (for the
        column, then for the cache); a reminder body of a dozen invoices takes about
        a millisecond each time. The bodies are sanitized here by the field's own
        conversion, the same rules, then stored in one statement. A body with
        embedded images goes through create, which turns them into attachments.
        """
        # sudo: the emails of reminders the user may send; the mail module queues
        # them as superuser too (send_mail_batch)
        messages = self.env["mail.message"].sudo()
        body_field = messages._fields["body"]
        bodies, to_create = {}, []
        for index, vals in enumerate(vals_list):
            if vals.get("body") and not _image_dataurl.search(vals["body"]):
                bodies[index] = body_field.convert_to_cache(vals["body"], messages)
                vals = dict(vals, body="")
            to_create.append(vals)
        messages = messages.create(to_create)
        if bodies:
            rows = [(messages[index].id, body) for index, body in bodies.items()]
            self.env.cr.execute(
                SQL(
                    """UPDATE mail_message m SET body = v.body
                         FROM (VALUES %s) AS v(id, body)
                        WHERE m.id = v.id""",
                    SQL(", ").join(SQL("(%s, %s)", *row) for row in rows),
                )
            )
            messages.invalidate_recordset(["body"])
        return messages

    def _dunning_mail_attachments(self, rendered):
        """{reminder id: attachment ids} of each reminder's email: the template's own
        and reports (``rendered``: what the template generated), then the letter,
        invoices and statement its level asks for."""
        report_attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": name,
                    "datas": datas,
                    "res_model": self._name,
                    "res_id": reminder_id,
                }
                for reminder_id, values in rendered.items()
                for name, datas in values.get("attachments") or []
            ]
        )
        reports = report_attachments.grouped("res_id")
        invoice_pdfs = self.env["account.move"]._dunning_invoice_pdfs(
            self.filtered(lambda r: r.level_id.attach_invoices).line_ids.move_id
        )
        statements = self.filtered(
            lambda r: r.level_id.attach_statement
        )._dunning_statement_attachments()
        result = {}
        for reminder in self:
            level = reminder.level_id
            ids = list(rendered[reminder.id].get("attachment_ids") or [])
            ids += reports.get(reminder.id, report_attachments).ids
            if level.attach_letter and reminder._dunning_own_letter():
                ids.append(reminder.letter_attachment_id.id)
            if level.attach_invoices:
                ids += [
                    invoice_pdfs[move.id].id
                    for move in reminder.line_ids.move_id
                    if move.id in invoice_pdfs
                ]
            if reminder.id in statements:
                ids.append(statements[reminder.id].id)
            result[reminder.id] = ids
        return result

    def _dunning_statement_attachments(self):
        """{reminder id: attachment} of the customer statement, rendered in one go."""
        if not self:
            return {}
        partners = self.partner_id
        documents, extension = self.env["ir.actions.report"]._dunning_render(
            STATEMENT_REPORT, partners
        )
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": _(
                        "Statement %(customer)s", customer=reminder.partner_id.name
                    )
                    + f".{extension}",
                    "raw": documents[reminder.partner_id.id],
                    "res_model": self._name,
                    "res_id": reminder.id,
                }
                for reminder in self
            ]
        )
        return {a.res_id: a for a in attachments}

    def _dunning_schedule_activities(self):
        """The activity of each reminder whose channels include one (once: a reminder
        sent again keeps its activity), for the person the level names."""
        todo = self.filtered(lambda r: r.create_activity and not r.activity_id)
        if not todo:
            return
        partner_model = self.env["ir.model"]._get_id("res.partner")
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        # sudo: the level schedules the activity on the customer for the person it
        # names; whoever may send reminders may do so without editing contacts
        activities = (
            self.env["mail.activity"]
            .sudo()
            .create(
                [
                    {
                        "res_model_id": partner_model,
                        "res_id": reminder.partner_id.id,
                        "activity_type_id": (
                            reminder.level_id.activity_type_id or activity_type
                        ).id,
                        "summary": reminder.level_id.activity_summary
                        or reminder.level_id.name,
                        "note": reminder._dunning_activity_note(),
                        "user_id": reminder._dunning_activity_user().id,
                        "date_deadline": reminder.date,
                    }
                    for reminder in todo
                ]
            )
        )
        for reminder, activity in zip(todo, activities, strict=True):
            reminder._dunning_system_write({"activity_id": activity.id})

    def _dunning_activity_note(self):
        """The level's note, then what the caller needs at hand: the customer's phone
        numbers and what is owed."""
        self.ensure_one()
        customer = self.partner_id
        phones = [
            (label, number)
            for label, number in (
                (_("Phone"), customer.phone),
                (_("Mobile"), customer.mobile),
            )
            if number
        ]
        lines = [escape(f"{label}: {number}") for label, number in phones] or [
            escape(_("No phone number on file."))
        ]
        lines.append(
            escape(
                _(
                    "%(reminder)s: %(amount)s due on %(count)s invoice(s), the oldest "
                    "%(days)s days late.",
                    reminder=self.name,
                    amount=self.currency_summary or "",
                    count=self.line_count,
                    days=max(self.line_ids.mapped("days_overdue") or [0]),
                )
            )
        )
        note = self.level_id.activity_note or Markup()
        return note + Markup("<p>%s</p>") % Markup("<br/>").join(lines)

    def _dunning_activity_user(self):
        """Who gets the level's activity: per the level, else the responsible."""
        self.ensure_one()
        level = self.level_id
        user = self.env["res.users"]
        if level.activity_user_type == "user":
            user = level.activity_user_id
        elif level.activity_user_type == "salesperson":
            user = self.partner_id.user_id
        return (
            user
            or self.user_id
            or self.company_id.dunning_responsible_id
            or self.env.user
        )

    def _dunning_log_on_documents(self, log_invoices=True):
        """A note in the chatter of the customer (and of each invoice reminded), created
        in one batch."""
        note = self.env.ref("mail.mt_note").id
        author = self.env.user.partner_id
        documents = []  # (model, res_id, body)
        for reminder in self:
            body = Markup("%s <b>%s</b> (%s)") % (
                _("Payment reminder"),
                reminder.name,
                escape(reminder.level_id.name or ""),
            )
            documents.append(("res.partner", reminder.partner_id.id, body))
            if log_invoices:
                documents += [
                    ("account.move", move.id, body)
                    for move in reminder.line_ids.move_id
                ]
        headers = self._dunning_note_headers(documents, author.email_formatted)
        self.env["mail.message"].sudo().create(  # notes only, no recipient
            [
                {
                    "model": model,
                    "res_id": res_id,
                    "body": body,
                    "message_type": "notification",
                    "subtype_id": note,
                    "author_id": author.id,
                    "email_from": author.email_formatted,
                    **headers[model, res_id],
                }
                for model, res_id, body in documents
            ]
        )

    def _dunning_note_headers(self, documents, email_from):
        """Reply-to and record name of each (model, res_id), computed per model in one
        go: left out, mail.message would look them up one message at a time."""
        headers = {}
        by_model = {}
        for model, res_id, __ in documents:
            by_model.setdefault(model, []).append(res_id)
        for model, ids in by_model.items():
            # sudo: the record name is stored on the message as Odoo stores it, read
            # as superuser whatever the user may read of the record
            records = self.env[model].sudo().browse(ids)
            reply_to = records._notify_get_reply_to(default=email_from)
            for record in records:
                headers[model, record.id] = {
                    "reply_to": reply_to[record.id],
                    "record_name": record.display_name,
                }
        return headers

    def _dunning_mark_undelivered(self, reason):
        """The email could not be delivered (refused or bounced): failed, with why."""
        for reminder in self.filtered(lambda r: r.state in ISSUED):
            reminder._dunning_system_write(
                {
                    "state": "failed",
                    "failure_reason": _(
                        "The email could not be delivered: %(reason)s", reason=reason
                    ),
                }
            )

    def _dunning_mark_delivered(self):
        """The mail server accepted the email: the reminder is sent."""
        self.filtered(lambda r: r.state in ("sending", "failed"))._dunning_system_write(
            {"state": "sent", "failure_reason": False}
        )

    def _message_receive_bounce(self, email, partner):
        """A reminder email bounced: the reminder failed."""
        result = super()._message_receive_bounce(email, partner)
        self._dunning_mark_undelivered(_("%(email)s bounced.", email=email))
        return result

    def action_send(self):
        """Send draft or failed reminders now, through their level's channels."""
        check_button(self)
        if any(reminder.state not in ("draft", "failed") for reminder in self):
            raise UserError(_("Only draft or failed reminders can be sent."))
        empty = self.filtered(lambda r: not r.line_ids)
        if empty:
            raise UserError(
                _("Reminder %(reminder)s lists no invoice.", reminder=empty[0].name)
            )
        sent = self._dunning_execute()
        unsent = self - sent
        if unsent and len(self) == 1:
            raise UserError(
                unsent.failure_reason or _("The reminder could not be sent.")
            )
        if unsent:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "sticky": True,
                    "message": _(
                        "%(sent)s reminder(s) sent; %(unsent)s could not be: "
                        "%(names)s. Their reason is on each of them.",
                        sent=len(sent),
                        unsent=len(unsent),
                        names=", ".join(unsent.mapped("name")),
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return True

    def action_record_call_outcome(self):
        """Close the call: the outcome goes on the customer's chatter and the call
        activity is marked done with it."""
        check_button(self)
        for reminder in self:
            if not reminder.call_outcome:
                raise UserError(
                    _(
                        "Choose the outcome of the call on %(reminder)s first.",
                        reminder=reminder.name,
                    )
                )
            outcome = dict(
                reminder._fields["call_outcome"]._description_selection(self.env)
            )[reminder.call_outcome]
            feedback = _(
                "Call about %(reminder)s: %(outcome)s",
                reminder=reminder.name,
                outcome=outcome,
            )
            if reminder.call_note:
                feedback += "\n" + reminder.call_note
            if reminder.activity_id:
                # sudo: closing the reminder's own call belongs to the reminder, even
                # when the activity is assigned to a colleague
                reminder.activity_id.sudo().action_feedback(feedback=feedback)
            else:
                # sudo: the call's outcome is noted on the customer by whoever made
                # the call, without the right to edit contacts
                reminder.partner_id.sudo().message_post(
                    body=feedback, subtype_xmlid="mail.mt_note"
                )
        if len(self) == 1 and self.call_outcome == "promise":
            # record the promise made on the phone
            return self.env["account.dunning.promise"]._dunning_form_action(
                self.partner_id,
                self.line_ids.move_id.filtered(
                    lambda m: m.payment_state in ("not_paid", "partial")
                ),
            )
        return True

    # ------------------------------------------------------------------
    # The daily scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _cron_dunning_run(
        self, batch_size=CRON_BATCH_SIZE, batches=CRON_BATCHES_PER_CALL, date=None
    ):
        """Create today's reminders in every company that runs them automatically, and
        send those of automatic levels; the others wait as drafts for review.

        Customers go in batches, each locked (SKIP LOCKED) and committed on its own, so
        that a crash keeps what was done and the next run finishes the rest.
        """
        today = date or fields.Date.context_today(self)
        # sudo: the scheduled action works for every company that asked for it,
        # whichever companies its technical user may open.
        engine = self.sudo()
        # promises and plans first: a broken one puts its invoices back in today's
        # run; instalments due get their own reminder
        # sudo: the scheduled action's own bookkeeping, in every company, whichever
        # user it runs as
        self.env["account.dunning.promise"].sudo()._dunning_update_states(today)
        plans = self.env["account.dunning.plan"].sudo()  # as above
        plans._dunning_update_states(today)
        plans._dunning_remind_instalments(today)
        for company in self.env["res.company"].sudo().search([]):  # as above
            engine.with_company(company)._dunning_release_credit_holds(company)
        todo = engine._dunning_cron_batches(today, batch_size)
        total = sum(len(ids) for __, ids in todo)
        done = 0
        for company, partner_ids in todo[:batches]:
            engine.with_company(company)._dunning_run_batch(partner_ids, today)
            done += len(partner_ids)
            self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
            if not (
                getattr(threading.current_thread(), "testing", False)
                # run by a module's data (demo): one transaction with the install
                or self.env.context.get("install_module")
            ):
                # A batch done stays done if a later one fails (as core crons do).
                self.env.cr.commit()  # pylint: disable=invalid-commit
        if len(todo) > batches:
            self.env.ref("account_dunning.ir_cron_dunning_run")._trigger()
        else:
            # the day's reminders are done: update the payment behaviour scores
            for company in self.env["res.company"].sudo().search([]):
                engine._dunning_score_company(company, today)
        return done

    @api.model
    def _dunning_score_company(self, company, date):
        """Update the company's payment scores, unless another run does it now;
        return whether this run did."""
        try:
            # another worker's update is handled below: not an error to log
            with contention_expected(), self.env.cr.savepoint():
                self.env["res.partner"].with_company(company)._dunning_update_scores(
                    company, date
                )
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            _logger.info("Payment scores of %s: updated by another run", company.name)
            return False
        return True

    @api.model
    def _dunning_cron_batches(self, date, batch_size):
        """[(company, partner ids)] of the companies that remind automatically."""
        companies = self.env["res.company"].search([("dunning_auto_run", "=", True)])
        return [
            (company, ids)
            for company in companies
            for ids in split_every(
                batch_size, self.with_company(company)._dunning_candidates(date)
            )
        ]

    @api.model
    def _dunning_candidates(self, date):
        """Customers of the current company with a level due by ``date`` and no reminder
        made that day or waiting for review.
        """
        company = self.env.company
        Move = self.env["account.move"]
        query = SQL(
            "SELECT DISTINCT partner_id FROM (%s) moves "
            "WHERE chaseable AND next_date <= %s ORDER BY partner_id",
            Move._dunning_open_moves_sql(company, date, SQL("TRUE")),
            date,
        )
        ids = [row["partner_id"] for row in Move._dunning_fetch(query)]
        blocked = self._dunning_blocked_partner_ids(company, date, ids)
        return [pid for pid in ids if pid not in blocked]

    @api.model
    def _dunning_run_batch(self, partner_ids, date):
        """One batch of the daily run, all or nothing."""
        try:
            # contention with another worker is handled below, as core does when it
            # retries a serialization failure: not an error to log
            with contention_expected(), self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM res_partner WHERE id = ANY(%s) "
                        "FOR UPDATE SKIP LOCKED",
                        list(partner_ids),
                    )
                )
                locked = self.env["res.partner"].browse(
                    [row[0] for row in self.env.cr.fetchall()]
                )
                vals_list = self._dunning_prepare(partners=locked, date=date)
                for vals in vals_list:
                    vals["origin"] = "auto"
                # Thousands of records: no creation log nor field tracking per record;
                # each reminder is noted once on its customer instead.
                # sudo: the daily run's own reminders (origin, state), whoever calls it
                quiet = self.sudo().with_context(
                    tracking_disable=True, mail_create_nolog=True
                )
                reminders = quiet.create(vals_list)
                automatic = reminders.filtered(lambda r: r.level_id.auto_execute)
                automatic._dunning_execute(log_invoices=False)
                return reminders
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure):
            # Another worker made these reminders, or changed these customers,
            # meanwhile: this batch is theirs; what is left goes to the next run.
            _logger.info("Dunning batch skipped: customers handled by another run")
            return self.browse()
