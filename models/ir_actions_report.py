# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

# wkhtmltopdf states in which Odoo can print a PDF
PDF_READY = ("ok", "upgrade", "workers")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _dunning_render(self, report_ref, records):
        """Render a report for each of ``records``: ({record id: bytes}, extension).

        One PDF per record, split from a single wkhtmltopdf run (hundreds of letters
        in one process); HTML per record where Odoo prints no PDF: in test mode
        unless ``force_report_rendering`` is in the context, or without wkhtmltopdf.
        """
        if self.get_wkhtmltopdf_state() in PDF_READY:
            content, kind = self._pre_render_qweb_pdf(report_ref, res_ids=records.ids)
            if kind == "pdf":
                return {
                    res_id: data["stream"].getvalue()
                    for res_id, data in content.items()
                }, "pdf"
        return {
            record.id: self._render_qweb_html(report_ref, record.ids)[0]
            for record in records
        }, "html"
