# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Numbering: reminder numbers from the company's sequence, thousands at a time."""

from odoo import api, fields, models

SEQUENCE_CODE = "account.dunning.reminder"


class AccountDunningNumbering(models.AbstractModel):
    """Service: draw and preview reminder numbers."""

    _name = "account.dunning.numbering"
    _description = "Dunning Numbering"

    @api.model
    def _assign(self, vals_list):
        """Number the new reminders from the sequence, per company and date.

        The first number of each group goes through ``next_by_code`` (which finds
        the company's sequence and its yearly range, creating the range if needed);
        the others draw from that same range directly: one query each instead of
        three, as the daily run creates thousands at once.
        """
        today = fields.Date.context_today(self)
        unnamed = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        groups = {}
        for vals in unnamed:
            key = (
                vals.get("company_id") or self.env.company.id,
                vals.get("date") or today,
            )
            groups.setdefault(key, []).append(vals)
        Sequence = self.env["ir.sequence"]
        for (company_id, date), group in groups.items():
            sequence = Sequence.with_company(company_id)
            group[0]["name"] = sequence.next_by_code(SEQUENCE_CODE, date)
            if len(group) == 1:
                continue
            date_range = self._sequence_range(company_id, date)
            for vals in group[1:]:
                vals["name"] = (
                    date_range._next()
                    if date_range
                    else sequence.next_by_code(SEQUENCE_CODE, date)
                )

    @api.model
    def _peek(self, company, date):
        """The number the next reminder of ``company`` on ``date`` will get, without
        drawing it (for a preview)."""
        sequence = self._sequence(company.id)
        if not sequence:
            return "/"
        if not sequence.use_date_range:
            return sequence.get_next_char(sequence.number_next_actual)
        date_range = self._sequence_range(company.id, date)
        number = date_range.number_next_actual if date_range else 1
        return sequence.with_context(
            ir_sequence_date_range=date_range.date_from or date
        ).get_next_char(number)

    def _sequence(self, company_id):
        """The reminder sequence ``next_by_code`` uses for the company."""
        return self.env["ir.sequence"].search(
            [("code", "=", SEQUENCE_CODE), ("company_id", "in", [company_id, False])],
            order="company_id",
            limit=1,
        )

    def _sequence_range(self, company_id, date):
        """The sequence's date range in use on ``date`` for the company, or nothing
        when the sequence is not numbered per range."""
        sequence = self._sequence(company_id)
        if not sequence.use_date_range:
            return self.env["ir.sequence.date_range"]
        date_range = self.env["ir.sequence.date_range"].search(
            [
                ("sequence_id", "=", sequence.id),
                ("date_from", "<=", date),
                ("date_to", ">=", date),
            ],
            limit=1,
        )
        return date_range.with_context(ir_sequence_date_range=date_range.date_from)
