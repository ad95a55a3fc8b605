# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collection desk's figures of a customer (list, kanban, customer form): the
selection's per-customer rows (``account.dunning.selection._customers_sql``, kept by
``account.dunning.figures``), sortable, groupable and searchable in SQL."""

import operator as py_operator

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from .access import ACCOUNTING, check_fields_readable

# What the user reads; whether the daily run chases an invoice is the selection's
# chase_reason (a customer on credit hold is still chased: the hold is its own flag).
DUNNING_STATUS = [
    ("none", "Nothing overdue"),
    ("overdue", "Overdue"),
    ("action", "Action needed"),
    ("paused", "Paused: dispute, promise or plan"),
    ("excluded", "Excluded from dunning"),
    ("collection", "In collection"),
]
# the statuses decided by the customer's own settings, before any figure
SETTLED_STATUSES = ("excluded", "collection")

OPERATORS = {
    "=": py_operator.eq,
    "!=": py_operator.ne,
    "<": py_operator.lt,
    "<=": py_operator.le,
    ">": py_operator.gt,
    ">=": py_operator.ge,
}

# Figures computed in SQL by the selection (account.dunning.selection), hence sortable
# and searchable.
LEVEL = "dunning_level_id"  # grouped on (the kanban by level) like the figures below
# what a customer without open receivables has for each figure
SQL_DEFAULTS = {"amount_overdue": 0.0, "level_id": None, "status": "none"}
SQL_FIGURES = {
    "dunning_amount_overdue": "amount_overdue",
    "dunning_amount_to_claim": "amount_to_claim",
    "dunning_credit_amount": "credit",
    "dunning_overdue_count": "overdue_count",
    "dunning_next_date": "next_date",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_currency_id = fields.Many2one(
        "res.currency", compute="_compute_dunning_currency_id"
    )
    dunning_amount_overdue = fields.Monetary(
        string="Overdue Amount",
        currency_field="dunning_currency_id",
        compute="_compute_dunning_figures",
        search="_search_dunning_amount_overdue",
        groups=ACCOUNTING,
        help="What is past due (the instalments whose due date has passed, disputed, "
        "promised and planned invoices included), less the credits to apply; never "
        "below zero. In company currency. The same figure on every screen.",
    )
    dunning_amount_to_claim = fields.Monetary(
        string="To Claim",
        currency_field="dunning_currency_id",
        compute="_compute_dunning_figures",
        groups=ACCOUNTING,
        help="What the daily run's reminder would ask today: the past-due part of "
        "the invoices whose next level is due (not those disputed, promised, under "
        "a payment plan or excluded), less the credits to apply; never below zero. "
        "In company currency.",
    )
    dunning_credit_amount = fields.Monetary(
        string="Credits to Apply",
        currency_field="dunning_currency_id",
        compute="_compute_dunning_figures",
        groups=ACCOUNTING,
        help="Credit notes and payments of the customer not yet matched with an "
        "invoice, in company currency: they are set against what is overdue.",
    )
    dunning_is_customer = fields.Boolean(
        string="Customer with Receivables",
        compute="_compute_dunning_figures",
        search="_search_dunning_is_customer",
        groups=ACCOUNTING,
    )
    dunning_overdue_count = fields.Integer(
        string="Overdue Invoices",
        compute="_compute_dunning_figures",
        groups=ACCOUNTING,
        help="The invoices with an instalment past due, disputed ones included.",
    )
    dunning_level_id = fields.Many2one(
        "account.dunning.level",
        string="Dunning Level",
        compute="_compute_dunning_figures",
        search="_search_dunning_level_id",
        group_expand="_read_group_dunning_level_ids",
        groups=ACCOUNTING,
        help="The highest level reached among the customer's open invoices.",
    )
    dunning_next_date = fields.Date(
        string="Next Reminder",
        compute="_compute_dunning_figures",
        groups=ACCOUNTING,
    )
    dunning_status = fields.Selection(
        DUNNING_STATUS,
        compute="_compute_dunning_figures",
        search="_search_dunning_status",
        groups=ACCOUNTING,
    )

    @api.depends_context("company")
    def _compute_dunning_currency_id(self):
        self.dunning_currency_id = self.env.company.currency_id

    @api.depends(
        "commercial_partner_id.dunning_excluded",
        "commercial_partner_id.dunning_stage",
    )
    @api.depends_context("company")
    def _compute_dunning_figures(self):
        # a contact reads its company's figures
        commercial = self.commercial_partner_id._origin
        figures = {}
        if commercial:
            figures = self.env["account.dunning.selection"]._customer_figures(
                self.env.company, self._dunning_today(), commercial.ids
            )
        levels = self.env["account.dunning.level"].browse(
            [row["level_id"] for row in figures.values() if row["level_id"]]
        )
        for partner in self:
            customer = partner.commercial_partner_id
            row = figures.get(customer._origin.id) or {}
            partner.dunning_amount_overdue = row.get("amount_overdue", 0.0)
            partner.dunning_amount_to_claim = row.get("amount_to_claim", 0.0)
            partner.dunning_credit_amount = row.get("credit", 0.0)
            partner.dunning_overdue_count = row.get("overdue_count", 0)
            partner.dunning_is_customer = bool(row.get("is_customer"))
            partner.dunning_level_id = levels.browse(row.get("level_id"))
            partner.dunning_next_date = row.get("next_date")
            partner.dunning_status = customer._dunning_settled_status() or row.get(
                "status", "none"
            )

    def _dunning_settled_status(self):
        """The status the customer's own settings decide, whatever it owes:
        excluded from dunning, or handed over to collection; else False."""
        self.ensure_one()
        if self.dunning_excluded:
            return "excluded"
        if self.dunning_stage == "collection":
            return "collection"
        return False

    def _search_dunning_is_customer(self, operator, value):
        # also reached without this model's _search (a path through an auto_join)
        check_fields_readable(self, ["dunning_is_customer"])
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on customers: %s", operator))
        positive = (operator == "=") == value
        customers = SQL(
            "(SELECT o.partner_id FROM (%s) o)",
            self._dunning_all_figures_sql(SQL("f.is_customer")),
        )
        return [("id", "in" if positive else "not in", customers)]

    @api.model
    def _dunning_today(self):
        return fields.Date.context_today(self)

    # ------------------------------------------------------------------
    # Per-customer figures: the selection's, sortable, groupable, searchable
    # ------------------------------------------------------------------
    def _dunning_settled_status_sql(self, alias, query=None):
        return SQL(
            "(CASE WHEN COALESCE(%s, FALSE) THEN 'excluded' "
            "WHEN COALESCE(%s, 'dunning') = 'collection' THEN 'collection' END)",
            self._field_to_sql(alias, "dunning_excluded", query),
            self._field_to_sql(alias, "dunning_stage", query),
        )

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """Sort and group on the SQL figures of the current company."""
        # EXTENDS base: the selection's figures sort and group in SQL like stored fields
        if fname not in SQL_FIGURES and fname not in ("dunning_status", LEVEL):
            return super()._field_to_sql(alias, fname, query, flush)
        self.check_field_access_rights("read", [fname])
        column = SQL_FIGURES.get(fname, "level_id" if fname == LEVEL else "status")
        value = self._dunning_figure_sql(alias, column, query, flush)
        if fname == LEVEL:  # no level: no group, not a level 0
            return value
        if fname == "dunning_status":
            return SQL(
                "COALESCE(%s, %s, 'none')",
                self._dunning_settled_status_sql(alias, query),
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
        selection = self.env["account.dunning.selection"]
        if query is None:
            figures = selection._customers_sql(
                company, today, SQL("lp.commercial_partner_id = %s", commercial)
            )
            return SQL("(SELECT %s FROM (%s) f)", SQL.identifier("f", column), figures)
        figures_alias = query.make_alias(alias, "dunning_figures")
        query.add_join(
            "LEFT JOIN",
            figures_alias,
            SQL("(%s)", self._dunning_all_figures_sql()),
            SQL("%s = %s", SQL.identifier(figures_alias, "partner_id"), commercial),
        )
        return SQL.identifier(figures_alias, column)

    def _dunning_all_figures_sql(self, condition=None):
        """The selection's rows of every customer of the current company (kept by
        ``account.dunning.figures``), those meeting ``condition`` (alias ``f``)."""
        return self.env["account.dunning.figures"]._customers_sql(
            self.env.company, self._dunning_today(), condition
        )

    def _dunning_figure_domain(self, column, condition, matches):
        """The customers whose row of figures (alias ``f``) meets ``condition``, an
        SQL condition that is never NULL on a figures row (on the plain columns,
        which PostgreSQL estimates), ``matches`` being the same test in Python on
        ``column``: those without open receivables match as a figure of none (0,
        no level, "none") does."""
        if matches(SQL_DEFAULTS[column]):
            others = self._dunning_all_figures_sql(SQL("NOT %s", condition))
            return [
                (
                    "commercial_partner_id",
                    "not in",
                    SQL("(SELECT o.partner_id FROM (%s) o)", others),
                )
            ]
        ids = self._dunning_all_figures_sql(condition)
        return [
            (
                "commercial_partner_id",
                "in",
                SQL("(SELECT o.partner_id FROM (%s) o)", ids),
            )
        ]

    def _search_dunning_amount_overdue(self, operator, value):
        # also reached without this model's _search (a path through an auto_join)
        check_fields_readable(self, ["dunning_amount_overdue"])
        compare = OPERATORS.get(operator)
        if (
            compare is None
            or isinstance(value, bool)
            or not isinstance(value, (int, float))
        ):
            raise UserError(_("Unsupported search on the overdue amount: %s", operator))
        # the plain columns (never NULL in the figures): PostgreSQL estimates them
        condition = SQL("(f.amount_overdue %s %s)", SQL(operator), value)
        return self._dunning_figure_domain(
            "amount_overdue", condition, lambda amount: compare(amount, value)
        )

    def _search_dunning_level_id(self, operator, value):
        """Customers by the level reached (a kanban column, a filter)."""
        # also reached without this model's _search (a path through an auto_join)
        check_fields_readable(self, ["dunning_level_id"])
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the dunning level: %s", operator))
        wanted = {value} if not isinstance(value, (list, tuple)) else set(value)
        wanted = {v or False for v in wanted}
        if not all(v is False or isinstance(v, int) for v in wanted):
            raise UserError(_("Unsupported search on the dunning level: %s", value))
        ids = sorted(v for v in wanted if v is not False)
        # never NULL: with no level wanted, NULL (no level) is one of the values
        condition = (
            SQL("(f.level_id IS NULL OR f.level_id = ANY(%s))", ids)
            if False in wanted
            else SQL("(f.level_id = ANY(%s))", ids)
        )
        domain = self._dunning_figure_domain(
            "level_id", condition, lambda level: (level or False) in wanted
        )
        return ["!", *domain] if operator in ("!=", "not in") else domain

    @api.model
    def _read_group_dunning_level_ids(self, levels, domain):
        """Every active level of the company's policies is a kanban column, even
        with no customer on it yet, in the order customers climb them."""
        company_levels = self.env["account.dunning.level"].search(
            [("company_id", "=", self.env.company.id)]
        )
        # each policy's levels together, from the earliest to the latest: the
        # company's default policy first, the others by name
        default = self.env.company.dunning_policy_id
        return (company_levels | levels).sorted(
            lambda level: (
                level.policy_id != default,
                level.policy_id.name or "",
                level.policy_id.id,
                level.delay,
            )
        )

    def _search_dunning_status(self, operator, value):
        """The settled statuses come from the customer's settings, the others from
        its figures (for a customer whose settings decide nothing)."""
        # also reached without this model's _search (a path through an auto_join)
        check_fields_readable(self, ["dunning_status"])
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the dunning status: %s", operator))
        values = {value} if isinstance(value, str) or not value else set(value)
        values = {v or "none" for v in values}
        excluded = [("commercial_partner_id.dunning_excluded", "=", True)]
        collection = [
            "!",
            *excluded,
            ("commercial_partner_id.dunning_stage", "=", "collection"),
        ]
        unsettled = ["!", *expression.OR([excluded, collection])]
        condition = SQL("(f.status = ANY(%s))", sorted(map(str, values)))
        by_figures = self._dunning_figure_domain(
            "status", condition, lambda status: status in values
        )
        branches = [expression.AND([unsettled, by_figures])]
        if "excluded" in values:
            branches.append(excluded)
        if "collection" in values:
            branches.append(collection)
        domain = expression.OR(branches)
        return ["!", *domain] if operator in ("!=", "not in") else domain

    def action_view_dunning_credits(self):
        """The credits to apply: the customer's open entries that leave it in credit
        (credit notes, payments not matched with an invoice yet), to match them."""
        self.ensure_one()
        rows = self.env["account.dunning.selection"]._open_items(
            self.env.company,
            self._dunning_today(),
            SQL("lp.commercial_partner_id = %s", self.commercial_partner_id.id),
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Credits to apply"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [
                ("id", "in", [row["move_id"] for row in rows if row["credit"] > 0])
            ],
            "context": {"create": False},
        }
