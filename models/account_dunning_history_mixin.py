# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""History that nobody rewrites: what a user may write on a payment reminder, and
what only its own steps set. The rule of "History is evidence", in one place."""

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# What a reminder said to its customer: fixed once it was sent or tried (its number,
# origin and company are never a user's to write, see SYSTEM_FIELDS).
HISTORY_FACTS = frozenset(
    {
        "partner_id",
        "policy_id",
        "level_id",
        "date",
        "line_ids",
        "send_email",
        "send_letter",
        "create_activity",
        "send_sms",
        "recipient_ids",
        "email_cc",
        "email_subject",
        "email_body",
    }
)
# Set by the reminder's own steps (as superuser, see _dunning_system_write), never by
# a user's create or write: what went out, when, and how it ended.
SYSTEM_FIELDS = frozenset(
    {
        "state",
        "origin",
        "mail_message_id",
        "letter_attachment_id",
        "documents_pending",
        "activity_id",
        "sms_message_id",
        "sms_state",
        "failure_reason",
        "hold_reason",
        "hold_cleared_by_id",
        "level_forced",
        "fee_move_id",
        "attempt_count",
        "cancelled_by_id",
        "access_token",
        "personal_data_cleared",
    }
)
# What a reminder holds about people rather than about the debt, removed once it is
# older than the company's retention period (see account.dunning.retention): the
# email as written and whom it went to, the letter, the call, free texts that may
# name people or addresses. The number, date, customer, invoices, level, amounts and
# fees stay: they are the accounting facts.
PERSONAL_CONTENT = frozenset(
    {
        "email_subject",
        "email_body",
        "email_cc",
        "recipient_ids",
        "letter_attachment_id",
        "activity_id",
        "call_outcome",
        "call_note",
        "failure_reason",
        "cancel_reason",
    }
)


class AccountDunningHistoryMixin(models.AbstractModel):
    """A record that is evidence once issued (a payment reminder): the fields only
    its own steps write (``_dunning_system_fields``, as superuser through
    ``_dunning_system_write``) and the facts frozen once it left the draft state
    (``_dunning_history_facts``). The inheriting model calls the checks from its
    ``create`` and ``write``."""

    _name = "account.dunning.history.mixin"
    _description = "Dunning History Guard"
    _dunning_system_fields = frozenset()
    _dunning_history_facts = frozenset()
    _dunning_personal_content = frozenset()

    def _dunning_system_write(self, vals):
        """Write what only the addon's own steps set (state, channels' results):
        users reach them through the buttons, never by a write of their own."""
        # sudo: the values come from the pipeline, not from the user
        return self.sudo().write(vals)

    def _dunning_clear_personal_content(self, date):
        """Empty the personal content (``_dunning_personal_content``) of these
        records, and only it, and mark them cleared on ``date``: the one write that
        may touch what the history guards keep, as the retention period requires."""
        vals = {
            fname: [Command.clear()]
            if self._fields[fname].type == "many2many"
            else False
            for fname in self._dunning_personal_content
        }
        vals["personal_data_cleared"] = date
        # the email's link to the customer's account goes with the email
        if "access_token" in self._fields:
            vals["access_token"] = False
        # sudo: past the history guards, for these fields only (the values above);
        # no tracking, which would keep the old values in a message
        return self.sudo().with_context(tracking_disable=True).write(vals)

    def _dunning_field_labels(self, fnames):
        return ", ".join(
            sorted(
                self._fields[fname]._description_string(self.env) for fname in fnames
            )
        )

    @api.model
    def _dunning_check_user_create(self, vals_list):
        """A user creates draft reminders of their own; what the addon sets (state,
        number, origin, the letter, the email...) is never taken from them."""
        for vals in vals_list:
            given = {
                fname
                for fname in self._dunning_system_fields & vals.keys()
                if vals[fname]
                and not (fname == "state" and vals[fname] == "draft")
                and not (fname == "origin" and vals[fname] == "manual")
            }
            if vals.get("name", "/") != "/":
                given.add("name")
            if given:
                raise UserError(
                    _(
                        "A new payment reminder starts as a draft; these are set by "
                        "the reminder's own steps, not by hand: %(fields)s.",
                        fields=self._dunning_field_labels(given),
                    )
                )
            self._dunning_check_date(vals.get("date"))
        self._dunning_check_links(vals_list)

    def _dunning_check_user_write(self, vals):
        """Only the buttons move a reminder's state; once it went out (or was tried)
        what it said to the customer stays as it was."""
        locked = (self._dunning_system_fields | {"name", "company_id"}) & vals.keys()
        if locked:
            raise UserError(
                _(
                    "These values of a payment reminder are set by its own steps "
                    "(Send, Cancel), not by hand: %(fields)s.",
                    fields=self._dunning_field_labels(locked),
                )
            )
        for reminder in self:
            frozen = set()
            if reminder.state != "draft":
                frozen |= self._dunning_history_facts
            if reminder.state not in ("draft", "failed"):
                frozen.add("cancel_reason")
            changed = frozen & vals.keys()
            if changed:
                raise UserError(
                    _(
                        "Reminder %(reminder)s is %(state)s: it is part of the "
                        "customer's history and keeps what it said (%(fields)s).",
                        reminder=reminder.name,
                        state=reminder._dunning_state_label(),
                        fields=self._dunning_field_labels(changed),
                    )
                )
        if "date" in vals:
            self._dunning_check_date(vals["date"])
        self._dunning_check_links([vals])

    def _dunning_check_lines_editable(self):
        """The invoices of a reminder are its draft's to change; afterwards they are
        what was reminded."""
        issued = self.filtered(lambda r: r.state != "draft")
        if issued:
            raise UserError(
                _(
                    "Reminder %(reminder)s is %(state)s: the invoices it listed stay "
                    "as they were.",
                    reminder=issued[0].name,
                    state=issued[0]._dunning_state_label(),
                )
            )

    def _dunning_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    @api.model
    def _dunning_check_date(self, value):
        """A reminder is dated the day it goes out: never later than today (the
        next level counts from it)."""
        if value and fields.Date.to_date(value) > fields.Date.context_today(self):
            raise ValidationError(
                _(
                    "A payment reminder cannot be dated in the future (%(date)s).",
                    date=fields.Date.to_date(value),
                )
            )

    @api.model
    def _dunning_check_links(self, vals_list):
        """Who a user names on a reminder (customer, recipients, responsible) must be
        someone that user may read: the email goes to them."""
        partner_ids, user_ids = set(), set()
        for vals in vals_list:
            if vals.get("partner_id"):
                partner_ids.add(vals["partner_id"])
            for command in vals.get("recipient_ids") or ():
                if command[0] == Command.SET:
                    partner_ids.update(command[2])
                elif command[0] == Command.LINK:
                    partner_ids.add(command[1])
            if vals.get("user_id"):
                user_ids.add(vals["user_id"])
        self.env["res.partner"].browse(partner_ids).check_access("read")
        users = self.env["res.users"].browse(user_ids)
        users.check_access("read")
        # sudo: whether the user is internal, to refuse a portal user
        if users.sudo().filtered("share"):
            raise ValidationError(
                _("The responsible of a reminder must be an internal user.")
            )
