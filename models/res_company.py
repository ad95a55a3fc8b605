# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import formatLang

from .bounds import check_days, check_input, check_internal_user

# Where a late-payment clause states the penalty rate: printed as the late interest
# rate the company charges (res.company.dunning_interest_rate), or as the statutory
# minimum where it charges none, so that the clause and the interest of the letters
# never disagree.
RATE_PLACEHOLDER = "{rate}"
# a credit alert past ten times the limit says nothing a lower one does not
MAX_CREDIT_ALERT = 1000
# any other word in braces: a mistyped placeholder, that would be printed as it is
OTHER_PLACEHOLDER = re.compile(r"\{(?!rate\})[^{}\n]*\}")
# the statutory minimum written out (this module's wording before {rate}, in French
# and in English), which contradicts a rate of the company's own
LEGAL_MINIMUM = re.compile(
    r"trois fois (?:le )?taux d.int[ée]r[êe]t l[ée]gal"
    r"|three times the (?:french )?legal (?:interest )?rate",
    re.IGNORECASE,
)
# Statutory late-payment mentions for French businesses (Code de commerce, L441-10 and
# D441-5), printed on invoices and letters: penalties at the rate the terms set (the
# company's, at least three times the legal interest rate) and the 40 EUR indemnity.
FRENCH_CLAUSE_FR = (
    "En cas de retard de paiement, des pénalités de retard sont exigibles de plein "
    "droit au taux de {rate}, ainsi qu'une indemnité forfaitaire pour frais de "
    "recouvrement de 40 euros (articles L441-10 et D441-5 du Code de commerce). "
    "Aucun escompte n'est accordé pour paiement anticipé."
)
FRENCH_CLAUSE_EN = (
    "Late payment automatically incurs late-payment penalties at {rate} and a fixed "
    "indemnity of 40 euros for recovery costs (articles L441-10 and D441-5 of the "
    "French Commercial Code). No discount is granted for early payment."
)


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_policy_id = fields.Many2one(
        "account.dunning.policy",
        string="Default Dunning Policy",
        ondelete="restrict",
        help="The policy of customers that have none of their own.",
    )
    dunning_auto_run = fields.Boolean(
        string="Automatic Daily Reminders",
        default=True,
        help="The daily scheduled action escalates overdue invoices and sends the "
        "reminders of automatic levels.",
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Default Dunning Responsible",
        help="Follows up customers that have no dunning responsible of their own.",
    )
    dunning_bank_feed_days = fields.Integer(
        string="Bank Feed Age Limit (days)",
        default=3,
        help="The daily run keeps its reminders for review when the bank journals "
        "brought no statement line for longer than this (payments received since "
        "may not be booked yet); 0: never.",
    )
    dunning_promise_horizon_days = fields.Integer(
        string="Promise Horizon (days)",
        default=365,
        help="How far ahead a promise to pay may go; a payment plan spreads longer "
        "delays.",
    )
    dunning_portal_answers = fields.Boolean(
        string="Customers Answer Online",
        default=True,
        help="Customers may promise to pay and dispute invoices from the customer "
        "portal (the link in each reminder); the dunning responsible gets an "
        "activity.",
    )
    dunning_interest_rate = fields.Float(
        string="Late Interest Rate (%)",
        digits=(16, 2),
        help="Annual rate of the simple late interest charged by levels that charge "
        "interest, from the due date to the reminder date. In France the legal rate "
        "for businesses is the ECB refinancing rate plus 10 points.",
    )
    dunning_fee_invoicing = fields.Selection(
        [
            ("none", "Not invoiced"),
            ("draft", "Draft invoice"),
            ("posted", "Posted invoice"),
        ],
        string="Invoice Fees and Interest",
        default="none",
        required=True,
        help="Charge the fees and interest of each sent reminder on a customer "
        "invoice of their own.",
    )
    dunning_fee_product_id = fields.Many2one(
        "product.product",
        string="Late Payment Fees Product",
        default=lambda self: self.env.ref(
            "account_dunning.product_late_payment_fees", raise_if_not_found=False
        ),
        help="The product on the lines of the fees invoices; its income account is "
        "used.",
    )
    dunning_fee_account_id = fields.Many2one(
        "account.account",
        string="Late Payment Fees Account",
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="The income account of the fees invoices' lines; the product's when "
        "empty.",
    )
    dunning_fee_journal_id = fields.Many2one(
        "account.journal",
        string="Late Payment Fees Journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', id)]",
        help="The sales journal of the fees invoices; the default sales journal "
        "when empty.",
    )
    dunning_late_payment_clause = fields.Text(
        string="Late Payment Clause",
        translate=True,
        help="Printed on customer invoices and on reminder letters. {rate} is printed "
        "as the late interest rate charged, or as three times the legal interest rate "
        "when none is set. French companies get the statutory wording by default.",
    )
    dunning_credit_check = fields.Selection(
        [("none", "No check"), ("warn", "Warn"), ("block", "Block")],
        string="Credit Limit Check",
        default="warn",
        required=True,
        help="Warn: customers and draft invoices show how much of the credit limit "
        "is used. Block: billing users cannot post an invoice that takes a customer "
        "over its limit, or for a customer on credit hold; an accounting manager may "
        "override with a reason.",
    )
    dunning_credit_alert_thresholds = fields.Char(
        string="Credit Alert Thresholds (%)",
        default="50,75,90,100",
        help="Shares of the credit limit, comma-separated, at which an alert shows.",
    )
    dunning_credit_hold_release = fields.Boolean(
        string="Release Credit Hold Automatically",
        help="The daily run releases the credit hold of customers with nothing "
        "overdue any more.",
    )
    dunning_thank_you = fields.Boolean(
        string="Thank Customers Who Pay",
        help="Email a thank-you to the customer when an invoice they were reminded of "
        "is paid in full.",
    )
    dunning_thank_you_template_id = fields.Many2one(
        "mail.template",
        string="Thank-you Email",
        domain=[("model", "=", "account.move")],
        default=lambda self: self.env.ref(
            "account_dunning.mail_template_dunning_thank_you", raise_if_not_found=False
        ),
        help="The email sent when a reminded invoice is paid.",
    )
    dunning_retention_years = fields.Integer(
        string="Reminders' Personal Content Kept (years)",
        default=10,
        help="Reminders older than this lose their personal content (email, "
        "recipients, letter, call notes) every night; their accounting facts stay "
        "(number, date, customer, invoices, level, amounts, fees). 10 years: the "
        "accounting archive period.",
    )
    # Where the daily run's payment scores of the day are (written by the run only,
    # see account.dunning.engine._cron_scores): its calls go on from there.
    dunning_scores_date = fields.Date(
        string="Payment Scores Updated On", readonly=True, copy=False
    )
    dunning_scores_upto = fields.Integer(
        string="Payment Scores Updated Up To",
        readonly=True,
        copy=False,
        help="The last customer (by id) whose payment scores the daily run updated "
        "that day.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS base: every new company gets the default dunning policy
        check_input(self, vals_list)
        companies = super().create(vals_list)
        companies._dunning_set_up()
        return companies

    def write(self, vals):
        # EXTENDS base: what the settings' dunning fields take
        check_input(self, [vals])
        return super().write(vals)

    def _dunning_set_up(self):
        """What every company needs to run reminders: its default policy, the
        statutory clause if French, the fees product and the thank-you email."""
        self._dunning_ensure_default_policy()
        self._dunning_set_french_clause()
        self._dunning_set_data_defaults()

    def _dunning_credit_thresholds(self):
        """The alert thresholds as sorted numbers."""
        self.ensure_one()
        return sorted(
            float(part)
            for part in (self.dunning_credit_alert_thresholds or "").split(",")
            if part.strip()
        )

    @api.constrains("dunning_promise_horizon_days")
    def _check_dunning_promise_horizon_days(self):
        label = self._fields["dunning_promise_horizon_days"]._description_string(
            self.env
        )
        for company in self:
            check_days(self.env, company.dunning_promise_horizon_days, label, minimum=1)

    @api.constrains("dunning_bank_feed_days")
    def _check_dunning_bank_feed_days(self):
        label = self._fields["dunning_bank_feed_days"]._description_string(self.env)
        for company in self:
            check_days(self.env, company.dunning_bank_feed_days, label, minimum=0)

    @api.constrains("dunning_retention_years")
    def _check_dunning_retention_years(self):
        for company in self:
            if not 1 <= company.dunning_retention_years <= 100:
                raise ValidationError(
                    _(
                        "The reminders of %(company)s are kept between 1 and 100 "
                        "years before their personal content is removed "
                        "(%(years)s given).",
                        company=company.name,
                        years=company.dunning_retention_years,
                    )
                )

    @api.constrains("dunning_interest_rate")
    def _check_dunning_interest_rate(self):
        for company in self:
            if not 0 <= company.dunning_interest_rate <= 100:
                raise ValidationError(
                    _(
                        "The late interest rate of %(company)s must be between 0 and "
                        "100 %% a year (%(rate)s given).",
                        company=company.name,
                        rate=company.dunning_interest_rate,
                    )
                )

    @api.constrains("dunning_late_payment_clause", "dunning_interest_rate")
    def _check_dunning_late_payment_clause(self):
        """The clause says the rate the letters charge: a mistyped placeholder, or the
        statutory minimum written out while the company charges a rate of its own,
        is refused (in every language the clause is written in)."""
        codes = [code for code, __ in self.env["res.lang"].get_installed()]
        for company in self:
            for code in codes:
                clause = company.with_context(lang=code).dunning_late_payment_clause
                company._dunning_check_clause(clause or "")

    def _dunning_check_clause(self, clause):
        self.ensure_one()
        other = OTHER_PLACEHOLDER.search(clause)
        if other:
            raise ValidationError(
                _(
                    "The late payment clause of %(company)s contains %(placeholder)s: "
                    "the only placeholder it may contain is {rate}, printed as the "
                    "late interest rate charged.",
                    company=self.name,
                    placeholder=other.group(),
                )
            )
        if self.dunning_interest_rate and LEGAL_MINIMUM.search(clause):
            raise ValidationError(
                _(
                    "The late payment clause of %(company)s says that penalties run "
                    "at three times the legal interest rate, while its late interest "
                    "rate is %(rate)s: write {rate} where the rate goes, and the rate "
                    "charged is printed.",
                    company=self.name,
                    rate=self._dunning_penalty_rate_text(),
                )
            )

    def _dunning_penalty_rate_text(self):
        """The penalty rate as the clause states it, in the context's language: the
        late interest rate the company charges, else the statutory minimum (Code de
        commerce, L441-10: at least three times the legal interest rate)."""
        self.ensure_one()
        rate = self.dunning_interest_rate
        if not rate:
            return self.env._("three times the legal interest rate")
        return self.env._(
            "%(rate)s%% a year", rate=formatLang(self.env, rate, digits=2)
        )

    def _dunning_late_payment_clause_text(self):
        """The late-payment clause as printed, in the context's language: {rate}
        replaced by the rate charged (see _dunning_penalty_rate_text); a clause of
        the company's own without it is printed as written."""
        self.ensure_one()
        clause = self.dunning_late_payment_clause or ""
        if RATE_PLACEHOLDER not in clause:
            return clause
        return clause.replace(RATE_PLACEHOLDER, self._dunning_penalty_rate_text())

    @api.constrains("dunning_credit_alert_thresholds")
    def _check_dunning_credit_alert_thresholds(self):
        for company in self:
            try:
                thresholds = company._dunning_credit_thresholds()
            except ValueError:
                thresholds = None
            if thresholds is None or any(
                not math.isfinite(t) or not 0 < t <= MAX_CREDIT_ALERT
                for t in thresholds
            ):
                raise ValidationError(
                    _(
                        "Credit alert thresholds are positive percentages up to "
                        "%(maximum)s, separated by commas, such as 50,75,90,100; not "
                        "%(value)s.",
                        maximum=MAX_CREDIT_ALERT,
                        value=company.dunning_credit_alert_thresholds,
                    )
                )

    def _dunning_set_french_clause(self):
        """French companies without a late-payment clause get the statutory one: in
        French where French is installed, in English otherwise."""
        french_installed = "fr_FR" in dict(self.env["res.lang"].get_installed())
        for company in self.filtered(
            lambda c: c.country_code == "FR" and not c.dunning_late_payment_clause
        ):
            english = company.with_context(lang="en_US")
            english.dunning_late_payment_clause = FRENCH_CLAUSE_EN
            if french_installed:
                french = company.with_context(lang="fr_FR")
                french.dunning_late_payment_clause = FRENCH_CLAUSE_FR

    def _dunning_set_data_defaults(self):
        """The fields' defaults that name the module's data (the fees product,
        the thank-you email), on the companies that have none: those that existed
        at install time got none, their defaults read before that data was
        loaded."""
        fnames = ["dunning_fee_product_id", "dunning_thank_you_template_id"]
        for fname, value in self.default_get(fnames).items():
            if value:
                # sudo: configuration every company needs, whoever installs
                self.filtered(lambda c, f=fname: not c[f]).sudo()[fname] = value

    @api.constrains(
        "dunning_responsible_id",
        "dunning_fee_journal_id",
        "dunning_fee_account_id",
        "dunning_fee_product_id",
        "dunning_thank_you_template_id",
    )
    def _check_dunning_links(self):
        """What the settings name is the company's own and of the right kind: the
        responsible an internal user of it, the fees journal one of its sales
        journals, the fees account one of its income accounts, the fees product
        one it may sell, the thank-you email a template of invoices."""
        label = self._fields["dunning_responsible_id"]._description_string(self.env)
        # sudo: the kind and company of what is named, whoever configures
        for company in self.sudo():
            check_internal_user(
                self.env, company.dunning_responsible_id, company, label
            )
            journal = company.dunning_fee_journal_id
            account = company.dunning_fee_account_id
            product = company.dunning_fee_product_id
            template = company.dunning_thank_you_template_id
            wrong = [
                fname
                for fname, bad in (
                    (
                        "dunning_fee_journal_id",
                        journal
                        and (
                            journal.type != "sale"
                            or journal.company_id not in company.parent_ids
                        ),
                    ),
                    (
                        "dunning_fee_account_id",
                        account
                        and (
                            account.account_type not in ("income", "income_other")
                            or not account.company_ids & company.parent_ids
                        ),
                    ),
                    (
                        "dunning_fee_product_id",
                        product
                        and product.company_id
                        and product.company_id not in company.parent_ids,
                    ),
                    (
                        "dunning_thank_you_template_id",
                        template and template.model != "account.move",
                    ),
                )
                if bad
            ]
            if wrong:
                raise ValidationError(
                    _(
                        "%(company)s: %(fields)s must be of the company and of the "
                        "right kind (a sales journal, an income account, a product "
                        "it sells, an email about invoices).",
                        company=company.name,
                        fields=", ".join(
                            self._fields[fname]._description_string(self.env)
                            for fname in wrong
                        ),
                    )
                )

    @api.constrains("dunning_policy_id")
    def _check_dunning_policy_id(self):
        for company in self:
            policy = company.dunning_policy_id
            if policy and policy.company_id != company:
                raise ValidationError(
                    _(
                        "The default dunning policy of %(company)s must belong to it, "
                        "not to "
                        "%(other)s.",
                        company=company.name,
                        other=policy.company_id.name,
                    )
                )
            if policy and not policy.active:
                raise ValidationError(
                    _(
                        "The default dunning policy of %(company)s cannot be archived.",
                        company=company.name,
                    )
                )

    def _dunning_ensure_default_policy(self):
        """Give each company without one the schedule our users know."""
        companies = self.filtered(lambda company: not company.dunning_policy_id)
        if not companies:
            return
        # sudo: the default policy is configuration every company needs, whoever creates
        # it.
        english = companies.sudo().with_context(lang="en_US")
        policies = (
            self.env["account.dunning.policy"]
            .sudo()  # see above
            .with_context(lang="en_US")
            .create([company._dunning_default_policy_vals() for company in english])
        )
        for company, policy in zip(companies, policies, strict=True):
            company.sudo().dunning_policy_id = policy  # see above
        self._dunning_translate_default_policies(policies)

    def _dunning_default_policy_vals(self):
        self.ensure_one()
        return {
            "name": self.env._("Standard reminders"),
            "company_id": self.id,
            "min_interval_days": 5,
            "level_ids": [
                fields.Command.create(vals)
                for vals in self._dunning_default_levels_vals()
            ],
        }

    def _dunning_default_levels_vals(self):
        """Courtesy at -3 days (off), email at +5, call at +10, formal letter at +15,
        payment plan proposal or meeting at +20.
        """
        ref = self.env.ref
        _ = self.env._
        return [
            {
                "name": _("Courtesy reminder"),
                "delay": -3,
                "active": False,
                "auto_execute": True,
                "send_email": True,
                "mail_template_id": ref(
                    "account_dunning.mail_template_dunning_courtesy"
                ).id,
            },
            {
                "name": _("First reminder"),
                "delay": 5,
                "auto_execute": True,
                "send_email": True,
                "mail_template_id": ref(
                    "account_dunning.mail_template_dunning_first"
                ).id,
            },
            {
                "name": _("Phone call"),
                "delay": 10,
                "auto_execute": True,
                "send_email": True,
                "mail_template_id": ref(
                    "account_dunning.mail_template_dunning_second"
                ).id,
                "create_activity": True,
                "activity_type_id": ref("mail.mail_activity_data_call").id,
                "activity_summary": _("Call the customer about overdue invoices"),
                # offered, off: an SMS costs IAP credits, the company turns it on
                "send_sms": False,
                "sms_template_id": ref(
                    "account_dunning.sms_template_dunning_reminder"
                ).id,
            },
            {
                "name": _("Formal notice"),
                "delay": 15,
                "send_email": True,
                "mail_template_id": ref(
                    "account_dunning.mail_template_dunning_formal"
                ).id,
                "send_letter": True,
                # the formal notice goes with its letter, as a PDF on the email too
                "attach_letter": True,
                "formal_notice": True,
                # the statutory 40 EUR recovery indemnity and late interest in France
                "fee_amount": 40.0 if self.country_code == "FR" else 0.0,
                "apply_interest": self.country_code == "FR",
            },
            {
                "name": _("Payment plan or meeting"),
                "delay": 20,
                "send_email": True,
                "mail_template_id": ref(
                    "account_dunning.mail_template_dunning_final"
                ).id,
                "create_activity": True,
                "activity_type_id": ref("mail.mail_activity_data_meeting").id,
                "activity_summary": _("Propose a payment plan or a meeting"),
            },
        ]

    def _dunning_translate_default_policies(self, policies, langs=None):
        """Policies are created in English; give their names in every other active
        language, or in ``langs`` only (a language installed later), there leaving
        the names already translated or renamed.
        """
        codes = langs or [code for code, __ in self.env["res.lang"].get_installed()]
        for code in codes:
            if code == "en_US":
                continue
            # sudo: the default policies, created by the module for every company
            for policy in policies.sudo().with_context(lang=code):
                if langs and policy.name != policy.with_context(lang="en_US").name:
                    continue  # translated or renamed already
                vals = policy.company_id.with_context(
                    lang=code
                )._dunning_default_policy_vals()
                policy.name = vals["name"]
                by_delay = {
                    command[2]["delay"]: command[2] for command in vals["level_ids"]
                }
                for level in policy.level_ids:
                    translated = by_delay.get(level.delay)
                    if translated:
                        level.name = translated["name"]
                        if level.activity_summary and translated.get(
                            "activity_summary"
                        ):
                            level.activity_summary = translated["activity_summary"]
