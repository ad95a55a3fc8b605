# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_repr

from .bounds import MAX_DAYS, check_days, check_input

# The reminder's values a line keeps a copy of (for searching and grouping lines):
# its reminder's, never a user's to write (a line "sent" on a draft reminder would
# raise its invoice's level without review).
REMINDER_COPIES = ("company_id", "partner_id", "state", "date")
# an invoice overdue for more than a century is a typo
MAX_DAYS_OVERDUE = 36500


class LineAmount(fields.Monetary):
    """A line amount, rounded to its currency as ``fields.Monetary`` rounds it; the
    currency given as an id in the create values (directly, or through the company
    for the company currency) is browsed instead of built as a new record for each
    amount (about 80 microseconds each: the daily run creates six amounts on each of
    thousands of lines at once)."""

    def convert_to_column_insert(self, value, record, values=None, validate=True):
        currency = self._dunning_currency_in(record, values or {})
        if currency is None:
            return super().convert_to_column_insert(value, record, values, validate)
        return float_repr(currency.round(float(value or 0.0)), currency.decimal_places)

    def _dunning_currency_in(self, record, values):
        name = self.get_currency_field(record)
        if isinstance(values.get(name), int):
            return record.env["res.currency"].browse(values[name])
        related = record._fields[name].related
        if related == "company_id.currency_id" and isinstance(
            values.get("company_id"), int
        ):
            return record.env["res.company"].browse(values["company_id"]).currency_id
        return None


