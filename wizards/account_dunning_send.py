# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import namedtuple
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..models.account_dunning_engine import line_vals
from ..models.account_dunning_selection import CHASE_REASONS, ISSUED

# a customer of a mass send: the invoices and level proposed, and why it waits
# (reminded within its policy's minimum interval) or False
MassPlan = namedtuple("MassPlan", "partner moves level interval")


class AccountDunningSend(models.TransientModel):
    """Send reminder: what will go out, to whom, for which invoices, then send it."""

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
        "account.dunning.policy", compute="_compute_policy_id", string="Policy"
    )
    covered_move_ids = fields.Many2many(
        "account.move",
        "account_dunning_send_covered_rel",
        string="Invoices",
        compute="_compute_covered_move_ids",
        store=True,
        readonly=False,
        precompute=True,
        help="The invoices this reminder lists: the overdue ones by default.",
    )
    # the policy's proposal for the invoices listed, and why: what the level
    # starts from and what a level chosen by hand is compared with
    proposed_level_id = fields.Many2one(
        "account.dunning.level", compute="_compute_proposal"
    )
    proposal_reason = fields.Char(compute="_compute_proposal")
    level_id = fields.Many2one(
        "account.dunning.level",
        string="Level",
        compute="_compute_level_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('policy_id', '=', policy_id)]",
        help="Proposed: the next level of the invoices listed.",
    )
    send_email = fields.Boolean(
        string="Email",
        compute="_compute_channels",
        store=True,
        readonly=False,
        precompute=True,
    )
    send_letter = fields.Boolean(
        string="Letter",
        compute="_compute_channels",
        store=True,
        readonly=False,
        precompute=True,
    )
    create_activity = fields.Boolean(
        string="Activity",
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
        "account_dunning_send_recipient_rel",
        string="Recipients",
        compute="_compute_recipient_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    email_cc = fields.Char(string="CC")
    email_subject = fields.Char(
        string="Subject",
        compute="_compute_preview",
        store=True,
        readonly=False,
        precompute=True,
    )
    email_body = fields.Html(
        string="Body",
        compute="_compute_preview",
        store=True,
        readonly=False,
        precompute=True,
        sanitize="email_outgoing",
    )
    rendered_subject = fields.Char(
        compute="_compute_preview", store=True, precompute=True
    )
    preview_name = fields.Char(compute="_compute_preview", store=True, precompute=True)
    rendered_body = fields.Html(
        compute="_compute_preview",
        store=True,
        precompute=True,
        sanitize="email_outgoing",
    )
    # what the preview found that the warnings say, whatever the channels ticked
    preview_holds = fields.Text(compute="_compute_preview", store=True, precompute=True)
    preview_has_address = fields.Boolean(
        compute="_compute_preview", store=True, precompute=True
    )
    attachment_summary = fields.Char(
        string="Attachments", compute="_compute_attachment_summary"
    )
    mass_summary = fields.Html(compute="_compute_mass_summary", sanitize=False)
    # what an accountant should see before Send: the daily run's holds, the
    # channels that cannot go, a reminder within the policy's minimum interval
    warning_html = fields.Html(
        string="Before sending", compute="_compute_warnings", sanitize=False
    )
    interval_warning = fields.Char(compute="_compute_warnings")
    confirm_interval = fields.Boolean(
        string="Send within the interval",
        help="Send although the customer was reminded more recently than the "
        "policy's minimum interval; who and why go in the chatter.",
    )
    interval_reason = fields.Char(string="Why now")
    level_reason = fields.Char(string="Why this level", compute="_compute_level_reason")

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
            raise UserError(wizard._dunning_nothing_to_send())
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
        return self.env["account.dunning.reminder"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "=", "draft"),
            ],
            order="date desc, id desc",
            limit=1,
        )

    def _dunning_nothing_to_send(self):
        """Why this customer gets no reminder: what covers its invoices (a payment
        plan, a promise, a dispute, an exclusion, collection), or nothing open."""
        self.ensure_one()
        customer = self.partner_id.display_name
        rows = self._dunning_rows(self.partner_id._origin)
        reasons = {row.chase_reason for row in rows if row.residual > 0} - {None}
        texts = {
            "plan": _("its invoices are under a payment plan"),
            "promise": _("it promised to pay and the date has not passed"),
            "dispute": _("its invoices are disputed"),
            "excluded_invoice": _("its invoices are excluded from dunning"),
            "excluded_customer": _("it is excluded from dunning"),
            "collection": _("it is handed over to collection"),
        }
        told = [texts[reason] for reason in CHASE_REASONS if reason in reasons]
        if not told:
            return _("%(customer)s has no open invoice to remind.", customer=customer)
        return _(
            "No reminder for %(customer)s: %(reasons)s.",
            customer=customer,
            reasons="; ".join(told),
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("partner_ids")
    def _compute_is_mass(self):
        for wizard in self:
            wizard.is_mass = len(wizard.partner_ids) > 1
            wizard.partner_id = wizard.partner_ids[:1] if not wizard.is_mass else False

    @api.depends("partner_id", "company_id")
    def _compute_policy_id(self):
        for wizard in self:
            wizard.policy_id = wizard._dunning_policy_of(wizard.partner_id._origin)

    def _dunning_policy_of(self, partner):
        own = partner.with_company(self.company_id).dunning_policy_id
        return own if own.active else self.company_id.dunning_policy_id

    @api.depends("partner_id", "move_ids")
    def _compute_covered_move_ids(self):
        for wizard in self:
            if wizard.is_mass or not wizard.partner_id:
                wizard.covered_move_ids = False
                continue
            # on a new wizard, records read back are new ones: work on the stored ones
            partner = wizard.partner_id._origin
            rows = wizard._dunning_rows(partner)
            wizard.covered_move_ids = wizard._dunning_default_moves(partner, rows)

    @api.depends("covered_move_ids", "policy_id")
    def _compute_proposal(self):
        for wizard in self:
            if wizard.is_mass:
                wizard.proposed_level_id = wizard.proposal_reason = False
                continue
            level, why = wizard._dunning_level_why(
                wizard.policy_id._origin, wizard.covered_move_ids._origin
            )
            wizard.proposed_level_id, wizard.proposal_reason = level, why

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
        """The reminder as sending would create it, built once: its email, and
        what the warnings say of it (the holds, whether a letter can go)."""
        today = fields.Date.context_today(self)
        for wizard in self:
            subject = body = name = holds = False
            has_address = True
            if not wizard.is_mass and wizard.partner_id and wizard.level_id:
                preview = wizard._dunning_preview_reminder()
                name = preview.name
                template = wizard.level_id.mail_template_id
                if template:
                    # an unsaved record: its id is a NewId, which ``ids`` leaves out
                    values = template._generate_template(
                        [preview.id], ["subject", "body_html"]
                    )[preview.id]
                    subject, body = values.get("subject"), values.get("body_html")
                if preview.line_ids:
                    reasons = self.env["account.dunning.holds"]._hold_reasons(
                        preview, today
                    )
                    holds = "\n".join(reasons[preview.id]) or False
                addressee = preview._dunning_letter_addressee()
                has_address = addressee._dunning_has_postal_address()
            wizard.email_subject = wizard.rendered_subject = subject
            wizard.email_body = wizard.rendered_body = body
            wizard.preview_name = name
            wizard.preview_holds = holds
            wizard.preview_has_address = has_address

    @api.depends("level_id", "send_email", "covered_move_ids")
    def _compute_attachment_summary(self):
        for wizard in self:
            level = wizard.level_id
            names = []
            if wizard.send_email and level.attach_letter:
                names.append(_("the reminder letter"))
            if wizard.send_email and level.attach_invoices:
                names.append(
                    _("%(count)s invoice(s)", count=len(wizard.covered_move_ids))
                )
            if wizard.send_email and level.attach_statement:
                names.append(_("the customer statement"))
            wizard.attachment_summary = ", ".join(names) or _("None")

    @api.depends("partner_ids", "move_ids")
    def _compute_mass_summary(self):
        for wizard in self:
            if not wizard.is_mass:
                wizard.mass_summary = False
                continue
            plans, __ = wizard._dunning_mass_plans()
            wizard.mass_summary = self.env["ir.qweb"]._render(
                "account_dunning.dunning_send_mass_summary",
                {"plans": plans, "wizard": wizard},
            )

    @api.depends(
        "partner_id",
        "level_id",
        "send_email",
        "send_letter",
        "send_sms",
        "recipient_ids",
        "preview_holds",
        "preview_has_address",
    )
    def _compute_warnings(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            texts, interval = [], False
            partner = wizard.partner_id._origin
            if wizard.is_mass:
                interval = wizard._dunning_mass_interval_warning(today)
            elif partner and wizard.level_id:
                texts += (wizard.preview_holds or "").splitlines()
                texts += wizard._dunning_channel_problems()
                problem = wizard._dunning_interval_problems(partner, today)
                if problem:
                    interval = _(
                        "%(problem)s Tick Send within the interval and say why to "
                        "send now.",
                        problem=problem[partner.id],
                    )
            if interval:
                texts.append(interval)
            wizard.interval_warning = interval
            wizard.warning_html = (
                Markup("<ul>%s</ul>")
                % Markup("").join(Markup("<li>%s</li>") % text for text in texts)
                if texts
                else False
            )

    @api.depends("level_id", "proposed_level_id", "proposal_reason")
    def _compute_level_reason(self):
        for wizard in self:
            if wizard.is_mass or not wizard.level_id:
                wizard.level_reason = False
                continue
            proposed, why = wizard.proposed_level_id, wizard.proposal_reason
            if proposed and wizard.level_id.delay > proposed.delay:
                why = _(
                    "Above what the policy gives (%(proposed)s): %(why)s The "
                    "reminder's history says it was chosen by hand.",
                    proposed=proposed.name,
                    why=why,
                )
            wizard.level_reason = why

    def _dunning_mass_interval_warning(self, today):
        """In a mass send, the customers reminded within their policy's minimum
        interval: left out unless the accountant confirms."""
        problems = self._dunning_interval_problems(self.partner_ids._origin, today)
        if not problems:
            return False
        return _(
            "%(count)s customer(s) were reminded within their policy's minimum "
            "interval: they are left out, unless you tick Send within the interval "
            "and say why.",
            count=len(problems),
        )

    def _dunning_channel_problems(self):
        """The channels ticked that cannot go, as the dispatch would find them."""
        problems = []
        customer = self.partner_id.display_name
        if self.send_email and not any(self.recipient_ids._origin.mapped("email")):
            problems.append(
                _(
                    "No recipient has an email address: the email cannot go (a "
                    "letter goes instead where %(customer)s has a postal address).",
                    customer=customer,
                )
            )
        if self.send_sms:
            key = self.id or 0
            __, __, problem = self.env["account.dunning.dispatch"]._sms_targets(
                [
                    (
                        key,
                        self.level_id._origin,
                        self.recipient_ids._origin,
                        self.partner_id._origin,
                    )
                ]
            )[key]
            if problem:
                problems.append(problem + " " + _("The SMS is left out."))
        if self.send_letter and not self.preview_has_address:
            problems.append(
                _(
                    "%(customer)s has no complete postal address: the letter is left "
                    "out.",
                    customer=customer,
                )
            )
        return problems

    def _dunning_interval_problems(self, partners, today):
        """Per customer id of ``partners`` reminded more recently than its policy's
        minimum interval, the sentence that says so. One query: the reminders
        issued within the longest of those intervals."""
        days = {
            partner.id: self._dunning_policy_of(partner).min_interval_days
            for partner in partners
        }
        longest = max(days.values(), default=0)
        if not longest:
            return {}
        recent = self.env["account.dunning.reminder"].search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.company_id.id),
                ("state", "in", ISSUED),
                ("date", ">", today - timedelta(days=longest)),
            ],
            order="date desc, id desc",
        )
        problems = {}
        for last in recent:
            partner = last.partner_id
            if partner.id in problems or (today - last.date).days >= days[partner.id]:
                continue
            problems[partner.id] = _(
                "%(customer)s was reminded on %(date)s (%(level)s): the policy asks "
                "for %(days)s days between two reminders.",
                customer=partner.display_name,
                date=format_date(self.env, last.date),
                level=last.level_id.name,
                days=days[partner.id],
            )
        return problems

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _dunning_rows(self, partners):
        """Open entries of ``partners`` (one query), from the engine's select."""
        selection = self.env["account.dunning.selection"].with_company(self.company_id)
        return selection._open_rows(
            self.company_id,
            fields.Date.context_today(self),
            SQL("lp.commercial_partner_id = ANY(%s)", partners.ids),
        )

    def _dunning_default_moves(self, partner, rows):
        """The selected invoices of ``partner``; else its overdue ones that may be
        chased; else all its open ones that may be."""
        Move = self.env["account.move"]
        selected = self.move_ids._origin.filtered(
            lambda m: m.commercial_partner_id == partner
        )
        if selected:
            return selected
        today = fields.Date.context_today(self)
        mine = [
            row
            for row in rows
            if row.partner_id == partner.id and row.chaseable and row.residual > 0
        ]
        overdue = [row.move_id for row in mine if row.due and row.due < today]
        return Move.browse(overdue or [row.move_id for row in mine])

    def _dunning_proposed_level(self, policy, moves, rows=None):
        """The level the policy gives ``moves`` today (see ``_dunning_level_why``)."""
        return self._dunning_level_why(policy, moves, rows)[0]

    def _dunning_level_why(self, policy, moves, rows=None):
        """(level, why): the highest level the policy gives one of ``moves`` today,
        as the daily run raises them (days late, the level reached, level skip);
        an invoice with no next level due yet gets its level again (the first if it
        has none), at the top the top; and the sentence that says why. Days late
        from the selection's ``rows`` when given (a mass send: no query per
        customer), else from each invoice."""
        Level = self.env["account.dunning.level"]
        plan_policy = (
            policy
            and self.env["account.dunning.engine"]._policies({policy.id})[policy.id]
        )
        if not plan_policy or not plan_policy.levels:
            return Level, False
        levels, __ = plan_policy.ladder
        today = fields.Date.context_today(self)
        due = {row.move_id: row.due for row in rows or ()}
        best = None
        for move in moves or [None]:
            reached = move.dunning_level_id if move else Level
            if not move:
                days = 0
            elif move.id in due:
                days = (today - due[move.id]).days
            else:
                days = move.days_overdue
            current = reached.delay if reached else None
            raised = plan_policy.level_to_raise(current, days)
            following = plan_policy.next_level(current)
            if raised:
                level = raised
            elif following is None:
                level = levels[-1]
            else:
                same = [lvl for lvl in levels if lvl.id == reached.id]
                level = same[0] if same else levels[0]
            if best is None or level.delay > best[0].delay:
                best = (level, move, days, reached, raised, following)
        level, move, days, reached, raised, following = best
        record = Level.browse(level.id)
        name = move.name if move else ""
        if raised:
            why = _(
                "%(invoice)s is %(days)s days late: %(level)s comes at %(delay)s days.",
                invoice=name,
                days=days,
                level=record.name,
                delay=level.delay,
            )
            if plan_policy.allow_level_skip and raised != following:
                why += " " + _("The policy lets an invoice skip levels.")
        elif following is None:
            why = _(
                "%(invoice)s reached the last level, %(level)s.",
                invoice=name,
                level=record.name,
            )
        else:
            why = _(
                "%(invoice)s is %(days)s days late: the next level, %(next)s, comes "
                "at %(delay)s days; %(level)s until then.",
                invoice=name,
                days=days,
                next=Level.browse(following.id).name,
                delay=following.delay,
                level=record.name,
            )
        return record, why

    def _dunning_preview_reminder(self):
        """An unsaved reminder as sending would create it, to render the email."""
        self.ensure_one()
        Reminder = self.env["account.dunning.reminder"].with_company(self.company_id)
        partner = self.partner_id._origin
        vals = self._dunning_reminder_vals(
            partner,
            self.covered_move_ids._origin,
            self.level_id._origin,
            self._dunning_rows(partner),
            strict=False,
        )
        vals["name"] = self.env["account.dunning.numbering"]._peek(
            self.company_id, vals["date"]
        )
        vals["recipient_ids"] = [Command.set(self.recipient_ids._origin.ids)]
        return Reminder.new(vals)

    def _dunning_reminder_vals(
        self, partner, moves, level, rows, strict=True, charges=None
    ):
        """create() values of a manual reminder for ``moves`` of ``partner``: each
        invoice is raised to ``level`` unless it has reached a higher one. An invoice
        with nothing left to pay is refused (left out if not ``strict``)."""
        today = fields.Date.context_today(self)
        row_by_move = {row.move_id: row for row in rows}
        charges = charges or self.env["account.dunning.charges"]._charges(
            self.company_id, today
        )
        lines = []
        for move in moves:
            row = row_by_move.get(move.id)
            if row is None and not strict:
                continue
            if row is None:
                raise UserError(
                    _("Invoice %(invoice)s has nothing left to pay.", invoice=move.name)
                )
            current = move.dunning_level_id
            line_level = current if current and current.delay > level.delay else level
            days = (today - row.due).days if row.due else 0
            lines.append(Command.create(line_vals(row, line_level.id, days, charges)))
        return {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "policy_id": level.policy_id.id,
            "level_id": level.id,
            "date": today,
            "origin": "manual",
            "user_id": self.env.user.id,
            "line_ids": lines,
        }

    def _dunning_mass_plans(self):
        """Per customer of a mass send its ``MassPlan``, and the open entries they
        come from (one query for all customers)."""
        partners = self.partner_ids._origin
        today = fields.Date.context_today(self)
        rows = self._dunning_rows(partners)
        intervals = self._dunning_interval_problems(partners, today)
        plans = []
        for partner in partners:
            moves = self._dunning_default_moves(partner, rows)
            level = self._dunning_proposed_level(
                self._dunning_policy_of(partner), moves, rows
            )
            plans.append(
                MassPlan(partner, moves, level, intervals.get(partner.id, False))
            )
        return plans, rows

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    def action_send(self):
        """Create the reminder(s), advance the levels, and send through the channels
        chosen; the history of the customer and of each invoice shows it."""
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
        reason = (self.interval_reason or "").strip()
        if self.interval_warning and not (self.confirm_interval and reason):
            raise UserError(self.interval_warning)
        self.covered_move_ids._dunning_check_sendable()
        vals = self._dunning_reminder_vals(
            self.partner_id,
            self.covered_move_ids,
            self.level_id,
            self._dunning_rows(self.partner_id),
        )
        vals.update(
            send_email=self.send_email,
            send_letter=self.send_letter,
            create_activity=self.create_activity,
            send_sms=self.send_sms,
            recipient_ids=[Command.set(self.recipient_ids.ids)],
            email_cc=self.email_cc,
        )
        reminder = self.env["account.dunning.reminder"].create(vals)
        reminder._dunning_apply_edits(self)
        proposed = self.proposed_level_id
        if proposed and self.level_id.delay > proposed.delay:
            reminder._dunning_system_write({"level_forced": True})
            reminder._dunning_note(
                _(
                    "Level %(level)s chosen by %(user)s, above what the policy gives "
                    "(%(proposed)s).",
                    level=self.level_id.name,
                    user=self.env.user.name,
                    proposed=proposed.name,
                )
            )
        if self.interval_warning:
            self._dunning_note_within_interval(reminder, reason)
        reminder.action_send()
        self._dunning_supersede_drafts(reminder)
        return self._dunning_sent_notification(reminder)

    def _dunning_note_within_interval(self, reminders, reason):
        """Who sent ``reminders`` within the policy's minimum interval, and why."""
        for reminder in reminders:
            reminder._dunning_note(
                _(
                    "Sent within the policy's minimum interval by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            )

    def _dunning_sent_summary(self, reminder):
        """What went out, said after Send."""
        went = []
        if reminder.send_email:
            went.append(
                _(
                    "email to %(to)s",
                    to=", ".join(reminder.recipient_ids.mapped("email")),
                )
            )
        if reminder.send_letter:
            went.append(_("letter"))
        if reminder.sms_message_id:
            # sudo: the number the reminder's own SMS went to
            numbers = reminder.sms_message_id.sudo().notification_ids.mapped(
                "sms_number"
            )
            went.append(_("SMS to %(to)s", to=", ".join(filter(None, numbers))))
        if reminder.activity_id:
            went.append(
                _("activity for %(user)s", user=reminder.activity_id.user_id.name)
            )
        return _(
            "%(reminder)s for %(customer)s: %(channels)s.",
            reminder=reminder.name,
            customer=reminder.partner_id.display_name,
            channels="; ".join(went) or _("nothing went out"),
        )

    def _dunning_supersede_drafts(self, reminders):
        """A reminder sent by hand replaces its customer's drafts waiting for review
        (sending one of them later would remind the customer twice): cancelled,
        with a note saying by which reminder and whom."""
        sent = reminders.filtered(lambda r: r.state in ("sending", "sent"))
        if not sent:
            return
        drafts = self.env["account.dunning.reminder"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "in", sent.partner_id.ids),
                ("state", "=", "draft"),
                ("id", "not in", reminders.ids),
            ]
        )
        by_partner = {reminder.partner_id: reminder for reminder in sent}
        for draft in drafts:
            note = _(
                "Superseded by %(reminder)s, sent by %(user)s.",
                reminder=by_partner[draft.partner_id].name,
                user=self.env.user.name,
            )
            draft._dunning_note(note)
            draft._dunning_system_write(
                {
                    "state": "cancelled",
                    "cancel_reason": note,
                    "cancelled_by_id": self.env.user.id,
                }
            )

    def _dunning_send_mass(self):
        """One reminder per customer with something to remind; those reminded
        within their policy's minimum interval only when the accountant confirmed
        it (who and why in their chatter). Says after Send what went out, per
        customer."""
        plans, rows = self._dunning_mass_plans()
        reason = (self.interval_reason or "").strip()
        confirmed = bool(self.confirm_interval and reason)
        remindable = [plan for plan in plans if plan.moves and plan.level]
        to_send = [plan for plan in remindable if confirmed or not plan.interval]
        left_out = [plan for plan in remindable if plan.interval and not confirmed]
        if not to_send:
            raise UserError(
                " ".join(plan.interval for plan in left_out)
                if left_out
                else _("None of these customers has an open invoice to remind.")
            )
        charges = self.env["account.dunning.charges"]._charges(
            self.company_id, fields.Date.context_today(self)
        )
        reminders = self.env["account.dunning.reminder"].create(
            [
                self._dunning_reminder_vals(
                    plan.partner, plan.moves, plan.level, rows, charges=charges
                )
                for plan in to_send
            ]
        )
        within = {plan.partner.id for plan in to_send if plan.interval}
        self._dunning_note_within_interval(
            reminders.filtered(lambda r: r.partner_id.id in within), reason
        )
        reminders.action_send()
        self._dunning_supersede_drafts(reminders)
        return self._dunning_sent_notification(reminders, left_out)

    def _dunning_sent_notification(self, reminders, left_out=()):
        """What a send did, customer by customer: what went out, what could not,
        and the customers left out (``MassPlan``s)."""
        said = []
        for reminder in reminders:
            if reminder.state in ISSUED:
                said.append(self._dunning_sent_summary(reminder))
            else:
                said.append(
                    _(
                        "%(reminder)s for %(customer)s could not be sent: %(reason)s",
                        reminder=reminder.name,
                        customer=reminder.partner_id.display_name,
                        reason=reminder.failure_reason
                        or reminder.hold_reason
                        or _("see the reminder"),
                    )
                )
        # self.env._: a comprehension's frame does not see the env _() looks for
        said += [
            self.env._("Left out: %(why)s", why=plan.interval) for plan in left_out
        ]
        complete = not left_out and all(
            reminder.state in ISSUED for reminder in reminders
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if complete else "warning",
                "sticky": not complete,
                "message": " ".join(said),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
