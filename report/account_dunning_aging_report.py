# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

BUCKET_HELP = (
    "The instalments past due by this many days, before the credits to apply are "
    "set against them (see Overdue Amount)."
)


class AccountDunningAgingReport(models.Model):
    """Aged receivables: one row per open customer entry (the selection's), its debit
    instalments in company currency spread over the aging buckets and its credit to
    apply apart, for pivot and graph by customer, salesperson and dunning level.

    ``amount_overdue`` is the one overdue figure (``dunning.figures``): each row's
    past-due part less the customer's credits, set against the oldest first, so
    that a customer's rows add up to its overdue amount on every other screen. The
    buckets are the instalments themselves, before the credits."""

    _name = "account.dunning.aging.report"
    _description = "Aged Receivables"
    _auto = False
    _order = "days_overdue desc"

    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    level_id = fields.Many2one(
        "account.dunning.level", string="Dunning Level", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True)
    amount_due = fields.Monetary(
        string="Balance",
        readonly=True,
        help="What is open of the entry, credits below zero.",
    )
    amount_overdue = fields.Monetary(
        string="Overdue Amount",
        readonly=True,
        help="What is past due of the entry, less the customer's credits to apply "
        "(set against the oldest first): a customer's rows add up to its overdue "
        "amount on the collection desk, its statement and its account.",
    )
    credit = fields.Monetary(string="Credits to Apply", readonly=True)
    not_due = fields.Monetary(
        readonly=True, help="The instalments not due yet, credits apart."
    )
    days_1_30 = fields.Monetary(string="1-30", readonly=True, help=BUCKET_HELP)
    days_31_60 = fields.Monetary(string="31-60", readonly=True, help=BUCKET_HELP)
    days_61_90 = fields.Monetary(string="61-90", readonly=True, help=BUCKET_HELP)
    days_91_120 = fields.Monetary(string="91-120", readonly=True, help=BUCKET_HELP)
    days_over_120 = fields.Monetary(string="Over 120", readonly=True, help=BUCKET_HELP)

    # the selection's rows: fresh figures on each read, for the companies open
    _depends = {
        "account.move.line": ["amount_residual", "reconciled", "parent_state"],
        "account.move": ["dunning_level_id", "invoice_user_id"],
    }

    @property
    def _table_query(self):
        """The selection of each company the user works in, on today's date: the
        same rows as the statement, the desk and the daily run (kept by
        ``account.dunning.figures``)."""
        figures = self.env["account.dunning.figures"]
        today = fields.Date.context_today(self)
        parts = [
            SQL(
                """SELECT s.move_id AS id,
                          s.move_id,
                          s.partner_id,
                          s.user_id,
                          s.level_id,
                          %(company)s AS company_id,
                          %(currency)s AS currency_id,
                          s.due AS date_due,
                          CASE WHEN s.overdue_residual > 0
                               THEN %(today)s - s.due ELSE 0 END AS days_overdue,
                          s.residual AS amount_due,
                          s.amount_overdue,
                          s.credit,
                          s.aged_not_due AS not_due,
                          s.aged_1_30 AS days_1_30,
                          s.aged_31_60 AS days_31_60,
                          s.aged_61_90 AS days_61_90,
                          s.aged_91_120 AS days_91_120,
                          s.aged_over_120 AS days_over_120
                     FROM (%(rows)s) s""",
                company=company.id,
                currency=company.currency_id.id,
                today=today,
                rows=figures._entries_sql(company, today),
            )
            for company in self.env.companies
        ]
        return SQL(" UNION ALL ").join(parts)
