# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The engine at the doors where a user sends by hand: Send reminder on an invoice,
on a customer, on many, and Send on a draft.

They ask the engine what the daily run asks it: the selection's rows and
``dunning.plan`` (``propose_manual``) say which invoices go, at which level, which
are left out and why, whether credits cover the claim, whether the minimum interval
holds; the safety holds are the daily run's. A reminder sent by hand then takes over
its invoices from the drafts waiting for review, invoice by invoice.
"""

from typing import NamedTuple

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..dunning.plan import (
    ALL_LEFT_OUT,
    CREDIT_COVERS,
    NO_LEVEL,
    NOTHING_OPEN,
    Customer,
    propose_manual,
)
from .account_dunning_engine import line_vals
from .account_dunning_selection import ISSUED


class DoorProposal(NamedTuple):
    """What a reminder sent by hand would carry for one customer."""

    partner: object  # res.partner
    policy: object  # account.dunning.policy (the effective one)
    moves: object  # account.move: the invoices reminded
    level: object  # account.dunning.level proposed
    why: str | bool  # why that level
    left_out: list  # [(account.move, why)] chosen but not reminded
    blocked: str | bool  # why no reminder goes at all
    interval: str | bool  # reminded within the policy's minimum interval
    holds: list  # the safety holds: sentences a user must confirm
    rows: list  # the selection's rows of the customer (OpenRow)
    amount_to_claim: float  # company currency, credits netted


class AccountDunningEngine(models.AbstractModel):
    _inherit = "account.dunning.engine"

    # ------------------------------------------------------------------
    # Propose
    # ------------------------------------------------------------------
    @api.model
    def _propose_manual(self, company, partners, moves=None, date=None):
        """{partner: DoorProposal} for each commercial partner of ``partners`` (or
        of ``moves``): one selection query, the plan's rules, the holds of the
        daily run. ``moves``: the invoices a user chose (each customer's own)."""
        date = date or fields.Date.context_today(self)
        moves = moves or self.env["account.move"]
        partners = (partners or moves.commercial_partner_id).commercial_partner_id
        rows = self.env["account.dunning.selection"]._open_rows(
            company,
            date,
            SQL("lp.commercial_partner_id = ANY(%s)", partners.ids),
        )
        customers = {c.partner_id: c for c in self._customers(rows, company, date)}
        policies = self._policies({row.policy_id for row in rows} - {None})
        policy_records = self.env["account.dunning.policy"].browse(policies)
        proposals = {}
        for partner in partners:
            customer = customers.get(partner.id)
            policy_id = customer.policy_id if customer else None
            own = moves.filtered(lambda m, p=partner: m.commercial_partner_id == p)
            planned = propose_manual(
                customer or Customer(partner.id, None, []),
                policies.get(policy_id),
                date,
                set(own.ids) if own else None,
            )
            proposals[partner] = self._door_proposal(
                partner,
                policy_records.filtered(lambda p, i=policy_id: p.id == i),
                planned,
                [row for row in rows if row.partner_id == partner.id],
                date,
            )
        return self._with_holds(company, date, proposals)

    def _door_proposal(self, partner, policy, planned, rows, date):
        Move = self.env["account.move"]
        level = self.env["account.dunning.level"].browse(planned.level_id or [])
        reasons = self._chase_reason_texts()
        left_out = [
            (Move.browse(move_id), reasons.get(reason, reason))
            for move_id, reason in planned.left_out
        ]
        return DoorProposal(
            partner=partner,
            policy=policy,
            # in a stable order (the selection's rows come in any): its lines, the
            # letter and the totals per currency read the same every time
            moves=Move.browse(sorted(r.move_id for r in planned.raises)),
            level=level,
            why=self._level_why(planned, level),
            left_out=left_out,
            blocked=self._blocked_text(partner, planned, left_out),
            interval=planned.within_interval
            and self._interval_text(partner, policy, rows, date),
            holds=[],
            rows=rows,
            amount_to_claim=planned.amount_to_claim,
        )

    def _with_holds(self, company, date, proposals):
        """The proposals with the daily run's safety holds of what they would send."""
        sendable = {p.id: prop.moves for p, prop in proposals.items() if prop.moves}
        holds = self.env["account.dunning.holds"]._customer_hold_reasons(
            company, date, sendable
        )
        return {
            partner: proposal._replace(holds=holds.get(partner.id, []))
            for partner, proposal in proposals.items()
        }

    @api.model
    def _chase_reason_texts(self):
        """Why an invoice is not reminded, as the doors tell it (the selection's
        ``chase_reason``)."""
        return {
            "excluded_invoice": _("excluded from dunning"),
            "excluded_customer": _("the customer is excluded from dunning"),
            "collection": _("the customer is handed over to collection"),
            "dispute": _("disputed"),
            "promise": _("a promise to pay covers it"),
            "plan": _("under a payment plan"),
        }

    def _blocked_text(self, partner, planned, left_out):
        customer = partner.display_name
        if planned.blocked == NOTHING_OPEN:
            return _("%(customer)s has no open invoice to remind.", customer=customer)
        if planned.blocked == CREDIT_COVERS:
            return _(
                "%(customer)s has credits to apply that cover what a reminder would "
                "claim: nothing is owed.",
                customer=customer,
            )
        if planned.blocked == NO_LEVEL:
            return _(
                "The dunning policy of %(customer)s has no active level.",
                customer=customer,
            )
        if planned.blocked == ALL_LEFT_OUT:
            return _(
                "No reminder for %(customer)s: %(invoices)s.",
                customer=customer,
                invoices="; ".join(f"{move.name} ({why})" for move, why in left_out),
            )
        return False

    def _interval_text(self, partner, policy, rows, date):
        last = rows[0].last_reminder_date if rows else None
        return _(
            "%(customer)s was reminded on %(date)s: the policy asks for %(days)s "
            "days between two reminders.",
            customer=partner.display_name,
            date=format_date(self.env, last),
            days=policy.min_interval_days,
        )

    def _level_why(self, planned, level):
        """The sentence that says why the proposal takes ``level``: the invoice
        that decides it is raised to it, or it reached the top, or it keeps its
        level until the next one is due."""
        decisive = planned.decisive
        if not decisive:
            return False
        move = self.env["account.move"].browse(decisive.move_id)
        days, reached = decisive.days_overdue, move.dunning_level_id
        above = reached.delay if reached else None
        following = level.policy_id.level_ids.filtered(
            lambda lvl: lvl.active and (above is None or lvl.delay > above)
        ).sorted("delay")[:1]
        if days >= level.delay and (above is None or level.delay > above):
            why = _(
                "%(invoice)s is %(days)s days late: %(level)s comes at %(delay)s days.",
                invoice=move.name,
                days=days,
                level=level.name,
                delay=level.delay,
            )
            if following != level:  # raised past the next level
                why += " " + _("The policy lets an invoice skip levels.")
            return why
        if not following:
            return _(
                "%(invoice)s reached the last level, %(level)s.",
                invoice=move.name,
                level=level.name,
            )
        return _(
            "%(invoice)s is %(days)s days late: the next level, %(next)s, comes at "
            "%(delay)s days; %(level)s until then.",
            invoice=move.name,
            days=days,
            next=following.name,
            delay=following.delay,
            level=level.name,
        )

    # ------------------------------------------------------------------
    # Create
    # ------------------------------------------------------------------
    @api.model
    def _manual_reminder_vals(self, company, proposal, level, date, charges=None):
        """create() values of a reminder sent by hand from ``proposal``: each
        invoice at ``level``, unless it reached a higher one already."""
        charges = charges or self.env["account.dunning.charges"]._charges(company, date)
        row_by_move = {row.move_id: row for row in proposal.rows}
        lines = []
        for move in proposal.moves:
            row = row_by_move[move.id]
            current = move.dunning_level_id
            line_level = current if current and current.delay > level.delay else level
            days = (date - row.due).days if row.due else 0
            lines.append(
                fields.Command.create(line_vals(row, line_level.id, days, charges))
            )
        return {
            "partner_id": proposal.partner.id,
            "company_id": company.id,
            "policy_id": level.policy_id.id,
            "level_id": level.id,
            "date": date,
            "origin": "manual",
            "user_id": self.env.user.id,
            "line_ids": lines,
        }

    @api.model
    def _preview(self, company, proposal, level, recipients):
        """What a reminder sent by hand from ``proposal`` at ``level`` would say,
        rendered as sending renders it: {name, subject, body, holds, has_address}
        (all False but has_address when nothing would go)."""
        result = dict.fromkeys(("name", "subject", "body", "holds"), False)
        result["has_address"] = True
        if not proposal or not proposal.moves or not level:
            return result
        today = fields.Date.context_today(self)
        vals = self._manual_reminder_vals(company, proposal, level, today)
        vals["name"] = self.env["account.dunning.numbering"]._peek(company, today)
        vals["recipient_ids"] = [fields.Command.set(recipients.ids)]
        Reminder = self.env["account.dunning.reminder"].with_company(company)
        preview = Reminder.new(vals)
        result.update(name=preview.name, holds="\n".join(proposal.holds) or False)
        if level.mail_template_id:
            # an unsaved record: its id is a NewId, which ``ids`` leaves out
            values = level.mail_template_id._generate_template(
                [preview.id], ["subject", "body_html"]
            )[preview.id]
            result.update(subject=values.get("subject"), body=values.get("body_html"))
        addressee = preview._dunning_letter_addressee()
        result["has_address"] = addressee._dunning_has_postal_address()
        return result

    @api.model
    def _create_manual(self, company, items, reason=""):
        """Reminders sent by hand: ``items`` are (DoorProposal, level, extra
        create() values); a level above the proposal's, an interval or a hold
        overridden are noted with who and ``reason``."""
        date = fields.Date.context_today(self)
        charges = self.env["account.dunning.charges"]._charges(company, date)
        reminders = self.env["account.dunning.reminder"].create(
            [
                dict(self._manual_reminder_vals(company, p, lvl, date, charges), **x)
                for p, lvl, x in items
            ]
        )
        for reminder, (proposal, level, __) in zip(reminders, items, strict=True):
            if proposal.level and level.delay > proposal.level.delay:
                reminder._dunning_system_write({"level_forced": True})
                reminder._dunning_note(
                    _(
                        "Level %(level)s chosen by %(user)s, above what the policy "
                        "gives (%(proposed)s).",
                        level=level.name,
                        user=self.env.user.name,
                        proposed=proposal.level.name,
                    )
                )
        self._record_overrides(reminders, [item[0] for item in items], reason)
        return reminders

    @api.model
    def _send_manual(self, reminders, left_out=()):
        """Send reminders made by hand or drafts (brought up to today; those with
        nothing left to remind are cancelled with why), take their invoices over
        from the drafts waiting for review, and say what went out and what was
        left out. One reminder that cannot be sent is refused, with its reason."""
        today = fields.Date.context_today(self)
        stale = self._retire_stale_drafts(today, drafts=reminders)
        going = reminders - stale
        emptied = self._refresh_drafts(going, today)
        for draft in emptied:  # emptied since the check above: the same answer
            self._cancel_stale(draft, _("paid since"))
        going -= emptied
        sent = self.env["account.dunning.dispatch"]._send(going) if going else going
        unsent = going - sent
        if unsent and len(reminders) == 1:
            raise UserError(
                unsent.failure_reason or _("The reminder could not be sent.")
            )
        self._supersede_drafts(sent)
        return self._send_notification(reminders, left_out)

    @api.model
    def _send_notification(self, reminders, left_out=()):
        """What a send did, customer by customer, the same after every door: what
        went out, what could not and why, and what was left out and why."""
        said = []
        for reminder in reminders:
            if reminder.state in ISSUED:
                said.append(self._sent_summary(reminder))
            elif reminder.state == "cancelled":
                said.append(reminder.cancel_reason or "")
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
        said += [self.env._("Left out: %(why)s", why=why) for why in left_out]
        complete = not left_out and all(r.state in ISSUED for r in reminders)
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

    def _sent_summary(self, reminder):
        """What went out for ``reminder``, said after Send."""
        went = []
        if reminder.send_email:
            emails = ", ".join(reminder.recipient_ids.mapped("email"))
            went.append(_("email to %(to)s", to=emails))
        if reminder.send_letter:
            went.append(_("letter"))
        if reminder.sms_message_id:
            # sudo: the number the reminder's own SMS went to
            sms = reminder.sms_message_id.sudo()
            numbers = ", ".join(filter(None, sms.notification_ids.mapped("sms_number")))
            went.append(_("SMS to %(to)s", to=numbers))
        if reminder.activity_id:
            user = reminder.activity_id.user_id.name
            went.append(_("activity for %(user)s", user=user))
        return _(
            "%(reminder)s for %(customer)s: %(channels)s.",
            reminder=reminder.name,
            customer=reminder.partner_id.display_name,
            channels="; ".join(went) or _("nothing went out"),
        )

    @api.model
    def _supersede_drafts(self, reminders):
        """Reminders sent by hand take over their invoices from the drafts waiting
        for review, invoice by invoice: a draft keeps its other invoices (its level
        follows them) and is cancelled only once none is left."""
        sent = reminders.filtered(lambda r: r.state in ("sending", "sent"))
        if not sent:
            return
        drafts = self.env["account.dunning.reminder"].search(
            [
                ("company_id", "in", sent.company_id.ids),
                ("partner_id", "in", sent.partner_id.ids),
                ("state", "=", "draft"),
                ("id", "not in", reminders.ids),
            ]
        )
        for draft in drafts:
            mine = sent.filtered(
                lambda r, d=draft: r.partner_id == d.partner_id
                and r.company_id == d.company_id
            )
            taken = draft.line_ids.filtered(
                lambda line, moves=mine.line_ids.move_id: line.move_id in moves
            )
            if taken:
                self._hand_over_lines(draft, taken, mine)

    def _hand_over_lines(self, draft, taken, by):
        """Take ``taken`` lines out of ``draft``: now reminded by ``by``."""
        user = self.env.user.name
        names = ", ".join(by.mapped("name"))
        if taken == draft.line_ids:
            note = _(
                "Superseded by %(reminder)s, sent by %(user)s.",
                reminder=names,
                user=user,
            )
            draft._dunning_note(note)
            draft._dunning_system_write(
                {
                    "state": "cancelled",
                    "cancel_reason": note,
                    "cancelled_by_id": self.env.user.id,
                }
            )
            return
        draft._dunning_note(
            _(
                "%(invoices)s now reminded by %(reminder)s, sent by %(user)s; this "
                "draft keeps its other invoices.",
                invoices=", ".join(taken.move_id.mapped("name")),
                reminder=names,
                user=user,
            )
        )
        # sudo: the pipeline's own lines of a draft, whoever sent the other reminder
        taken.sudo().unlink()
        top = draft.line_ids.level_id.sorted("delay")[-1:]
        if top and top != draft.level_id:
            draft._dunning_system_write({"level_id": top.id})

    # ------------------------------------------------------------------
    # What a user may override, and the record of it
    # ------------------------------------------------------------------
    @api.model
    def _door_refusal(self, proposal, interval_reason=False, hold_reason=False):
        """Why ``proposal`` cannot go, or False: nothing to send, an invoice the
        daily run does not remind (never overridden), a minimum interval or a hold
        a user did not confirm with a why (what Send Anyway overrides)."""
        if proposal.blocked:
            return proposal.blocked
        if proposal.left_out:
            return _(
                "These invoices cannot be reminded: %(invoices)s. Remove them.",
                invoices="; ".join(f"{m.name} ({why})" for m, why in proposal.left_out),
            )
        if proposal.interval and not (interval_reason or "").strip():
            return _(
                "%(problem)s Tick Send within the interval and say why to send now.",
                problem=proposal.interval,
            )
        if proposal.holds and not (hold_reason or "").strip():
            return _(
                "%(customer)s: %(holds)s Tick Send despite the holds and say why to "
                "send now.",
                customer=proposal.partner.display_name,
                holds=" ".join(proposal.holds),
            )
        return False

    @api.model
    def _door_warnings(self, proposals, mass=False):
        """What a user reads before Send: (sentences, interval warning, hold
        warning). One customer: each invoice left out and why, the holds; many:
        how many customers the interval and the holds leave out."""
        sendable = [p for p in proposals if not p.blocked]
        within = [p for p in sendable if p.interval]
        held = [p for p in sendable if p.holds]
        if mass:
            interval = within and _(
                "%(count)s customer(s) were reminded within their policy's minimum "
                "interval: they are left out, unless you tick Send within the "
                "interval and say why.",
                count=len(within),
            )
            holds = held and _(
                "%(count)s customer(s) would be held for review by the daily run: "
                "they are left out, unless you tick Send despite the holds and say "
                "why.",
                count=len(held),
            )
            return [], interval or False, holds or False
        texts = [
            _("%(invoice)s is left out: %(why)s.", invoice=move.name, why=why)
            for proposal in proposals
            for move, why in proposal.left_out
        ]
        texts += [hold for proposal in held for hold in proposal.holds]
        interval = within and _(
            "%(problem)s Tick Send within the interval and say why to send now.",
            problem=within[0].interval,
        )
        holds = held and _(
            "The daily run would hold this reminder for review: tick Send despite "
            "the holds and say why to send it now."
        )
        return texts, interval or False, holds or False

    @api.model
    def _record_overrides(self, reminders, proposals, reason):
        """Who sent within the interval or despite the holds, and why: in each
        reminder's chatter; the holds kept on it, cleared by the user, as Send
        Anyway keeps them."""
        by_partner = {proposal.partner: proposal for proposal in proposals}
        user, reason = self.env.user, (reason or "").strip()
        for reminder in reminders:
            proposal = by_partner[reminder.partner_id]
            if proposal.interval:
                reminder._dunning_note(
                    _(
                        "Sent within the policy's minimum interval by %(user)s: "
                        "%(reason)s",
                        user=user.name,
                        reason=reason,
                    )
                )
            if proposal.holds:
                hold = "\n".join(proposal.holds)
                reminder._dunning_system_write(
                    {"hold_reason": hold, "hold_cleared_by_id": user.id}
                )
                reminder._dunning_note(
                    _(
                        "Sent despite the hold by %(user)s: %(reason)s The hold: "
                        "%(hold)s",
                        user=user.name,
                        reason=reason,
                        hold=hold,
                    )
                )

    # ------------------------------------------------------------------
    # Drafts that cannot go
    # ------------------------------------------------------------------
    @api.model
    def _retire_stale_drafts(self, date, partners=None, drafts=None):
        """Cancel the drafts waiting for review (of ``partners``, or ``drafts``, or
        all) that have nothing left to remind on ``date`` (paid, or no longer
        chased: a plan, a promise, a dispute, a hand-over, an exclusion), each with
        its reason, so that the customer's status follows. Returns them."""
        if drafts is None:
            domain = [("state", "=", "draft")]
            if partners is not None:
                domain.append(("partner_id", "in", partners.commercial_partner_id.ids))
            drafts = self.env["account.dunning.reminder"].search(domain)
        drafts = drafts.filtered(lambda r: r.state == "draft")
        stale = drafts.browse()
        for company in drafts.company_id:
            ours = drafts.filtered(lambda r, c=company: r.company_id == c)
            rows = self.env["account.dunning.selection"]._open_rows(
                company,
                date,
                SQL("lp.commercial_partner_id = ANY(%s)", ours.partner_id.ids),
                instalments=False,
            )
            by_move = {row.move_id: row for row in rows}
            for draft in ours:
                why = self._why_nothing_left(draft, by_move)
                if why:
                    self._cancel_stale(draft, why)
                    stale |= draft
        return stale

    def _why_nothing_left(self, draft, by_move):
        """Why none of the draft's invoices can be reminded, or False."""
        reasons = self._chase_reason_texts()
        found = []
        for move in draft.line_ids.move_id:
            row = by_move.get(move.id)
            if row is not None and row.residual > 0 and row.chase_reason is None:
                return False
            found.append(
                f"{move.name} ("
                + (
                    _("paid")
                    if row is None or row.residual <= 0
                    else reasons.get(row.chase_reason, row.chase_reason)
                )
                + ")"
            )
        return "; ".join(found)

    def _cancel_stale(self, draft, why):
        note = _("Cancelled: nothing is left to remind: %(why)s.", why=why)
        draft._dunning_note(note)
        draft._dunning_system_write({"state": "cancelled", "cancel_reason": note})
