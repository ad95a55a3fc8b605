# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Step 1 of the pipeline, *select*, per customer: who is a customer, and one row
of figures per customer (the one definition of ``dunning.figures``, in SQL), from
the open entries of ``account_dunning_selection``."""

from odoo import api, models
from odoo.tools import SQL


class AccountDunningSelection(models.AbstractModel):
    _inherit = "account.dunning.selection"

    # ------------------------------------------------------------------
    # Who is a customer
    # ------------------------------------------------------------------
    @api.model
    def _is_customer_sql(self, partner_id):
        """Whether the commercial partner ``partner_id`` (SQL) with open receivables
        is a customer: invoiced as one, not a company of this database nor an
        internal user (an employee's expense refund is not a customer's debt)."""
        self.env["res.users"].flush_model(["partner_id", "share"])
        self.env["res.company"].flush_model(["partner_id"])
        self.env["res.partner"].flush_model(["customer_rank"])
        return SQL(
            """(COALESCE((SELECT p.customer_rank FROM res_partner p
                           WHERE p.id = %(partner)s), 0) > 0
                AND NOT EXISTS (SELECT 1 FROM res_company c
                                 WHERE c.partner_id = %(partner)s)
                AND NOT EXISTS (SELECT 1 FROM res_users u
                                 WHERE u.partner_id = %(partner)s AND NOT u.share))""",
            partner=partner_id,
        )

    # ------------------------------------------------------------------
    # One row per customer
    # ------------------------------------------------------------------
    @api.model
    def _customers_sql(self, company, date, line_filter, as_of=False):
        """One row per commercial partner with an open receivable balance: its
        figures as ``dunning.figures`` defines them (the one definition, which a
        property test holds this SQL to).

        ``past_due``: its debits' instalments past due, disputed, promised and
        planned invoices included; ``credit``: the credits to apply (credit notes,
        payments not matched yet); ``amount_overdue``: what is past due less the
        credits, never below zero; ``balance``: what is open, credits included;
        ``amount_to_claim``: what a reminder made on ``date`` would ask (the invoices
        chased whose next level is due) less the credits, never below zero.
        ``overdue_count``: the invoices with something past due. ``status``:
        ``action`` when a level is due for a chased invoice and the amount to claim
        reaches the policy minimum, or when a draft reminder awaits review;
        ``paused`` when something is overdue and all that is past due waits on a
        dispute, a promise or a payment plan; ``overdue`` and ``none`` otherwise.
        The customer's own exclusion and collection stage are applied by
        ``res.partner`` on top. With ``as_of``, the amounts of ``date`` (see
        ``_open_items_sql``).
        """
        return SQL(
            """
            WITH moves AS (%(moves)s),
            per_partner AS (
                SELECT partner_id,
                       COALESCE(SUM(overdue_residual), 0) AS past_due,
                       COALESCE(SUM(overdue_residual) FILTER (
                           WHERE chase_reason IN ('dispute', 'promise', 'plan')), 0)
                           AS overdue_agreed,
                       COALESCE(SUM(credit), 0) AS credit,
                       COALESCE(SUM(residual), 0) AS balance,
                       COUNT(*) FILTER (WHERE move_type = 'out_invoice'
                                        AND overdue_residual > 0) AS overdue_count,
                       (ARRAY_AGG(level_id ORDER BY current_delay DESC)
                            FILTER (WHERE level_id IS NOT NULL AND residual > 0))[1]
                         AS level_id,
                       MIN(next_date) FILTER (WHERE chase_reason IS NULL)
                           AS next_date,
                       COALESCE(SUM(CASE WHEN overdue_residual > 0
                                         THEN overdue_residual ELSE residual END)
                                FILTER (WHERE chase_reason IS NULL
                                        AND next_date <= %(date)s), 0)
                           AS amount_due_now,
                       COALESCE(MAX(minimum_amount), 0) AS minimum_amount
                  FROM moves
                 GROUP BY partner_id
            )
            SELECT pp.partner_id,
                   GREATEST(pp.past_due - pp.credit, 0) AS amount_overdue,
                   pp.past_due,
                   pp.credit,
                   pp.balance,
                   pp.overdue_count,
                   pp.level_id,
                   pp.next_date,
                   GREATEST(pp.amount_due_now - pp.credit, 0) AS amount_to_claim,
                   CASE WHEN (pp.amount_due_now - pp.credit > 0
                              AND pp.amount_due_now - pp.credit >= pp.minimum_amount)
                             OR EXISTS (SELECT 1 FROM account_dunning_reminder d
                                         WHERE d.partner_id = pp.partner_id
                                           AND d.company_id = %(company)s
                                           AND d.state = 'draft')
                        THEN 'action'
                        WHEN pp.past_due - pp.credit > 0
                             AND pp.overdue_agreed = pp.past_due THEN 'paused'
                        WHEN pp.past_due - pp.credit > 0 THEN 'overdue'
                        ELSE 'none'
                   END AS status,
                   %(is_customer)s AS is_customer
              FROM per_partner pp
            """,
            moves=self._open_items_sql(company, date, line_filter, as_of=as_of),
            date=date,
            company=company.id,
            is_customer=self._is_customer_sql(SQL("pp.partner_id")),
        )

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------
    @api.model
    def _customer_figures(self, company, date, partner_ids=None):
        """Per commercial partner id, its row of ``_customers_sql``; every customer
        of ``company`` when ``partner_ids`` is None."""
        line_filter = (
            SQL("TRUE")
            if partner_ids is None
            else SQL("lp.commercial_partner_id = ANY(%s)", list(partner_ids))
        )
        rows = self._fetch(self._customers_sql(company, date, line_filter))
        return {row["partner_id"]: row for row in rows}
