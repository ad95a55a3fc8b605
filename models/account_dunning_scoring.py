# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Scoring: each customer's payment behaviour and risk, updated by the daily run (the
rules are in ``dunning.scoring``)."""

import json
from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL, formatLang

from ..dunning.scoring import PaidInvoice, behaviour, risk


class AccountDunningScoring(models.AbstractModel):
    """Service: payment behaviour scores of the customers of a company."""

    _name = "account.dunning.scoring"
    _description = "Dunning Scoring"

    @api.model
    def _update(self, company, date, partner_ids=None):
        """Payment behaviour and risk of every customer of ``company`` with invoices
        paid in the last 12 months or open ones (of ``partner_ids`` only, if given:
        the daily run scores a company in chunks of customers), in a few grouped
        queries; written in one statement."""
        paid, overdue, promises, disputes = self._inputs(company, date, partner_ids)
        partner_ids = set(paid) | set(overdue)
        partner_ids |= {p.id for p in promises} | {p.id for p in disputes}
        rows = []
        for partner in self.env["res.partner"].browse(sorted(partner_ids)):
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
                    figures.invoices,
                    score,
                    json.dumps(reasons) if reasons else None,
                )
            )
        self._write_scores(company, rows)
        return len(rows)

    @api.model
    def _scored_partner_ids(self, company, date):
        """The customers ``_update`` scores on ``date``, in id order."""
        paid, overdue, promises, disputes = self._inputs(company, date)
        ids = set(paid) | set(overdue)
        return sorted(ids | {p.id for p in promises} | {p.id for p in disputes})

    @api.model
    def _inputs(self, company, date, partner_ids=None):
        """What the scores of ``date`` are made of, per customer (of
        ``partner_ids`` only, if given): (paid invoices, days late of the oldest
        overdue instalment, promises broken and disputes of the last 12 months)."""
        since = date - timedelta(days=365)
        promised, disputed = [], []
        if partner_ids is not None:
            promised = [("partner_id", "in", list(partner_ids))]
            disputed = [("commercial_partner_id", "in", list(partner_ids))]
        promises = dict(
            self.env["account.dunning.promise"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "broken"),
                    ("date", ">=", since),
                    *promised,
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
                    *disputed,
                ],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        return (
            self._paid_invoices(company, since, partner_ids),
            self._oldest_overdue(company, date, partner_ids),
            promises,
            disputes,
        )

    @api.model
    def _write_scores(self, company, rows):
        """Write the scores of all customers in one statement: they are values of the
        company (company-dependent), without anything computed from them that the
        ORM would have to recompute; the cache is invalidated after. A customer
        another transaction holds now (an accountant saving it) keeps its scores
        until the next run: the statement never waits for it."""
        if not rows:
            return
        fnames = [
            "payment_avg_days_late",
            "payment_on_time_ratio",
            "payment_paid_count",
            "risk_score",
            "risk_factors",
        ]
        self.env["res.partner"].flush_model(fnames)
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
                          payment_paid_count =
                              COALESCE(p.payment_paid_count, '{}'::jsonb)
                              || jsonb_build_object(%(key)s, v.paid_count),
                          risk_score = COALESCE(p.risk_score, '{}'::jsonb)
                              || jsonb_build_object(%(key)s, v.score),
                          risk_factors = COALESCE(p.risk_factors, '{}'::jsonb)
                              || jsonb_build_object(%(key)s, v.reasons)
                     FROM (VALUES %(values)s)
                          AS v(id, avg_days_late, on_time_ratio, paid_count, score,
                               reasons)
                    WHERE p.id = v.id
                      AND p.id IN (SELECT id FROM res_partner
                                    WHERE id = ANY(%(ids)s)
                                      FOR NO KEY UPDATE SKIP LOCKED)""",
                key=key,
                ids=[row[0] for row in rows],
                values=SQL(", ").join(
                    SQL(
                        "(%s, %s::float8, %s::float8, %s::int, %s::int, %s::text)",
                        *row,
                    )
                    for row in rows
                ),
            )
        )
        self.env["res.partner"].invalidate_model(fnames)

    @api.model
    def _paid_invoices(self, company, since, partner_ids=None):
        """{commercial partner id: [PaidInvoice]} of the invoices paid since (of
        ``partner_ids`` only, if given)."""
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
                      AND %(partners)s
                    GROUP BY m.id
                   HAVING MAX(apr.max_date) >= %(since)s""",
                company=company.id,
                since=since,
                partners=SQL("TRUE")
                if partner_ids is None
                else SQL("m.commercial_partner_id = ANY(%s)", list(partner_ids)),
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
    def _oldest_overdue(self, company, date, partner_ids=None):
        """{commercial partner id: days late of its oldest overdue instalment}, as
        the selection tells what is overdue (of ``partner_ids`` only, if given);
        grouped in SQL."""
        selection = self.env["account.dunning.selection"]
        line_filter = (
            SQL("TRUE")
            if partner_ids is None
            else SQL("lp.commercial_partner_id = ANY(%s)", list(partner_ids))
        )
        rows = selection._fetch(
            SQL(
                """SELECT partner_id, MAX(%s - due) AS days
                     FROM (%s) o
                    WHERE move_type = 'out_invoice' AND overdue_residual > 0
                    GROUP BY partner_id""",
                date,
                selection._open_items_sql(company, date, line_filter),
            )
        )
        return {row["partner_id"]: row["days"] for row in rows}

    @api.model
    def _reasons_text(self, reasons):
        """The reasons of a risk score, one per line, with their points."""

        # self.env._: a lambda's frame has no self for _() to find the language in;
        # numbers in the reader's format
        def number(value, digits=1):
            return formatLang(self.env, value, digits=digits)

        texts = {
            "late": lambda v: self.env._(
                "Pays %(days)s days late on average", days=number(v)
            ),
            "late_share": lambda v: self.env._(
                "%(share)s %% of the amount paid late", share=number(v, 0)
            ),
            "trend": lambda v: self.env._(
                "Pays later lately: %(days)s more days than before", days=number(v)
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
