# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .access import check_button
from .account_dunning_engine import CRON_BATCH_SIZE


class AccountDunningReminder(models.Model):
    """The reminder's entry points: the buttons users press and the scheduled
    actions' methods (the services hold the steps)."""

    _inherit = "account.dunning.reminder"

    def action_cancel(self):
        """Cancel a draft, or a failed reminder with the reason why: the record stays,
        with who cancelled it and why; a reminder that went out cannot be."""
        check_button(self)
        for reminder in self:
            if reminder.state not in ("draft", "failed"):
                raise UserError(
                    _(
                        "Reminder %(reminder)s is %(state)s: it stays in the history "
                        "as it is. Only drafts and failed reminders can be cancelled.",
                        reminder=reminder.name,
                        state=reminder._dunning_state_label(),
                    )
                )
            if reminder.attempt_count and not (reminder.cancel_reason or "").strip():
                raise UserError(
                    _(
                        "Reminder %(reminder)s was already tried: say why it is "
                        "cancelled (Cancellation Reason) first.",
                        reminder=reminder.name,
                    )
                )
        for reminder in self:
            reason = (reminder.cancel_reason or "").strip()
            reminder._dunning_note(
                _("Cancelled by %(user)s.", user=self.env.user.name)
                + (" " + _("Reason: %(reason)s", reason=reason) if reason else "")
            )
        self._dunning_system_write(
            {"state": "cancelled", "cancelled_by_id": self.env.user.id}
        )
        return True

    def action_reset_to_draft(self):
        """A cancelled draft that never went out may be taken up again; a reminder
        that was tried is sent again from Failed, never reset."""
        check_button(self)
        if any(r.state != "cancelled" or r.attempt_count for r in self):
            raise UserError(
                _(
                    "Only cancelled reminders that were never sent can be reset to "
                    "draft; a failed reminder is sent again with Send."
                )
            )
        self._dunning_system_write(
            {"state": "draft", "failure_reason": False, "cancelled_by_id": False}
        )
        return True

    def _dunning_form_action(self):
        """The reminder's form, to review it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.line_ids.move_id.ids)]
        action["context"] = {"create": False}
        return action

    def action_send(self):
        """Send draft or failed reminders now, through their level's channels."""
        check_button(self)
        if any(reminder.state not in ("draft", "failed") for reminder in self):
            raise UserError(_("Only draft or failed reminders can be sent."))
        cleared = self.filtered("personal_data_cleared")
        if cleared:
            raise UserError(
                _(
                    "Reminder %(reminder)s is past its retention period: its "
                    "recipients and letter were removed, it cannot be sent.",
                    reminder=cleared[0].name,
                )
            )
        held = self.filtered(lambda r: r.hold_reason and not r.hold_cleared_by_id)
        if held and not self.env.context.get("dunning_send_anyway"):
            raise UserError(
                _(
                    "Reminder %(reminder)s is held for review: %(reason)s\n"
                    "Open it and use Send Anyway once you have checked.",
                    reminder=held[0].name,
                    reason=held[0].hold_reason,
                )
            )
        empty = self.filtered(lambda r: not r.line_ids)
        if empty:
            raise UserError(
                _("Reminder %(reminder)s lists no invoice.", reminder=empty[0].name)
            )
        # a draft goes out as it is today (one with nothing left is cancelled, with
        # why), then as a reminder sent by hand: the same notification after it
        return self.env["account.dunning.engine"]._send_manual(self)

    def _dunning_bring_up_to_date(self):
        """Bring the drafts among these reminders up to today, as they would go out
        (see ``account.dunning.engine._refresh_drafts``); refused for a draft with
        nothing left to remind."""
        emptied = self.env["account.dunning.engine"]._refresh_drafts(
            self, fields.Date.context_today(self)
        )
        if emptied:
            raise UserError(
                _(
                    "Nothing is left to remind on %(reminder)s: its invoices were "
                    "paid, or are no longer chased, since it was made. Cancel it.",
                    reminder=emptied[0].name,
                )
            )

    def action_send_anyway(self):
        """Send a reminder the daily run held for review: who sent it and the
        reason it was held are kept."""
        check_button(self)
        for reminder in self:
            if reminder.state != "draft" or not reminder.hold_reason:
                raise UserError(
                    _(
                        "Reminder %(reminder)s is not held for review: send it with "
                        "Send.",
                        reminder=reminder.name,
                    )
                )
        for reminder in self:
            reminder._dunning_note(
                _(
                    "Sent despite the hold by %(user)s. The hold: %(reason)s",
                    user=self.env.user.name,
                    reason=reminder.hold_reason,
                )
            )
        self._dunning_system_write({"hold_cleared_by_id": self.env.user.id})
        return self.with_context(dunning_send_anyway=True).action_send()

    def action_record_call_outcome(self):
        """Close the call: the outcome goes on the customer's chatter and the call
        activity is marked done with it."""
        check_button(self)
        for reminder in self:
            if not reminder.call_outcome:
                raise UserError(
                    _(
                        "Choose the outcome of the call on %(reminder)s first.",
                        reminder=reminder.name,
                    )
                )
            outcome = dict(
                reminder._fields["call_outcome"]._description_selection(self.env)
            )[reminder.call_outcome]
            feedback = _(
                "Call about %(reminder)s: %(outcome)s",
                reminder=reminder.name,
                outcome=outcome,
            )
            if reminder.call_note:
                feedback += "\n" + reminder.call_note
            if reminder.activity_id:
                # sudo: closing the reminder's own call belongs to the reminder, even
                # when the activity is assigned to a colleague
                reminder.activity_id.sudo().action_feedback(feedback=feedback)
            else:
                # sudo: the call's outcome is noted on the customer by whoever made
                # the call, without the right to edit contacts
                reminder.partner_id.sudo().message_post(
                    body=feedback, subtype_xmlid="mail.mt_note"
                )
        if len(self) == 1 and self.call_outcome == "promise":
            # record the promise made on the phone
            return self.env["account.dunning.promise"]._dunning_form_action(
                self.partner_id,
                self.line_ids.move_id.filtered(lambda m: m._dunning_is_open()),
            )
        return True

    # ------------------------------------------------------------------
    # The pipeline's entry points, kept here for outside code (the services hold
    # the steps: account.dunning.selection, .engine, .dispatch)
    # ------------------------------------------------------------------
    @api.model
    def _dunning_prepare(self, partners=None, date=None):
        """What a run would create for ``date`` in the current company: a list of
        ``create()`` values, one reminder per customer. Writes nothing."""
        return self.env["account.dunning.engine"]._prepare(partners=partners, date=date)

    @api.model
    def _cron_dunning_run(self, batch_size=CRON_BATCH_SIZE, batches=None, date=None):
        """The daily scheduled action (see ``account.dunning.engine._cron_run``)."""
        return self.env["account.dunning.engine"]._cron_run(
            batch_size=batch_size, batches=batches, date=date
        )

    @api.model
    def _cron_dunning_documents(self):
        """The scheduled action that prints the reminders' PDFs after the daily run's
        batches (see ``account.dunning.documents``)."""
        return self.env["account.dunning.documents"]._cron_print()

    @api.model
    def _cron_dunning_retention(self):
        """The scheduled action that removes the personal content of reminders older
        than their company's retention period (see ``account.dunning.retention``)."""
        return self.env["account.dunning.retention"]._cron_clear()

    @api.model
    def _cron_dunning_figures(self):
        """The scheduled action that keeps every customer's figures for the desk,
        the kanban and the aged receivables (see ``account.dunning.figures``)."""
        return self.env["account.dunning.figures"]._cron_refresh()
