# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, date_utils, formatLang

from ..dunning.kpis import cei, dso_countback, share
from ..dunning.scoring import behaviour
from ..models.access import ACCOUNTING
from ..models.account_dunning_selection import ISSUED
from ..models.bounds import MAX_DATE, MIN_DATE, check_input

EFFECTIVE_DAYS = 14  # a reminder is effective when paid within this many days


class AccountDunningKpi(models.TransientModel):
    """Collection KPIs of a company over a period."""

    _name = "account.dunning.kpi"
    _description = "Collection KPIs"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        required=True,
        default=lambda self: date_utils.start_of(
            fields.Date.context_today(self) - timedelta(days=90), "month"
        ),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    dso = fields.Float(string="DSO (days)", compute="_compute_kpis", digits=(16, 1))
    avg_days_late = fields.Float(
        string="Average Days Late", compute="_compute_kpis", digits=(16, 1)
    )
    amount_overdue = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_kpis",
        help="On the period's last day, the customers' overdue amounts added up: "
        "what is past due less the credits to apply, per customer, as the "
        "collection desk shows them.",
    )
    overdue_share = fields.Float(
        string="Overdue Share (%)",
        compute="_compute_kpis",
        help="On the period's last day, the overdue amount divided by what the "
        "customers owe (their balances; a customer in credit counts zero).",
    )
    cei = fields.Float(string="Collection Effectiveness (%)", compute="_compute_kpis")
    recovery_rate = fields.Float(
        string="Recovery Rate (%)",
        compute="_compute_kpis",
        help="What was paid during the period of the instalments past due on the day "
        "before it starts, divided by what was open of them that day (before the "
        "credits to apply).",
    )
    effectiveness_html = fields.Html(
        string="Effectiveness of Reminders", compute="_compute_kpis", sanitize=False
    )

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        # the title of a report, not of a record ("New")
        for kpi in self:
            kpi.display_name = _("Collection KPIs")

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    @api.model
    def action_open(self):
        """The KPI screen of the current company over the default period: a report
        opened on its figures, not a record to create."""
        kpi = self.create({})
        return {
            "type": "ir.actions.act_window",
            "name": _("Collection KPIs"),
            "res_model": self._name,
            "res_id": kpi.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for kpi in self:
            problem = kpi._dunning_period_problem()
            if problem:
                raise ValidationError(problem)

    def _dunning_access_problem(self):
        """What the form, being edited, may not show (an onchange computes the
        figures of a record never saved, which no access right or record rule
        guards): another company's figures, or any to a user outside accounting."""
        self.ensure_one()
        env = self.env
        if env.su:
            return False
        if not env.user.has_groups(ACCOUNTING):
            return _("The collection KPIs are for accounting users.")
        if self.company_id and self.company_id not in env.user.company_ids:
            return _("Choose one of your companies.")
        return False

    def _dunning_period_problem(self):
        """Why the period cannot be measured, or nothing."""
        self.ensure_one()
        if not self.company_id:
            return _("Choose the company.")
        if not self.date_from or not self.date_to:
            return _("Choose the first and the last day of the period.")
        if not MIN_DATE <= self.date_from <= MAX_DATE or not (
            MIN_DATE <= self.date_to <= MAX_DATE
        ):
            return _(
                "The period falls between %(first)s and %(last)s.",
                first=MIN_DATE,
                last=MAX_DATE,
            )
        if self.date_from > self.date_to:
            return _(
                "The period starts on %(start)s, after its end on %(end)s.",
                start=self.date_from,
                end=self.date_to,
            )
        return False

    @api.depends("company_id", "date_from", "date_to")
    def _compute_kpis(self):
        for kpi in self:
            problem = kpi._dunning_access_problem() or kpi._dunning_period_problem()
            if problem:
                # the form is being edited: say what is wrong instead of figures
                kpi.update(
                    dict.fromkeys(
                        ("dso", "avg_days_late", "amount_overdue", "overdue_share"),
                        0.0,
                    )
                    | {
                        "cei": 0.0,
                        "recovery_rate": 0.0,
                        "effectiveness_html": Markup("<p>%s</p>") % problem,
                    }
                )
                continue
            figures = kpi._dunning_kpis()
            kpi.dso = figures["dso"]
            kpi.avg_days_late = figures["avg_days_late"]
            kpi.amount_overdue = figures["overdue"]
            kpi.overdue_share = figures["overdue_share"]
            kpi.cei = figures["cei"]
            kpi.recovery_rate = figures["recovery_rate"]
            kpi.effectiveness_html = kpi._dunning_effectiveness_table(
                figures["by_level"], figures["by_channel"]
            )

    def _dunning_kpis(self):
        """All KPIs of the period as a dict (amounts in company currency)."""
        self.ensure_one()
        start, end = self.date_from, self.date_to
        before = start - timedelta(days=1)
        receivables = self._dunning_receivables_on([before, end])
        ending, beginning = receivables[end], receivables[before]
        sales = self._dunning_sales(start, end)
        by_level, by_channel = self._dunning_effectiveness(start, end)
        overdue_start = beginning["overdue"]
        recovered = self._dunning_recovered(before, end)
        customers = self._dunning_customers_on(end)
        return {
            "dso": dso_countback(ending["total"], self._dunning_monthly_sales(end)),
            "avg_days_late": behaviour(
                self._dunning_paid(start, end), end
            ).avg_days_late,
            # of what the customers owe, what is overdue (the desk's figures): 0
            # to 100, a customer's overdue never above its balance
            "overdue_share": share(customers["overdue"], customers["owed"]),
            "cei": cei(
                beginning["current"] + beginning["overdue"],
                sales,
                ending["current"] + ending["overdue"],
                ending["current"],
            ),
            "recovery_rate": share(recovered, overdue_start),
            "by_level": by_level,
            "by_channel": by_channel,
            "receivables": ending["total"],
            "sales": sales,
            # the amounts behind the rates, for the digest email
            "overdue": customers["overdue"],
            "owed": customers["owed"],
            "recovered": recovered,
        }

    # --- figures from the journal --------------------------------------------------
    def _dunning_customers_on(self, on):
        """The customers' figures on day ``on``, added up: {"overdue": their overdue
        amounts, "owed": their balances (a customer in credit counts zero)}; the
        customers of the collection desk, with its figures (``dunning.figures``):
        today's as the desk reads them, another day's from what was open then."""
        company = self.company_id
        if on == fields.Date.context_today(self):
            rows = self.env["account.dunning.figures"]._customers_sql(company, on)
        else:
            rows = self.env["account.dunning.selection"]._customers_sql(
                company, on, SQL("TRUE"), as_of=True
            )
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(f.amount_overdue), 0),
                          COALESCE(SUM(GREATEST(f.balance, 0)), 0)
                     FROM (%s) f
                    WHERE f.is_customer""",
                rows,
            )
        )
        overdue, owed = self.env.cr.fetchone()
        currency = company.currency_id
        return {"overdue": currency.round(overdue), "owed": currency.round(owed)}

    def _dunning_receivables(self, on):
        """Receivables on date ``on`` (see ``_dunning_receivables_on``)."""
        return self._dunning_receivables_on([on])[on]

    def _dunning_receivables_on(self, dates):
        """Per date of ``dates``, the receivables on that day: total, not yet due
        (current), and the instalments past due (``overdue``, before the credits to
        apply: the recovery rate's base, not the desk's overdue amount). What was
        open then: each entry's amount less what was reconciled with it by then. One
        pass over the receivable lines and their reconciliations, whatever the
        number of dates."""
        self.env.flush_all()
        dates = sorted(set(dates))
        receivable = self.env["account.dunning.selection"]._receivable_account_ids()
        matched = SQL(", ").join(
            SQL(
                "SUM(x.amount) FILTER (WHERE x.max_date <= %s) AS %s",
                on,
                SQL.identifier(f"matched_{index}"),
            )
            for index, on in enumerate(dates)
        )
        figures = SQL(", ").join(
            SQL(
                """COALESCE(SUM(%(open)s) FILTER (WHERE l.date <= %(on)s), 0),
                   COALESCE(SUM(%(open)s) FILTER (
                       WHERE l.date <= %(on)s AND l.balance > 0
                         AND l.due >= %(on)s), 0),
                   -- overdue as the selection says: due before the day
                   COALESCE(SUM(%(open)s) FILTER (
                       WHERE l.date <= %(on)s AND l.balance > 0
                         AND l.due < %(on)s), 0)""",
                open=SQL(
                    "l.balance + COALESCE(%s, 0)",
                    SQL.identifier("m", f"matched_{index}"),
                ),
                on=on,
            )
            for index, on in enumerate(dates)
        )
        self.env.cr.execute(
            SQL(
                """WITH lines AS (
                       SELECT l.id, l.balance, l.date,
                              COALESCE(l.date_maturity, l.date) AS due
                         FROM account_move_line l
                        WHERE l.account_id = ANY(%(receivable)s)
                          AND l.parent_state = 'posted'
                          AND l.company_id = %(company)s
                          AND l.date <= %(last)s
                   ), matched AS (
                       -- what was reconciled with each line, by date: less on the
                       -- debit, more on the credit
                       SELECT x.line_id, %(matched)s
                         FROM (SELECT p.debit_move_id AS line_id, p.max_date,
                                      -p.amount AS amount
                                 FROM account_partial_reconcile p
                                WHERE p.max_date <= %(last)s
                               UNION ALL
                               SELECT p.credit_move_id, p.max_date, p.amount
                                 FROM account_partial_reconcile p
                                WHERE p.max_date <= %(last)s) x
                        WHERE x.line_id IN (SELECT id FROM lines)
                        GROUP BY x.line_id
                   )
                   SELECT %(figures)s
                     FROM lines l
                     LEFT JOIN matched m ON m.line_id = l.id""",
                receivable=receivable,
                company=self.company_id.id,
                last=dates[-1],
                matched=matched,
                figures=figures,
            )
        )
        row = self.env.cr.fetchone()
        return {
            on: dict(
                zip(
                    ("total", "current", "overdue"), row[3 * i : 3 * i + 3], strict=True
                )
            )
            for i, on in enumerate(dates)
        }

    def _dunning_sales_domain(self, start, end):
        """Credit sales of the period: customer invoices less credit notes, taxes
        included (what becomes receivable)."""
        return [
            ("company_id", "=", self.company_id.id),
            ("state", "=", "posted"),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("invoice_date", ">=", start),
            ("invoice_date", "<=", end),
        ]

    def _dunning_sales(self, start, end):
        groups = self.env["account.move"]._read_group(
            self._dunning_sales_domain(start, end), [], ["amount_total_signed:sum"]
        )
        return groups[0][0] or 0.0

    def _dunning_monthly_sales(self, end, months=12):
        """[(days, sales)] of the months up to ``end``, the latest first; the month
        of ``end`` counts up to ``end``. One grouped query."""
        first = date_utils.start_of(end, "month") - relativedelta(months=months - 1)
        sales = dict(
            self.env["account.move"]._read_group(
                self._dunning_sales_domain(first, end),
                ["invoice_date:month"],
                ["amount_total_signed:sum"],
            )
        )
        result = []
        month_end = end
        for __ in range(months):
            month_start = month_end.replace(day=1)
            days = (month_end - month_start).days + 1
            result.append((days, sales.get(month_start, 0.0)))
            month_end = month_start - timedelta(days=1)
        return result

    def _dunning_paid(self, start, end):
        """Invoices fully paid in the period, as the scoring reads them."""
        paid = self.env["account.dunning.scoring"]._paid_invoices(
            self.company_id, start
        )
        return [
            invoice
            for invoices in paid.values()
            for invoice in invoices
            if invoice.paid_date <= end
        ]

    def _dunning_recovered(self, before, end):
        """What was paid, up to ``end``, of what was overdue on ``before``."""
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(p.amount), 0)
                     FROM account_partial_reconcile p
                     JOIN account_move_line l ON l.id = p.debit_move_id
                     JOIN account_account a ON a.id = l.account_id
                    WHERE a.account_type = 'asset_receivable'
                      AND l.parent_state = 'posted'
                      AND l.company_id = %(company)s
                      AND COALESCE(l.date_maturity, l.date) < %(before)s
                      AND p.max_date > %(before)s
                      AND p.max_date <= %(end)s""",
                company=self.company_id.id,
                before=before,
                end=end,
            )
        )
        return self.env.cr.fetchone()[0]

    # --- figures from the collection's records ---------------------------------
    def _dunning_reminders_sent(self, start, end):
        """The reminders issued in the period (sent, or their email in the outgoing
        queue), as the effectiveness of reminders counts them."""
        return self.env["account.dunning.reminder"].search_count(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "in", list(ISSUED)),
                ("date", ">=", start),
                ("date", "<=", end),
            ]
        )

    def _dunning_promises_settled(self, start, end):
        """{"kept": n, "broken": n}: the promises to pay whose promised date falls
        in the period, by outcome (the open ones are not settled yet)."""
        groups = self.env["account.dunning.promise"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("kept", "broken")),
                ("date", ">=", start),
                ("date", "<=", end),
            ],
            ["state"],
            ["__count"],
        )
        return {"kept": 0, "broken": 0} | dict(groups)

    def _dunning_effectiveness(self, start, end):
        """Per level and per channel: (amount reminded, share paid within 14 days of
        the reminder), from the sent reminders of the period."""
        self.env.cr.execute(
            SQL(
                """SELECT r.level_id, r.send_email, r.send_letter, r.create_activity,
                          rl.amount_residual_company,
                          LEAST(rl.amount_residual_company, COALESCE((
                              SELECT SUM(p.amount)
                                FROM account_move_line l
                                JOIN account_account a ON a.id = l.account_id
                                JOIN account_partial_reconcile p
                                  ON p.debit_move_id = l.id
                               WHERE l.move_id = rl.move_id
                                 AND a.account_type = 'asset_receivable'
                                 AND p.max_date >= r.date
                                 AND p.max_date <= r.date + %(days)s), 0))
                     FROM account_dunning_reminder_line rl
                     JOIN account_dunning_reminder r ON r.id = rl.reminder_id
                    WHERE r.company_id = %(company)s
                      AND r.state = ANY(%(issued)s)
                      AND r.date >= %(start)s
                      AND r.date <= %(end)s""",
                days=EFFECTIVE_DAYS,
                company=self.company_id.id,
                issued=list(ISSUED),
                start=start,
                end=end,
            )
        )
        rows = self.env.cr.fetchall()
        by_level, by_channel = {}, {}
        channels = {0: _("Email"), 1: _("Letter"), 2: _("Activity")}
        for level_id, email, letter, activity, amount, paid in rows:
            totals = by_level.setdefault(level_id, [0.0, 0.0])
            totals[0] += amount
            totals[1] += paid
            for index, used in enumerate((email, letter, activity)):
                if used:
                    totals = by_channel.setdefault(channels[index], [0.0, 0.0])
                    totals[0] += amount
                    totals[1] += paid
        # in the order of the ladder; the levels of two policies that bear one name
        # (each policy's "Formal notice") add up under it
        by_name = {}
        levels = self.env["account.dunning.level"].browse(by_level)
        for level in levels.sorted(lambda level: (level.delay, level.sequence)):
            amount, paid = by_level[level.id]
            totals = by_name.setdefault(level.name, [0.0, 0.0])
            totals[0] += amount
            totals[1] += paid
        return (
            {
                name: (amount, share(paid, amount))
                for name, (amount, paid) in by_name.items()
            },
            {
                name: (amount, share(paid, amount))
                for name, (amount, paid) in by_channel.items()
            },
        )

    def _dunning_effectiveness_table(self, by_level, by_channel):
        currency = self.company_id.currency_id
        row = Markup(
            "<tr><td>%s</td><td class='text-end'>%s</td>"
            "<td class='text-end'>%s %%</td></tr>"
        )
        rows = [
            # the reader's number format (French: "25,00 %")
            row % (escape(name), currency.format(amount), formatLang(self.env, rate))
            for name, (amount, rate) in list(by_level.items())
            + list(by_channel.items())
        ]
        if not rows:
            return Markup("<p>%s</p>") % _("No reminder sent in the period.")
        header = Markup(
            "<thead><tr><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead>"
        ) % (_("Level or channel"), _("Reminded"), _("Paid within 14 days"))
        return (
            Markup("<table class='table table-sm'>")
            + header
            + Markup("<tbody>")
            + Markup("").join(rows)
            + Markup("</tbody></table>")
        )
