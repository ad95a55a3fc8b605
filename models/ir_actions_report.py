# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.pdf import PdfReadError

# wkhtmltopdf states in which Odoo can print a PDF
PDF_READY = ("ok", "upgrade", "workers")

_logger = logging.getLogger(__name__)


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
            try:
                documents = self._dunning_render_pdf(report_ref, records)
            except (UserError, PdfReadError):
                if len(records) == 1:
                    raise
                # wkhtmltopdf builds without Odoo's patched Qt (distribution
                # packages) fail on several documents in one run: one run each
                _logger.warning(
                    "wkhtmltopdf could not print %s documents of %s in one run; "
                    "printing them one by one (install the build with patched Qt "
                    "that Odoo recommends for speed)",
                    len(records),
                    report_ref,
                )
                documents = {}
                for record in records:
                    documents.update(self._dunning_render_pdf(report_ref, record))
            if documents is not None:
                return documents, "pdf"
        return {
            record.id: self._render_qweb_html(report_ref, record.ids)[0]
            for record in records
        }, "html"

    @api.model
    def _dunning_render_pdf(self, report_ref, records):
        """{record id: PDF bytes} in one wkhtmltopdf run; None where Odoo renders
        HTML instead (test mode)."""
        content, kind = self._pre_render_qweb_pdf(report_ref, res_ids=records.ids)
        if kind != "pdf":
            return None
        return {res_id: data["stream"].getvalue() for res_id, data in content.items()}