class AccountDunningReminderLine(models.Model):
    """One invoice in a reminder, with its figures frozen at reminder time."""

    _name = "account.dunning.reminder.line"
    _description = "Payment Reminder Line"
    _check_company_auto = True
    _order = "reminder_id, date_due, id"

    reminder_id = fields.Many2one(
        "account.dunning.reminder", required=True, index=True, ondelete="cascade"
    )
    # Copies of the reminder's values, for searching and grouping lines. The reminder
    # passes them in its lines' create values (one INSERT, no UPDATE per line).
    company_id = fields.Many2one(
        related="reminder_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="reminder_id.partner_id", store=True, index=True
    )
    state = fields.Selection(related="reminder_id.state", store=True, index=True)
    date = fields.Date(related="reminder_id.date", store=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        check_company=True,
        ondelete="restrict",
    )
    level_id = fields.Many2one(
        "account.dunning.level", check_company=True, index=True, ondelete="restrict"
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    date_due = fields.Date(string="Due Date")
    amount_residual = LineAmount(
        string="Amount Due",
        currency_field="currency_id",
        help="In the invoice currency.",
    )
    amount_residual_company = LineAmount(
        string="Amount Due (Company Currency)", currency_field="company_currency_id"
    )
    amount_overdue = LineAmount(
        string="Overdue",
        currency_field="currency_id",
        help="What is overdue of the invoice on the reminder's date: its instalments "
        "due before it. In the invoice currency.",
    )
    amount_not_due = LineAmount(
        string="Not Due Yet",
        currency_field="currency_id",
        help="The instalments of the invoice that fall due later.",
    )
    amount_reminded = fields.Monetary(
        currency_field="currency_id",
        compute="_compute_amount_reminded",
        help="What the reminder asks for: the overdue part; before the due date (a "
        "courtesy reminder), what falls due.",
    )
    days_overdue = fields.Integer()
    fee_amount = LineAmount(string="Fee", currency_field="currency_id")
    interest_amount = LineAmount(string="Interest", currency_field="currency_id")
    pay_url = fields.Char(
        string="Payment Link",
        compute="_compute_pay_url",
        help="The invoice's page in the customer portal, where it can be paid.",
    )

    @api.depends("move_id")
    def _compute_currency_id(self):
        for line in self:
            line.currency_id = line.move_id.currency_id or line.company_id.currency_id

    @api.depends("amount_overdue", "amount_not_due", "amount_residual")
    def _compute_amount_reminded(self):
        for line in self:
            line.amount_reminded = line.amount_overdue or line.amount_residual

    @api.depends("move_id")
    def _compute_pay_url(self):
        urls = self.move_id._dunning_pay_urls()
        for line in self:
            # an invoice without its own link yet (another transaction held it):
            # the customer's account page, where it is listed with its link
            line.pay_url = (
                urls.get(line.move_id.id) or line.reminder_id.account_url or False
            )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        if not self.env.su:
            reminders = self.env["account.dunning.reminder"].browse(
                {vals["reminder_id"] for vals in vals_list if vals.get("reminder_id")}
            )
            reminders._dunning_check_lines_editable()
            self._dunning_check_copies(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        if not self.env.su:
            self._dunning_refuse_copies(set(REMINDER_COPIES) & vals.keys())
            self.reminder_id._dunning_check_lines_editable()
            if "reminder_id" in vals:
                self.reminder_id.browse(
                    vals["reminder_id"]
                )._dunning_check_lines_editable()
        return super().write(vals)

    @api.model
    def _dunning_check_copies(self, vals_list):
        """A line created by a user copies its reminder's values, or none: its
        status, date, customer and company are the reminder's."""
        Reminder = self.env["account.dunning.reminder"]
        for vals in vals_list:
            reminder = Reminder.browse(vals.get("reminder_id"))
            given = {fname for fname in REMINDER_COPIES if fname in vals}
            if not reminder:
                self._dunning_refuse_copies(given)
                continue
            own = {
                "company_id": reminder.company_id.id,
                "partner_id": reminder.partner_id.id,
                "state": reminder.state,
                "date": reminder.date,
            }
            self._dunning_refuse_copies(
                {
                    fname
                    for fname in given
                    if (
                        fields.Date.to_date(vals[fname])
                        if fname == "date"
                        else vals[fname]
                    )
                    != own[fname]
                }
            )

    @api.model
    def _dunning_refuse_copies(self, fnames):
        if fnames:
            raise UserError(
                _(
                    "A line of a payment reminder takes these values from its "
                    "reminder, not by hand: %(fields)s.",
                    fields=", ".join(
                        sorted(
                            self._fields[fname]._description_string(self.env)
                            for fname in fnames
                        )
                    ),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if not self.env.su:
            self.reminder_id._dunning_check_lines_editable()

    def _amount_in(self, fname, company_currency):
        """The line's ``fname`` amount; in company currency if ``company_currency``."""
        self.ensure_one()
        if not company_currency:
            return self[fname]
        if fname == "amount_residual":
            return self.amount_residual_company
        return self.currency_id._convert(
            self[fname],
            self.company_currency_id,
            self.company_id,
            self.date or fields.Date.context_today(self),
        )

    @api.constrains("fee_amount", "interest_amount", "days_overdue")
    def _check_amounts(self):
        for line in self:
            check_days(
                self.env,
                line.days_overdue,
                _("The days overdue of invoice %s", line.move_id.name),
                minimum=-MAX_DAYS,
                maximum=MAX_DAYS_OVERDUE,
            )
            if line.fee_amount < 0 or line.interest_amount < 0:
                raise ValidationError(
                    _(
                        "Fees and interest of invoice %(invoice)s cannot be negative.",
                        invoice=line.move_id.name,
                    )
                )

    @api.constrains("move_id", "reminder_id")
    def _check_move(self):
        for line in self:
            move = line.move_id
            customer = line.reminder_id.partner_id.commercial_partner_id
            if move.commercial_partner_id != customer:
                raise ValidationError(
                    _(
                        "Invoice %(invoice)s is not %(customer)s's: a reminder lists "
                        "its own customer's invoices only.",
                        invoice=move.display_name,
                        customer=customer.display_name,
                    )
                )
            if move.state != "posted" or move.move_type != "out_invoice":
                raise ValidationError(
                    _(
                        "Only posted customer invoices can be reminded; %(invoice)s "
                        "is not one.",
                        invoice=move.display_name,
                    )
                )
