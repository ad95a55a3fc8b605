# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..models.bounds import check_input

# what the wizard proposes and the user may change before Send
EDITABLE = {"store": True, "readonly": False, "precompute": True}
# what the preview computes once and keeps for Send to compare
KEPT = {"store": True, "precompute": True}


class AccountDunningSend(models.TransientModel):
    """Send reminder: what will go out, to whom, for which invoices, then send it.

    Every figure and rule comes from the engine (``_propose_manual``): the invoices,
    the level and why, what is left out and why, the holds, the interval. The
    wizard shows them, lets the user change what the daily run's Send Anyway may
    override (recorded with who and why), and sends."""

    _name = "account.dunning.send"
    _description = "Send Payment Reminder"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "account_dunning_send_partner_rel",
        string="Customers",
        required=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        "account_dunning_send_selected_rel",
        string="Selected Invoices",
        help="The invoices the wizard was opened from; empty from customers.",
    )
    is_mass = fields.Boolean(compute="_compute_is_mass")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", compute="_compute_is_mass"
    )
    policy_id = fields.Many2one(
        "account.dunning.policy", compute="_compute_proposal", string="Policy"
    )
    covered_move_ids = fields.Many2many(
        "account.move",
        "account_dunning_send_covered_rel",
        string="Invoices",
        compute="_compute_covered_move_ids",
        help="The invoices this reminder lists: the overdue ones by default.",
        **EDITABLE,
    )
    # the engine's proposal for the invoices listed, and why
    proposed_level_id = fields.Many2one(
        "account.dunning.level", compute="_compute_proposal"
    )
    proposal_reason = fields.Char(compute="_compute_proposal")
    level_id = fields.Many2one(
        "account.dunning.level",
        string="Level",
        compute="_compute_level_id",
        domain="[('policy_id', '=', policy_id)]",
        help="Proposed: the next level of the invoices listed.",
        **EDITABLE,
    )
    send_email = fields.Boolean("Email", compute="_compute_channels", **EDITABLE)
    send_letter = fields.Boolean("Letter", compute="_compute_channels", **EDITABLE)
    create_activity = fields.Boolean(
        "Activity", compute="_compute_channels", **EDITABLE
    )
    send_sms = fields.Boolean("SMS", compute="_compute_channels", **EDITABLE)
    recipient_ids = fields.Many2many(
        "res.partner",
        "account_dunning_send_recipient_rel",
        string="Recipients",
        compute="_compute_recipient_ids",
        **EDITABLE,
    )
    email_cc = fields.Char(string="CC")
    email_subject = fields.Char("Subject", compute="_compute_preview", **EDITABLE)
    email_body = fields.Html(
        "Body", compute="_compute_preview", sanitize="email_outgoing", **EDITABLE
    )
    rendered_subject = fields.Char(compute="_compute_preview", **KEPT)
    preview_name = fields.Char(compute="_compute_preview", **KEPT)
    rendered_body = fields.Html(
        compute="_compute_preview", sanitize="email_outgoing", **KEPT
    )
    # the daily run's holds of what would go, whatever the channels ticked
    preview_holds = fields.Text(compute="_compute_preview", **KEPT)
    preview_has_address = fields.Boolean(compute="_compute_preview", **KEPT)
    attachment_summary = fields.Char(
        string="Attachments", compute="_compute_attachment_summary"
    )
    mass_summary = fields.Html(compute="_compute_mass_summary", sanitize=False)
    # what a user should see before Send: what is left out and why, the holds, the
    # channels that cannot go, a reminder within the policy's minimum interval
    warning_html = fields.Html(
        string="Before sending", compute="_compute_warnings", sanitize=False
    )
    interval_warning = fields.Char(compute="_compute_warnings")
    hold_warning = fields.Char(compute="_compute_warnings")
    confirm_interval = fields.Boolean(
        string="Send within the interval",
        help="Send although the customer was reminded more recently than the "
        "policy's minimum interval; who and why go in the chatter.",
    )
    confirm_hold = fields.Boolean(
        string="Send despite the holds",
        help="Send although the daily run would hold the reminder for review, as "
        "Send Anyway does; who and why go in the chatter.",
    )
    interval_reason = fields.Char(string="Why now")
    level_reason = fields.Char(string="Why this level", compute="_compute_level_reason")

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    @api.constrains("company_id", "partner_ids", "move_ids", "level_id")
    def _check_company_scope(self):
        """Reminders of one of the user's companies, for that company's customers,
        invoices and levels, whatever the context says."""
        # sudo: the companies of the records named, to refuse another company's,
        # including those the user cannot even read
        for wizard in self.sudo():
            company = wizard.company_id
            strangers = (
                wizard.partner_ids.filtered(
                    lambda p, company=company: p.company_id and p.company_id != company
                ).mapped("display_name")
                + wizard.move_ids.filtered(
                    lambda m, company=company: m.company_id != company
                ).mapped("display_name")
                + wizard.level_id.filtered(
                    lambda lvl, company=company: lvl.company_id != company
                ).mapped("display_name")
            )
            if company not in self.env.user.company_ids or strangers:
                raise UserError(
                    _(
                        "Reminders of %(company)s can only be sent by its users, for "
                        "its own customers and invoices: %(others)s.",
                        company=company.name,
                        others=", ".join(strangers) or self.env.user.name,
                    )
                )

    # ------------------------------------------------------------------
    # Opening
    # ------------------------------------------------------------------
    @api.model
    def _dunning_open_for(self, partners=None, moves=None):
        """The wizard's window for customers, or for invoices (and their customers)."""
        if moves:
            moves._dunning_check_sendable()
            partners = moves.commercial_partner_id
        partners = (partners or self.env["res.partner"]).commercial_partner_id
        if not partners:
            raise UserError(_("Select at least one customer or invoice to remind."))
        companies = (moves.company_id if moves else self.env["res.company"]) or (
            self.env.company
        )
        if len(companies) > 1:
            raise UserError(_("Send the reminders of one company at a time."))
        if len(partners) == 1 and not moves:
            draft = self._dunning_draft_of(partners, companies)
            if draft:
                return draft._dunning_form_action()
        wizard = self.with_company(companies).create(
            {
                "company_id": companies.id,
                "partner_ids": [Command.set(partners.ids)],
                "move_ids": [Command.set(moves.ids if moves else [])],
            }
        )
        if not wizard.is_mass and not wizard.covered_move_ids:
            raise UserError(wizard._dunning_proposal().blocked)
        return {
            "type": "ir.actions.act_window",
            "name": _("Send Payment Reminder"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name},
        }

    @api.model
    def _dunning_draft_of(self, partner, company):
        """The draft reminder of ``partner`` waiting for review in ``company``: what
        the desk calls action needed opens it rather than a second reminder."""
        domain = [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        return self.env["account.dunning.reminder"].search(
            [*domain, ("state", "=", "draft")], order="date desc, id desc", limit=1
        )

    # ------------------------------------------------------------------
    # Asking the engine
    # ------------------------------------------------------------------
    def _dunning_proposals(self, moves=None):
        """{customer: DoorProposal} of the engine for this wizard's customers, for
        ``moves`` when given, else for the invoices it was opened from."""
        chosen = self.move_ids._origin if moves is None else moves._origin
        return self.env["account.dunning.engine"]._propose_manual(
            self.company_id, self.partner_ids._origin, chosen
        )

    def _dunning_proposal(self, moves=None):
        """The engine's proposal for the one customer of this wizard."""
        return self._dunning_proposals(moves)[self.partner_id._origin]

    @api.depends("partner_ids")
    def _compute_is_mass(self):
        for wizard in self:
            wizard.is_mass = len(wizard.partner_ids) > 1
            wizard.partner_id = wizard.partner_ids[:1] if not wizard.is_mass else False

    @api.depends("partner_id", "move_ids")
    def _compute_covered_move_ids(self):
        for wizard in self:
            proposal = wizard.partner_id and wizard._dunning_proposal()
            wizard.covered_move_ids = proposal.moves if proposal else False

    @api.depends("covered_move_ids", "partner_id")
    def _compute_proposal(self):
        for wizard in self:
            proposal = wizard.partner_id and wizard._dunning_proposal(
                wizard.covered_move_ids or None
            )
            wizard.policy_id = proposal.policy if proposal else False
            wizard.proposed_level_id = proposal.level if proposal else False
            wizard.proposal_reason = proposal.why if proposal else False

    @api.depends("proposed_level_id")
    def _compute_level_id(self):
        for wizard in self:
            wizard.level_id = wizard.proposed_level_id

    @api.depends("level_id")
    def _compute_channels(self):
        for wizard in self:
            level = wizard.level_id
            # without a level yet, an email is what the accountant most likely wants
            channels = level._dunning_channels()
            wizard.update(channels if level else dict(channels, send_email=True))

    @api.depends("partner_id")
    def _compute_recipient_ids(self):
        for wizard in self:
            partner = wizard.partner_id._origin
            wizard.recipient_ids = partner._dunning_recipients() if partner else False

    @api.depends("partner_id", "level_id", "covered_move_ids", "recipient_ids")
    def _compute_preview(self):
        """The reminder as sending would create it, rendered as its email is: its
        subject and body, the daily run's holds, whether a letter can go."""
        for wizard in self:
            proposal = (
                wizard.partner_id
                and wizard.level_id
                and wizard._dunning_proposal(wizard.covered_move_ids)
            )
            preview = self.env["account.dunning.engine"]._preview(
                wizard.company_id,
                proposal,
                wizard.level_id._origin,
                wizard.recipient_ids._origin,
            )
            wizard.email_subject = wizard.rendered_subject = preview["subject"]
            wizard.email_body = wizard.rendered_body = preview["body"]
            wizard.preview_name = preview["name"]
            wizard.preview_holds = preview["holds"]
            wizard.preview_has_address = preview["has_address"]

    @api.depends("level_id", "send_email", "covered_move_ids")
    def _compute_attachment_summary(self):
        for wizard in self:
            wizard.attachment_summary = wizard.level_id._dunning_attachment_summary(
                wizard.send_email, len(wizard.covered_move_ids)
            )

    @api.depends("partner_ids", "move_ids")
    def _compute_mass_summary(self):
        for wizard in self:
            wizard.mass_summary = wizard.is_mass and self.env["ir.qweb"]._render(
                "account_dunning.dunning_send_mass_summary",
                {"proposals": wizard._dunning_proposals().values()},
            )

    @api.depends("partner_id", "covered_move_ids", "level_id", "recipient_ids")
    @api.depends("send_email", "send_letter", "send_sms", "preview_has_address")
    def _compute_warnings(self):
        for wizard in self:
            texts, interval, holds = wizard._dunning_warnings()
            wizard.interval_warning, wizard.hold_warning = interval, holds
            items = Markup("").join(Markup("<li>%s</li>") % text for text in texts)
            wizard.warning_html = Markup("<ul>%s</ul>") % items if texts else False

    @api.depends("level_id", "proposed_level_id", "proposal_reason")
    def _compute_level_reason(self):
        for wizard in self:
            proposed, why = wizard.proposed_level_id, wizard.proposal_reason
            if wizard.level_id and proposed and wizard.level_id.delay > proposed.delay:
                why = _(
                    "Above what the policy gives (%(proposed)s): %(why)s The "
                    "reminder's history says it was chosen by hand.",
                    proposed=proposed.name,
                    why=why,
                )
            wizard.level_reason = why if wizard.level_id else False

    def _dunning_warnings(self):
        """(sentences, interval warning, hold warning) before Send: the engine's
        (what is left out and why, holds, interval) and the channels' problems."""
        if self.is_mass:
            proposals = list(self._dunning_proposals().values())
        elif self.partner_id and self.level_id:
            # what was chosen at the opening and is left out is said too
            chosen = self.covered_move_ids | self.move_ids if self.move_ids else None
            proposals = [self._dunning_proposal(chosen)]
        else:
            return [], False, False
        texts, interval, holds = self.env["account.dunning.engine"]._door_warnings(
            proposals, mass=self.is_mass
        )
        if not self.is_mass:
            texts += self.env["account.dunning.dispatch"]._channel_problems(
                self.level_id._origin,
                self.partner_id._origin,
                self.recipient_ids._origin,
                {
                    "email": self.send_email,
                    "sms": self.send_sms,
                    "letter": self.send_letter and not self.preview_has_address,
                },
            )
        texts += [text for text in (interval, holds) if text]
        return texts, interval, holds

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    def action_send(self):
        """Create the reminder(s) the engine proposes, advance the levels, and send
        through the channels chosen; say what went out and what was left out."""
        self.ensure_one()
        if self.is_mass:
            return self._dunning_send_mass()
        if not self.covered_move_ids:
            raise UserError(_("Keep at least one invoice to remind."))
        if not self.level_id:
            raise UserError(_("Choose the level of this reminder."))
        if not (
            self.send_email or self.send_letter or self.create_activity or self.send_sms
        ):
            # nothing would go out: no reminder "Sent" for nothing
            raise UserError(
                _("Choose at least one channel: Email, Letter, Activity or SMS.")
            )
        self.covered_move_ids._dunning_check_sendable()
        proposal = self._dunning_proposal(self.covered_move_ids)
        refused = self._dunning_refusal(proposal)
        if refused:
            raise UserError(refused)
        extra = {
            "send_email": self.send_email,
            "send_letter": self.send_letter,
            "create_activity": self.create_activity,
            "send_sms": self.send_sms,
            "recipient_ids": [Command.set(self.recipient_ids.ids)],
            "email_cc": self.email_cc,
        }
        Engine = self.env["account.dunning.engine"]
        reminder = Engine._create_manual(
            self.company_id, [(proposal, self.level_id, extra)], self.interval_reason
        )
        reminder._dunning_apply_edits(self)
        return Engine._send_manual(reminder)

    def _dunning_refusal(self, proposal):
        """Why the proposal cannot go as the user left it, or False."""
        reason = self.interval_reason
        return self.env["account.dunning.engine"]._door_refusal(
            proposal, self.confirm_interval and reason, self.confirm_hold and reason
        )

    def _dunning_send_mass(self):
        """One reminder per customer the engine proposes one for; those within the
        interval or held only when the user confirmed it with a why."""
        checked = [
            (p, self._dunning_refusal(p)) for p in self._dunning_proposals().values()
        ]
        to_send = [proposal for proposal, refused in checked if not refused]
        left_out = [refused for __, refused in checked if refused]
        if not to_send:
            raise UserError(" ".join(left_out))
        Engine = self.env["account.dunning.engine"]
        reminders = Engine._create_manual(
            self.company_id, [(p, p.level, {}) for p in to_send], self.interval_reason
        )
        return Engine._send_manual(reminders, left_out)
