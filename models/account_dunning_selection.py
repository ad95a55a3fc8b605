# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Step 1 of the pipeline, *select*: the open receivable position, in SQL.

One home for "open", "overdue", "not due yet", netting, "chased (and if not, why)",
"next level due" and (in ``account_dunning_selection_customers``) "customer" and the
per-customer figures. The daily run, the Send reminder wizard, the collection desk
and kanban, the customer form, the invoice form, the aged receivables view, the
statement, the portal, the KPIs and the credit figures all read these rows; none has
a query of its own for them.
"""

from typing import NamedTuple

from odoo import api, models
from odoo.tools import SQL

from ..dunning.aging import BUCKETS, UPPER_LIMITS

# An open invoice, the one definition: a posted customer invoice with something left
# to pay (its receivable not reconciled in full), read by every caller through
# ``account.move`` (``_dunning_is_open``, ``_dunning_open_domain``,
# ``_dunning_open_sql``); the selection finds the same entries from the receivable
# lines themselves (tests/test_dunning_rules.py holds the copies to it).
OPEN_PAYMENT_STATES = ("not_paid", "partial")
# Paid, the other side: nothing left to pay, by a payment or a reversal.
PAID_PAYMENT_STATES = ("paid", "in_payment", "reversed")
# A reminder issued: sent, or its email waiting in the outgoing queue. Its invoices
# reach its level and its date starts the customer's minimum interval.
ISSUED = ("sending", "sent")
# Delay below any level's: "no level reached yet".
NO_LEVEL_DELAY = -(2**31)
# Why an open entry is not chased, in the order they are told (the first that holds).
CHASE_REASONS = (
    "credit",  # a credit note or payment: nothing to claim
    "excluded_invoice",
    "excluded_customer",
    "collection",
    "dispute",
    "promise",
    "plan",
)
# the aging buckets' columns of a selection row, oldest first
AGED_COLUMNS = tuple(f"aged_{key}" for key in reversed(BUCKETS))


class OpenRow(NamedTuple):
    """One open entry as the run and the wizard read it (see ``_open_rows``)."""

    move_id: int
    partner_id: int
    policy_id: int | None
    last_reminder_date: object
    responsible_id: int | None
    currency_id: int
    due: object
    current_delay: int | None
    residual: float
    residual_currency: float
    fee_charged: bool
    interest_until: object
    is_company: bool
    overdue_residual: float
    overdue_currency: float
    chase_reason: str | None
    # the overdue instalments: their due dates and open amounts (entry's currency)
    overdue_dues: list
    overdue_amounts: list

    @property
    def chaseable(self):
        """Whether the daily run reminds this entry (see ``chase_reason``)."""
        return self.chase_reason is None


class AccountDunningSelection(models.AbstractModel):
    """Service: the SQL of the selection, one row type, read by every screen."""

    _name = "account.dunning.selection"
    _description = "Dunning Selection"

    # ------------------------------------------------------------------
    # Chased or not, and why
    # ------------------------------------------------------------------
    @api.model
    def _chase_reason_sql(self, date):
        """Why the open entry behind aliases ``m`` (account_move) and ``c`` (its
        customer's row in ``_open_items_sql``) is not reminded on ``date``; NULL
        when it is."""
        return SQL(
            """CASE
               WHEN m.move_type != 'out_invoice' THEN 'credit'
               WHEN COALESCE(m.dunning_excluded, FALSE) THEN 'excluded_invoice'
               WHEN c.excluded THEN 'excluded_customer'
               WHEN c.stage = 'collection' THEN 'collection'
               WHEN COALESCE(m.dunning_dispute_state, 'none') = 'open' THEN 'dispute'
               -- uncorrelated: PostgreSQL hashes each list once, not once per row
               WHEN m.id IN (
                    SELECT pm.move_id
                      FROM account_dunning_promise_move_rel pm
                      JOIN account_dunning_promise pr ON pr.id = pm.promise_id
                     WHERE pr.state = 'open'
                       AND pr.date >= %(date)s) THEN 'promise'
               WHEN m.id IN (
                    SELECT plm.move_id
                      FROM account_dunning_plan_move_rel plm
                      JOIN account_dunning_plan pl ON pl.id = plm.plan_id
                     WHERE pl.state = 'active') THEN 'plan'
               END""",
            date=date,
        )

    # ------------------------------------------------------------------
    # One row per open entry
    # ------------------------------------------------------------------
    @api.model
    def _aged_sql(self, date):
        """Per entry, the open amount of its instalments in each aging bucket (the
        buckets of ``dunning.aging``), debit instalments only: credits are told
        apart, never aged."""
        parts, lower = [], None
        for upper, key in UPPER_LIMITS:
            parts.append(
                SQL(
                    "COALESCE(SUM(amount_residual) FILTER (WHERE amount_residual > 0"
                    " AND %(date)s - due %(range)s), 0) AS %(column)s",
                    date=date,
                    range=SQL("<= %s", upper)
                    if lower is None
                    else SQL("BETWEEN %s AND %s", lower + 1, upper),
                    column=SQL.identifier(f"aged_{key}"),
                )
            )
            lower = upper
        parts.append(
            SQL(
                "COALESCE(SUM(amount_residual) FILTER (WHERE amount_residual > 0"
                " AND %s - due > %s), 0) AS aged_over_120",
                date,
                lower,
            )
        )
        return SQL(", ").join(parts)

    @staticmethod
    def _aged_less_unbooked_sql():
        """The buckets less what pays the debit instalments without being matched
        with them (the payments registered without an entry, the entry's own credit
        lines), taken from the oldest bucket first (``b`` the booked entry, ``u``
        the payments deducted)."""
        parts, before = [], SQL("0")
        for column in AGED_COLUMNS:
            bucket = SQL.identifier("b", column)
            parts.append(
                SQL(
                    "%(bucket)s - LEAST(%(bucket)s, GREATEST(COALESCE(u.amount, 0)"
                    " + b.inner_credit - (%(before)s), 0)) AS %(column)s",
                    bucket=bucket,
                    before=before,
                    column=SQL.identifier(column),
                )
            )
            before = SQL("%s + %s", before, bucket)
        return SQL(", ").join(parts)

    @api.model
    def _open_lines_sql(self, company, date, line_filter, as_of):
        """The open receivable lines of ``company`` (``line_filter`` on aliases ``l``
        and ``lp``): what is open now, or with ``as_of`` what was open on ``date``
        (the lines dated by then, less what was matched with them by then: what
        Odoo's residual amounts were that day)."""
        common = SQL(
            """l.company_id = %(company)s
               AND l.account_id = ANY(%(receivable)s)
               AND l.parent_state = 'posted'
               AND %(line_filter)s""",
            company=company.id,
            receivable=self._receivable_account_ids(),
            line_filter=line_filter,
        )
        if not as_of:
            return SQL(
                """SELECT l.move_id,
                          lp.commercial_partner_id AS partner_id,
                          l.amount_residual,
                          l.amount_residual_currency,
                          COALESCE(l.date_maturity, l.date) AS due
                     FROM account_move_line l
                     JOIN res_partner lp ON lp.id = l.partner_id
                    WHERE %(common)s
                      AND NOT l.reconciled
                      AND l.amount_residual != 0""",
                common=common,
            )
        self.env["account.partial.reconcile"].flush_model()
        return SQL(
            """SELECT l.move_id,
                      lp.commercial_partner_id AS partner_id,
                      l.balance + COALESCE(x.amount, 0) AS amount_residual,
                      l.amount_currency + COALESCE(x.amount_currency, 0)
                          AS amount_residual_currency,
                      COALESCE(l.date_maturity, l.date) AS due
                 FROM account_move_line l
                 JOIN res_partner lp ON lp.id = l.partner_id
                 LEFT JOIN (
                       -- what was matched with each line by then: less on a
                       -- debit, more on a credit
                       SELECT line_id, SUM(amount) AS amount,
                              SUM(amount_currency) AS amount_currency
                         FROM (SELECT p.debit_move_id AS line_id, -p.amount AS amount,
                                      -p.debit_amount_currency AS amount_currency
                                 FROM account_partial_reconcile p
                                WHERE p.company_id = %(company)s
                                  AND p.max_date <= %(date)s
                               UNION ALL
                               SELECT p.credit_move_id, p.amount,
                                      p.credit_amount_currency
                                 FROM account_partial_reconcile p
                                WHERE p.company_id = %(company)s
                                  AND p.max_date <= %(date)s) matched
                        GROUP BY line_id
                 ) x ON x.line_id = l.id
                WHERE %(common)s
                  AND l.date <= %(date)s
                  AND l.balance + COALESCE(x.amount, 0) != 0""",
            common=common,
            company=company.id,
            date=date,
        )

    @api.model
    def _open_items_sql(
        self, company, date, line_filter, aged=False, instalments=False, as_of=False
    ):
        """One row per posted entry of ``company`` with an open receivable balance.

        ``line_filter`` restricts the receivable lines (alias ``l``, partner alias
        ``lp``). Amounts: ``residual`` in company currency, ``residual_currency`` in
        the entry's currency; ``overdue_residual``/``overdue_currency`` the part of
        its instalments due before ``date``, ``not_due_residual`` the rest of a debit
        (``not_due_date`` its earliest instalment's due date);
        ``credit`` what a credit note or payment leaves to apply. ``due`` is the
        earliest unpaid instalment's due date (for a credit, its date); with
        ``aged``, ``aged_*`` the debit instalments per aging bucket; with
        ``instalments``, ``overdue_dues``/``overdue_amounts`` the overdue
        instalments (for late interest), else NULL. ``chase_reason`` says why the
        entry is not reminded (NULL: it is), ``next_date`` when its next level is
        due. The daily run asks for neither option it does not use. With ``as_of``,
        the amounts are those of ``date`` (see ``_open_lines_sql``): what was open
        then, for the KPIs of a past period.

        An entry is a debit (``residual`` above zero) or a credit: its own credit
        lines, if any, pay its debit instalments, the oldest first. The past-due
        part of a debit is never above what is open of it, and its ``due`` date is
        in the past exactly when something of it is past due (once the overdue
        instalments are paid, the next one's date).

        Payments registered without a journal entry (possible with the accounting
        app when the payment method has no outstanding account) leave the
        receivable open although the customer paid: they are deducted here, oldest
        invoice and oldest instalment first, so that nobody is reminded of what
        they already paid.
        """
        # sudo: the columns of the rules (the customers' settings), read in SQL by
        # the selection; nothing of them is shown to the user who triggers it
        partner = self.env["res.partner"].sudo().with_company(company)
        return SQL(
            """
            WITH open_lines AS (%(open_lines)s
            ), booked AS (
                SELECT move_id,
                       partner_id,
                       SUM(amount_residual) AS residual,
                       SUM(amount_residual_currency) AS residual_currency,
                       COALESCE(MIN(due) FILTER (WHERE amount_residual > 0), MIN(due))
                           AS due,
                       COALESCE(SUM(amount_residual)
                           FILTER (WHERE amount_residual > 0 AND due < %(date)s), 0)
                           AS overdue,
                       MIN(due) FILTER (WHERE amount_residual > 0 AND due >= %(date)s)
                           AS next_due,
                       -- the entry's own credit lines (a misc entry's, say)
                       COALESCE(-SUM(amount_residual)
                           FILTER (WHERE amount_residual < 0), 0) AS inner_credit
                       %(instalments)s
                       %(aged)s
                  FROM open_lines
                 GROUP BY move_id, partner_id
            ), unbooked AS (
                SELECT b.move_id,
                       LEAST(b.residual, GREATEST(
                           pay.amount_company_currency_signed
                           - (SUM(b.residual) OVER per_payment - b.residual), 0))
                           AS amount
                  FROM account_move__account_payment rel
                  JOIN account_payment pay ON pay.id = rel.payment_id
                  JOIN booked b ON b.move_id = rel.invoice_id AND b.residual > 0
                 WHERE pay.move_id IS NULL
                   AND pay.state IN ('in_process', 'paid')
                   AND %(payment_date)s
                WINDOW per_payment AS (PARTITION BY pay.id ORDER BY b.due, b.move_id)
            ), open_moves AS (
                SELECT b.move_id,
                       b.partner_id,
                       -- nothing past due left: the date of what falls due next
                       CASE WHEN b.overdue - COALESCE(u.amount, 0) - b.inner_credit <= 0
                                 AND b.residual - COALESCE(u.amount, 0) > 0
                                 AND b.next_due IS NOT NULL
                            THEN b.next_due ELSE b.due
                       END AS due,
                       b.next_due AS not_due_date,
                       b.residual - COALESCE(u.amount, 0) AS residual,
                       -- scaled (a division per row) only where a payment is
                       -- deducted: the booked amounts are rounded already
                       u.amount IS NULL AS booked_only,
                       CASE WHEN u.amount IS NULL THEN b.residual_currency
                            ELSE b.residual_currency * (b.residual - u.amount)
                                 / b.residual
                       END AS residual_currency,
                       GREATEST(b.overdue - COALESCE(u.amount, 0) - b.inner_credit, 0)
                           AS overdue_residual
                       %(instalments_moves)s
                       %(aged_net)s
                  FROM booked b
                  LEFT JOIN (
                        SELECT un.move_id,
                               LEAST(SUM(un.amount), MAX(bk.residual)) AS amount
                          FROM unbooked un
                          JOIN booked bk ON bk.move_id = un.move_id
                         GROUP BY un.move_id
                  ) u ON u.move_id = b.move_id
                 WHERE b.residual != COALESCE(u.amount, 0)
            ), active_levels AS (
                SELECT policy_id, delay FROM account_dunning_level WHERE active
            ), next_delays AS (
                -- per policy and level reached (any level's delay, or none): the
                -- first active delay above it; a handful of rows, joined by hash
                SELECT pol_l.policy_id,
                       reached.delay AS reached_delay,
                       MIN(pol_l.delay) FILTER (WHERE pol_l.delay > reached.delay)
                           AS next_delay
                  FROM active_levels pol_l
                  CROSS JOIN (
                        SELECT DISTINCT delay FROM account_dunning_level
                        UNION SELECT %(no_level)s
                  ) reached
                 GROUP BY pol_l.policy_id, reached.delay
            ), charged AS (
                -- what earlier sent reminders charged on each invoice: the fee once,
                -- and interest up to their date
                SELECT cl.move_id,
                       BOOL_OR(cl.fee_amount > 0) AS fee_charged,
                       MAX(cl.date) FILTER (WHERE cl.interest_amount > 0)
                           AS interest_until
                  FROM account_dunning_reminder_line cl
                 WHERE cl.state = ANY(%(issued)s)
                   AND cl.move_id IN (SELECT move_id FROM booked)
                 GROUP BY cl.move_id
            ), last_sent AS (
                SELECT r.partner_id, MAX(r.date) AS date
                  FROM account_dunning_reminder r
                 WHERE r.company_id = %(company)s
                   AND r.state = ANY(%(issued)s)
                   AND r.partner_id IN (SELECT partner_id FROM booked)
                 GROUP BY r.partner_id
            ), customers AS (
                -- once per customer, not once per entry: its settings (per
                -- company, read from JSON), its policy, its last reminder
                SELECT p.id,
                       COALESCE(p.is_company, FALSE) AS is_company,
                       %(responsible)s AS responsible_id,
                       COALESCE(%(partner_excluded)s, FALSE) AS excluded,
                       COALESCE(%(partner_stage)s, 'dunning') AS stage,
                       pol.id AS policy_id,
                       pol.minimum_amount,
                       pol.min_interval_days,
                       last.date AS last_reminder_date
                  FROM res_partner p
                  LEFT JOIN account_dunning_policy own
                         ON own.id = %(partner_policy)s
                        AND own.active
                  LEFT JOIN account_dunning_policy pol
                         ON pol.id = COALESCE(own.id, %(company_policy)s)
                  LEFT JOIN last_sent last ON last.partner_id = p.id
                 WHERE p.id IN (SELECT partner_id FROM booked)
            ), positions AS (
                SELECT om.move_id, om.partner_id, om.due, om.not_due_date,
                       om.residual,
                       CASE WHEN om.booked_only THEN om.residual_currency
                            ELSE ROUND(om.residual_currency / cur_c.rounding)
                                 * cur_c.rounding
                       END AS residual_currency,
                       om.overdue_residual,
                       %(instalments_positions)s
                       %(aged_positions)s
                       m.move_type,
                       COALESCE(m.dunning_dispute_state, 'none') = 'open'
                           AS disputed,
                       m.currency_id,
                       cur_c.rounding AS currency_rounding,
                       c.responsible_id,
                       (%(chase_reason)s) AS chase_reason,
                       m.dunning_level_id AS level_id,
                       cur.delay AS current_delay,
                       c.policy_id,
                       c.minimum_amount,
                       c.min_interval_days,
                       nxt.next_delay,
                       c.last_reminder_date,
                       COALESCE(ch.fee_charged, FALSE) AS fee_charged,
                       ch.interest_until,
                       c.is_company
                  FROM open_moves om
                  JOIN account_move m ON m.id = om.move_id
                  JOIN res_currency cur_c ON cur_c.id = m.currency_id
                  JOIN customers c ON c.id = om.partner_id
                  LEFT JOIN account_dunning_level cur ON cur.id = m.dunning_level_id
                  LEFT JOIN next_delays nxt
                         ON nxt.policy_id = c.policy_id
                        AND nxt.reached_delay = COALESCE(cur.delay, %(no_level)s)
                  LEFT JOIN charged ch ON ch.move_id = om.move_id
            )
            SELECT move_id, partner_id, move_type, disputed, currency_id,
                   residual,
                   residual_currency,
                   overdue_residual,
                   CASE WHEN overdue_residual = 0 THEN 0
                        WHEN overdue_residual = residual THEN residual_currency
                        ELSE ROUND(residual_currency * overdue_residual / residual
                                   / currency_rounding) * currency_rounding
                   END AS overdue_currency,
                   GREATEST(residual - overdue_residual, 0) AS not_due_residual,
                   not_due_date,
                   GREATEST(-residual, 0) AS credit,
                   %(instalments_columns)s,
                   %(aged_columns)s
                   responsible_id,
                   due,
                   chase_reason,
                   chase_reason IS NULL AS chaseable,
                   level_id,
                   current_delay,
                   policy_id,
                   minimum_amount,
                   next_delay,
                   last_reminder_date,
                   fee_charged,
                   interest_until,
                   is_company,
                   CASE WHEN next_delay IS NOT NULL AND residual > 0
                        THEN GREATEST(due + next_delay,
                                      last_reminder_date + min_interval_days)
                   END AS next_date
              FROM positions
            """,
            company=company.id,
            issued=list(ISSUED),
            date=date,
            open_lines=self._open_lines_sql(company, date, line_filter, as_of),
            payment_date=SQL("pay.date <= %s", date) if as_of else SQL("TRUE"),
            # the overdue instalments, carried only when asked for: the rows
            # stay narrow for the daily run
            instalments=SQL(
                """, ARRAY_AGG(due ORDER BY due)
                       FILTER (WHERE amount_residual > 0 AND due < %(date)s)
                       AS overdue_dues,
                   ARRAY_AGG(amount_residual_currency ORDER BY due)
                       FILTER (WHERE amount_residual > 0 AND due < %(date)s)
                       AS overdue_amounts""",
                date=date,
            )
            if instalments
            else SQL(),
            instalments_moves=SQL(", b.overdue_dues, b.overdue_amounts")
            if instalments
            else SQL(),
            instalments_positions=SQL("om.overdue_dues, om.overdue_amounts,")
            if instalments
            else SQL(),
            instalments_columns=SQL("overdue_dues, overdue_amounts")
            if instalments
            else SQL(
                "NULL::date[] AS overdue_dues, NULL::numeric[] AS overdue_amounts"
            ),
            aged=SQL(", %s", self._aged_sql(date)) if aged else SQL(),
            aged_net=SQL(", %s", self._aged_less_unbooked_sql()) if aged else SQL(),
            aged_positions=SQL(
                "%s,", SQL(", ").join(SQL.identifier("om", c) for c in AGED_COLUMNS)
            )
            if aged
            else SQL(),
            aged_columns=SQL(
                "%s,", SQL(", ").join(SQL.identifier(c) for c in AGED_COLUMNS)
            )
            if aged
            else SQL(),
            chase_reason=self._chase_reason_sql(date),
            partner_policy=partner._field_to_sql("p", "dunning_policy_id"),
            responsible=partner._field_to_sql("p", "dunning_responsible_id"),
            partner_excluded=partner._field_to_sql("p", "dunning_excluded"),
            partner_stage=partner._field_to_sql("p", "dunning_stage"),
            company_policy=company.dunning_policy_id.id or None,
            no_level=NO_LEVEL_DELAY,
        )

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------
    @api.model
    def _receivable_account_ids(self):
        """Ids of the receivable accounts. Passed to the select as a list rather than
        joined: PostgreSQL then estimates the open lines from the account column's
        statistics and picks hash joins; with a join it expects a few hundred rows
        where there are tens of thousands, and nests loops."""
        self.env["account.account"].flush_model(["account_type"])
        self.env.cr.execute(
            "SELECT id FROM account_account WHERE account_type = 'asset_receivable'"
        )
        return [account_id for (account_id,) in self.env.cr.fetchall()]

    @api.model
    def _fetch(self, query):
        """Run a selection query and return its rows as dicts."""
        self.env.flush_all()
        self.env.cr.execute(query)
        columns = [column.name for column in self.env.cr.description]
        return [dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()]

    @api.model
    def _open_items(self, company, date, line_filter, aged=False):
        """The open entries as dicts (the columns of ``_open_items_sql``)."""
        return self._fetch(self._open_items_sql(company, date, line_filter, aged=aged))

    @api.model
    def _open_rows(
        self, company, date, line_filter, instalments=True, raisable_only=False
    ):
        """The open entries as ``OpenRow`` tuples: only what planning and creating
        need, amounts as floats (already rounded by the select); the overdue
        instalments only if ``instalments`` (late interest needs them). With
        ``raisable_only``, only what the plan can use: the entries whose next level
        is due (the plan raises no other, see the ladder's property test) and the
        credits it nets."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT move_id, partner_id, policy_id, last_reminder_date,
                          responsible_id, currency_id, due, current_delay,
                          residual::float8, residual_currency::float8,
                          fee_charged, interest_until, is_company,
                          overdue_residual::float8, overdue_currency::float8,
                          chase_reason, overdue_dues,
                          overdue_amounts::float8[]
                     FROM (%s) open_moves
                    WHERE %s""",
                self._open_items_sql(
                    company, date, line_filter, instalments=instalments
                ),
                SQL(
                    "(chase_reason IS NULL AND next_date <= %s) OR residual < 0",
                    date,
                )
                if raisable_only
                else SQL("TRUE"),
            )
        )
        return list(map(OpenRow._make, self.env.cr.fetchall()))
