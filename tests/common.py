# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from datetime import date, timedelta

from odoo import SUPERUSER_ID, Command
from odoo.tests import freeze_time

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

TODAY = date(2026, 3, 31)


class DunningCommon(AccountTestInvoicingCommon):
    """Customers without payment terms: each invoice is due on the date given."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tests assert English text and formats, whatever the database's
        # language (a French-only database included): the calls are made in English
        # and the customers read English, unless a test says otherwise.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        # wkhtmltopdf asks report.url (else web.base.url) for the letters' styles:
        # in a database that served HTTP that is the test server, which cannot
        # answer while the runner holds the registry; a closed port answers at once
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        cls.company = cls.env.company
        cls.policy = cls.company.dunning_policy_id
        cls.levels = cls.policy.with_context(active_test=False).level_ids.sorted(
            "delay"
        )
        cls.level_courtesy, cls.level_email, cls.level_call = cls.levels[:3]
        cls.level_formal, cls.level_plan = cls.levels[3:]
        cls.eur = cls.setup_other_currency("EUR")  # 2.0 EUR for 1 USD since 2017
        cls.customer = cls._customer("Dupont SA")
        cls.other_customer = cls._customer("Martin SARL")

    @classmethod
    def _customer(cls, name, **vals):
        """A customer company; created as superuser (billing users may not create
        contacts) and returned in the test's environment."""
        partner = (
            cls.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": name,
                    "is_company": True,
                    "email": f"{name.split()[0]}@example.com",
                    "lang": "en_US",
                }
                | vals
            )
        )
        return partner.sudo(False)

    @classmethod
    def _invoice(
        cls, partner, amount, due, currency=None, move_type="out_invoice", **vals
    ):
        """A posted invoice (or credit note) of ``amount``, no tax, due on ``due``."""
        move = cls._draft_invoice(
            partner,
            amount,
            move_type,
            **{
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "currency_id": (currency or cls.company.currency_id).id,
            }
            | vals,
        )
        move.action_post()
        return move

    @classmethod
    def _draft_invoice(
        cls, partner, amount, move_type="out_invoice", user=None, **vals
    ):
        """A draft invoice (or credit note) of ``amount``, no tax, created by
        ``user`` (default: the test's user)."""
        Move = cls.env["account.move"]
        return (Move.with_user(user) if user else Move).create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Consulting",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
            | vals
        )

    @classmethod
    def _terms(cls, name, *parts):
        """Payment terms of instalments ``parts``: (percent, days after the invoice
        date)."""
        return cls.env["account.payment.term"].create(
            {
                "name": name,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": share, "nb_days": days}
                    )
                    for share, days in parts
                ],
            }
        )

    @classmethod
    def _pay(cls, moves, amount, on=TODAY):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"amount": amount, "payment_date": on, "group_payment": True})
            ._create_payments()
        )

    @classmethod
    def _reminder(cls, partner, moves, level, on=TODAY, state="sent"):
        reminder = cls.env["account.dunning.reminder"].create(
            {
                "partner_id": partner.id,
                "policy_id": level.policy_id.id,
                "level_id": level.id,
                "date": on,
                "line_ids": [
                    Command.create(
                        {
                            "move_id": move.id,
                            "level_id": level.id,
                            "date_due": move.invoice_date_due,
                            "amount_residual": move.amount_residual,
                            "amount_residual_company": move.amount_residual_signed,
                            "amount_overdue": move.amount_residual
                            if move.invoice_date_due < on
                            else 0.0,
                            "amount_not_due": 0.0
                            if move.invoice_date_due < on
                            else move.amount_residual,
                            "days_overdue": (on - move.invoice_date_due).days,
                        }
                    )
                    for move in moves
                ],
            }
        )
        if state != "draft":
            # as the reminder's own steps do: users never write the state
            reminder.sudo().write({"state": state})
        return reminder

    def _run(self, on):
        """The daily run on date ``on``; the reminders dated that day."""
        Reminder = self.env["account.dunning.reminder"]
        with freeze_time(on):
            Reminder._cron_dunning_run()
        return Reminder.search([("date", "=", on)])

    def _run_as_scheduler(self, on=TODAY):
        """The daily run as its scheduled action runs it, as the superuser (no
        human sends its reminders); the reminders dated that day."""
        Reminder = self.env["account.dunning.reminder"].with_user(SUPERUSER_ID)
        with freeze_time(on):
            Reminder._cron_dunning_run()
        return Reminder.with_env(self.env).search([("date", "=", on)])

    def _letter_html(self, reminders):
        """The reminder letter of ``reminders``, as Odoo renders it (HTML)."""
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "account_dunning.action_report_dunning_letter", reminders.ids
            )[0]
            .decode()
        )

    def _wizard(self, records):
        """The Send reminder wizard opened from ``records`` (invoices or customers),
        read in the test's environment."""
        action = records.action_dunning_send()
        self.assertEqual(action["res_model"], "account.dunning.send")
        return self.env["account.dunning.send"].browse(action["res_id"])

    @contextmanager
    def assertRaisesMessage(self, exception, pattern):
        """Like assertRaisesRegex, inside the savepoint Odoo gives assertRaises only, so
        that nothing the failed call wrote survives it.
        """
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), pattern)
