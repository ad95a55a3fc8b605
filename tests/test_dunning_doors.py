# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The same case gives the same answer at every door: the daily run, Send reminder
on an invoice, on a customer, on several customers, and Send on a draft."""

import re
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, new_test_user, tagged
from odoo.tools import html2plaintext

from .common import TODAY, DunningCommon


def day(n):
    return TODAY + timedelta(days=n)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningEveryDoor(DunningCommon):
    """Each case tried at each door, as a billing user (who sends reminders)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env,
            login="billing_doors",
            groups="account.group_account_invoice",
            email="doors@yourcompany.example.com",
        )
        cls.env = cls.env(user=cls.billing)
        cls.customer = cls.customer.with_env(cls.env)
        cls.other_customer = cls.other_customer.with_env(cls.env)
        # a customer with nothing special, sent beside the case in a mass send
        cls.clean = cls._invoice(cls.other_customer, 500, day(-7))
        cls.Reminder = cls.env["account.dunning.reminder"]

    # --- the doors -------------------------------------------------------------------
    def _reminders_of(self, invoice):
        return self.env["account.dunning.reminder.line"].search(
            [("move_id", "=", invoice.id)]
        )

    def _daily_run(self, invoice):
        """Whether the daily run reminds ``invoice`` (a reminder made that lists it)."""
        self._run(TODAY)
        return bool(self._reminders_of(invoice))

    def _door_invoice(self, invoice):
        """(sent, what was said) from the invoice's Send reminder."""
        try:
            result = self._wizard(invoice).action_send()
        except UserError as error:
            return False, str(error)
        return bool(self._reminders_of(invoice)), result["params"]["message"]

    def _door_customer(self, invoice):
        try:
            result = self._wizard(invoice.partner_id).action_send()
        except UserError as error:
            return False, str(error)
        return bool(self._reminders_of(invoice)), result["params"]["message"]

    def _door_many(self, invoice):
        """From the customer and another one: the other one is always reminded."""
        wizard = self._wizard(invoice.partner_id | self.other_customer)
        self.assertTrue(wizard.is_mass)
        result = wizard.action_send()
        self.assertTrue(self._reminders_of(self.clean))
        return bool(self._reminders_of(invoice)), result["params"]["message"]

    def _doors(self, make_case, expect_sent, said):
        """Try the case built by ``make_case()`` (returns the invoice) at every
        door, each in its own savepoint; ``said``: what the user is told, at every
        door that refuses or leaves it out."""
        for door in ("daily run", "invoice", "customer", "many"):
            with self.subTest(door=door), self.env.cr.savepoint() as savepoint:
                invoice = make_case()
                if door == "daily run":
                    self.assertEqual(self._daily_run(invoice), expect_sent)
                else:
                    method = getattr(self, f"_door_{door}")
                    sent, message = method(invoice)
                    self.assertEqual(sent, expect_sent, message)
                    if said:
                        self.assertIn(said, message)
                savepoint.rollback()
                self.env.invalidate_all()

    def _draft_door(self, invoice, then):
        """The daily run's draft for ``invoice`` (a level sent by hand), then
        ``then()``: Send on the draft; the draft as it ended and the message."""
        invoice.sudo().dunning_level_id = self.level_call
        (draft,) = self._run(TODAY).filtered(lambda r: r.partner_id == self.customer)
        self.assertEqual(draft.state, "draft")
        then()
        draft.invalidate_recordset()
        if draft.state == "cancelled":  # cancelled at once by the answer
            return draft, draft.cancel_reason
        result = draft.action_send()
        return draft, result["params"]["message"]

    # --- the cases -------------------------------------------------------------------
    def _late(self, amount=1000, days=7):
        return self._invoice(self.customer, amount, day(-days))

    def _dispute(self, invoice):
        self.env["account.dunning.answer"]._open_dispute(invoice, "Goods damaged")

    def _promise(self, invoice):
        self.env["account.dunning.answer"]._promise(
            invoice, day(10), invoice.amount_residual
        )

    def _plan(self, invoice):
        action = self.customer.action_dunning_plan()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        form.instalment_count = 2
        form.first_date = day(5)
        plan = form.save()
        plan.action_compute_schedule()
        plan.action_activate()
        self.assertIn(invoice, plan.move_ids)

    def test_disputed_invoice_at_every_door(self):
        def case():
            invoice = self._late()
            self._dispute(invoice)
            return invoice

        self._doors(case, False, "disputed")

    def test_promised_invoice_at_every_door(self):
        def case():
            invoice = self._late()
            self._promise(invoice)
            return invoice

        self._doors(case, False, "a promise to pay covers it")

    def test_invoice_under_a_plan_at_every_door(self):
        def case():
            invoice = self._late()
            self._plan(invoice)
            return invoice

        self._doors(case, False, "under a payment plan")

    def test_credits_covering_the_debt_at_every_door(self):
        def case():
            invoice = self._late(1000)
            self._invoice(self.customer, 1200, day(-20), move_type="out_refund")
            return invoice

        self._doors(case, False, "credits to apply that cover")

    def test_disputed_invoice_left_out_beside_one_reminded(self):
        disputed, chased = self._late(1000), self._late(300)
        self._dispute(disputed)
        wizard = self._wizard(disputed | chased)
        self.assertEqual(wizard.covered_move_ids, chased)
        self.assertIn(f"{disputed.name} is left out: disputed", wizard.warning_html)
        wizard.covered_move_ids = disputed | chased  # added back by hand
        with self.assertRaisesMessage(UserError, "cannot be reminded"):
            wizard.action_send()
        wizard.covered_move_ids = chased
        wizard.action_send()
        self.assertIn(self._reminders_of(chased).reminder_id.state, ("sending", "sent"))
        self.assertFalse(self._reminders_of(disputed))

    def test_draft_door_for_each_exclusion(self):
        """A draft waiting for review whose only invoice is then disputed,
        promised, planned or covered by a credit note is cancelled with why, and
        the customer no longer shows action needed."""
        cases = {
            "disputed": self._dispute,
            "a promise to pay covers it": self._promise,
            "under a payment plan": self._plan,
        }
        for said, make in cases.items():
            with self.subTest(case=said), self.env.cr.savepoint() as savepoint:
                invoice = self._late(1000, days=16)
                draft, message = self._draft_door(
                    invoice, lambda i=invoice, m=make: m(i)
                )
                self.assertEqual(draft.state, "cancelled")
                self.assertIn(said, message)
                self.customer.invalidate_recordset()
                self.assertNotEqual(self.customer.sudo().dunning_status, "action")
                savepoint.rollback()
                self.env.invalidate_all()

    def test_draft_door_when_credits_cover_the_debt(self):
        invoice = self._late(1000, days=16)
        draft, message = self._draft_door(
            invoice,
            lambda: self._pay(invoice, 1000, on=TODAY),
        )
        self.assertEqual(draft.state, "cancelled")
        self.assertIn(f"{invoice.name} (paid)", message)

    def test_held_customer_at_every_door(self):
        """Two invoices that look like one entered twice: the daily run holds its
        reminder for review; by hand it goes only once a user confirms, with why,
        and the hold is kept on it with who cleared it."""
        first = self._late(700, days=16)
        self._late(700, days=16)
        first.sudo().dunning_level_id = self.level_call
        with self.env.cr.savepoint() as savepoint:
            (held,) = self._run(TODAY).filtered(lambda r: r.partner_id == self.customer)
            self.assertIn("Possible duplicate invoices", held.hold_reason)
            with self.assertRaisesMessage(UserError, "held for review"):
                held.action_send()  # the draft door: Send Anyway only
            savepoint.rollback()
        for records in (first, self.customer):
            with self.subTest(door=records._name), self.env.cr.savepoint() as sp:
                wizard = self._wizard(records)
                self.assertTrue(wizard.hold_warning)
                with self.assertRaisesMessage(UserError, "Possible duplicate"):
                    wizard.action_send()
                wizard.confirm_hold = True
                wizard.interval_reason = "Both invoices are owed"
                wizard.action_send()
                reminder = self._reminders_of(first).reminder_id
                self.assertEqual(reminder.hold_cleared_by_id, self.billing)
                self.assertIn("Possible duplicate", reminder.hold_reason)
                notes = " ".join(reminder.message_ids.mapped("body"))
                self.assertIn("Both invoices are owed", notes)
                sp.rollback()
        wizard = self._wizard(self.customer | self.other_customer)
        self.assertIn("held for review", wizard.hold_warning)
        self.assertIn("Possible duplicate", wizard.mass_summary)
        result = wizard.action_send()
        self.assertFalse(self._reminders_of(first))
        self.assertIn(
            "Left out: Dupont SA: Possible duplicate", result["params"]["message"]
        )

    def test_minimum_interval_at_every_door(self):
        self.policy.sudo().min_interval_days = 7
        invoice = self._late(1000, days=9)
        sent = self._reminder(self.customer, invoice, self.level_email, on=day(-3))
        self.assertEqual(sent.state, "sent")
        later = self._late(400, days=6)
        for records in (later, self.customer):
            with self.subTest(door=records._name):
                with self.assertRaisesMessage(UserError, "the policy asks for 7 days"):
                    self._wizard(records).action_send()
        result = self._wizard(self.customer | self.other_customer).action_send()
        self.assertFalse(self._reminders_of(later))
        self.assertIn(
            "Left out: Dupont SA was reminded on", result["params"]["message"]
        )
        self.assertFalse(self._daily_run(later))


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningSupersedeByInvoice(DunningCommon):
    """A reminder sent from one invoice takes over that invoice only."""

    def test_send_from_one_invoice_leaves_the_drafts_other_invoices_reminded(self):
        invoices = (
            self._invoice(self.customer, 2600, day(-16))
            + self._invoice(self.customer, 3000, day(-80))
            + self._invoice(self.customer, 2100, day(-20))
        )
        invoices.sudo().dunning_level_id = self.level_call
        (draft,) = self._run(TODAY)
        self.assertEqual(draft.level_id, self.level_formal)
        self.assertEqual(draft.line_ids.move_id, invoices)
        one = invoices[0]
        wizard = self._wizard(one)
        self.assertEqual(wizard.covered_move_ids, one)
        wizard.action_send()
        sent = self.env["account.dunning.reminder.line"].search(
            [("move_id", "=", one.id), ("reminder_id", "!=", draft.id)]
        )
        self.assertIn(sent.reminder_id.state, ("sending", "sent"))
        # the draft keeps the two others, at their formal notice, for review
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.line_ids.move_id, invoices[1:])
        self.assertEqual(draft.level_id, self.level_formal)
        notes = " ".join(draft.message_ids.mapped("body"))
        self.assertIn(f"{one.name} now reminded by {sent.reminder_id.name}", notes)
        draft.action_send()
        self.assertIn(draft.state, ("sending", "sent"))
        for invoice in invoices:
            self.assertTrue(
                self.env["account.dunning.reminder.line"].search_count(
                    [("move_id", "=", invoice.id), ("state", "in", ("sending", "sent"))]
                ),
                invoice.name,
            )
        # the dossier names the reminder that carried each invoice's notice
        notices = self.env["account.dunning.collection"]._formal_notices(
            draft | sent.reminder_id
        )
        self.assertIn(draft, notices)
        self.assertEqual(
            draft.line_ids.filtered("level_id.formal_notice").move_id, invoices[1:]
        )

    def test_send_covering_every_invoice_of_a_draft_cancels_it(self):
        invoice = self._invoice(self.customer, 1000, day(-16))
        invoice.sudo().dunning_level_id = self.level_call
        (draft,) = self._run(TODAY)
        self._wizard(self.customer | self.other_customer).action_send()
        self.assertEqual(draft.state, "cancelled")
        self.assertIn("Superseded by", draft.cancel_reason)
        self.assertEqual(
            self.env["account.dunning.reminder.line"].search_count(
                [("move_id", "=", invoice.id), ("state", "in", ("sending", "sent"))]
            ),
            1,
        )

    def test_mass_send_says_what_went_out_and_is_translated_once(self):
        self._invoice(self.customer, 100, day(-7))
        self._invoice(self.other_customer, 100, day(-7))
        result = self._wizard(self.customer | self.other_customer).action_send()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn(
            "Dupont SA: email to Dupont@example.com", result["params"]["message"]
        )
        self.assertIn(
            "Martin SARL: email to Martin@example.com", result["params"]["message"]
        )


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningPreviewIsTheEmail(DunningCommon):
    """The wizard's preview is the email as it goes out: the same renderer, the
    same paragraphs (the customer's account link included)."""

    def test_preview_is_what_goes_out(self):
        invoice = self._invoice(self.customer, 100, day(-7))
        wizard = self._wizard(invoice)
        preview = str(wizard.rendered_body)
        self.assertIn("/my/dunning", preview)  # the customer's account page
        self.assertIn(invoice.name, preview)
        wizard.action_send()
        reminder = self.env["account.dunning.reminder"].search(
            [("partner_id", "=", self.customer.id)]
        )
        sent = str(reminder.mail_message_id.body)

        def same(html):
            # the one difference: the saved reminder's own token on the link (and
            # how each sanitizer spells the styles: the text and links compared)
            text = html2plaintext(re.sub(r"\?access_token=[\w-]+", "", html))
            return text.replace(wizard.preview_name, reminder.name)

        self.assertIn("access_token=", sent)
        self.assertEqual(same(sent), same(preview))


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningWhyThisLevel(DunningCommon):
    """The engine says why it proposes a level, whichever rule gave it."""

    def test_level_skip_is_said(self):
        self.policy.sudo().allow_level_skip = True
        invoice = self._invoice(self.customer, 100, day(-16))
        wizard = self._wizard(invoice)
        self.assertEqual(wizard.level_id, self.level_formal)
        self.assertIn("16 days late", wizard.level_reason)
        self.assertIn("The policy lets an invoice skip levels.", wizard.level_reason)

    def test_last_level_and_level_not_due_yet(self):
        top = self.levels[-1]
        invoice = self._invoice(self.customer, 100, day(-40))
        invoice.sudo().dunning_level_id = top  # the run's own fact, set as it would
        self.assertIn("reached the last level", self._wizard(invoice).level_reason)
        early = self._invoice(self.other_customer, 100, day(-1))
        wizard = self._wizard(early)
        # the courtesy level is off by default: the first level, not due yet
        self.assertFalse(self.level_courtesy.active)
        self.assertEqual(wizard.level_id, self.level_email)
        self.assertIn(
            f"1 days late: the next level, {self.level_email.name}, comes at 5 days",
            wizard.level_reason,
        )
