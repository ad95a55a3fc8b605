# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The SMS channel of the dispatch: the numbers a reminder's SMS goes to, and the
SMS queued through Odoo's ``sms`` module; what each channel lacks, as the send
wizard tells it before Send."""

from odoo import Command, _, api, models

from odoo.addons.sms.tools.sms_tools import sms_content_to_rendered_html


class AccountDunningDispatch(models.AbstractModel):
    _inherit = "account.dunning.dispatch"

    @api.model
    def _channel_problems(self, level, partner, recipients, channels):
        """The channels ticked (``channels``: email, sms, letter lacking an
        address) that cannot go for ``partner``, as sending would find them."""
        problems = []
        customer = partner.display_name
        if channels.get("email") and not any(recipients.mapped("email")):
            problems.append(
                _(
                    "No recipient has an email address: the email cannot go (a "
                    "letter goes instead where %(customer)s has a postal address).",
                    customer=customer,
                )
            )
        if channels.get("sms"):
            __, __, problem = self._sms_targets([(0, level, recipients, partner)])[0]
            if problem:
                problems.append(problem + " " + _("The SMS is left out."))
        if channels.get("letter"):
            problems.append(
                _(
                    "%(customer)s has no complete postal address: the letter is left "
                    "out.",
                    customer=customer,
                )
            )
        return problems

    def _sms_targets(self, entries):
        """Where each SMS goes: ``entries`` are (key, level, recipients, customer);
        returns {key: (partner, number, problem)}: the first of the recipients,
        then the customer, with a mobile (else a phone) number, that number in
        international format (the customer's country for a number without its
        prefix), and why no SMS can go (no template, no number, a blacklisted
        number), else False. The wizard's warnings ask the same."""
        found = {}
        for key, level, recipients, customer in entries:
            partner, number = self._sms_number(recipients | customer, customer)
            found[key] = (level, partner, number, customer)
        numbers = [number for __, __, number, __ in found.values() if number]
        # sudo: whether these numbers opted out of SMS, not who else did
        blacklist = self.env["phone.blacklist"].sudo()
        blacklisted = set(
            blacklist.search([("number", "in", numbers)]).mapped("number")
            if numbers
            else ()
        )
        result = {}
        for key, (level, partner, number, customer) in found.items():
            problem = False
            if not level.sms_template_id:
                problem = _("Level %(level)s has no SMS template.", level=level.name)
            elif not number:
                problem = _(
                    "%(customer)s has no valid mobile or phone number for an SMS.",
                    customer=customer.display_name,
                )
            elif number in blacklisted:
                problem = _(
                    "The number %(number)s of %(customer)s is blacklisted for SMS "
                    "(opted out): no SMS goes to it.",
                    number=number,
                    customer=customer.display_name,
                )
            result[key] = (partner, number, problem)
        return result

    @staticmethod
    def _sms_number(partners, customer):
        """(partner, number): the first of ``partners`` whose mobile, else phone,
        formats as a valid number; (no partner, False) when none does."""
        for partner in partners:
            country = customer.country_id or partner.country_id
            for fname in ("mobile", "phone"):
                number = partner[fname] and partner._phone_format(
                    number=partner[fname], country=country
                )
                if number:
                    return partner, number
        return partners.browse(), False

    def _send_sms(self, reminders, sms_targets):
        """Queue the SMS of the reminders that send one (once: a reminder sent again
        keeps its SMS), to the numbers of ``sms_targets`` (see ``_sms_targets``),
        rendered in the customer's language. As core notifies by SMS (a message in
        the reminder's chatter, its SMS and the notification that keeps its
        delivery state, see ``_notify_thread_by_sms``), in batches; Odoo's SMS
        queue sends them."""
        todo = reminders.filtered(
            lambda r: r.send_sms and not r.sms_message_id and r.id in sms_targets
        )
        if not todo:
            return
        bodies = {}
        for template, group in todo.grouped(
            lambda r: r.level_id.sms_template_id
        ).items():
            bodies.update(template._render_field("body", group.ids, compute_lang=True))
        author = self.env.user.partner_id
        note = self.env.ref("mail.mt_note").id
        # sudo: the SMS of reminders the user may send; the sms module posts and
        # queues them as superuser too
        messages = (
            self.env["mail.message"]
            .sudo()
            .create(
                [
                    {
                        "model": todo._name,
                        "res_id": reminder.id,
                        "message_type": "sms",
                        "body": sms_content_to_rendered_html(bodies[reminder.id]),
                        "subtype_id": note,
                        "author_id": author.id,
                        "email_from": author.email_formatted,
                        "record_name": reminder.display_name,
                    }
                    for reminder in todo
                ]
            )
        )
        # sudo: see above
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {
                        "body": bodies[reminder.id],
                        "mail_message_id": message.id,
                        "partner_id": sms_targets[reminder.id][0].id,
                        "number": sms_targets[reminder.id][1],
                        "state": "outgoing",
                    }
                    for reminder, message in zip(todo, messages, strict=True)
                ]
            )
        )
        # sudo: see above
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": author.id,
                    "mail_message_id": one.mail_message_id.id,
                    "res_partner_id": one.partner_id.id,
                    "sms_number": one.number,
                    "notification_type": "sms",
                    "sms_id_int": one.id,
                    "sms_tracker_ids": [Command.create({"sms_uuid": one.uuid})],
                    "is_read": True,
                    "notification_status": "ready",
                }
                for one in sms
            ]
        )
        for reminder, message in zip(todo, messages, strict=True):
            reminder._dunning_system_write({"sms_message_id": message.id})
        # sudo: the SMS queue's scheduled action, run now rather than at its hour
        self.env.ref("sms.ir_cron_sms_scheduler_action").sudo()._trigger()
