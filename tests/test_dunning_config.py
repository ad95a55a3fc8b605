# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import suppress

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..hooks import post_init_hook
from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningConfig(DunningCommon):
    """Default data and the constraints that keep a configuration sound."""

    def _level_vals(self, **vals):
        return {"policy_id": self.policy.id, "name": "Extra", "delay": 45} | vals

    # --- default data ---------------------------------------------------------
    def test_installed_company_has_default_schedule(self):
        def channels(email=False, letter=False, act=False):
            return {"send_email": email, "send_letter": letter, "create_activity": act}

        self.assertTrue(self.policy)
        self.assertEqual(self.policy.company_id, self.company)
        self.assertRecordValues(
            self.levels,
            [
                {"delay": -3, "sequence": 1, "active": False, **channels(email=True)},
                {"delay": 5, "sequence": 2, "active": True, **channels(email=True)},
                {
                    "delay": 10,
                    "sequence": 3,
                    "active": True,
                    **channels(True, act=True),
                },
                {"delay": 15, "sequence": 4, "active": True, **channels(True, True)},
                {
                    "delay": 20,
                    "sequence": 5,
                    "active": True,
                    **channels(True, act=True),
                },
            ],
        )
        self.assertEqual(
            self.levels.filtered("auto_execute"),
            self.level_courtesy | self.level_email | self.level_call,
        )
        self.assertEqual(
            self.level_call.activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )
        self.assertEqual(
            self.level_plan.activity_type_id,
            self.env.ref("mail.mail_activity_data_meeting"),
        )
        for level in self.levels:
            self.assertEqual(level.mail_template_id.model, "account.dunning.reminder")
        self.assertEqual(self.policy.min_interval_days, 5)
        self.assertFalse(self.policy.allow_level_skip)
        # only the formal notice carries a letter PDF: the friendly levels' emails
        # say what a letter would repeat, and no PDF is printed for them
        self.assertEqual(self.levels.filtered("attach_letter").mapped("delay"), [15])

    def test_new_company_gets_its_own_default_policy(self):
        company = self.env["res.company"].create({"name": "Nouvelle Société"})
        policy = company.dunning_policy_id
        self.assertTrue(policy)
        self.assertNotEqual(policy, self.policy)
        self.assertEqual(policy.company_id, company)
        levels = policy.with_context(active_test=False).level_ids
        self.assertEqual(sorted(levels.mapped("delay")), [-3, 5, 10, 15, 20])
        self.assertEqual(levels.company_id, company)
        self.assertTrue(policy.is_company_default)

    def test_install_gives_existing_companies_their_settings(self):
        company = self.env["res.company"].create({"name": "Société existante"})
        # as the install finds a company: none of the module's settings yet
        self.env.cr.execute(
            """UPDATE res_company SET dunning_policy_id = NULL,
                      dunning_fee_product_id = NULL,
                      dunning_thank_you_template_id = NULL
                WHERE id = %s""",
            [company.id],
        )
        self.env.invalidate_all()
        with suppress(RuntimeError), self.env.cr.savepoint(flush=False):
            # demo data that gave the company a policy, then failed: rolled back,
            # still in the ORM's cache
            company.dunning_policy_id = self.env["account.dunning.policy"].create(
                {"name": "Demo policy", "company_id": company.id}
            )
            self.env.flush_all()
            raise RuntimeError("demo data failed")
        post_init_hook(self.env)
        policy = company.dunning_policy_id
        self.assertTrue(policy.exists())
        self.assertEqual(policy.with_context(lang="en_US").name, "Standard reminders")
        self.assertEqual(
            company.dunning_fee_product_id,
            self.env.ref("account_dunning.product_late_payment_fees"),
        )
        self.assertEqual(
            company.dunning_thank_you_template_id,
            self.env.ref("account_dunning.mail_template_dunning_thank_you"),
        )

    def test_new_company_policy_speaks_french_too(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning"], ["fr_FR"], overwrite=True
        )
        policy = self.env["res.company"].create({"name": "Société"}).dunning_policy_id
        self.assertEqual(policy.with_context(lang="en_US").name, "Standard reminders")
        self.assertEqual(policy.with_context(lang="fr_FR").name, "Relances standard")
        levels_fr = policy.with_context(lang="fr_FR", active_test=False).level_ids
        self.assertEqual(
            levels_fr.sorted("delay").mapped("name"),
            [
                "Rappel de courtoisie",
                "Première relance",
                "Appel téléphonique",
                "Mise en demeure",
                "Échéancier de paiement ou rendez-vous",
            ],
        )
        call_fr = levels_fr.filtered(lambda level: level.delay == 10)
        self.assertEqual(
            call_fr.activity_summary, "Appeler le client au sujet des factures échues"
        )
        template_fr = call_fr.mail_template_id.with_context(lang="fr_FR")
        self.assertIn("relance", template_fr.subject)

    def test_french_installed_later_names_the_existing_default_policy(self):
        """A company's default policy made while only English was installed is named
        in French when French is installed; a policy renamed in French stays so."""
        english = self.policy.with_context(lang="en_US").name
        if english != "Standard reminders":
            # a database created in French names its policies in French from the start
            self.skipTest(f"the default policy was created in French ({english})")
        renamed = self.env["res.company"].create({"name": "Renamed"}).dunning_policy_id
        self.env["res.lang"]._activate_lang("fr_FR")
        renamed.with_context(lang="fr_FR").name = "Nos relances"
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.assertEqual(
            self.policy.with_context(lang="fr_FR").name, "Relances standard"
        )
        self.assertEqual(
            self.policy.with_context(lang="en_US").name, "Standard reminders"
        )
        first = self.level_email.with_context(lang="fr_FR")
        self.assertEqual(first.name, "Première relance")
        self.assertEqual(renamed.with_context(lang="fr_FR").name, "Nos relances")

    def test_level_sequence_follows_delay(self):
        early = self.env["account.dunning.level"].create(self._level_vals(delay=1))
        self.assertEqual(early.sequence, 2)  # after the -3 courtesy level
        self.assertEqual(self.level_plan.sequence, 6)
        early.delay = 60
        self.assertEqual(early.sequence, 6)
        self.assertEqual(self.level_plan.sequence, 5)

    def test_copy_policy_copies_levels(self):
        copy = self.policy.copy()
        self.assertIn("(copy)", copy.name)
        self.assertEqual(
            copy.with_context(active_test=False).level_ids.mapped("delay"),
            self.levels.mapped("delay"),
        )
        self.assertFalse(copy.is_company_default)

    # --- constraints ----------------------------------------------------------
    def test_duplicate_delay_in_policy_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "same delay"):
            self.env["account.dunning.level"].create(self._level_vals(delay=10))
        with self.assertRaisesMessage(ValidationError, "same delay"):
            # also against an archived level
            self.env["account.dunning.level"].create(self._level_vals(delay=-3))
        with self.assertRaisesMessage(ValidationError, "same delay"):
            self.level_plan.delay = 15

    def test_same_delay_in_two_policies_is_fine(self):
        other = self.env["account.dunning.policy"].create(
            {
                "name": "Key accounts",
                "level_ids": [Command.create({"name": "A", "delay": 5})],
            }
        )
        self.assertEqual(other.level_ids.delay, self.level_email.delay)

    def test_negative_fee_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "fee .* cannot be negative"):
            self.env["account.dunning.level"].create(self._level_vals(fee_amount=-40))
        self.assertEqual(len(self.policy.with_context(active_test=False).level_ids), 5)

    def test_negative_minimum_amount_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "minimum amount .* negative"):
            self.policy.minimum_amount = -1

    def test_negative_minimum_interval_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "minimum interval .* negative"):
            self.env["account.dunning.policy"].create(
                {"name": "X", "min_interval_days": -2}
            )

    def test_email_level_needs_reminder_template(self):
        with self.assertRaisesMessage(ValidationError, "choose its email template"):
            self.env["account.dunning.level"].create(self._level_vals(send_email=True))
        invoice_template = self.env.ref("account.email_template_edi_invoice")
        with self.assertRaisesMessage(
            ValidationError, "not a payment reminder template"
        ):
            self.level_email.mail_template_id = invoice_template

    def test_activity_level_needs_type_and_user(self):
        with self.assertRaisesMessage(ValidationError, "choose its type"):
            self.env["account.dunning.level"].create(
                self._level_vals(create_activity=True)
            )
        with self.assertRaisesMessage(ValidationError, "choose that user"):
            self.level_call.activity_user_type = "user"

    def test_level_user_of_other_company_is_refused(self):
        other = self.setup_other_company()["company"]
        stranger = self.env["res.users"].create(
            {
                "name": "Stranger",
                "login": "stranger",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
            }
        )
        with self.assertRaises(UserError):
            self.level_call.write(
                {"activity_user_type": "user", "activity_user_id": stranger.id}
            )

    def test_default_policy_must_belong_to_the_company(self):
        other = self.setup_other_company()["company"]
        with self.assertRaisesMessage(ValidationError, "must belong to it"):
            self.company.dunning_policy_id = other.dunning_policy_id

    def test_default_policy_cannot_be_archived(self):
        with self.assertRaisesMessage(ValidationError, "choose another default"):
            self.policy.active = False

    def test_default_policy_cannot_change_company(self):
        other = self.setup_other_company()["company"]
        with self.assertRaisesMessage(
            ValidationError, "cannot move to another company"
        ):
            self.policy.company_id = other

    def test_default_or_used_policy_cannot_be_deleted(self):
        with self.assertRaisesMessage(UserError, "default policy"):
            self.policy.unlink()
        spare = self.policy.copy()
        invoice = self._invoice(self.customer, 100, TODAY)
        self._reminder(self.customer, invoice, spare.level_ids[1], state="draft")
        with self.assertRaisesMessage(UserError, "archive it instead"):
            spare.unlink()
        unused = self.policy.copy()
        unused.unlink()
        self.assertFalse(unused.exists())

    def test_partner_policy_of_other_company_is_refused(self):
        other = self.setup_other_company()["company"]
        with self.assertRaisesMessage(ValidationError, "belongs to"):
            self.customer.dunning_policy_id = other.dunning_policy_id
        spare = self.policy.copy()
        self.customer.dunning_policy_id = spare
        self.assertEqual(self.customer.dunning_policy_id, spare)

    def test_settings_set_default_policy(self):
        spare = self.policy.copy({"name": "Gentle"})
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.dunning_policy_id, self.policy)
        settings.write({"dunning_policy_id": spare.id, "dunning_auto_run": False})
        settings.execute()
        self.assertEqual(self.company.dunning_policy_id, spare)
        self.assertFalse(self.company.dunning_auto_run)
        self.assertTrue(spare.is_company_default)
