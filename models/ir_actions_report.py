# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import lxml.html

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import config
from odoo.tools.pdf import PdfReadError

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin, _split_table

from ..dunning.pdf_runs import PrintError, PrintJob, is_patched, print_each

# wkhtmltopdf states in which Odoo can print a PDF
PDF_READY = ("ok", "upgrade", "workers")
PROCESSES_PARAM = "account_dunning.pdf_processes"
HUGE_BODY = 4 * 1024 * 1024  # as Odoo: wkhtmltopdf slows down on huge tables


def _no_huge_table(body):
    """A page body as Odoo hands it to wkhtmltopdf: huge tables split in parts."""
    if len(body) < HUGE_BODY:
        return body
    tree = lxml.html.fromstring(body)
    _split_table(tree, 500)
    return lxml.html.tostring(tree, encoding="unicode")


_logger = logging.getLogger(__name__)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _dunning_render(self, report_ref, records):
        """Render a report for each of ``records``: ({record id: bytes}, extension).

        One PDF per record: with Odoo's recommended wkhtmltopdf (patched Qt) split
        from a single run, as Odoo prints a batch; with other builds, which print one
        document per run, several runs at once (see ``dunning.pdf_runs``). HTML per
        record where Odoo prints no PDF: in test mode unless
        ``force_report_rendering`` is in the context, or without wkhtmltopdf.

        The pipeline's rendering: drafts print as they are (the pipeline brought
        them to its own date), not brought up to today as a user's print does.
        """
        self = self.with_context(dunning_pipeline_render=True)
        if not self._dunning_pdf_missing() and not self._dunning_html_only():
            if len(records) > 1 and not is_patched(_get_wkhtmltopdf_bin()):
                return self._dunning_render_each(report_ref, records), "pdf"
            try:
                return self._dunning_render_pdf(report_ref, records), "pdf"
            except (UserError, PdfReadError):
                if len(records) == 1:
                    raise
                # a build that says it is patched but could not split the run
                _logger.warning(
                    "wkhtmltopdf could not print %s documents of %s in one run; "
                    "printing them in runs of their own",
                    len(records),
                    report_ref,
                )
                return self._dunning_render_each(report_ref, records), "pdf"
        return {
            record.id: self._render_qweb_html(report_ref, record.ids)[0]
            for record in records
        }, "html"

    @api.model
    def _dunning_pdf_missing(self):
        """Whether this server cannot print PDFs at all (no wkhtmltopdf)."""
        return self.get_wkhtmltopdf_state() not in PDF_READY

    def _dunning_html_only(self):
        """Odoo's test mode, where reports render as HTML (see _pre_render_qweb_pdf)."""
        return (
            config["test_enable"] or config["test_file"]
        ) and not self.env.context.get("force_report_rendering")

    @api.model
    def _dunning_render_each(self, report_ref, records):
        """{record id: PDF bytes}, a wkhtmltopdf run per record, several at once."""
        # as Odoo prints: no debug assets, webp images as jpeg (_pre_render_qweb_pdf)
        self = self.with_context(debug=False, webp_as_jpg=True)
        report = self._get_report(report_ref)
        paperformat = report.get_paperformat()
        jobs = []
        for record in records:
            html = self._render_qweb_html(report_ref, record.ids)[0]
            bodies, __, header, footer, specific_args = report._prepare_html(
                html, report_model=report.model
            )
            args = self._build_wkhtmltopdf_args(
                paperformat,
                self.env.context.get("landscape"),
                specific_paperformat_args=specific_args,
                set_viewport_size=self.env.context.get("set_viewport_size"),
            )
            jobs.append(
                PrintJob(args, [_no_huge_table(b) for b in bodies], header, footer)
            )
        try:
            documents = print_each(
                _get_wkhtmltopdf_bin(), jobs, self._dunning_processes()
            )
        except PrintError as error:
            raise UserError(
                _(
                    "The document of %(record)s could not be printed (wkhtmltopdf "
                    "ended with code %(code)s): %(message)s",
                    record=records[error.index].display_name,
                    code=error.returncode,
                    message=error.stderr[-500:],
                )
            ) from error
        return dict(zip(records.ids, documents, strict=True))

    def _dunning_processes(self):
        """wkhtmltopdf runs at once: the system parameter, else two per core."""
        # sudo: a technical setting, read whoever prints
        value = self.env["ir.config_parameter"].sudo().get_param(PROCESSES_PARAM)
        return int(value) if value and value.isdigit() and int(value) > 0 else None

    @api.model
    def _dunning_render_pdf(self, report_ref, records):
        """{record id: PDF bytes} in one wkhtmltopdf run, as Odoo prints a batch
        (the caller has left Odoo's test mode, where it renders HTML, aside)."""
        content, __ = self._pre_render_qweb_pdf(report_ref, res_ids=records.ids)
        return {res_id: data["stream"].getvalue() for res_id, data in content.items()}
