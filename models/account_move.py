# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..dunning.scoring import predicted_payment_date
from .access import (
    ACCOUNTING,
    COLLECTOR,
    MANAGER,
    check_button,
    check_fields_group,
    check_fields_readable,
    check_system_fields,
)
from .account_dunning_selection import ISSUED, OPEN_PAYMENT_STATES, PAID_PAYMENT_STATES
from .bounds import check_input
from .contention import CONTENTION_ERRORS, contention_expected

_logger = logging.getLogger(__name__)

# A manager's approval to post over the credit block: a manager's only.
OVERRIDE_FIELDS = frozenset(
    {"dunning_credit_override_reason", "dunning_credit_override_user_id"}
)
# Whether an invoice is chased, and its dispute: accounting's to change.
CONTROL_FIELDS = frozenset(
    {
        "dunning_excluded",
        "dunning_exclusion_reason",
        "dunning_dispute_state",
        "dunning_dispute_reason",
        "dunning_dispute_reason_id",
        "dunning_dispute_user_id",
    }
)
# The invoice's dunning history: what its sent reminders say (see
# _compute_dunning_history), never a user's to write; and the promises to pay, which
# are recorded on the promise (its checks: customer, company, open invoices).
HISTORY_FIELDS = frozenset({"dunning_level_id", "dunning_last_date", "dunning_count"})
LINKED_BY_PROMISE = frozenset({"dunning_promise_ids"})


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_reminder_line_ids = fields.One2many(
        "account.dunning.reminder.line",
        "move_id",
        string="Reminders",
        readonly=True,
        groups=ACCOUNTING,
    )
    dunning_level_id = fields.Many2one(
        "account.dunning.level",
        string="Dunning Level",
        compute="_compute_dunning_history",
        store=True,
        readonly=False,
        index="btree_not_null",
        copy=False,
        help="The last dunning level this invoice reached.",
        groups=ACCOUNTING,
    )
    dunning_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_dunning_history",
        store=True,
        readonly=False,
        copy=False,
        groups=ACCOUNTING,
    )
    dunning_count = fields.Integer(
        string="Reminders Sent",
        compute="_compute_dunning_history",
        store=True,
        copy=False,
        groups=ACCOUNTING,
    )
    dunning_excluded = fields.Boolean(
        string="Excluded from Dunning",
        copy=False,
        tracking=True,
        help="No payment reminder is sent for this invoice.",
        groups=ACCOUNTING,
    )
    dunning_exclusion_reason = fields.Char(
        string="Exclusion Reason", copy=False, groups=ACCOUNTING
    )
    dunning_dispute_state = fields.Selection(
        [("none", "No dispute"), ("open", "In dispute"), ("resolved", "Resolved")],
        string="Dispute",
        default="none",
        required=True,
        copy=False,
        tracking=True,
        help="An invoice in dispute is not reminded and leaves the amounts to "
        "collect until the dispute is resolved.",
        groups=ACCOUNTING,
    )
    dunning_dispute_reason = fields.Text(
        string="Dispute Details",
        copy=False,
        tracking=True,
        groups=ACCOUNTING,
        help="What the customer disputes, in their words or the accountant's.",
    )
    dunning_dispute_reason_id = fields.Many2one(
        "account.dunning.dispute.reason",
        string="Dispute Reason",
        copy=False,
        tracking=True,
        check_company=True,
        groups=ACCOUNTING,
    )
    dunning_dispute_user_id = fields.Many2one(
        "res.users",
        string="Dispute Owner",
        copy=False,
        tracking=True,
        groups=ACCOUNTING,
    )
    dunning_dispute_activity_id = fields.Many2one(
        "mail.activity",
        copy=False,
        readonly=True,
        ondelete="set null",
        groups=ACCOUNTING,
    )
    dunning_credit_override_reason = fields.Text(
        string="Credit Block Overridden Because",
        copy=False,
        readonly=True,
        groups=MANAGER,
        help="Why an accounting manager let this invoice be posted over the credit "
        "block (Override credit block); kept for when it is posted.",
    )
    dunning_credit_override_user_id = fields.Many2one(
        "res.users",
        string="Credit Block Overridden By",
        copy=False,
        readonly=True,
        groups=MANAGER,
    )
    dunning_credit_warning = fields.Char(
        compute="_compute_dunning_credit_warning",
        help="How much of the customer's credit limit this draft invoice uses.",
        groups=ACCOUNTING,
    )
    # this addon's banner, beside core's (partner_credit_warning, left as core says
    # it): what core's does not tell already
    dunning_credit_banner = fields.Char(
        compute="_compute_dunning_credit_banner", groups=ACCOUNTING
    )
    predicted_payment_date = fields.Date(
        compute="_compute_predicted_payment_date",
        help="When the invoice is likely to be paid: its due date plus its "
        "customer's average delay of the last 12 months.",
        groups=ACCOUNTING,
    )
    dunning_promise_ids = fields.Many2many(
        "account.dunning.promise",
        "account_dunning_promise_move_rel",
        "move_id",
        "promise_id",
        string="Promises to Pay",
        copy=False,
        groups=ACCOUNTING,
    )
    dunning_open = fields.Boolean(
        string="Open for Dunning",
        compute="_compute_dunning_open",
        search="_search_dunning_open",
        help="A posted customer invoice with something left to pay: what a "
        "reminder may claim.",
        groups=ACCOUNTING,
    )
    days_overdue = fields.Integer(
        compute="_compute_dunning_position",
        help="Days since the due date of the earliest unpaid instalment.",
        groups=ACCOUNTING,
    )
    dunning_next_date = fields.Date(
        string="Next Reminder",
        compute="_compute_dunning_position",
        help="When this invoice reaches its next dunning level.",
        groups=ACCOUNTING,
    )

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS account: who may set the dispute and exclusion fields; the history
        # is the reminders'
        check_input(self, vals_list)
        for vals in vals_list:
            check_system_fields(
                self,
                {
                    fname
                    for fname in (HISTORY_FIELDS | LINKED_BY_PROMISE) & vals.keys()
                    if vals[fname]
                    and vals[fname] != [Command.set([])]
                    and vals[fname] != [Command.clear()]
                },
            )
            # defaults (no exclusion, no dispute) are nobody's decision
            chosen = {
                f
                for f in CONTROL_FIELDS & vals.keys()
                if vals[f] not in (False, "none")
            }
            check_fields_group(self, chosen, COLLECTOR)
            check_fields_group(self, OVERRIDE_FIELDS & vals.keys(), MANAGER)
            if vals.get("dunning_dispute_user_id"):
                self._dunning_check_dispute_owner(vals)
            if vals.get("dunning_dispute_reason_id"):
                self._dunning_check_dispute_reason_id(vals["dunning_dispute_reason_id"])
        return super().create(vals_list)

    def write(self, vals):
        # EXTENDS account: as create; a dispute needs a reason and an owner
        check_input(self, [vals])
        check_system_fields(self, (HISTORY_FIELDS | LINKED_BY_PROMISE) & vals.keys())
        check_fields_group(self, CONTROL_FIELDS & vals.keys(), COLLECTOR)
        check_fields_group(self, OVERRIDE_FIELDS & vals.keys(), MANAGER)
        if vals.get("dunning_dispute_user_id"):
            self._dunning_check_dispute_owner(vals)
        if vals.get("dunning_dispute_state") == "open" and not self.env.su:
            self._dunning_check_dispute_reason(vals)
        if vals.get("dunning_dispute_reason_id"):
            self._dunning_check_dispute_reason_id(vals["dunning_dispute_reason_id"])
        return super().write(vals)

    @api.model
    def _dunning_check_dispute_reason_id(self, reason_id):
        """A reason from the list in use: an archived one is no longer offered."""
        reason = self.env["account.dunning.dispute.reason"].browse(reason_id)
        if not reason.exists() or not reason.active:
            raise ValidationError(_("Choose a reason from the list."))

    @api.model
    def _dunning_check_dispute_owner(self, vals):
        """The owner of a dispute acts on it: an internal user."""
        # sudo: whether the user is internal and their name, whatever the writer may
        # read of users
        owner = self.env["res.users"].browse(vals.get("dunning_dispute_user_id")).sudo()
        if owner and owner.share:
            raise ValidationError(
                _(
                    "The owner of a dispute must be an internal user, not %(user)s.",
                    user=owner.name,
                )
            )

    def _dunning_check_dispute_reason(self, vals):
        reason = vals.get("dunning_dispute_reason", False)
        missing = (
            not (reason or "").strip()
            if "dunning_dispute_reason" in vals
            else any(not (m.dunning_dispute_reason or "").strip() for m in self)
        )
        if missing:
            raise ValidationError(
                _("Say what the customer disputes: the reason is required.")
            )

    @api.depends(
        "dunning_reminder_line_ids.state",
        "dunning_reminder_line_ids.level_id",
        "dunning_reminder_line_ids.date",
    )
    def _compute_dunning_history(self):
        """The last sent reminder decides the invoice's level and last date. Until one
        is sent, a level or date set by hand stays; one that came from a reminder that
        failed or was cancelled since is withdrawn."""
        for move in self:
            lines = move.dunning_reminder_line_ids
            sent = lines.filtered(lambda line: line.state in ISSUED)
            move.dunning_count = len(sent)
            if not sent:
                withdrawn = move.dunning_last_date and any(
                    line.date == move.dunning_last_date
                    and line.level_id == move.dunning_level_id
                    for line in lines
                )
                move.dunning_level_id = False if withdrawn else move.dunning_level_id
                move.dunning_last_date = False if withdrawn else move.dunning_last_date
                continue
            last = sent.sorted(lambda line: (line.date, line.id))[-1]
            move.dunning_level_id = last.level_id
            move.dunning_last_date = last.date

    @api.depends(
        "state",
        "amount_residual",
        "payment_state",
        "invoice_date_due",
        "dunning_level_id",
        "dunning_excluded",
        "commercial_partner_id.dunning_excluded",
        "commercial_partner_id.dunning_policy_id",
    )
    @api.depends_context("company")
    def _compute_dunning_position(self):
        today = fields.Date.context_today(self)
        rows = {}
        for company, moves in self.filtered("id").grouped("company_id").items():
            line_filter = SQL("l.move_id = ANY(%s)", moves._origin.ids)
            for row in self.env["account.dunning.selection"]._open_items(
                company, today, line_filter
            ):
                rows[row["move_id"]] = row
        for move in self:
            row = rows.get(move._origin.id)
            late = row and row["overdue_residual"] > 0
            move.days_overdue = (today - row["due"]).days if late else 0
            move.dunning_next_date = (
                row["next_date"] if row and row["chaseable"] else False
            )

    # ------------------------------------------------------------------
    # Open or paid: the one definition (see OPEN_PAYMENT_STATES)
    # ------------------------------------------------------------------
    @api.depends("move_type", "state", "payment_state")
    def _compute_dunning_open(self):
        for move in self:
            move.dunning_open = move._dunning_is_open()

    def _dunning_is_open(self):
        """Whether this entry is an open invoice (see OPEN_PAYMENT_STATES)."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.payment_state in OPEN_PAYMENT_STATES
        )

    def _dunning_is_paid(self):
        """Whether nothing is left to pay on this entry (paid or reversed)."""
        self.ensure_one()
        return self.payment_state in PAID_PAYMENT_STATES

    @api.model
    def _dunning_open_domain(self):
        """The open invoices as a domain (see ``_dunning_is_open``)."""
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
        ]

    @api.model
    def _dunning_open_sql(self, alias):
        """The open invoices as an SQL condition on account_move ``alias``."""
        self.flush_model(["move_type", "state", "payment_state"])
        return SQL(
            "(%(m)s.move_type = 'out_invoice' AND %(m)s.state = 'posted' "
            "AND %(m)s.payment_state = ANY(%(open)s))",
            m=SQL.identifier(alias),
            open=list(OPEN_PAYMENT_STATES),
        )

    def _search_dunning_open(self, operator, value):
        # also reached without this model's _search (a path through an auto_join)
        check_fields_readable(self, ["dunning_open"])
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search open invoices with = or != and a yes or no."))
        domain = self._dunning_open_domain()
        if (operator == "=") == value:
            return domain
        return ["!", *expression.normalize_domain(domain)]

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    def action_dunning_send(self):
        """Send reminder: the send wizard for these invoices and their customers."""
        check_button(self)
        return self.env["account.dunning.send"]._dunning_open_for(moves=self)

    def _dunning_check_sendable(self):
        """Only posted customer invoices with something left to pay can be reminded."""
        wrong = self.filtered(lambda move: not move._dunning_is_open())
        if wrong:
            raise UserError(
                _(
                    "A reminder can only be sent for posted customer invoices that "
                    "are not paid yet: %(invoices)s.",
                    invoices=", ".join(wrong.mapped("display_name")),
                )
            )

    def _dunning_pay_urls(self):
        """{move id: absolute link to pay it in the customer portal}. Missing access
        tokens are created in one statement, not one write per invoice, and only on
        the invoices no other transaction holds now: the statement never waits for
        an accountant's open edit. An invoice left without a token has no link here
        (the caller links the customer's account page instead)."""
        missing = self.filtered(lambda move: not move.access_token)
        if missing:
            try:
                # a contention is handled below: not an error to log
                with contention_expected(), self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            """UPDATE account_move
                                  SET access_token = gen_random_uuid()::text
                                WHERE id IN (SELECT id FROM account_move
                                              WHERE id = ANY(%s)
                                                AND access_token IS NULL
                                                FOR NO KEY UPDATE SKIP LOCKED)""",
                            missing.ids,
                        )
                    )
            except CONTENTION_ERRORS as error:  # changed by another transaction
                _logger.info("Payment links without a token for now: %s", error)
            missing.invalidate_recordset(["access_token"])
        base_url = self[:1].get_base_url() if self else ""
        return {
            move.id: f"{base_url}{move.access_url}?access_token={move.access_token}"
            for move in self
            if move.access_token
        }

    def _dunning_invoice_pdfs(self, moves):
        """{move id: PDF attachment} of invoices: the one Odoo keeps when it has sent
        the invoice, else rendered now in one go and kept on the invoice."""
        result = {
            m.id: m.invoice_pdf_report_id for m in moves if m.invoice_pdf_report_id
        }
        todo = moves.filtered(lambda m: m.id not in result)
        if not todo:
            return result
        documents, extension = self.env["ir.actions.report"]._dunning_render(
            "account.account_invoices", todo
        )
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{move._get_invoice_report_filename(extension=extension)}",
                    "raw": documents[move.id],
                    "res_model": "account.move",
                    "res_id": move.id,
                }
                for move in todo
            ]
        )
        result.update({a.res_id: a for a in attachments})
        return result

    def _invoice_paid_hook(self):
        """Promises covering only paid invoices are kept; thank customers who were
        reminded of an invoice they have now paid."""
        # EXTENDS account: a reminded invoice paid in full gets the customer's thank-you
        result = super()._invoice_paid_hook()
        promises = self.dunning_promise_ids.filtered(lambda p: p.state == "open")
        if promises:
            # sudo: a payment keeps the promise whoever registers the payment
            promises.sudo()._dunning_update_states()
        reminded = self.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.dunning_count
            and move.company_id.dunning_thank_you
        )
        default = self.env.ref(
            "account_dunning.mail_template_dunning_thank_you", raise_if_not_found=False
        )
        for template, moves in reminded.grouped(
            lambda move: move.company_id.dunning_thank_you_template_id or default
        ).items():
            if template:
                template.send_mail_batch(
                    moves.ids,
                    force_send=False,
                    email_layout_xmlid="mail.mail_notification_light",
                )
        return result

    # ------------------------------------------------------------------
    # Disputes and promises
    # ------------------------------------------------------------------
    def action_dunning_dispute(self):
        """Open a dispute: the wizard asks for the reason and the owner."""
        check_button(self)
        self._dunning_check_sendable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Dispute"),
            "res_model": "account.dunning.dispute",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def action_dunning_resolve_dispute(self):
        """Close the dispute: the invoices are reminded again; the owner's activity
        is done."""
        check_button(self)
        disputed = self.filtered(lambda m: m.dunning_dispute_state == "open")
        if not disputed:
            raise UserError(_("None of these invoices is in dispute."))
        disputed.write({"dunning_dispute_state": "resolved"})
        for move in disputed:
            if move.dunning_dispute_activity_id:
                # sudo: the owner's activity ends with the dispute, whoever ends it
                move.dunning_dispute_activity_id.sudo().action_feedback(
                    feedback=_("Dispute resolved")
                )
            move.message_post(
                body=_("Dispute resolved: the invoice is reminded again."),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_dunning_promise(self):
        """Record a promise to pay for these invoices."""
        check_button(self)
        self._dunning_check_sendable()
        return self.env["account.dunning.promise"]._dunning_form_action(
            self.commercial_partner_id, self
        )

    # ------------------------------------------------------------------
    # Credit limits
    # ------------------------------------------------------------------
    @api.depends("partner_id", "amount_total_signed", "state", "move_type")
    def _compute_dunning_credit_warning(self):
        credit = self.env["account.dunning.credit"]
        warnings = credit._warnings(self.filtered(credit._checks))
        for move in self:
            move.dunning_credit_warning = warnings.get(move, False)

    @api.depends("dunning_credit_warning", "partner_credit_warning")
    def _compute_dunning_credit_banner(self):
        """This addon's credit banner: a credit hold, an alert threshold, a block;
        not the credit limit alone where core's banner already tells it (one banner
        where both would say the same)."""
        for move in self:
            ours = move.dunning_credit_warning
            customer = move.commercial_partner_id.sudo()  # the hold, for the banner
            blocks = move.company_id.dunning_credit_check == "block"
            said_by_core = move.partner_credit_warning and not customer.credit_hold
            if ours and blocks:
                ours += " " + _(
                    "Posting it is blocked: an accounting manager may override the "
                    "block with a reason."
                )
            move.dunning_credit_banner = (
                ours if ours and (blocks or not said_by_core) else False
            )

    def _post(self, soft=True):
        # EXTENDS account: the credit block, before anything is posted
        self.env["account.dunning.credit"]._check_posting(self)
        return super()._post(soft)

    def action_dunning_credit_override(self):
        """Post over the credit block: the manager gives the reason."""
        check_button(self, MANAGER)
        return {
            "type": "ir.actions.act_window",
            "name": _("Override credit block"),
            "res_model": "account.dunning.credit.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    @api.depends("invoice_date_due", "payment_state", "commercial_partner_id")
    @api.depends_context("company")
    def _compute_predicted_payment_date(self):
        today = fields.Date.context_today(self)
        for move in self:
            open_invoice = move._dunning_is_open() and move.invoice_date_due
            move.predicted_payment_date = (
                predicted_payment_date(
                    move.invoice_date_due,
                    move.commercial_partner_id.with_company(
                        move.company_id
                    ).payment_avg_days_late,
                    today,
                )
                if open_invoice
                else False
            )
