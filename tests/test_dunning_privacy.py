# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import csv
import io
import unittest
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import TODAY, DunningCommon


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningPrivacyLookup(DunningCommon):
    """Odoo's Privacy Lookup (privacy_lookup, installed by itself beside mail, not
    a dependency of this addon) finds a person's reminders, promises, payment plans
    and disputed invoices: it looks through every table with a many-to-one to the
    contact, which ours have (``partner_id``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "privacy.lookup.wizard" not in cls.env:
            raise unittest.SkipTest(
                "privacy_lookup is not installed in this database: what it finds of "
                "a customer's reminders, promises, disputes and plans is not checked"
            )
        cls.dpo = new_test_user(
            cls.env,
            login="dpo_privacy",
            groups="base.group_system,account.group_account_manager",
        )
        invoices = [
            cls._invoice(cls.customer, 100 * n, date(2026, 3, 1)) for n in (1, 2, 3, 4)
        ]
        cls.reminded, cls.promised, cls.disputed, cls.planned = invoices
        cls.reminder = cls._reminder(cls.customer, cls.reminded, cls.level_email)
        answers = cls.env["account.dunning.answer"]
        answers._promise(cls.promised, TODAY + timedelta(days=10), 200)
        cls.promise = cls.env["account.dunning.promise"].search(
            [("partner_id", "=", cls.customer.id)]
        )
        answers._open_dispute(cls.disputed, "The goods arrived broken")
        cls.plan = cls.env["account.dunning.plan"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.planned.ids)],
                "amount_total": 400,
            }
        )
        # another customer's records, which the lookup must not list
        cls.other_reminder = cls._reminder(
            cls.other_customer,
            cls._invoice(cls.other_customer, 50, date(2026, 3, 1)),
            cls.level_email,
        )

    def _lookup(self, name, email):
        wizard = (
            self.env["privacy.lookup.wizard"]
            .with_user(self.dpo)
            .create({"name": name, "email": email})
        )
        wizard.action_lookup()
        return wizard.line_ids

    def _found(self, name, email):
        found = {}
        for line in self._lookup(name, email):
            found.setdefault(line.res_model, set()).add(line.res_id)
        return found

    def test_lookup_finds_dunning_records(self):
        self.assertEqual(len(self.promise), 1)
        self.assertEqual(self.disputed.dunning_dispute_state, "open")
        found = self._found(self.customer.name, self.customer.email)
        self.assertEqual(found["account.dunning.reminder"], {self.reminder.id})
        self.assertEqual(
            found["account.dunning.reminder.line"], set(self.reminder.line_ids.ids)
        )
        self.assertEqual(found["account.dunning.promise"], set(self.promise.ids))
        self.assertEqual(found["account.dunning.plan"], set(self.plan.ids))
        # a dispute is the invoice's own (its state, reason and owner)
        self.assertLessEqual(
            {self.reminded.id, self.promised.id, self.disputed.id, self.planned.id},
            found["account.move"],
        )
        self.assertNotIn(self.other_reminder.id, found["account.dunning.reminder"])

    def test_lookup_cannot_delete_a_sent_reminder(self):
        """A sent reminder is the customer's history: the lookup's Delete is refused
        (its personal content goes at the end of the retention period)."""
        line = self._lookup(self.customer.name, self.customer.email).filtered(
            lambda line: line.res_model == "account.dunning.reminder"
        )
        with self.assertRaises(UserError):
            line.action_unlink()
        self.assertTrue(self.reminder.exists())


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningCollectionExport(DunningCommon):
    """The hand-over dossier carries what collection needs and nothing more: the
    facts of the reminders that went out, the open invoices; not the drafts, why an
    email failed, call notes, nor the company's users."""

    HISTORY_COLUMNS = [
        "Number",
        "Date",
        "Level",
        "Channels",
        "Status",
        "Invoices",
        "Amount due",
        "Fees",
        "Interest",
        "Currency",
    ]
    OPEN_INVOICES_COLUMNS = [
        "Document",
        "Date",
        "Due date",
        "Days late",
        "Open amount",
        "Currency",
        "In company currency",
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env,
            login="billing_export",
            email="julie.billing@example.com",
            groups="account.group_account_invoice",
        )
        invoice = cls._invoice(cls.customer, 1000, date(2026, 1, 31))
        cls.sent = cls._reminder(
            cls.customer,
            invoice,
            cls.level_courtesy,
            on=date(2026, 2, 5),
            state="draft",
        )
        cls.sent.send_letter = True
        cls.sent._dunning_system_write({"state": "sent"})
        cls.failed = cls._reminder(
            cls.customer, invoice, cls.level_email, on=date(2026, 2, 20), state="draft"
        )
        cls.failed.write({"call_note": "Mrs Dupont is on sick leave"})
        cls.failed._dunning_system_write(
            {
                "state": "failed",
                "failure_reason": "Technical reason: jeanne.dupont@example.com bounced",
            }
        )
        cls.draft = cls._reminder(
            cls.customer, invoice, cls.level_call, on=TODAY, state="draft"
        )

    def _csv(self, files, name):
        raw = dict(files)[name]
        return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))

    def test_dossier_columns_and_rows(self):
        files = (
            self.env["account.dunning.collection"]
            .with_user(self.billing)
            ._dossier_files(self.customer)
        )
        # the letter the customer was sent, the statement, the two lists
        self.assertEqual(len(files), 4)
        self.assertEqual(files[0][0], self.sent.letter_attachment_id.name)
        history = self._csv(files, "Reminder history.csv")
        self.assertEqual(history[0], self.HISTORY_COLUMNS)
        self.assertEqual(
            [row[0] for row in history[1:]], [self.sent.name, self.failed.name]
        )
        self.assertEqual(history[2][4], "Failed")
        invoices = self._csv(files, "Open invoices.csv")
        self.assertEqual(invoices[0], self.OPEN_INVOICES_COLUMNS)
        self.assertEqual(len(invoices), 2)
        everything = "\n".join(
            raw.decode("utf-8-sig", errors="replace") for __, raw in files
        )
        for private in (
            "jeanne.dupont@example.com",
            "bounced",
            "sick leave",
            "julie.billing@example.com",
            self.draft.name,
        ):
            self.assertNotIn(private, everything)
