# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The run looks before it sends: what suggests that a reminder may be wrong keeps
it as a draft for review (its ``hold_reason``), even at an automatic level.

Each hold says what an accountant should look at first: an invoice that may be a
duplicate, money of the customer not applied yet, an account in credit, a bank
feed that may not have brought the latest payments, a payment registered but not
booked yet. A hold is cleared by the accountant ("Send anyway", who and when
kept), or it goes by itself: the next run replaces a held reminder of an earlier
day with a fresh one, held again only if its cause is still there.
"""

from datetime import timedelta

from odoo import _, api, models
from odoo.tools import SQL, format_date


class AccountDunningHolds(models.AbstractModel):
    """Service: why reminders should wait for a human, computed for a batch."""

    _name = "account.dunning.holds"
    _description = "Dunning Safety Holds"

    @api.model
    def _hold_reasons(self, reminders, date):
        """Per reminder id, the reasons (a list of sentences, empty when none) to
        keep it for review. A few grouped queries for the whole batch."""
        reasons = {reminder.id: [] for reminder in reminders}
        for company in reminders.company_id:
            ours = reminders.filtered(lambda r, c=company: r.company_id == c)
            found = self._customer_hold_reasons(
                company, date, {r.partner_id.id: r.line_ids.move_id for r in ours}
            )
            for reminder in ours:
                reasons[reminder.id] = found[reminder.partner_id.id]
        return reasons

    @api.model
    def _customer_hold_reasons(self, company, date, moves_by_partner):
        """Per customer id, the reasons to keep its reminder of ``company`` for the
        invoices ``moves_by_partner[id]`` for review: what the daily run holds, and
        what every door that sends by hand asks a user to confirm."""
        partner_ids = list(moves_by_partner)
        found = {partner_id: [] for partner_id in partner_ids}
        if not partner_ids:
            return found
        for partner_id, text in self._duplicates(company, partner_ids):
            found[partner_id].append(text)
        for partner_id, text in self._money_to_apply(company, date, partner_ids):
            found[partner_id].append(text)
        stale = self._stale_bank_feed(company, date)
        for partner_id, moves in moves_by_partner.items():
            found[partner_id] += self._unbooked_payments(moves)
            if stale:
                found[partner_id].append(stale)
        return found

    # --- the holds ------------------------------------------------------------------
    @api.model
    def _duplicates(self, company, partner_ids):
        """(customer, sentence) for each pair of open invoices of the customer that
        look like one invoice entered twice: the same amount and invoice date, or
        the same customer reference."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH open_invoices AS (
                       SELECT m.commercial_partner_id AS partner_id, m.name,
                              m.amount_total, m.invoice_date, m.ref
                         FROM account_move m
                        WHERE m.company_id = %(company)s
                          AND m.commercial_partner_id = ANY(%(partners)s)
                          AND %(open)s
                   )
                   SELECT partner_id, ARRAY_AGG(name ORDER BY name)
                     FROM open_invoices
                    GROUP BY partner_id, amount_total, invoice_date
                   HAVING COUNT(*) > 1
                   UNION ALL
                   SELECT partner_id, ARRAY_AGG(name ORDER BY name)
                     FROM open_invoices
                    WHERE COALESCE(ref, '') != ''
                    GROUP BY partner_id, ref
                   HAVING COUNT(*) > 1""",
                company=company.id,
                partners=partner_ids,
                open=self.env["account.move"]._dunning_open_sql("m"),
            )
        )
        seen = set()
        result = []
        for partner_id, names in self.env.cr.fetchall():
            key = (partner_id, tuple(names))
            if key in seen:  # same amount and date, and the same reference too
                continue
            seen.add(key)
            result.append(
                (
                    partner_id,
                    _(
                        "Possible duplicate invoices: %(names)s (same amount and "
                        "date, or same reference). Cancel the duplicate or confirm "
                        "both are owed.",
                        names=", ".join(names),
                    ),
                )
            )
        return result

    @api.model
    def _money_to_apply(self, company, date, partner_ids):
        """(customer, sentence) where the customer has a payment or a credit note
        not yet applied, or an account in credit overall."""
        figures = self.env["account.dunning.selection"]._customer_figures(
            company, date, partner_ids
        )
        currency = company.currency_id
        result = []
        for partner_id, row in figures.items():
            if row["balance"] < 0:
                result.append(
                    (
                        partner_id,
                        _(
                            "The customer's account is in credit (%(amount)s): it "
                            "may have paid too much. Refund or apply it first.",
                            amount=currency.format(-row["balance"]),
                        ),
                    )
                )
            elif row["credit"] > 0:
                result.append(
                    (
                        partner_id,
                        _(
                            "A payment or credit note of %(amount)s is not applied "
                            "to any invoice yet. Reconcile it first: the customer "
                            "may have paid what the reminder claims.",
                            amount=currency.format(row["credit"]),
                        ),
                    )
                )
        return result

    @api.model
    def _stale_bank_feed(self, company, date):
        """A sentence when the company's bank journals brought no statement line for
        longer than its setting (0: never), though they did bring some before."""
        days = company.dunning_bank_feed_days
        if days <= 0:
            return ""
        self.env.flush_all()
        # a statement line is an entry (its date is the entry's)
        self.env.cr.execute(
            SQL(
                """SELECT MAX(m.date)
                     FROM account_bank_statement_line l
                     JOIN account_move m ON m.id = l.move_id
                     JOIN account_journal j ON j.id = l.journal_id
                    WHERE j.company_id = %s AND j.type = 'bank'""",
                company.id,
            )
        )
        last = self.env.cr.fetchone()[0]
        if not last or last >= date - timedelta(days=days):
            return ""
        return _(
            "No bank statement line since %(date)s: payments received since may not "
            "be booked yet. Import the bank statements first.",
            date=format_date(self.env, last),
        )

    @api.model
    def _unbooked_payments(self, moves):
        """Sentences for ``moves`` that are paid, the payment not booked yet ("in
        payment")."""
        moves = moves.filtered(lambda m: m.payment_state == "in_payment")
        if not moves:
            return []
        return [
            _(
                "A payment is registered for %(names)s but not booked yet: check it "
                "before reminding.",
                names=", ".join(moves.mapped("name")),
            )
        ]

    # --- applying them ---------------------------------------------------------------
    @api.model
    def _hold(self, reminders, date):
        """Write the hold reasons on ``reminders``; the held ones."""
        reasons = self._hold_reasons(reminders, date)
        held = reminders.browse(rid for rid, texts in reasons.items() if texts)
        for reminder in held:
            reminder._dunning_system_write(
                {"hold_reason": "\n".join(reasons[reminder.id])}
            )
        return held

    @api.model
    def _release_earlier(self, date):
        """Cancel the daily run's held drafts from before ``date``: the run makes a
        fresh one, with today's figures, held again only if its cause is still
        there."""
        held = self.env["account.dunning.reminder"].search(
            [
                ("state", "=", "draft"),
                ("origin", "=", "auto"),
                ("hold_reason", "!=", False),
                ("date", "<", date),
            ]
        )
        if held:
            note = _(
                "Replaced by the daily run of %(date)s: it makes a fresh reminder, "
                "held again only if the cause is still there.",
                date=format_date(self.env, date),
            )
            for reminder in held:
                reminder._dunning_note(note)
            held._dunning_system_write({"state": "cancelled", "cancel_reason": note})
        return held
