# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ReportDunningLetter(models.AbstractModel):
    """The reminder letter. A draft's letter prints what would go out today (its
    date, amounts, days late, the invoices still chased), not what it said on the
    day it was made."""

    _name = "report.account_dunning.report_dunning_letter"
    _description = "Reminder Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        reminders = self.env["account.dunning.reminder"].browse(docids)
        if not self.env.context.get("dunning_pipeline_render"):
            drafts = reminders.filtered(lambda r: r.state == "draft")
            drafts._dunning_bring_up_to_date()
        return {
            "doc_ids": docids,
            "doc_model": reminders._name,
            "docs": reminders,
            "data": data,
        }
