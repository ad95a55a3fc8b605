# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may do what: every model of the addon and every action button, for a billing
user, a read-only user, a manager, a portal user and a user of another company."""

from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import TODAY, DunningCommon

ROLES = ("billing", "readonly", "manager", "portal", "other_company")

# model: the operations each role may do on a record of the company ("r"ead,
# "c"reate, "w"rite, "u"nlink); the user of another company may do none of them on
# this company's records, whatever its groups.
MATRIX = {
    "account.dunning.policy": {"billing": "r", "readonly": "r", "manager": "rcwu"},
    "account.dunning.level": {"billing": "r", "readonly": "r", "manager": "rcwu"},
    "account.dunning.reminder": {
        "billing": "rcwu",
        "readonly": "r",
        "manager": "rcwu",
    },
    "account.dunning.reminder.line": {
        "billing": "rcwu",
        "readonly": "r",
        "manager": "rcwu",
    },
    "account.dunning.promise": {"billing": "rcw", "readonly": "r", "manager": "rcwu"},
    "account.dunning.plan": {"billing": "rcw", "readonly": "r", "manager": "rcwu"},
    "account.dunning.plan.line": {
        "billing": "rcwu",
        "readonly": "r",
        "manager": "rcwu",
    },
}

# action buttons: the roles allowed to press each; the others get an access error
ACTIONS = {
    "invoice.action_dunning_send": {"billing", "manager"},
    "invoice.action_dunning_promise": {"billing", "manager"},
    "invoice.action_dunning_dispute": {"billing", "manager"},
    "invoice.action_dunning_resolve_dispute": {"billing", "manager"},
    "invoice.action_dunning_credit_override": {"manager"},
    # customers are shared between companies: the other company's user acts for its
    # own company (its invoices, its collection stage)
    "customer.action_dunning_send": {"billing", "manager", "other_company"},
    "customer.action_dunning_promise": {"billing", "manager", "other_company"},
    "customer.action_dunning_plan": {"billing", "manager", "other_company"},
    "customer.action_dunning_handoff": {"billing", "manager", "other_company"},
    "customer.action_dunning_back_to_dunning": {"billing", "manager", "other_company"},
    "reminder.action_send": {"billing", "manager"},
    "reminder.action_cancel": {"billing", "manager"},
    "reminder.action_reset_to_draft": {"billing", "manager"},
    "reminder.action_record_call_outcome": {"billing", "manager"},
    "plan.action_compute_schedule": {"billing", "manager"},
    "plan.action_activate": {"billing", "manager"},
    "policy.action_set_company_default": {"manager"},
}


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningAccessMatrix(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.users = {
            "billing": new_test_user(
                cls.env, login="m_billing", groups="account.group_account_invoice"
            ),
            "readonly": new_test_user(
                cls.env, login="m_readonly", groups="account.group_account_readonly"
            ),
            "manager": new_test_user(
                cls.env, login="m_manager", groups="account.group_account_manager"
            ),
            "portal": new_test_user(
                cls.env, login="m_portal", groups="base.group_portal"
            ),
            "other_company": new_test_user(
                cls.env,
                login="m_other",
                groups="account.group_account_manager",
                company_id=cls.company_b.id,
                company_ids=[Command.set(cls.company_b.ids)],
            ),
        }
        cls.invoice = cls._invoice(cls.customer, 1000, date(2026, 3, 1))
        cls.second_invoice = cls._invoice(cls.customer, 300, date(2026, 3, 5))

    # --- records of the company, made by the administrator -----------------------
    def _records(self):
        """Per model: a record of the company, the values to create another, and a
        record its users may delete (the default policy and sent reminders are kept
        for business reasons, whoever asks)."""
        self._reminder(self.customer, self.invoice, self.level_email)
        draft = self._reminder(
            self.customer, self.second_invoice, self.level_call, state="draft"
        )
        promise = self.env["account.dunning.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "date": TODAY + timedelta(days=10),
                "amount": 500,
            }
        )
        plan = self.env["account.dunning.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.invoice.ids)],
            }
        )
        plan_line = self.env["account.dunning.plan.line"].create(
            {"plan_id": plan.id, "date": TODAY + timedelta(days=30), "amount": 1000}
        )
        spare_policy = self.env["account.dunning.policy"].create({"name": "Spare"})
        deletable = {
            "account.dunning.policy": spare_policy,
            "account.dunning.reminder": draft,
            "account.dunning.reminder.line": draft.line_ids,
        }
        return {
            model: (record, vals, deletable.get(model, record))
            # the draft: a sent reminder is history, which nobody may edit (see
            # test_dunning_history); the matrix is about access rights
            for model, (record, vals) in self._records_and_vals(
                draft, promise, plan, plan_line
            ).items()
        }

    def _records_and_vals(self, reminder, promise, plan, plan_line):
        return {
            "account.dunning.policy": (
                self.policy,
                {"name": "Export customers", "company_id": self.company.id},
            ),
            "account.dunning.level": (
                self.level_formal,
                {"policy_id": self.policy.id, "name": "Last call", "delay": 90},
            ),
            "account.dunning.reminder": (
                reminder,
                {"partner_id": self.customer.id, "level_id": self.level_call.id},
            ),
            "account.dunning.reminder.line": (
                reminder.line_ids,
                {"reminder_id": reminder.id, "move_id": self.second_invoice.id},
            ),
            "account.dunning.promise": (
                promise,
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.second_invoice.ids)],
                    "date": TODAY + timedelta(days=5),
                    "amount": 300,
                },
            ),
            "account.dunning.plan": (
                plan,
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.second_invoice.ids)],
                },
            ),
            "account.dunning.plan.line": (
                plan_line,
                {"plan_id": plan.id, "date": TODAY + timedelta(days=60), "amount": 5},
            ),
        }

    WRITES = {
        "account.dunning.policy": {"minimum_amount": 10},
        "account.dunning.level": {"delay": 95},
        "account.dunning.reminder": {"email_subject": "Our invoices"},
        "account.dunning.reminder.line": {"amount_residual": 999},
        "account.dunning.promise": {"note": "Called back"},
        "account.dunning.plan": {"instalment_count": 4},
        "account.dunning.plan.line": {"amount": 999},
    }

    def _attempt(self, allowed, operation, *args):
        """Run ``operation``: it must work when ``allowed``, else raise AccessError."""
        if allowed:
            return operation(*args)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            operation(*args)

    def _found(self, record):
        """Whether a search finds ``record`` (no rights at all: not found)."""
        try:
            return bool(record.search([("id", "=", record.id)]))
        except AccessError:
            return False

    def test_crud_matrix(self):
        records = self._records()
        for model, (record, create_vals, deletable) in records.items():
            for role in ROLES:
                allowed = MATRIX[model].get(role, "")
                user = self.users[role]
                mine = record.with_user(user)
                with (
                    self.subTest(model=model, role=role),
                    self.env.cr.savepoint() as savepoint,
                ):
                    self._attempt("r" in allowed, mine.read, ["display_name"])
                    self.assertEqual(self._found(mine), "r" in allowed)
                    self._attempt("w" in allowed, mine.write, self.WRITES[model])
                    Model = self.env[model].with_user(user)
                    self._attempt("c" in allowed, Model.create, create_vals)
                    self._attempt("u" in allowed, deletable.with_user(user).unlink)
                    savepoint.close(rollback=True)

    def test_other_company_works_in_its_own_company(self):
        """The user of the other company is a manager there: it configures its own
        policy and does not see this company's."""
        user = self.users["other_company"]
        Policy = self.env["account.dunning.policy"].with_user(user)
        self.assertNotIn(self.policy, Policy.search([]))
        own = Policy.search([])
        self.assertEqual(own, self.company_b.dunning_policy_id)
        own.minimum_amount = 25
        self.assertEqual(own.minimum_amount, 25)

    def test_reports_and_figures(self):
        """Aged receivables and KPIs: accounting users read them, each in their own
        companies; portal users do not."""
        for role in ROLES:
            user = self.users[role]
            allowed = role != "portal"
            with self.subTest(role=role):
                aging = self.env["account.dunning.aging.report"].with_user(user)
                self._attempt(allowed, aging.search_read, [], ["amount_due"])
                kpi = self.env["account.dunning.kpi"].with_user(user)
                self._attempt(allowed, kpi.create, {})
        rows = self.env["account.dunning.aging.report"].with_user(
            self.users["other_company"]
        )
        self.assertFalse(rows.search([("partner_id", "=", self.customer.id)]))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["account.dunning.kpi"].with_user(
                self.users["other_company"]
            ).create({"company_id": self.company.id})

    def _buttons(self):
        reminder = self._reminder(
            self.customer, self.invoice, self.level_call, state="draft"
        )
        disputed = self._invoice(self.customer, 200, date(2026, 3, 2))
        disputed.write(
            {"dunning_dispute_state": "open", "dunning_dispute_reason": "Damaged"}
        )
        plan = self.env["account.dunning.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.second_invoice.ids)],
                "first_date": TODAY + timedelta(days=5),
            }
        )
        collected = self.other_customer
        collected.sudo().dunning_stage = "collection"
        return {
            "invoice.action_dunning_send": self.invoice,
            "invoice.action_dunning_promise": self.invoice,
            "invoice.action_dunning_dispute": self.invoice,
            "invoice.action_dunning_resolve_dispute": disputed,
            "invoice.action_dunning_credit_override": self.invoice,
            "customer.action_dunning_send": self.customer,
            "customer.action_dunning_promise": self.customer,
            "customer.action_dunning_plan": self.customer,
            "customer.action_dunning_handoff": self.customer,
            "customer.action_dunning_back_to_dunning": collected,
            "reminder.action_send": reminder,
            "reminder.action_cancel": reminder,
            "reminder.action_reset_to_draft": reminder,
            "reminder.action_record_call_outcome": reminder,
            "plan.action_compute_schedule": plan,
            "plan.action_activate": plan,
            "policy.action_set_company_default": self.policy,
        }

    def _press(self, role, name):
        """Press a button as ``role`` on fresh records; "access" when refused for
        access, else "allowed" (a business refusal such as "nothing to send" is a
        UserError that shows the button was open to the user)."""
        with self.env.cr.savepoint() as savepoint:
            record = self._buttons()[name].with_user(self.users[role])
            try:
                with mute_logger("odoo.models", "odoo.addons.base.models.ir_rule"):
                    getattr(record, name.split(".")[1])()
                outcome = "allowed"
            except AccessError:
                outcome = "access"
            except UserError:
                outcome = "allowed"
            savepoint.close(rollback=True)
        return outcome

    def test_action_buttons(self):
        """Each button for each role: the allowed ones open, the others are refused
        with an access error (and change nothing: everything is rolled back)."""
        expected, pressed = {}, {}
        for role in ROLES:
            for name, allowed_roles in ACTIONS.items():
                expected[role, name] = "allowed" if role in allowed_roles else "access"
                pressed[role, name] = self._press(role, name)
        wrong = {key: pressed[key] for key in pressed if pressed[key] != expected[key]}
        self.assertEqual(wrong, {}, "role, button: outcome where another was expected")

    def test_portal_user_sees_only_own_invoices(self):
        """A customer's portal user reads its own invoices (to pay them from the
        reminder's link) and nothing else: not another customer's invoices, not the
        reminders."""
        portal = self.users["portal"]
        portal.partner_id.parent_id = self.customer
        theirs = self._invoice(self.other_customer, 80, date(2026, 3, 1))
        Move = self.env["account.move"].with_user(portal)
        visible = Move.search([("move_type", "=", "out_invoice")])
        self.assertIn(self.invoice, visible)
        self.assertNotIn(theirs, visible)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            theirs.with_user(portal).read(["name"])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["account.dunning.reminder"].with_user(portal).search([])


