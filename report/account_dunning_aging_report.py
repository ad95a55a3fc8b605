# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL


class AccountDunningAgingReport(models.Model):
    """Aged receivables: one row per open customer entry, its amount due in company
    currency spread over the aging buckets, for pivot and graph by customer,
    salesperson and dunning level."""

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
    amount_due = fields.Monetary(readonly=True)
    not_due = fields.Monetary(readonly=True)
    days_1_30 = fields.Monetary(string="1-30", readonly=True)
    days_31_60 = fields.Monetary(string="31-60", readonly=True)
    days_61_90 = fields.Monetary(string="61-90", readonly=True)
    days_91_120 = fields.Monetary(string="91-120", readonly=True)
    days_over_120 = fields.Monetary(string="Over 120", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE VIEW %(table)s AS (
                    WITH open_moves AS (
                        SELECT l.move_id,
                               MIN(l.company_id) AS company_id,
                               SUM(l.amount_residual) AS amount_due,
                               MIN(COALESCE(l.date_maturity, l.date)) AS date_due
                          FROM account_move_line l
                          JOIN account_account a ON a.id = l.account_id
                         WHERE a.account_type = 'asset_receivable'
                           AND l.parent_state = 'posted'
                           AND NOT l.reconciled
                           AND l.amount_residual != 0
                         GROUP BY l.move_id
                    )
                    SELECT om.move_id AS id,
                           om.move_id,
                           m.commercial_partner_id AS partner_id,
                           m.invoice_user_id AS user_id,
                           m.dunning_level_id AS level_id,
                           om.company_id,
                           c.currency_id,
                           om.date_due,
                           GREATEST(CURRENT_DATE - om.date_due, 0) AS days_overdue,
                           om.amount_due,
                           CASE WHEN CURRENT_DATE - om.date_due <= 0
                                  OR om.amount_due < 0
                                THEN om.amount_due ELSE 0 END AS not_due,
                           CASE WHEN om.amount_due > 0
                                 AND CURRENT_DATE - om.date_due BETWEEN 1 AND 30
                                THEN om.amount_due ELSE 0 END AS days_1_30,
                           CASE WHEN om.amount_due > 0
                                 AND CURRENT_DATE - om.date_due BETWEEN 31 AND 60
                                THEN om.amount_due ELSE 0 END AS days_31_60,
                           CASE WHEN om.amount_due > 0
                                 AND CURRENT_DATE - om.date_due BETWEEN 61 AND 90
                                THEN om.amount_due ELSE 0 END AS days_61_90,
                           CASE WHEN om.amount_due > 0
                                 AND CURRENT_DATE - om.date_due BETWEEN 91 AND 120
                                THEN om.amount_due ELSE 0 END AS days_91_120,
                           CASE WHEN om.amount_due > 0
                                 AND CURRENT_DATE - om.date_due > 120
                                THEN om.amount_due ELSE 0 END AS days_over_120
                      FROM open_moves om
                      JOIN account_move m ON m.id = om.move_id
                      JOIN res_company c ON c.id = om.company_id
                )""",
                table=SQL.identifier(self._table),
            )
        )
