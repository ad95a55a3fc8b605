# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Safe by construction: what RPC reaches (write, unlink, create, action_*) cannot
make the addon mail a file it did not make, rewrite or delete what was said to a
customer, skip review, or lift credit control; portal users do not read internal
assessments. Each attempt is made by the least-privileged user who could try it."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningHistory(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.lang_en").active = True
        cls.company.write({"street": "12 rue du Port", "city": "Nantes"})
        cls.customer.write({"street": "3 avenue Foch", "city": "Lyon"})
        cls.invoice = cls._invoice(cls.customer, 1000, date(2026, 3, 10))
        cls.other_invoice = cls._invoice(cls.customer, 400, date(2026, 3, 12))
        cls.billing = new_test_user(
            cls.env,
            login="h_billing",
            groups="account.group_account_invoice",
            email="billing@example.com",
        )
        cls.billing_contacts = new_test_user(
            cls.env,
            login="h_billing_contacts",
            groups="account.group_account_invoice,base.group_partner_manager",
        )
        # Odoo's default for a new internal user: contact creation, no accounting
        cls.employee = new_test_user(
            cls.env,
            login="h_employee",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.manager = new_test_user(
            cls.env,
            login="h_manager",
            groups="account.group_account_manager,base.group_partner_manager",
        )
        cls.portal = new_test_user(
            cls.env,
            login="h_portal",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        company_b = cls.setup_other_company(name="Company B")["company"]
        cls.private_file = (
            cls.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": "salaries.pdf",
                    "raw": b"%PDF-1.4 payroll of company B",
                    "company_id": company_b.id,
                    "res_model": "res.company",
                    "res_id": company_b.id,
                }
            )
        )
        cls.level_email.sudo().write({"attach_letter": True})

    def _as(self, user, records):
        return records.with_user(user).with_context(lang="en_US")

    def _snapshot(self, reminders):
        """What a user could try to change: the reminders, their lines and the
        invoices' levels."""
        self.env.invalidate_all()
        reminders = reminders.sudo().with_context(active_test=False)
        return (
            reminders.exists().read(
                [
                    "name",
                    "date",
                    "state",
                    "partner_id",
                    "level_id",
                    "origin",
                    "letter_attachment_id",
                    "email_subject",
                    "send_email",
                    "amount_due",
                ]
            ),
            reminders.line_ids.read(["move_id", "amount_residual", "fee_amount"]),
            (self.invoice | self.other_invoice)
            .sudo()
            .read(["dunning_level_id", "dunning_last_date"]),
        )

    def assertRefused(self, records, attempts):
        """Each (what, call, exception, message): refused with that clear message, and
        nothing of ``records`` changed afterwards."""
        for what, call, exception, pattern in attempts:
            with self.subTest(what):
                before = self._snapshot(records)
                with (
                    self.assertRaisesMessage(exception, pattern),
                    mute_logger("odoo.models"),
                ):
                    call()
                self.assertEqual(self._snapshot(records), before, what)

    def _draft(self, level=None, moves=None):
        return self._as(
            self.billing,
            self._reminder(
                self.customer,
                moves or self.invoice,
                level or self.level_email,
                state="draft",
            ),
        )

    # --- 1. nothing is sent that the addon did not make for that reminder ------------
    def test_any_attachment_cannot_be_mailed(self):
        draft = self._draft()
        self.assertRefused(
            draft,
            [
                (
                    "another company's private file as the letter",
                    lambda: draft.write(
                        {
                            "letter_attachment_id": self.private_file.id,
                            "email_cc": "me@example.com",
                        }
                    ),
                    UserError,
                    "not by hand: Letter",
                ),
                (
                    "a reminder created with a letter of the user's choice",
                    lambda: self._as(
                        self.billing, self.env["account.dunning.reminder"]
                    ).create(
                        {
                            "partner_id": self.customer.id,
                            "letter_attachment_id": self.private_file.id,
                        }
                    ),
                    UserError,
                    "not by hand: Letter",
                ),
            ],
        )
        # even a foreign file that reached the field some other way is never sent:
        # the letter mailed is the one the addon printed for this reminder
        draft.sudo().letter_attachment_id = self.private_file
        draft.action_send()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", draft.mail_message_id.id)])
        )
        for attachments in (mail.attachment_ids, draft.mail_message_id.attachment_ids):
            self.assertNotIn(self.private_file, attachments)
            self.assertIn(draft.sudo().letter_attachment_id, attachments)
        letter = draft.sudo().letter_attachment_id
        self.assertEqual((letter.res_model, letter.res_id), (draft._name, draft.id))
        self.assertNotIn(b"payroll", letter.raw)

    # --- 2. what was sent is never rewritten nor deleted ------------------------------
    def test_sent_history_cannot_be_rewritten_or_deleted(self):
        sent = self._as(
            self.billing,
            self._reminder(self.customer, self.invoice, self.level_email),
        )
        Line = self._as(self.billing, self.env["account.dunning.reminder.line"])
        self.assertRefused(
            sent,
            [
                (
                    "back to draft by write",
                    lambda: sent.write({"state": "draft"}),
                    UserError,
                    "not by hand: Status",
                ),
                (
                    "cancelled by write",
                    lambda: sent.write({"state": "cancelled"}),
                    UserError,
                    "not by hand: Status",
                ),
                (
                    "deleted",
                    sent.unlink,
                    UserError,
                    "cannot be deleted",
                ),
                (
                    "its date changed",
                    lambda: sent.write({"date": date(2026, 3, 1)}),
                    UserError,
                    "keeps what it said",
                ),
                (
                    "its number changed",
                    lambda: sent.write({"name": "REM/FAKE"}),
                    UserError,
                    "not by hand: Number",
                ),
                (
                    "its origin changed",
                    lambda: sent.write({"origin": "auto"}),
                    UserError,
                    "not by hand",
                ),
                (
                    "its level changed",
                    lambda: sent.write({"level_id": self.level_call.id}),
                    UserError,
                    "keeps what it said",
                ),
                (
                    "its customer changed",
                    lambda: sent.write({"partner_id": self.other_customer.id}),
                    UserError,
                    "keeps what it said",
                ),
                (
                    "its channels changed",
                    lambda: sent.write({"send_letter": True}),
                    UserError,
                    "keeps what it said",
                ),
                (
                    "a line's amount edited",
                    lambda: sent.line_ids.write({"amount_residual": 1}),
                    UserError,
                    "stay as they were",
                ),
                (
                    "a line deleted",
                    sent.line_ids.unlink,
                    UserError,
                    "stay as they were",
                ),
                (
                    "a line added",
                    lambda: Line.create(
                        {"reminder_id": sent.id, "move_id": self.other_invoice.id}
                    ),
                    UserError,
                    "stay as they were",
                ),
                (
                    "cancelled by its button",
                    sent.action_cancel,
                    UserError,
                    "stays in the history",
                ),
                (
                    "reset to draft by its button",
                    sent.action_reset_to_draft,
                    UserError,
                    "never sent",
                ),
            ],
        )

    def test_failed_reminder_is_cancelled_with_a_reason_and_kept(self):
        failed = self._as(
            self.billing,
            self._reminder(self.customer, self.invoice, self.level_email),
        )
        failed.sudo().write({"state": "failed", "attempt_count": 1})
        self.assertRefused(
            failed,
            [
                (
                    "reset to draft, to delete it then",
                    failed.action_reset_to_draft,
                    UserError,
                    "never sent",
                ),
                ("deleted", failed.unlink, UserError, "cannot be deleted"),
                (
                    "cancelled without saying why",
                    failed.action_cancel,
                    UserError,
                    "say why",
                ),
            ],
        )
        failed.cancel_reason = "Customer paid by cheque on the phone"
        failed.action_cancel()
        self.assertRecordValues(
            failed, [{"state": "cancelled", "cancelled_by_id": self.billing.id}]
        )
        note = failed.message_ids[:1]
        self.assertIn("Cancelled by", str(note.body))
        self.assertIn("paid by cheque", str(note.body))
        with self.assertRaisesMessage(UserError, "cannot be deleted"):
            failed.unlink()
        with self.assertRaisesMessage(UserError, "never sent"):
            failed.action_reset_to_draft()

    def test_a_draft_never_sent_can_still_be_deleted(self):
        draft = self._draft()
        draft.unlink()
        self.assertFalse(draft.exists())

    # --- 3. review is never skipped ---------------------------------------------------
    def test_review_cannot_be_skipped(self):
        notice = self._draft(level=self.level_formal)
        Reminder = self._as(self.billing, self.env["account.dunning.reminder"])
        self.assertRefused(
            notice,
            [
                (
                    "a draft formal notice written as sent",
                    lambda: notice.write({"state": "sent"}),
                    UserError,
                    "not by hand: Status",
                ),
                (
                    "a reminder created as sent",
                    lambda: Reminder.create(
                        {
                            "partner_id": self.customer.id,
                            "level_id": self.level_formal.id,
                            "state": "sent",
                            "line_ids": [Command.create({"move_id": self.invoice.id})],
                        }
                    ),
                    UserError,
                    "starts as a draft",
                ),
            ],
        )
        self.assertFalse(self.invoice.dunning_level_id)

    # --- 4. credit control needs accounting rights ------------------------------------
    def test_credit_control_needs_accounting_rights(self):
        customer = self.customer.sudo()
        customer.write({"credit_hold": True})
        employee = self._as(self.employee, self.customer)
        for vals in (
            {"credit_hold": False},
            {"dunning_excluded": True},
            {"dunning_stage": "collection"},
            {"dunning_policy_id": False},
            {"dunning_responsible_id": self.employee.id},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaises(AccessError),
                mute_logger("odoo.models"),
            ):
                employee.write(vals)
        # a new contact of the customer cannot carry its own exclusion either
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self._as(self.employee, self.env["res.partner"]).create(
                {"name": "Sneaky", "dunning_excluded": True}
            )
        # a billing user with contact rights may not lift the hold (the block then
        # lets the invoice through): that is a manager's override
        with (
            self.assertRaisesMessage(AccessError, "may change Credit Hold"),
            mute_logger("odoo.models"),
        ):
            self._as(self.billing_contacts, self.customer).write({"credit_hold": False})
        self.assertTrue(customer.credit_hold)
        self.company.sudo().dunning_credit_check = "block"
        with (
            self.assertRaisesMessage(AccessError, "Credit Limit"),
            mute_logger("odoo.models"),
        ):
            self._as(self.billing_contacts, self.customer).write({"credit_limit": 1e9})
        self._as(self.manager, self.customer).sudo(False).write({"credit_hold": False})
        self.assertFalse(customer.credit_hold)

    def test_invoice_exclusion_and_dispute_need_accounting_rights(self):
        """A user who may edit invoices without being in accounting (as a
        salesperson may, with Sales) cannot exclude one from dunning or dispute it."""
        editors = self.env["res.groups"].create({"name": "Invoice editors"})
        self.env["ir.model.access"].create(
            {
                "name": "invoice editors",
                "model_id": self.env.ref("account.model_account_move").id,
                "group_id": editors.id,
                "perm_read": True,
                "perm_write": True,
            }
        )
        editor = new_test_user(self.env, login="h_editor", groups="base.group_user")
        editor.groups_id |= editors
        invoice = self._as(editor, self.invoice)
        for vals in (
            {"dunning_excluded": True},
            {"dunning_dispute_state": "open", "dunning_dispute_reason": "x"},
            {"dunning_dispute_user_id": editor.id},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaises(AccessError),
                mute_logger("odoo.models"),
            ):
                invoice.write(vals)
        self.assertRecordValues(
            self.invoice.sudo(),
            [{"dunning_excluded": False, "dunning_dispute_state": "none"}],
        )

    # --- 5. internal assessments stay internal ----------------------------------------
    def test_portal_user_does_not_read_its_risk_profile(self):
        own = self._as(self.portal, self.customer)
        own.check_access("read")  # the portal user reads its own partner...
        for fname in (
            "risk_score",
            "risk_reasons",
            "credit_hold",
            "dunning_stage",
            "dunning_excluded",
            "dunning_policy_id",
            "payment_avg_days_late",
            "credit_exposure",
        ):
            with (
                self.subTest(fname),
                self.assertRaises(AccessError),
                mute_logger("odoo.models"),
            ):
                own.read([fname])
        # ...and the fields are not even described to it (nor shown in any view)
        self.assertFalse(
            {"risk_score", "risk_reasons", "credit_hold"} & set(own.fields_get())
        )

    # --- links a user sets ------------------------------------------------------------
    def test_links_outside_the_user_reach_are_refused(self):
        draft = self._draft()
        customer_b = self._customer(
            "Bernard SAS", company_id=self.private_file.company_id.id
        )
        self.assertRefused(
            draft,
            [
                (
                    "a recipient of another company",
                    lambda: draft.write(
                        {"recipient_ids": [Command.set(customer_b.ids)]}
                    ),
                    AccessError,
                    ".",
                ),
                (
                    "a portal user as responsible",
                    lambda: draft.write({"user_id": self.portal.id}),
                    ValidationError,
                    "internal user",
                ),
                (
                    "an invoice of another customer on a line",
                    lambda: draft.line_ids.write({"move_id": self._other_invoice().id}),
                    ValidationError,
                    "its own customer's invoices",
                ),
            ],
        )

    def _other_invoice(self):
        return self._invoice(self.other_customer, 50, date(2026, 3, 1))

    # --- in the user's language --------------------------------------------------
    def test_refusals_speak_the_user_language(self):
        """The refusals come in the language of the user who tried, French here (the
        web client sends the user's language in the context of every call)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account", "account_dunning"], ["fr_FR"]
        )
        (self.employee | self.billing).write({"lang": "fr_FR"})
        sent = self._reminder(self.customer, self.invoice, self.level_email)

        def french(records, user):
            return records.with_user(user).with_context(lang=user.lang)

        attempts = [
            (
                lambda: french(self.customer, self.employee).write(
                    {"credit_hold": True}
                ),
                AccessError,
                "Seuls les utilisateurs du groupe",
            ),
            (
                lambda: french(sent, self.employee).action_cancel(),
                AccessError,
                "Seuls les utilisateurs du groupe",
            ),
            (
                lambda: french(sent, self.billing).write({"state": "draft"}),
                UserError,
                "pas à la main",
            ),
            (
                lambda: french(sent, self.billing).line_ids.unlink(),
                UserError,
                "restent telles quelles",
            ),
            (
                lambda: french(self._draft(), self.billing).write(
                    {"email_cc": "pas une adresse"}
                ),
                ValidationError,
                "adresse e-mail non valide",
            ),
        ]
        for call, exception, message in attempts:
            with self.subTest(message), mute_logger("odoo.models"):
                with self.assertRaisesMessage(exception, message):
                    call()