# Who may read (hence filter, sort and group on) the addon's fields, per groups
READERS = {
    "account.group_account_invoice,account.group_account_readonly": {
        "billing",
        "auditor",
        "accountant",
        "manager",
    },
    "account.group_account_manager": {"manager"},
}
# the fields the attack pass bisected or read (issue 29, items 3 and 10)
BISECTED = {
    "res.partner": {
        "dunning_amount_overdue",
        "dunning_credit_amount",
        "dunning_overdue_count",
        "dunning_level_id",
        "dunning_next_date",
        "dunning_is_customer",
        "dunning_reminder_count",
        "credit_exposure",
        "dunning_reminder_ids",
    },
    "account.move": {
        "dunning_level_id",
        "dunning_last_date",
        "dunning_count",
        "dunning_next_date",
        "days_overdue",
        "dunning_promise_ids",
        "dunning_credit_warning",
    },
}
# the customers' figures Odoo sorts, groups and aggregates in SQL (the selection's)
SQL_FIGURES = {
    "dunning_amount_overdue",
    "dunning_credit_amount",
    "dunning_overdue_count",
    "dunning_next_date",
    "dunning_status",
    "dunning_level_id",
}


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDunningFieldSearch(DunningCommon):
    """A field a user may not read is no filter, sort, group or aggregate either,
    whichever way the call comes (search, search_count, read_group, a path from
    another model): a hidden figure cannot be bisected."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = {
            "portal": "base.group_portal",
            "employee": "base.group_user",
            "sales": "base.group_user",
            "billing": "account.group_account_invoice",
            "auditor": "account.group_account_readonly",
            "accountant": "account.group_account_user",
            "manager": "account.group_account_manager",
        }
        cls.users = {
            role: new_test_user(cls.env, login=f"fs_{role}", groups=group)
            for role, group in groups.items()
        }
        # a salesperson reads invoices without being in accounting: Sales gives
        # its users read access to them (sales_team's group where installed)
        readers = cls.env["res.groups"].create({"name": "Invoice readers"})
        cls.env["ir.model.access"].create(
            [
                {
                    "name": f"invoice readers {model}",
                    "model_id": cls.env["ir.model"]._get_id(model),
                    "group_id": readers.id,
                    "perm_read": True,
                }
                for model in ("account.move", "account.move.line")
            ]
        )
        sales_team = (
            cls.env.ref("sales_team.group_sale_salesman", raise_if_not_found=False)
            or cls.env["res.groups"]
        )
        cls.users["sales"].groups_id = [
            Command.link(g.id) for g in readers | sales_team
        ]
        cls.users["portal"].partner_id.parent_id = cls.customer
        cls.invoice = cls._invoice(cls.customer, 9522, date(2026, 1, 31))
        cls._invoice(cls.other_customer, 100, date(2026, 3, 1))
        cls._reminder(cls.customer, cls.invoice, cls.level_email)
        cls.env["account.dunning.promise"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.invoice.ids)],
                "date": TODAY + timedelta(days=10),
                "amount": 500,
            }
        )

    def _restricted(self, model):
        """The addon's fields of ``model`` reserved to some groups."""
        return {
            name: field
            for name, field in self.env[model]._fields.items()
            if field.groups and "account_dunning" in field._modules
        }

    @staticmethod
    def _leaf(name, field, env):
        if field.type == "boolean":
            return (name, "=", True)
        if field.type in ("integer", "float", "monetary"):
            return (name, ">", 0)
        if field.type == "selection":
            return (name, "=", field.get_values(env)[-1])
        return (name, "!=", False)

    def _calls(self, Model, record, name, allowed):
        """(kind, call) of each way JSON-RPC filters, sorts, groups or aggregates on
        a field; for a reader, only the ways Odoo supports on that field."""
        field = Model._fields[name]
        here = [("id", "=", record.id)]
        leaf = self._leaf(name, field, Model.env)
        sql = (field.store and field.column_type) or (
            Model._name == "res.partner" and name in SQL_FIGURES
        )
        numeric = field.type in ("integer", "float", "monetary")
        calls = []
        if not allowed or field.store or field.search:
            calls += [
                ("search", lambda: Model.search(here + [leaf])),
                ("search_count", lambda: Model.search_count(here + [leaf])),
            ]
        if not allowed or sql:
            calls += [
                (
                    "order",
                    lambda: Model.search_read(here, ["id"], order=f"{name} desc"),
                ),
                ("group_by", lambda: Model.read_group(here, [], [name])),
            ]
        if not allowed or (sql and numeric):
            calls += [
                ("aggregate", lambda: Model.read_group(here, [f"{name}:max"], [])),
                (
                    "having",
                    lambda: Model._read_group(
                        here, ["id"], having=[(f"{name}:max", ">", 0)]
                    ),
                ),
            ]
        return calls

    def _try(self, call):
        try:
            with mute_logger("odoo.models"):
                call()
        except AccessError:
            return "refused"
        return "allowed"

    def test_search_sort_group_as_each_role(self):
        """Each restricted field of the addon, each way, each role: refused (access
        error) exactly when the user may not read the field, allowed otherwise."""
        records = {"res.partner": self.customer, "account.move": self.invoice}
        wrong, tried = {}, 0
        for model, record in records.items():
            restricted = self._restricted(model)
            self.assertLessEqual(BISECTED[model], restricted.keys())
            for name, field in restricted.items():
                for role, user in self.users.items():
                    allowed = role in READERS[field.groups]
                    Model = self.env[model].with_user(user)
                    for kind, call in self._calls(Model, record, name, allowed):
                        tried += 1
                        outcome = self._try(call)
                        if outcome != ("allowed" if allowed else "refused"):
                            wrong[model, name, role, kind] = outcome
        self.assertGreater(tried, 1000)
        self.assertEqual(wrong, {}, "model, field, role, call: the wrong outcome")

    def test_a_hidden_figure_cannot_be_bisected(self):
        """The attack of the issue: bisect a customer's overdue amount with
        search_count. Accounting users filter on it; nobody else can, directly or
        through a path from another model (an auto_join one included)."""
        here = [("id", "=", self.customer.id)]
        for role in ("billing", "auditor", "accountant", "manager"):
            Partner = self.env["res.partner"].with_user(self.users[role])
            with self.subTest(role=role):
                found = [
                    Partner.search_count(here + [("dunning_amount_overdue", ">", x)])
                    for x in (9521.99, 9522)
                ]
                self.assertEqual(found, [1, 0])
        paths = [
            ("res.partner", ("dunning_amount_overdue", ">", 9000)),
            ("res.partner", ("commercial_partner_id.dunning_amount_overdue", ">", 1)),
            ("res.partner", ("child_ids", "any", [("dunning_level_id", "!=", False)])),
            ("res.users", ("partner_id.dunning_amount_overdue", ">", 9000)),
            ("res.users", ("dunning_credit_amount", ">", 1)),
            ("account.move", ("partner_id.dunning_amount_overdue", ">", 9000)),
            ("account.move", ("partner_id.dunning_reminder_ids", "!=", False)),
            ("account.move", ("dunning_promise_ids.state", "=", "open")),
        ]
        for role in ("portal", "employee", "sales"):
            for model, leaf in paths:
                if (role, model) == ("employee", "account.move"):
                    continue  # no access to invoices at all
                Model = self.env[model].with_user(self.users[role])
                with (
                    self.subTest(role=role, leaf=leaf),
                    self.assertRaisesRegex(AccessError, r"dunning_|days_overdue"),
                    mute_logger("odoo.models"),
                ):
                    Model.search_count([leaf])

    def test_filters_shown_to_readers_only(self):
        """The invoices' search view offers the dunning filters and grouping to
        accounting users only (a salesperson reading invoices sees none)."""
        for role, shown in (("sales", False), ("billing", True), ("auditor", True)):
            Move = self.env["account.move"].with_user(self.users[role])
            arch = Move.get_views([(False, "search")])["views"]["search"]["arch"]
            with self.subTest(role=role):
                for name in ("dunning_reminded", "dunning_promised", "dunning_failed"):
                    self.assertEqual(f'name="{name}"' in arch, shown, name)
