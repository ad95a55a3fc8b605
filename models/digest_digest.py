# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collection KPIs in Odoo's periodic digest email, for the managers who tick
them: the figures of the KPI screen (``account.dunning.kpi``) for the digest's
company and period, never a query of their own."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .access import ACCOUNTING

# Per value field, its key in ``_dunning_digest_figures``.
DIGEST_FIGURES = {
    "kpi_account_dunning_overdue_value": "overdue",
    "kpi_account_dunning_dso_value": "dso",
    "kpi_account_dunning_cei_value": "cei",
    "kpi_account_dunning_recovered_value": "recovered",
    "kpi_account_dunning_reminders_sent_value": "reminders_sent",
    "kpi_account_dunning_promises_kept_value": "promises_kept",
    "kpi_account_dunning_promises_broken_value": "promises_broken",
    "kpi_account_dunning_credit_hold_value": "credit_hold",
}
# Where the digest's link of each KPI leads.
DIGEST_ACTIONS = {
    "kpi_account_dunning_overdue": "account_dunning.res_partner_dunning_action",
    "kpi_account_dunning_dso": "account_dunning.account_dunning_kpi_open_action",
    "kpi_account_dunning_cei": "account_dunning.account_dunning_kpi_open_action",
    "kpi_account_dunning_recovered": "account_dunning.account_dunning_kpi_open_action",
    "kpi_account_dunning_reminders_sent": (
        "account_dunning.account_dunning_reminder_action"
    ),
    "kpi_account_dunning_promises_kept": (
        "account_dunning.account_dunning_promise_action"
    ),
    "kpi_account_dunning_promises_broken": (
        "account_dunning.account_dunning_promise_action"
    ),
    "kpi_account_dunning_credit_hold": "account_dunning.res_partner_dunning_action",
}


class Digest(models.Model):
    _inherit = "digest.digest"

    # the collection desk's overdue amounts added up, on the period's last day
    kpi_account_dunning_overdue = fields.Boolean("Overdue Amount")
    kpi_account_dunning_overdue_value = fields.Monetary(
        compute="_compute_kpi_account_dunning_values"
    )
    kpi_account_dunning_dso = fields.Boolean("DSO (days)")
    kpi_account_dunning_dso_value = fields.Float(
        compute="_compute_kpi_account_dunning_values", digits=(16, 1)
    )
    kpi_account_dunning_cei = fields.Boolean("Collection Effectiveness (%)")
    kpi_account_dunning_cei_value = fields.Float(
        compute="_compute_kpi_account_dunning_values", digits=(16, 2)
    )
    kpi_account_dunning_recovered = fields.Boolean("Overdue Amounts Recovered")
    kpi_account_dunning_recovered_value = fields.Monetary(
        compute="_compute_kpi_account_dunning_values"
    )
    kpi_account_dunning_reminders_sent = fields.Boolean("Payment Reminders Sent")
    kpi_account_dunning_reminders_sent_value = fields.Integer(
        compute="_compute_kpi_account_dunning_values"
    )
    kpi_account_dunning_promises_kept = fields.Boolean("Promises to Pay Kept")
    kpi_account_dunning_promises_kept_value = fields.Integer(
        compute="_compute_kpi_account_dunning_values"
    )
    kpi_account_dunning_promises_broken = fields.Boolean("Promises to Pay Broken")
    kpi_account_dunning_promises_broken_value = fields.Integer(
        compute="_compute_kpi_account_dunning_values"
    )
    kpi_account_dunning_credit_hold = fields.Boolean("Customers on Credit Hold")
    kpi_account_dunning_credit_hold_value = fields.Integer(
        compute="_compute_kpi_account_dunning_values"
    )

    # One compute for all: the KPI screen computes its figures together. The digest
    # reads each value in two periods one after the other and invalidates only the
    # value it read, so the others must be cached per period (and per reader: each
    # recipient's access is checked), not once per record.
    @api.depends_context("start_datetime", "end_datetime", "company", "uid")
    def _compute_kpi_account_dunning_values(self):
        if not self.env.user.has_groups(ACCOUNTING):
            # the digest leaves the KPI out of this recipient's email
            raise AccessError(
                self.env._("Only accounting users read the collection KPIs.")
            )
        start, end, companies = self._get_kpi_compute_parameters()
        date_from, date_to = self._dunning_digest_period(start, end)
        figures = {
            company: self._dunning_digest_figures(company, date_from, date_to)
            for company in companies
        }
        for digest in self:
            values = figures[digest.company_id or self.env.company]
            digest.update({field: values[key] for field, key in DIGEST_FIGURES.items()})

    @api.model
    def _dunning_digest_period(self, start, end):
        """The days of the digest's period (``start`` and ``end`` as given by
        ``_get_kpi_compute_parameters``): from the day after its start to the day of
        its end, as Odoo's revenue KPI counts them (date > start, date <= end), so
        that a period and the one before it share no day. Without a period (a value
        read outside a digest email): the KPI screen's default period."""
        if not start or not end:
            kpi = self.env["account.dunning.kpi"].default_get(["date_from", "date_to"])
            return tuple(map(fields.Date.to_date, (kpi["date_from"], kpi["date_to"])))
        date_to = fields.Datetime.to_datetime(end).date()
        date_from = fields.Datetime.to_datetime(start).date() + timedelta(days=1)
        return min(date_from, date_to), date_to

    @api.model
    def _dunning_digest_figures(self, company, date_from, date_to):
        """The collection figures of ``company`` over the period, as its KPI screen
        tells them, read with the user's rights on that screen and that company."""
        kpi = (
            self.env["account.dunning.kpi"]
            .with_company(company)
            .create(
                {"company_id": company.id, "date_from": date_from, "date_to": date_to}
            )
        )
        screen = kpi._dunning_kpis()
        promises = kpi._dunning_promises_settled(date_from, date_to)
        held = self.env["account.dunning.credit"]._held_customers_domain()
        return {
            "overdue": screen["overdue"],
            "dso": screen["dso"],
            "cei": screen["cei"],
            "recovered": screen["recovered"],
            "reminders_sent": kpi._dunning_reminders_sent(date_from, date_to),
            "promises_kept": promises["kept"],
            "promises_broken": promises["broken"],
            # a flag without history: today's count, whatever the period
            "credit_hold": self.env["res.partner"]
            .with_company(company)
            .search_count(held),
        }

    def _compute_kpis_actions(self, company, user):
        actions = super()._compute_kpis_actions(company, user)
        actions.update(DIGEST_ACTIONS)
        return actions
