# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .bounds import check_days, check_input, check_text

# The channel switches a level presets on its reminders.
CHANNEL_FIELDS = ("send_email", "send_letter", "create_activity", "send_sms")


class AccountDunningLevel(models.Model):
    _name = "account.dunning.level"
    _description = "Dunning Level"
    _check_company_auto = True
    _order = "policy_id, delay, id"

    policy_id = fields.Many2one(
        "account.dunning.policy",
        required=True,
        help="The dunning policy this level belongs to.",
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="policy_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    sequence = fields.Integer(
        compute="_compute_sequence",
        store=True,
        help="Rank of the level in its policy, levels being ordered by delay.",
    )
    name = fields.Char(
        required=True,
        translate=True,
        help="How the level is called in lists, reminders and reports.",
    )
    active = fields.Boolean(
        default=True, help="An archived level is no longer reached by any invoice."
    )
    delay = fields.Integer(
        required=True,
        help="Days after the due date when this level is reached; a negative number "
        "means "
        "days before the due date (a courtesy reminder).",
    )
    auto_execute = fields.Boolean(
        string="Automatic",
        help="The daily run sends this level by itself. Otherwise its reminders wait "
        "as "
        "drafts for review.",
    )
    send_email = fields.Boolean(
        help="The reminder is emailed to the customer's reminder contact, else to "
        "its invoice address.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "account.dunning.reminder")],
        ondelete="restrict",
        help="The email sent at this level; its language follows the customer's.",
    )
    send_letter = fields.Boolean(
        string="Print Letter",
        help="A letter on the company layout is prepared for printing and posting.",
    )
    attach_letter = fields.Boolean(
        string="Attach Letter to Email",
        help="The email carries the reminder letter as a PDF. Off by default: a "
        "friendly reminder says in its email what a letter would repeat, and each "
        "letter is a PDF to print (about a second with Debian's wkhtmltopdf).",
    )
    attach_invoices = fields.Boolean(
        string="Attach Invoices to Email",
        help="The email also carries the PDF of each invoice it lists.",
    )
    attach_statement = fields.Boolean(
        string="Attach Statement to Email",
        help="The email also carries the customer's statement of open items.",
    )
    formal_notice = fields.Boolean(
        help="The letter is a formal notice to pay (in France, a mise en demeure) with "
        "its legal mentions; send it by registered post.",
    )
    letter_note = fields.Html(
        translate=True,
        help="A paragraph of your own printed in the letter above the invoices.",
    )
    create_activity = fields.Boolean(
        string="Schedule Activity",
        help="An activity (a call, a meeting) is scheduled on the customer for a "
        "user to follow up.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        ondelete="restrict",
        help="The kind of activity: a phone call, a meeting...",
    )
    activity_summary = fields.Char(
        translate=True, help="The title of the activity, as the user sees it."
    )
    activity_note = fields.Html(
        translate=True, help="Instructions for the user, such as a call script."
    )
    activity_user_type = fields.Selection(
        [
            ("responsible", "Dunning responsible"),
            ("salesperson", "Salesperson"),
            ("user", "Specific user"),
        ],
        string="Activity Assigned To",
        default="responsible",
        required=True,
        help="Who gets the activity: the customer's dunning responsible, its "
        "salesperson, or the user chosen below.",
    )
    activity_user_id = fields.Many2one(
        "res.users",
        string="Activity User",
        check_company=True,
        help="The user who gets the activity when the level names one.",
    )
    send_sms = fields.Boolean(
        string="Send SMS",
        help="A short text message goes to the mobile of the customer's reminder "
        "contact (else its phone), through Odoo's SMS service (IAP credits).",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain=[("model", "=", "account.dunning.reminder")],
        ondelete="restrict",
        help="The SMS sent at this level; its language follows the customer's.",
    )
    fee_amount = fields.Monetary(
        currency_field="currency_id",
        string="Fixed Fee",
        help="Recovery fee charged once per invoice when it reaches this level.",
    )
    apply_interest = fields.Boolean(
        string="Charge Late Interest",
        help="Late interest at the company's rate is charged on the invoices of the "
        "reminder, from their due date or the last interest charged.",
    )
    credit_hold = fields.Boolean(
        string="Put on Credit Hold",
        help="Customers reaching this level are put on credit hold.",
    )
    collection_handoff = fields.Boolean(
        string="Hand Over to Collection",
        help="Customers reaching this level are handed over to a collection agency or "
        "legal action, and automatic reminders stop for them.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    def _dunning_channels(self):
        """The channels a reminder at this level uses by default (none without a
        level)."""
        return (
            {fname: bool(self[fname]) for fname in CHANNEL_FIELDS}
            if self
            else dict.fromkeys(CHANNEL_FIELDS, False)
        )

    def _dunning_attachment_summary(self, send_email, invoice_count):
        """What an email at this level attaches, as the send wizard says it."""
        names = []
        if send_email and self.attach_letter:
            names.append(_("the reminder letter"))
        if send_email and self.attach_invoices:
            names.append(_("%(count)s invoice(s)", count=invoice_count))
        if send_email and self.attach_statement:
            names.append(_("the customer statement"))
        return ", ".join(names) or _("None")

    @api.depends("name", "policy_id.name")
    @api.depends_context("dunning_level_policy")
    def _compute_display_name(self):
        # with the context key dunning_level_policy (the collection desk): "Policy:
        # Level" where the company has more than one policy
        named = set()
        if self.env.context.get("dunning_level_policy"):
            # sudo: how many policies the companies have, not their content
            groups = (
                self.env["account.dunning.policy"]
                .sudo()
                ._read_group(
                    [("company_id", "in", self.company_id.ids)],
                    ["company_id"],
                    ["__count"],
                )
            )
            named = {company.id for company, count in groups if count > 1}
        for level in self:
            if level.company_id.id in named and level.policy_id:
                level.display_name = f"{level.policy_id.name}: {level.name}"
            else:
                level.display_name = level.name

    @api.depends("delay", "policy_id.level_ids.delay", "active")
    def _compute_sequence(self):
        for policy in self.policy_id:
            ordered = policy.with_context(active_test=False).level_ids.sorted(
                lambda level: (level.delay, level.id or 0)
            )
            for rank, level in enumerate(ordered, start=1):
                level.sequence = rank
        for level in self.filtered(lambda lvl: not lvl.policy_id):
            level.sequence = 0

    @api.constrains("delay", "name")
    def _check_delay_and_name(self):
        for level in self:
            check_text(self.env, level.name, _("The name of a dunning level"))
            check_days(
                self.env, level.delay, _("The delay of dunning level %s", level.name)
            )

    @api.constrains("activity_user_id", "company_id")
    def _check_activity_user(self):
        for level in self.filtered("activity_user_id"):
            # sudo: who the user is (internal, which companies), not what they see
            user = level.activity_user_id.sudo()
            if user.share or level.company_id not in user.company_ids:
                raise ValidationError(
                    _(
                        "The activities of dunning level %(level)s can only go to an "
                        "internal user of %(company)s, not %(user)s.",
                        level=level.name,
                        company=level.company_id.name,
                        user=user.name,
                    )
                )

    @api.constrains("fee_amount")
    def _check_fee_amount(self):
        for level in self:
            if level.fee_amount < 0:
                raise ValidationError(
                    _(
                        "The fee of dunning level %(level)s cannot be negative.",
                        level=level.name,
                    )
                )

    @api.constrains("send_email", "mail_template_id")
    def _check_mail_template(self):
        for level in self:
            if level.send_email and not level.mail_template_id:
                raise ValidationError(
                    _(
                        "Dunning level %(level)s sends an email: choose its email "
                        "template.",
                        level=level.name,
                    )
                )
            template = level.mail_template_id
            if template and template.model != "account.dunning.reminder":
                raise ValidationError(
                    _(
                        "The email template %(template)s of dunning level %(level)s "
                        "is not a "
                        "payment reminder template.",
                        template=template.name,
                        level=level.name,
                    )
                )

    @api.constrains("send_sms", "sms_template_id")
    def _check_sms_template(self):
        for level in self:
            if level.send_sms and not level.sms_template_id:
                raise ValidationError(
                    _(
                        "Dunning level %(level)s sends an SMS: choose its SMS "
                        "template.",
                        level=level.name,
                    )
                )
            template = level.sms_template_id
            if template and template.model != "account.dunning.reminder":
                raise ValidationError(
                    _(
                        "The SMS template %(template)s of dunning level %(level)s is "
                        "not a payment reminder template.",
                        template=template.name,
                        level=level.name,
                    )
                )

    @api.constrains(
        "create_activity", "activity_type_id", "activity_user_type", "activity_user_id"
    )
    def _check_activity(self):
        for level in self.filtered("create_activity"):
            if not level.activity_type_id:
                raise ValidationError(
                    _(
                        "Dunning level %(level)s schedules an activity: choose its "
                        "type.",
                        level=level.name,
                    )
                )
            if level.activity_user_type == "user" and not level.activity_user_id:
                raise ValidationError(
                    _(
                        "Dunning level %(level)s assigns its activity to a specific "
                        "user: "
                        "choose that user.",
                        level=level.name,
                    )
                )

    @api.constrains("delay", "policy_id", "active")
    def _check_policy_delays(self):
        self.policy_id._check_unique_delays()
