# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credit: holds that reminders put and lift, exposure against the credit limit and
the block on posting (extending core's credit-limit computation)."""

from odoo import _, api, models
from odoo.exceptions import UserError

from .access import MANAGER
from .account_dunning_charges import FEE_POSTING


class AccountDunningCredit(models.AbstractModel):
    """Service: credit holds, exposure and the posting block."""

    _name = "account.dunning.credit"
    _description = "Dunning Credit"

    def _apply_holds(self, reminders):
        """Customers reminded at a level that puts them on credit hold."""
        for reminder in reminders.filtered(lambda r: r.level_id.credit_hold):
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
    def _held_customers_domain(self):
        """The customers on credit hold, in the company of the environment (the
        flag is kept per company): the commercial partners whose flag is set."""
        return [("credit_hold", "=", True), ("parent_id", "=", False)]

    @api.model
    def _release_holds(self, company):
        """Customers on hold with nothing overdue any more, where the company
        releases holds by itself."""
        if not company.dunning_credit_hold_release:
            return self.env["res.partner"]
        held = (
            self.env["res.partner"]
            .with_company(company)
            .search(self._held_customers_domain())
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

    # ------------------------------------------------------------------
    # Exposure, against the credit limit
    # ------------------------------------------------------------------
    @api.model
    def _exposure(self, customers, company):
        """{commercial partner: what it owes or is about to owe in ``company``}: its
        open receivables, its draft invoices net of draft credit notes, and what its
        confirmed sales orders still have to invoice (core's ``credit_to_invoice``,
        with Sales), the part of a draft invoice that comes from an order counted
        once (core's ``_get_partner_credit_warning_exclude_amount``)."""
        # sudo: the exposure is the company's figure, the same whoever looks: every
        # draft and every order counts, not only those the user may read
        customers = customers.sudo().with_company(company)
        Move = self.env["account.move"].sudo().with_company(company)  # as above
        drafts = Move.search(
            [
                ("commercial_partner_id", "in", customers.ids),
                ("state", "=", "draft"),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("company_id", "=", company.id),
            ]
        )
        pending = dict.fromkeys(customers, 0.0)
        for draft in drafts:
            counted = draft._get_partner_credit_warning_exclude_amount()
            pending[draft.commercial_partner_id] += draft.amount_total_signed - counted
        return {
            customer: customer.credit + pending[customer] + customer.credit_to_invoice
            for customer in customers
        }

    @api.model
    def _checks(self, move):
        """Whether this addon tells the credit position of ``move``: a draft customer
        invoice of a company that checks credit."""
        return (
            move.state == "draft"
            and move.move_type == "out_invoice"
            and bool(move.partner_id)
            and move.company_id.dunning_credit_check != "none"
        )

    @api.model
    def _warnings(self, moves, blocking=False):
        """{move: what the credit position of its customer calls for, or False}: a
        hold; with Odoo's credit limits on (the Invoicing setting), an exposure over
        the limit or (unless ``blocking``) an alert threshold reached. The exposures
        are computed once per company for all the customers of ``moves``."""
        warnings = {}
        for company, company_moves in moves.grouped("company_id").items():
            # sudo: the block applies whoever posts (a salesperson too) and says
            # why; the customers' hold and exposure are read for that, not shown
            customers = company_moves.commercial_partner_id.sudo().with_company(company)
            # computed on the fly from the journal: read afresh, not from the cache
            customers.invalidate_recordset(
                ["credit", "credit_to_invoice", "credit_hold"]
            )
            exposures = None
            if company.account_use_credit_limit:
                exposures = self._exposure(customers, company)
            for move in company_moves:
                warnings[move] = self._warning_of(
                    move,
                    customers.browse(move.commercial_partner_id.id),
                    exposures,
                    blocking,
                )
        return warnings

    @api.model
    def _warning_of(self, move, customer, exposures, blocking):
        """The warning of one move (see ``_warnings``); ``exposures`` None when the
        company does not use credit limits."""
        if customer.credit_hold:
            return _("%(customer)s is on credit hold.", customer=customer.name)
        limit = customer.credit_limit
        if exposures is None or limit <= 0:
            return False
        # unsaved drafts are not counted in the exposure yet
        pending = 0.0
        if not move.id:
            pending = (
                move.amount_total_signed
                - move._get_partner_credit_warning_exclude_amount()
            )
        exposure = exposures[customer] + pending
        usage = exposure / limit * 100
        company = move.company_id
        currency = company.currency_id
        if exposure > limit:
            return _(
                "%(customer)s would owe %(exposure)s, over its credit limit of "
                "%(limit)s.",
                customer=customer.name,
                exposure=currency.format(exposure),
                limit=currency.format(limit),
            )
        reached = [t for t in company._dunning_credit_thresholds() if usage >= t]
        if blocking or not reached:
            return False
        return _(
            "%(customer)s uses %(usage)s %% of its credit limit of %(limit)s.",
            customer=customer.name,
            usage=round(usage),
            limit=currency.format(limit),
        )

    @api.model
    def _approve_by_risk_wizard(self, blocked):
        """A manager who continued OCA's partner risk wizard (its ``bypass_risk``)
        decided over the limit: that is the approval, not a second confirmation.
        Only a manager's: anyone else's context counts for nothing here."""
        if not self.env.context.get("bypass_risk") or not self.env.user.has_group(
            MANAGER
        ):
            return
        # sudo: the manager's approval, written as the override wizard writes it
        todo = [
            move for move in blocked if not move.sudo().dunning_credit_override_reason
        ]
        for move in todo:
            move.sudo().write(  # as above
                {
                    "dunning_credit_override_reason": _(
                        "Confirmed over the partner risk warning"
                    ),
                    "dunning_credit_override_user_id": self.env.user.id,
                }
            )

    @api.model
    def _check_posting(self, moves):
        """Block posting customer invoices over the credit limit or on hold, where
        the company blocks; an accounting manager may override with a reason. The
        fees of sent reminders are not blocked: they charge for credit already
        given (see ``account.dunning.charges``)."""
        if self.env.context.get("dunning_fee_posting") is FEE_POSTING:
            return
        candidates = moves.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.company_id.dunning_credit_check == "block"
        )
        # one check per customer: its exposure already counts all its drafts
        groups = candidates.grouped(lambda m: (m.company_id, m.commercial_partner_id))
        firsts = candidates.browse([group[0].id for group in groups.values()])
        warnings = self._warnings(firsts, blocking=True)
        blocked = {}
        for group in groups.values():
            if warnings[group[0]]:
                blocked.update(dict.fromkeys(group, warnings[group[0]]))
        if not blocked:
            return
        self._approve_by_risk_wizard(blocked)
        # sudo: the approval is a manager's field; whoever posts next (another
        # module's step, a user) posts over the block a manager lifted
        approved = [
            move for move in blocked if move.sudo().dunning_credit_override_reason
        ]
        for move in approved:
            approval = move.sudo()  # as above: the manager's approval, for the note
            move.message_post(
                body=_(
                    "Posted over the credit block by %(user)s: %(reason)s",
                    user=approval.dunning_credit_override_user_id.name,
                    reason=approval.dunning_credit_override_reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
            del blocked[move]
        if not blocked:
            return
        raise UserError(
            "\n".join(dict.fromkeys(blocked.values()))
            + "\n"
            + _(
                "The invoice cannot be posted. An accounting manager may post it "
                "anyway with a reason (Override credit block)."
            )
        )
