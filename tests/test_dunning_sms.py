# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.phone_validation.tools import phone_validation
from odoo.addons.sms.tests.common import SMSCase

from .common import TODAY, DunningCommon

try:
    import phonenumbers
except ImportError:  # Odoo then keeps numbers as they were typed
    phonenumbers = None

# the French customer's mobile as typed, and as Odoo formats it for France
FR_TYPED = "06 12 34 56 78"
FR_MOBILE = phone_validation.phone_format(FR_TYPED, "FR", "33", force_format="E164")
EN_TYPED = "06 98 76 54 32"
EN_MOBILE = phone_validation.phone_format(EN_TYPED, "FR", "33", force_format="E164")
# a word only the French body has
FR_WORD = "impayé"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningSms(DunningCommon, SMSCase):
    """SMS as a channel: to the reminder contact's mobile, in the customer's
    language, through Odoo's SMS queue; what cannot go is said and the email goes
    on; the SMS's fate shows on its reminder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.template = cls.env.ref("account_dunning.sms_template_dunning_reminder")
        # the call level as installed, before the tests turn SMS on
        cls.call_as_installed = {
            "send_sms": cls.level_call.send_sms,
            "sms_template_id": cls.level_call.sms_template_id.id,
        }
        cls.template.with_context(lang="fr_FR").body = (
            "{{ object.company_id.name }} : {{ object.currency_summary }} "
            f"{FR_WORD} ({{{{ object.name }}}}). Payer : "
            "{{ object.account_url or '' }}"
        )
        cls.level_email.write({"send_sms": True, "sms_template_id": cls.template.id})
        france = cls.env.ref("base.fr")
        cls.french = cls._customer(
            "Durand SARL", lang="fr_FR", country_id=france.id, mobile=FR_TYPED
        )
        cls.customer.sudo().write({"country_id": france.id, "phone": EN_TYPED})
        late = TODAY - timedelta(days=21)
        cls.inv_fr = cls._invoice(cls.french, 1000, late)
        cls.inv_en = cls._invoice(cls.customer, 500, late)
        cls.inv_none = cls._invoice(cls.other_customer, 300, late)
        # the accountant who sends reminders: a billing user, no more
        cls.billing = new_test_user(
            cls.env,
            login="sms_billing",
            groups="account.group_account_invoice",
            email="sms.billing@example.com",
        )

    def _of(self, reminders, partner):
        return reminders.filtered(lambda r: r.partner_id == partner)

    def _notes(self, reminder):
        return reminder.message_ids.filtered(lambda m: m.message_type == "comment")

    def test_default_policy_offers_the_sms_on_its_call_level(self):
        self.assertEqual(
            self.call_as_installed,
            {"send_sms": False, "sms_template_id": self.template.id},
        )
        self.assertEqual(self.template.model, "account.dunning.reminder")
        with self.assertRaises(ValidationError):
            self.level_plan.write({"send_sms": True, "sms_template_id": False})

    def test_french_mobile_normalized(self):
        if phonenumbers is None:
            self.skipTest("phonenumbers is not installed: Odoo keeps numbers as typed")
        self.assertEqual(FR_MOBILE, "+33612345678")

    def test_daily_run_sends_in_the_customer_language_and_follows_its_state(self):
        with self.mockSMSGateway():
            reminders = self._run_as_scheduler(TODAY)
            french, english = (
                self._of(reminders, self.french),
                self._of(reminders, self.customer),
            )
            self.assertRecordValues(
                french | english,
                [
                    {"state": "sending", "send_sms": True, "sms_state": "outgoing"},
                    {"state": "sending", "send_sms": True, "sms_state": "outgoing"},
                ],
            )
            self.assertSMSOutgoing(self.french, FR_MOBILE, content=FR_WORD)
            self.env["sms.sms"].sudo()._process_queue()
        self.assertSMSIapSent([FR_MOBILE], content=french.name)
        self.assertSMSIapSent([FR_MOBILE], content=french.account_url)
        self.assertSMSIapSent([FR_MOBILE], content=self.company.name)
        self.assertSMSIapSent([EN_MOBILE], content=english.name)
        english_sms = next(sms for sms in self._sms if sms["number"] == EN_MOBILE)
        self.assertNotIn(FR_WORD, english_sms["body"])
        self.assertRecordValues(
            french | english,
            [{"sms_state": "pending"}, {"sms_state": "pending"}],
        )
        # the operator's delivery report, as Odoo's /sms/status receives it
        sms = self._new_sms.filtered(lambda s: s.number == FR_MOBILE)
        tracker = self.env["sms.tracker"].sudo().search([("sms_uuid", "=", sms.uuid)])
        tracker._action_update_from_sms_state("sent")
        self.assertEqual(french.sms_state, "sent")
        self.assertEqual(english.sms_state, "pending")
        # the SMS is a message of the reminder's chatter
        self.assertEqual(french.sms_message_id.message_type, "sms")
        self.assertEqual(french.sms_message_id.res_id, french.id)

    def test_sms_error_shows_on_the_reminder_and_spares_the_email(self):
        with self.mockSMSGateway(sim_error="credit"):
            reminders = self._run_as_scheduler(TODAY)
            self.env["sms.sms"].sudo()._process_queue()
        french = self._of(reminders, self.french)
        self.assertSMS(self.french, FR_MOBILE, "error", failure_type="sms_credit")
        self.assertRecordValues(
            french,
            [{"sms_state": "error", "state": "sending", "failure_reason": False}],
        )
        self.assertTrue(french.mail_message_id)

    def test_blacklisted_or_missing_number_reported_the_email_goes(self):
        self.env["phone.blacklist"].sudo().create({"number": FR_MOBILE})
        with self.mockSMSGateway():
            reminders = self._run_as_scheduler(TODAY)
        french = self._of(reminders, self.french)
        nobody = self._of(reminders, self.other_customer)
        english = self._of(reminders, self.customer)
        self.assertRecordValues(
            french | nobody | english,
            [
                {"state": "sending", "send_sms": False, "failure_reason": False},
                {"state": "sending", "send_sms": False, "failure_reason": False},
                {"state": "sending", "send_sms": True, "failure_reason": False},
            ],
        )
        for reminder in french | nobody:
            self.assertFalse(reminder.sms_message_id)
            self.assertFalse(reminder.sms_state)
            self.assertTrue(reminder.mail_message_id)  # the email is queued
        self.assertIn(FR_MOBILE, " ".join(self._notes(french).mapped("body")))
        self.assertIn(
            self.other_customer.name, " ".join(self._notes(nobody).mapped("body"))
        )
        self.assertFalse(
            self._new_sms.filtered(lambda s: s.number == FR_MOBILE), "blacklisted"
        )
        self.assertTrue(english.sms_message_id)

    def test_sms_alone_without_a_number_waits_for_review(self):
        reminder = self._reminder(
            self.other_customer, self.inv_none, self.level_email, state="draft"
        )
        reminder.write({"send_email": False})
        self.assertFalse(self.env["account.dunning.dispatch"]._send(reminder))
        self.assertEqual(reminder.state, "draft")
        self.assertIn(self.other_customer.name, reminder.failure_reason)

    def test_billing_user_sends_the_sms_from_the_wizard(self):
        env = self.env(user=self.billing)
        with self.mockSMSGateway():
            wizard = self._wizard(self.inv_fr.with_env(env)).with_env(env)
            self.assertRecordValues(
                wizard, [{"level_id": self.level_email.id, "send_sms": True}]
            )
            self.assertFalse(wizard.warning_html)
            wizard.action_send()
            reminder = env["account.dunning.reminder"].search(
                [("partner_id", "=", self.french.id)]
            )
            self.assertRecordValues(
                reminder, [{"state": "sending", "sms_state": "outgoing"}]
            )
            self.assertSMSOutgoing(self.french, FR_MOBILE, content=FR_WORD)
            self.env["sms.sms"].sudo()._process_queue()
        self.assertSMSIapSent([FR_MOBILE], content=reminder.name)
        self.assertEqual(reminder.sms_state, "pending")
        # without a number the wizard warns, and the email goes alone
        wizard = self._wizard(self.inv_none.with_env(env)).with_env(env)
        self.assertTrue(wizard.send_sms)
        self.assertIn(self.other_customer.name, wizard.warning_html)
        wizard.action_send()
        reminder = env["account.dunning.reminder"].search(
            [("partner_id", "=", self.other_customer.id)]
        )
        self.assertRecordValues(
            reminder, [{"state": "sending", "send_sms": False, "sms_state": False}]
        )
