# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..dunning.plan import duplicate_delays
from .access import MANAGER, check_button
from .bounds import check_days, check_input, check_text


class AccountDunningPolicy(models.Model):
    _name = "account.dunning.policy"
    _description = "Dunning Policy"
    _check_company_auto = True
    _order = "company_id, name, id"

    name = fields.Char(
        required=True,
        translate=True,
        help="For example: Standard reminders, Key accounts, Public sector.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The company whose customers follow this policy.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(
        default=True,
        help="An archived policy can no longer be chosen; the company's default "
        "policy cannot be archived.",
    )
    level_ids = fields.One2many(
        "account.dunning.level",
        "policy_id",
        string="Levels",
        copy=True,
        context={"active_test": False},
        help="The steps of the policy, each reached a number of days after the due "
        "date.",
    )
    level_count = fields.Integer(compute="_compute_level_count")
    minimum_amount = fields.Monetary(
        currency_field="currency_id",
        help="A customer whose overdue total is below this amount is not reminded.",
    )
    min_interval_days = fields.Integer(
        string="Minimum Interval (days)",
        default=5,
        help="No two reminders are sent to one customer closer than this number of "
        "days.",
    )
    allow_level_skip = fields.Boolean(
        help="When set, an invoice goes straight to the level its days overdue "
        "deserve. "
        "Otherwise it climbs one level per reminder.",
    )
    is_company_default = fields.Boolean(
        compute="_compute_is_company_default",
        string="Company Default",
    )
    note = fields.Html(
        translate=True, help="What this policy is for, for the accounting team."
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    @api.depends("level_ids")
    def _compute_level_count(self):
        counts = dict(
            self.env["account.dunning.level"]._read_group(
                [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.level_count = counts.get(policy._origin, 0)

    @api.depends("company_id.dunning_policy_id")
    def _compute_is_company_default(self):
        for policy in self:
            policy.is_company_default = policy.company_id.dunning_policy_id == policy

    @api.constrains("minimum_amount", "min_interval_days", "name")
    def _check_amounts(self):
        for policy in self:
            if policy.minimum_amount < 0:
                raise ValidationError(
                    _(
                        "The minimum amount of dunning policy %(policy)s cannot be "
                        "negative.",
                        policy=policy.name,
                    )
                )
            if policy.min_interval_days < 0:
                raise ValidationError(
                    _(
                        "The minimum interval of dunning policy %(policy)s cannot be "
                        "negative.",
                        policy=policy.name,
                    )
                )
            check_text(self.env, policy.name, _("The name of a dunning policy"))
            check_days(
                self.env,
                policy.min_interval_days,
                _("The minimum interval of dunning policy %s", policy.name),
                minimum=0,
            )

    @api.constrains("level_ids")
    def _check_unique_delays(self):
        for policy in self:
            duplicates = duplicate_delays(
                policy.with_context(active_test=False).level_ids.mapped("delay")
            )
            if duplicates:
                raise ValidationError(
                    _(
                        "Two levels of dunning policy %(policy)s have the same delay "
                        "(%(delays)s days). Each level needs its own delay.",
                        policy=policy.name,
                        delays=", ".join(str(d) for d in duplicates),
                    )
                )

    @api.constrains("active", "company_id")
    def _check_company_default(self):
        defaults = self.env["res.company"].search(
            [("dunning_policy_id", "in", self.ids)]
        )
        for company in defaults:
            policy = company.dunning_policy_id
            if not policy.active:
                raise ValidationError(
                    _(
                        "Dunning policy %(policy)s is the default policy of "
                        "%(company)s: "
                        "choose another default in the settings before archiving it.",
                        policy=policy.name,
                        company=company.name,
                    )
                )
            if policy.company_id != company:
                raise ValidationError(
                    _(
                        "Dunning policy %(policy)s is the default policy of "
                        "%(company)s and "
                        "cannot move to another company.",
                        policy=policy.name,
                        company=company.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        defaults = self.env["res.company"].search(
            [("dunning_policy_id", "in", self.ids)]
        )
        if defaults:
            raise UserError(
                _(
                    "Dunning policy %(policy)s is the default policy of %(company)s "
                    "and "
                    "cannot be deleted.",
                    policy=defaults[0].dunning_policy_id.name,
                    company=defaults[0].name,
                )
            )
        used = self.env["account.dunning.reminder"].search_count(
            [("policy_id", "in", self.ids)], limit=1
        )
        if used:
            raise UserError(
                _(
                    "Reminders were made with this dunning policy: archive it instead "
                    "of "
                    "deleting it, so that the reminder history stays complete."
                )
            )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "name" not in (default or {}):
            for policy, vals in zip(self, vals_list, strict=True):
                vals["name"] = _("%s (copy)", policy.name)
        return vals_list

    def action_set_company_default(self):
        check_button(self, MANAGER)
        self.ensure_one()
        # sudo: choosing the default policy is the accounting manager's setting, on a
        # company record only administrators may write; check_button() checked both
        self.company_id.sudo().dunning_policy_id = self
