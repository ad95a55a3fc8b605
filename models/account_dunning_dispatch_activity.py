# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The activity channel of the dispatch: a call or a task scheduled for the person
who follows the customer, with what to say."""

from markupsafe import Markup, escape

from odoo import _, models


class AccountDunningDispatch(models.AbstractModel):
    _inherit = "account.dunning.dispatch"

    def _schedule_activities(self, reminders, activity_users):
        """The activity of each reminder whose channels include one (once: a reminder
        sent again keeps its activity), for its user in ``activity_users`` (per
        reminder id, see ``_activity_user``)."""
        todo = reminders.filtered(lambda r: r.create_activity and not r.activity_id)
        if not todo:
            return
        partner_model = self.env["ir.model"]._get_id("res.partner")
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        # sudo: the level schedules the activity on the customer for the person it
        # names; whoever may send reminders may do so without editing contacts
        activities = (
            self.env["mail.activity"]
            .sudo()
            .create(
                [
                    {
                        "res_model_id": partner_model,
                        "res_id": reminder.partner_id.id,
                        "activity_type_id": (
                            reminder.level_id.activity_type_id or activity_type
                        ).id,
                        "summary": reminder.level_id.activity_summary
                        or reminder.level_id.name,
                        "note": self._activity_note(reminder),
                        "user_id": activity_users[reminder.id].id,
                        "date_deadline": reminder.date,
                    }
                    for reminder in todo
                ]
            )
        )
        for reminder, activity in zip(todo, activities, strict=True):
            reminder._dunning_system_write({"activity_id": activity.id})

    def _activity_note(self, reminder):
        """The level's note, then what the caller needs at hand: the customer's phone
        numbers and what is owed."""
        reminder.ensure_one()
        customer = reminder.partner_id
        phones = [
            (label, number)
            for label, number in (
                (_("Phone"), customer.phone),
                (_("Mobile"), customer.mobile),
            )
            if number
        ]
        lines = [escape(f"{label}: {number}") for label, number in phones] or [
            escape(_("No phone number on file."))
        ]
        lines.append(
            escape(
                _(
                    "%(reminder)s: %(amount)s due on %(count)s invoice(s), the oldest "
                    "%(days)s days late.",
                    reminder=reminder.name,
                    amount=reminder.currency_summary or "",
                    count=reminder.line_count,
                    days=max(reminder.line_ids.mapped("days_overdue") or [0]),
                )
            )
        )
        note = reminder.level_id.activity_note or Markup()
        return note + Markup("<p>%s</p>") % Markup("<br/>").join(lines)

    def _activity_user(self, reminder):
        """Who gets the level's activity: a person who can act on it. The level's
        choice, then the customer's dunning responsible, its salesperson, the
        reminder's responsible, the company's default responsible, then whoever
        sends; never the superuser (OdooBot), an archived or a portal user, nor a
        user of another company. Nobody (an empty recordset) when none is."""
        reminder.ensure_one()
        level = reminder.level_id
        customer = reminder.partner_id
        chosen = self.env["res.users"]
        if level.activity_user_type == "user":
            chosen = level.activity_user_id
        elif level.activity_user_type == "salesperson":
            chosen = customer.user_id
        candidates = (
            chosen,
            customer.dunning_responsible_id,
            customer.user_id,
            reminder.user_id,
            reminder.company_id.dunning_responsible_id,
            self.env.user,
        )
        for user in candidates:
            if self._can_act(user, reminder.company_id):
                return user
        return self.env["res.users"]

    @staticmethod
    def _can_act(user, company):
        """Whether ``user`` is a person of ``company`` who can act on an activity."""
        # sudo: the state of a user the level or the customer names, not its data
        user = user.sudo()
        return bool(
            user
            and user.active
            and not user.share
            and not user._is_superuser()
            and company in user.company_ids
        )
