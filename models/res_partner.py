# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import operator as py_operator
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..dunning.aging import aging
from ..dunning.csv_export import csv_bytes
from ..dunning.scoring import PaidInvoice, behaviour, risk
from .access import ACCOUNTING, COLLECTOR, MANAGER, check_button, check_fields_group
from .account_dunning_reminder import ISSUED

DUNNING_STATUS = [
    ("none", "Nothing overdue"),
    ("overdue", "Overdue"),
    ("action", "Action needed"),
    ("excluded", "Excluded, on hold or in collection"),
]

OPERATORS = {
    "=": py_operator.eq,
    "!=": py_operator.ne,
    "<": py_operator.lt,
    "<=": py_operator.le,
    ">": py_operator.gt,
    ">=": py_operator.ge,
}

# What decides whether and how a customer is chased: accounting's to change.
CONTROL_FIELDS = frozenset(
    {
        "dunning_policy_id",
        "dunning_excluded",
        "dunning_responsible_id",
        "credit_hold",
        "dunning_stage",
        "dunning_collection_date",
    }
)

# Figures computed in SQL by _dunning_figures_sql(), hence sortable and searchable.
LEVEL = "dunning_level_id"  # grouped on (the kanban by level) like the figures below
SQL_FIGURES = {
    "dunning_amount_overdue": "amount_overdue",
    "dunning_overdue_count": "overdue_count",
    "dunning_next_date": "next_date",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    type = fields.Selection(
        selection_add=[("dunning", "Payment Reminder Address")],
        ondelete={"dunning": "set default"},
    )

    dunning_policy_id = fields.Many2one(
        "account.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Leave empty to follow the company's default dunning policy.",
        groups=ACCOUNTING,
    )
    dunning_excluded = fields.Boolean(
        string="Excluded from Dunning",
        company_dependent=True,
        tracking=True,
        help="No payment reminder is sent to this customer.",
        groups=ACCOUNTING,
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Dunning Responsible",
        company_dependent=True,
        help="Who follows up this customer's payments; the company default applies "
        "when empty.",
        groups=ACCOUNTING,
    )
    credit_hold = fields.Boolean(
        company_dependent=True,
        tracking=True,
        help="The customer is on credit hold: no new credit until the situation is "
        "settled.",
        groups=ACCOUNTING,
    )
    dunning_currency_id = fields.Many2one(
        "res.currency", compute="_compute_dunning_currency_id"
    )
    dunning_amount_overdue = fields.Monetary(
        string="Overdue Amount",
        currency_field="dunning_currency_id",
        compute="_compute_dunning_figures",
        search="_search_dunning_amount_overdue",
        groups="account.group_account_invoice,account.group_account_readonly",
        help="Overdue receivables net of unapplied credit notes and payments, "
        "in company currency.",
    )
    dunning_overdue_count = fields.Integer(
        string="Overdue Invoices",
        compute="_compute_dunning_figures",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    dunning_level_id = fields.Many2one(
        "account.dunning.level",
        string="Dunning Level",
        compute="_compute_dunning_figures",
        search="_search_dunning_level_id",
        group_expand="_read_group_dunning_level_ids",
        groups="account.group_account_invoice,account.group_account_readonly",
        help="The highest level reached among the customer's open invoices.",
    )
    dunning_next_date = fields.Date(
        string="Next Reminder",
        compute="_compute_dunning_figures",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    dunning_status = fields.Selection(
        DUNNING_STATUS,
        compute="_compute_dunning_figures",
        search="_search_dunning_status",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    dunning_reminder_ids = fields.One2many(
        "account.dunning.reminder",
        "partner_id",
        string="Payment Reminders",
        readonly=True,
        groups=ACCOUNTING,
    )
    dunning_reminder_count = fields.Integer(
        compute="_compute_dunning_reminder_count",
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    dunning_stage = fields.Selection(
        [("dunning", "Dunning"), ("collection", "Collection agency / legal")],
        string="Collection Stage",
        company_dependent=True,
        tracking=True,
        help="Handed over to a collection agency or to legal action: automatic "
        "reminders stop.",
        groups=ACCOUNTING,
    )
    dunning_collection_date = fields.Date(
        string="Handed Over On", company_dependent=True, groups=ACCOUNTING
    )
    credit_exposure = fields.Monetary(
        compute="_compute_credit_exposure",
        currency_field="dunning_currency_id",
        help="What the customer owes or is about to owe: its open receivables, its "
        "draft invoices (net of draft credit notes) and what is still to invoice.",
        groups=ACCOUNTING,
    )
    credit_usage_percent = fields.Float(
        string="Credit Used (%)",
        compute="_compute_credit_exposure",
        help="The exposure as a share of the credit limit.",
        groups=ACCOUNTING,
    )
    credit_alert_threshold = fields.Integer(
        string="Credit Alert (%)",
        compute="_compute_credit_exposure",
        help="The highest alert threshold of the company the exposure has reached.",
        groups=ACCOUNTING,
    )
    payment_avg_days_late = fields.Float(
        string="Average Days Late",
        company_dependent=True,
        digits=(16, 1),
        readonly=True,
        help="Over the invoices paid in the last 12 months, weighted by amount.",
        groups=ACCOUNTING,
    )
    payment_on_time_ratio = fields.Float(
        string="Paid on Time",
        company_dependent=True,
        readonly=True,
        help="Share of the amount of the invoices paid in the last 12 months that "
        "was paid by the due date.",
        groups=ACCOUNTING,
    )
    risk_score = fields.Integer(
        company_dependent=True,
        readonly=True,
        help="From 0 (pays on time) to 100, updated by the daily run; the reasons "
        "say what makes it.",
        groups=ACCOUNTING,
    )
    risk_reasons = fields.Text(company_dependent=True, readonly=True, groups=ACCOUNTING)
    dunning_plan_count = fields.Integer(
        string="Payment Plans", compute="_compute_dunning_plan_count", groups=ACCOUNTING
    )
    dunning_promise_kept_count = fields.Integer(
        string="Promises Kept",
        compute="_compute_dunning_promise_counts",
        groups=ACCOUNTING,
    )
    dunning_promise_broken_count = fields.Integer(
        string="Promises Broken",
        compute="_compute_dunning_promise_counts",
        groups=ACCOUNTING,
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a new contact's defaults are nobody's decision: only values set count
            self._dunning_check_control({k: v for k, v in vals.items() if v})
        return super().create(vals_list)

    def write(self, vals):
        self._dunning_check_control(vals)
        return super().write(vals)

    def _dunning_check_control(self, vals):
        """Whether and how a customer is chased is accounting's to decide; lifting a
        credit hold or moving the limit of a company that blocks is a manager's (it
        lets the blocked invoices through)."""
        if self.env.su:
            return
        check_fields_group(self, CONTROL_FIELDS & vals.keys(), COLLECTOR)
        managers_only = set()
        if (
            "credit_hold" in vals
            and not vals["credit_hold"]
            and self.filtered("credit_hold")
        ):
            managers_only.add("credit_hold")
        if "credit_limit" in vals and self.env.company.dunning_credit_check == "block":
            managers_only.add("credit_limit")
        check_fields_group(self, managers_only, MANAGER)

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "dunning_policy_id",
            "dunning_excluded",
            "dunning_responsible_id",
            "credit_hold",
        ]

    @api.depends_context("company")
    def _compute_dunning_currency_id(self):
        self.dunning_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_dunning_figures(self):
        commercial = self.commercial_partner_id._origin
        figures = {}
        if commercial:
            company = self.env.company
            line_filter = SQL("lp.commercial_partner_id = ANY(%s)", commercial.ids)
            query = self._dunning_figures_sql(
                company, self._dunning_today(), line_filter
            )
            rows = self.env["account.move"]._dunning_fetch(query)
            figures = {row["partner_id"]: row for row in rows}
        levels = self.env["account.dunning.level"].browse(
            [row["level_id"] for row in figures.values() if row["level_id"]]
        )
        for partner in self:
            row = figures.get(partner.commercial_partner_id._origin.id) or {}
            partner.dunning_amount_overdue = row.get("amount_overdue", 0.0)
            partner.dunning_overdue_count = row.get("overdue_count", 0)
            partner.dunning_level_id = levels.browse(row.get("level_id"))
            partner.dunning_next_date = row.get("next_date")
            partner.dunning_status = (
                "excluded"
                if partner.commercial_partner_id._dunning_is_excluded()
                else row.get("status", "none")
            )

    def _compute_dunning_reminder_count(self):
        counts = dict(
            self.env["account.dunning.reminder"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.dunning_reminder_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def _dunning_is_excluded(self):
        self.ensure_one()
        return (
            self.dunning_excluded
            or self.credit_hold
            or self.dunning_stage == "collection"
        )

    @api.model
    def _dunning_today(self):
        return fields.Date.context_today(self)

    # ------------------------------------------------------------------
    # Per-customer figures, in SQL (one grouped query, any number of customers)
    # ------------------------------------------------------------------
    @api.model
    def _dunning_figures_sql(self, company, date, line_filter):
        """One row per commercial partner with an open receivable balance.

        ``amount_overdue`` nets overdue invoices with unapplied credits. ``status`` is
        ``action`` when a level is due for a chaseable invoice and the amount to claim
        reaches the policy minimum, or when a draft reminder awaits review. Callers
        apply partner-level exclusion on top.
        """
        moves = self.env["account.move"]._dunning_open_moves_sql(
            company, date, line_filter
        )
        return SQL(
            """
            WITH moves AS (%(moves)s),
            per_partner AS (
                SELECT partner_id,
                       COALESCE(SUM(overdue_residual) FILTER (WHERE NOT disputed), 0)
                         + COALESCE(SUM(residual) FILTER (WHERE residual < 0), 0)
                         AS amount_overdue,
                       COUNT(*) FILTER (WHERE move_type = 'out_invoice'
                                        AND NOT disputed
                                        AND overdue_residual > 0) AS overdue_count,
                       (ARRAY_AGG(level_id ORDER BY current_delay DESC)
                            FILTER (WHERE level_id IS NOT NULL AND residual > 0))[1]
                         AS level_id,
                       MIN(next_date) FILTER (WHERE chaseable) AS next_date,
                       COALESCE(SUM(residual)
                                FILTER (WHERE chaseable AND next_date <= %(date)s), 0)
                         + COALESCE(SUM(residual) FILTER (WHERE residual < 0), 0)
                         AS amount_to_claim,
                       COALESCE(MAX(minimum_amount), 0) AS minimum_amount
                  FROM moves
                 GROUP BY partner_id
            )
            SELECT pp.partner_id,
                   pp.amount_overdue,
                   pp.overdue_count,
                   pp.level_id,
                   pp.next_date,
                   pp.amount_to_claim,
                   CASE WHEN (pp.amount_to_claim > 0
                              AND pp.amount_to_claim >= pp.minimum_amount)
                             OR EXISTS (SELECT 1 FROM account_dunning_reminder d
                                         WHERE d.partner_id = pp.partner_id
                                           AND d.company_id = %(company)s
                                           AND d.state = 'draft')
                        THEN 'action'
                        WHEN pp.amount_overdue > 0 THEN 'overdue'
                        ELSE 'none'
                   END AS status
              FROM per_partner pp
            """,
            moves=moves,
            date=date,
            company=company.id,
        )

    def _dunning_excluded_sql(self, alias, query=None):
        return SQL(
            "(COALESCE(%s, FALSE) OR COALESCE(%s, FALSE) "
            "OR COALESCE(%s, 'dunning') = 'collection')",
            self._field_to_sql(alias, "dunning_excluded", query),
            self._field_to_sql(alias, "credit_hold", query),
            self._field_to_sql(alias, "dunning_stage", query),
        )

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """Sort and group on the SQL figures of the current company."""
        if fname not in SQL_FIGURES and fname not in ("dunning_status", LEVEL):
            return super()._field_to_sql(alias, fname, query, flush)
        self.check_field_access_rights("read", [fname])
        column = SQL_FIGURES.get(fname, "level_id" if fname == LEVEL else "status")
        value = self._dunning_figure_sql(alias, column, query, flush)
        if fname == LEVEL:  # no level: no group, not a level 0
            return value
        if fname == "dunning_status":
            return SQL(
                "(CASE WHEN %s THEN 'excluded' ELSE COALESCE(%s, 'none') END)",
                self._dunning_excluded_sql(alias, query),
                value,
            )
        if fname == "dunning_next_date":
            return value
        return SQL("COALESCE(%s, 0)", value)

    def _dunning_figure_sql(self, alias, column, query, flush):
        """One figure of the partner behind ``alias``. Within a query, the figures of
        every customer are grouped once and joined (sorting a list of thousands of
        customers); without one, a subquery for that partner only."""
        commercial = super()._field_to_sql(alias, "commercial_partner_id", query, flush)
        company, today = self.env.company, self._dunning_today()
        if query is None:
            figures = self._dunning_figures_sql(
                company, today, SQL("lp.commercial_partner_id = %s", commercial)
            )
            return SQL("(SELECT %s FROM (%s) f)", SQL.identifier("f", column), figures)
        figures_alias = query.make_alias(alias, "dunning_figures")
        query.add_join(
            "LEFT JOIN",
            figures_alias,
            SQL("(%s)", self._dunning_figures_sql(company, today, SQL("TRUE"))),
            SQL("%s = %s", SQL.identifier(figures_alias, "partner_id"), commercial),
        )
        return SQL.identifier(figures_alias, column)

    def _dunning_all_figures(self):
        """Figures of every customer of the current company, by partner id."""
        query = self._dunning_figures_sql(
            self.env.company, self._dunning_today(), SQL("TRUE")
        )
        return {
            row["partner_id"]: row
            for row in self.env["account.move"]._dunning_fetch(query)
        }

    def _search_dunning_amount_overdue(self, operator, value):
        compare = OPERATORS.get(operator)
        if compare is None or not isinstance(value, (int, float)):
            raise UserError(_("Unsupported search on the overdue amount: %s", operator))
        amounts = {
            pid: row["amount_overdue"]
            for pid, row in self._dunning_all_figures().items()
        }
        if compare(0.0, value):
            # Customers without any open receivable match too: exclude the others.
            return [
                (
                    "commercial_partner_id",
                    "not in",
                    [
                        pid
                        for pid, amount in amounts.items()
                        if not compare(amount, value)
                    ],
                )
            ]
        return [
            (
                "commercial_partner_id",
                "in",
                [pid for pid, amount in amounts.items() if compare(amount, value)],
            )
        ]

    def _search_dunning_level_id(self, operator, value):
        """Customers by the level reached (a kanban column, a filter)."""
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the dunning level: %s", operator))
        wanted = {value} if not isinstance(value, (list, tuple)) else set(value)
        wanted = {v or False for v in wanted}
        levels = {
            pid: row["level_id"] or False
            for pid, row in self._dunning_all_figures().items()
        }
        matching = [pid for pid, level in levels.items() if level in wanted]
        if False in wanted:  # no level: every customer without one
            others = [pid for pid, level in levels.items() if level not in wanted]
            domain = [("commercial_partner_id", "not in", others)]
        else:
            domain = [("commercial_partner_id", "in", matching)]
        return ["!", *domain] if operator in ("!=", "not in") else domain

    @api.model
    def _read_group_dunning_level_ids(self, levels, domain):
        """Every active level of the company's policies is a kanban column, even
        with no customer on it yet, in the order customers climb them."""
        company_levels = self.env["account.dunning.level"].search(
            [("company_id", "=", self.env.company.id)]
        )
        # from the earliest level to the latest, whatever their policy
        return (company_levels | levels).sorted(
            lambda level: (level.delay, level.policy_id.id)
        )

    def _search_dunning_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the dunning status: %s", operator))
        values = {value} if isinstance(value, str) or not value else set(value)
        values = {v or "none" for v in values}
        statuses = {
            pid: row["status"] for pid, row in self._dunning_all_figures().items()
        }
        excluded = expression.OR(
            [
                [("commercial_partner_id.dunning_excluded", "=", True)],
                [("commercial_partner_id.credit_hold", "=", True)],
                [("commercial_partner_id.dunning_stage", "=", "collection")],
            ]
        )
        not_excluded = ["!", *excluded]
        branches = []
        for status in values:
            if status == "excluded":
                branches.append(excluded)
            elif status == "none":
                busy = [pid for pid, st in statuses.items() if st != "none"]
                branches.append(
                    expression.AND(
                        [not_excluded, [("commercial_partner_id", "not in", busy)]]
                    )
                )
            else:
                ids = [pid for pid, st in statuses.items() if st == status]
                branches.append(
                    expression.AND(
                        [not_excluded, [("commercial_partner_id", "in", ids)]]
                    )
                )
        domain = expression.OR(branches) if branches else expression.FALSE_DOMAIN
        if operator in ("!=", "not in"):
            return ["!", *domain]
        return domain

    # ------------------------------------------------------------------
    # Constraints and actions
    # ------------------------------------------------------------------
    @api.constrains("dunning_policy_id")
    def _check_dunning_policy_company(self):
        company = self.env.company
        for partner in self:
            policy = partner.dunning_policy_id
            if policy and policy.company_id != company:
                raise ValidationError(
                    _(
                        "Dunning policy %(policy)s belongs to %(other)s and cannot be "
                        "used "
                        "for %(partner)s in %(company)s.",
                        policy=policy.name,
                        other=policy.company_id.name,
                        partner=partner.display_name,
                        company=company.name,
                    )
                )

    def _compute_dunning_promise_counts(self):
        groups = self.env["account.dunning.promise"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("state", "in", ("kept", "broken")),
            ],
            ["partner_id", "state"],
            ["__count"],
        )
        counts = {(partner.id, state): count for partner, state, count in groups}
        for partner in self:
            commercial = partner.commercial_partner_id.id
            partner.dunning_promise_kept_count = counts.get((commercial, "kept"), 0)
            partner.dunning_promise_broken_count = counts.get((commercial, "broken"), 0)

    def action_dunning_promise(self):
        """Record a promise to pay for the customer's overdue invoices."""
        check_button(self, mode="read")
        self.ensure_one()
        customer = self.commercial_partner_id
        moves = self.env["account.move"].search(
            customer._dunning_unpaid_invoices_domain()
            + [("company_id", "=", self.env.company.id)]
        )
        return self.env["account.dunning.promise"]._dunning_form_action(customer, moves)

    def _dunning_unpaid_invoices_domain(self):
        """The customer's posted invoices not paid yet (any company)."""
        self.ensure_one()
        return [
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]

    @api.depends_context("company")
    def _compute_credit_exposure(self):
        company = self.env.company
        customers = self.commercial_partner_id
        drafts = dict(
            self.env["account.move"]._read_group(
                [
                    ("commercial_partner_id", "in", customers.ids),
                    ("state", "=", "draft"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("company_id", "=", company.id),
                ],
                ["commercial_partner_id"],
                ["amount_total_signed:sum"],
            )
        )
        thresholds = company._dunning_credit_thresholds()
        for partner in self:
            customer = partner.commercial_partner_id
            exposure = (
                customer.credit + drafts.get(customer, 0.0) + customer.credit_to_invoice
            )
            limit = customer.credit_limit
            usage = exposure / limit * 100 if limit > 0 else 0.0
            partner.credit_exposure = exposure
            partner.credit_usage_percent = usage
            partner.credit_alert_threshold = max(
                (t for t in thresholds if usage >= t), default=0
            )

    @api.model
    def _dunning_update_scores(self, company, date):
        """Payment behaviour and risk of every customer of ``company`` with invoices
        paid in the last 12 months or open ones, in a few grouped queries; written
        in batches of customers sharing the same figures."""
        since = date - timedelta(days=365)
        paid = self._dunning_paid_invoices(company, since)
        overdue = self._dunning_oldest_overdue(company, date)
        promises = dict(
            self.env["account.dunning.promise"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "broken"),
                    ("date", ">=", since),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        disputes = dict(
            self.env["account.move"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("dunning_dispute_state", "!=", "none"),
                    ("invoice_date", ">=", since),
                ],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        partner_ids = set(paid) | set(overdue)
        partner_ids |= {p.id for p in promises} | {p.id for p in disputes}
        rows = []
        for partner in self.browse(sorted(partner_ids)):
            figures = behaviour(paid.get(partner.id, []), date)
            score, reasons = risk(
                figures,
                promises_broken=promises.get(partner, 0),
                disputes=disputes.get(partner, 0),
                overdue_days=overdue.get(partner.id, 0),
            )
            rows.append(
                (
                    partner.id,
                    figures.avg_days_late,
                    figures.on_time_ratio,
                    score,
                    self._dunning_reasons_text(reasons) or None,
                )
            )
        self._dunning_write_scores(company, rows)
        return len(rows)

    @api.model
    def _dunning_write_scores(self, company, rows):
        """Write the scores of all customers in one statement: they are values of the
        company (company-dependent), without anything computed from them that the
        ORM would have to recompute; the cache is invalidated after."""
        if not rows:
            return
        fnames = [
            "payment_avg_days_late",
            "payment_on_time_ratio",
            "risk_score",
            "risk_reasons",
        ]
        self.flush_model(fnames)
        key = str(company.id)
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner p
                      SET payment_avg_days_late =
                              COALESCE(p.payment_avg_days_late, '{}'::jsonb)
                              || jsonb_build_object(%(key)s, v.avg_days_late),
                          payment_on_time_ratio =
                              COALESCE(p.payment_on_time_ratio, '{}'::jsonb)
                              || jsonb_build_object(%(key)s, v.on_time_ratio),
                          risk_score = COALESCE(p.risk_score, '{}'::jsonb)
                              || jsonb_build_object(%(key)s, v.score),
                          risk_reasons = COALESCE(p.risk_reasons, '{}'::jsonb)
                              || jsonb_build_object(%(key)s, v.reasons)
                     FROM (VALUES %(values)s)
                          AS v(id, avg_days_late, on_time_ratio, score, reasons)
                    WHERE p.id = v.id""",
                key=key,
                values=SQL(", ").join(
                    SQL(
                        "(%s, %s::float8, %s::float8, %s::int, %s::text)",
                        *row,
                    )
                    for row in rows
                ),
            )
        )
        self.invalidate_model(fnames)

    @api.model
    def _dunning_paid_invoices(self, company, since):
        """{commercial partner id: [PaidInvoice]} of the invoices paid since."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT m.commercial_partner_id, m.amount_total_signed,
                          m.invoice_date_due, MAX(apr.max_date) AS paid_date
                     FROM account_move m
                     JOIN account_move_line l ON l.move_id = m.id
                     JOIN account_account a ON a.id = l.account_id
                     JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                    WHERE m.company_id = %(company)s
                      AND m.move_type = 'out_invoice'
                      AND m.state = 'posted'
                      AND m.payment_state IN ('paid', 'in_payment')
                      AND a.account_type = 'asset_receivable'
                    GROUP BY m.id
                   HAVING MAX(apr.max_date) >= %(since)s""",
                company=company.id,
                since=since,
            )
        )
        paid = {}
        for partner_id, amount, due, paid_date in self.env.cr.fetchall():
            paid.setdefault(partner_id, []).append(
                PaidInvoice(
                    float(amount), (paid_date - (due or paid_date)).days, paid_date
                )
            )
        return paid

    @api.model
    def _dunning_oldest_overdue(self, company, date):
        """{commercial partner id: days overdue of its oldest unpaid invoice}."""
        self.env.cr.execute(
            SQL(
                """SELECT commercial_partner_id, %(date)s - MIN(invoice_date_due)
                     FROM account_move
                    WHERE company_id = %(company)s
                      AND move_type = 'out_invoice'
                      AND state = 'posted'
                      AND payment_state IN ('not_paid', 'partial')
                      AND invoice_date_due < %(date)s
                    GROUP BY commercial_partner_id""",
                company=company.id,
                date=date,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _dunning_reasons_text(self, reasons):
        """The reasons of a risk score, one per line, with their points."""
        # self.env._: a lambda's frame has no self for _() to find the language in
        texts = {
            "late": lambda v: self.env._("Pays %(days)s days late on average", days=v),
            "late_share": lambda v: self.env._(
                "%(share)s %% of the amount paid late", share=v
            ),
            "trend": lambda v: self.env._(
                "Pays later lately: %(days)s more days than before", days=v
            ),
            "promises": lambda v: self.env._(
                "%(count)s broken promise(s) to pay", count=v
            ),
            "disputes": lambda v: self.env._("%(count)s dispute(s)", count=v),
            "overdue": lambda v: self.env._(
                "Oldest overdue invoice: %(days)s days", days=v
            ),
        }
        return "\n".join(
            f"+{points} {texts[key](value)}" for points, key, value in reasons
        )

    def _compute_dunning_plan_count(self):
        groups = self.env["account.dunning.plan"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.dunning_plan_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_view_dunning_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_dunning_plan_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_dunning_handoff(self):
        """Hand the customers over to collection: reminders stop, and a dossier is
        attached to each customer for the agency or the lawyer."""
        check_button(self, mode="read")
        customers = self.commercial_partner_id
        already = customers.filtered(lambda p: p.dunning_stage == "collection")
        if already:
            raise UserError(
                _(
                    "%(customers)s is already in collection.",
                    customers=", ".join(already.mapped("display_name")),
                )
            )
        # sudo: the hand-over is a collection decision billing users may take; it
        # writes the customer's stage and dossier, not its contact details
        customers.sudo().write(
            {
                "dunning_stage": "collection",
                "dunning_collection_date": self._dunning_today(),
            }
        )
        for customer in customers:
            customer._dunning_post_dossier()
        return True

    def action_dunning_back_to_dunning(self):
        """Take the customers back from collection: reminders resume."""
        check_button(self, mode="read")
        customers = self.commercial_partner_id.filtered(
            lambda p: p.dunning_stage == "collection"
        )
        customers.sudo().write(  # see action_dunning_handoff()
            {"dunning_stage": "dunning", "dunning_collection_date": False}
        )
        for customer in customers:
            customer.sudo().message_post(  # see action_dunning_handoff()
                body=_("Back from collection: reminders resume."),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _dunning_post_dossier(self):
        """The collection dossier, posted on the customer: the last formal notice
        (else the last letter), the statement, the reminder history and the open
        invoices as CSV."""
        self.ensure_one()
        files = self._dunning_dossier_files()
        # sudo: the dossier goes with the hand-over (see action_dunning_handoff());
        # its files are the customer's own letters, statement and history
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": raw,
                        "res_model": "res.partner",
                        "res_id": self.id,
                    }
                    for name, raw in files
                ]
            )
        )
        self.sudo().message_post(  # see action_dunning_handoff()
            body=_("Handed over to collection. The dossier is attached."),
            attachment_ids=attachments.ids,
            subtype_xmlid="mail.mt_note",
        )
        return attachments

    def _dunning_dossier_files(self):
        """[(file name, bytes)] of the collection dossier."""
        self.ensure_one()
        reminders = self.env["account.dunning.reminder"].search(
            [
                ("partner_id", "=", self.id),
                ("company_id", "=", self.env.company.id),
            ],
            order="date, id",
        )
        sent = reminders.filtered(lambda r: r.state in ISSUED)
        notice = sent.filtered(lambda r: r.level_id.formal_notice)[-1:] or sent[-1:]
        files = []
        if notice:
            notice._dunning_render_letters()
            letter = notice.letter_attachment_id
            if letter:
                files.append((letter.name, letter.raw))
        documents, extension = self.env["ir.actions.report"]._dunning_render(
            "account_dunning.action_report_customer_statement", self
        )
        files.append(
            (
                _("Statement %(customer)s", customer=self.name) + f".{extension}",
                documents[self.id],
            )
        )
        files.append((_("Reminder history.csv"), reminders._dunning_history_csv()))
        files.append((_("Open invoices.csv"), self._dunning_open_invoices_csv()))
        return files

    def _dunning_open_invoices_csv(self):
        statement = self._dunning_statement()
        rows = [
            [
                line["move"].name,
                line["date"],
                line["date_due"],
                line["days_overdue"],
                line["amount_currency"],
                line["move"].currency_id.name,
                line["amount"],
            ]
            for line in statement["lines"]
        ]
        header = [
            _("Document"),
            _("Date"),
            _("Due date"),
            _("Days late"),
            _("Open amount"),
            _("Currency"),
            _("In company currency"),
        ]
        return csv_bytes(header, rows)

    def action_dunning_plan(self):
        """A new payment plan for the customer's overdue invoices."""
        check_button(self, mode="read")
        self.ensure_one()
        return self.env["account.dunning.plan"]._dunning_form_action(self)

    def _dunning_statement(self, date=None):
        """The customer's open items in the current company on ``date`` (default
        today), for its statement: {"date", "currency", "lines", "aging", "total"}.

        Each line: the entry, its due date, days late, the open amount in the entry's
        currency and in company currency. Aging totals are in company currency.
        """
        self.ensure_one()
        company = self.env.company
        date = date or self._dunning_today()
        customer = self.commercial_partner_id
        Move = self.env["account.move"]
        rows = Move._dunning_fetch(
            Move._dunning_open_moves_sql(
                company,
                date,
                SQL("lp.commercial_partner_id = %s", customer.id),
            )
        )
        moves = Move.browse([row["move_id"] for row in rows])
        moves.fetch(["name", "invoice_date", "invoice_date_due", "date", "currency_id"])
        currency = company.currency_id
        lines = []
        for row, move in zip(rows, moves, strict=True):
            # credits (credit notes, payments) are never late: they count as not due
            late = row["due"] and row["residual"] > 0
            lines.append(
                {
                    "move": move,
                    "date": move.invoice_date or move.date,
                    "date_due": row["due"] or move.invoice_date_due or move.date,
                    "days_overdue": max((date - row["due"]).days, 0) if late else 0,
                    "amount_currency": row["residual_currency"],
                    "amount": currency.round(row["residual"]),
                }
            )
        lines.sort(key=lambda line: (line["date_due"], line["move"].id))
        totals = aging((line["days_overdue"], line["amount"]) for line in lines)
        return {
            "date": date,
            "currency": currency,
            "lines": lines,
            "aging": {key: currency.round(amount) for key, amount in totals.items()},
            "total": currency.round(sum(line["amount"] for line in lines)),
        }

    def _dunning_recipients(self):
        """Who receives the reminders of this customer: its contacts of type Payment
        Reminder Address with an email; else its invoice address; else itself."""
        self.ensure_one()
        customer = self.commercial_partner_id
        contacts = customer.child_ids.filtered(
            lambda child: child.type == "dunning" and child.email
        )
        if contacts:
            return contacts
        if not customer.child_ids:  # most customers: no need to walk the tree
            return customer
        invoice_address = self.browse(customer.address_get(["invoice"])["invoice"])
        return invoice_address if invoice_address.email else customer

    def _dunning_has_postal_address(self):
        """Enough of an address to post a letter to."""
        self.ensure_one()
        return bool(self.street and (self.city or self.zip))

    def action_dunning_send(self):
        """Send reminder: the send wizard for these customers."""
        check_button(self, mode="read")
        return self.env["account.dunning.send"]._dunning_open_for(partners=self)

    def action_view_dunning_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_dunning_reminder_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "search_default_group_by_state": 0,
        }
        return action

    def action_view_dunning_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = self._dunning_unpaid_invoices_domain()
        action["context"] = {"create": False, "search_default_late": 1}
        return action
