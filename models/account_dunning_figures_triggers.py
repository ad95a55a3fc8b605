# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The figures store's tables and the database triggers that keep it exact: every
table the selection reads marks, in the transaction that changes it, the customers
whose figures the change may change (see ``account_dunning_figures``)."""

from odoo import api, models
from odoo.tools import SQL

from .account_dunning_figures import (
    CUSTOMER_COLUMNS,
    CUSTOMERS,
    DIRTY,
    ENTRIES,
    ENTRY_COLUMNS,
    EVERYONE,
    STATE,
    TABLES,
)

# Per table the selection reads: the columns whose change may change a figure, and
# the customers it concerns, selected from the changed rows (alias ``r``, the
# ``{rows}`` placeholder being the trigger's transition table). Tables without an
# ``id`` (relations) mark on every change.
RECEIVABLE = "asset_receivable"
# the customers of the invoices of the rows (a relation to account_move)
INVOICES_OF_ROWS = """SELECT m.commercial_partner_id FROM {rows} r
                        JOIN account_move m ON m.id = r.move_id"""


def _agreement_marks(relation, key):
    """The customer of an agreement (a promise, a plan) and those of the invoices
    it covers (``relation``, whose ``key`` is the agreement)."""
    return f"""SELECT r.partner_id FROM {{rows}} r
               UNION ALL
               SELECT m.commercial_partner_id FROM {{rows}} r
                 JOIN {relation} x ON x.{key} = r.id
                 JOIN account_move m ON m.id = x.move_id"""


MARKED = {
    "account_move_line": (
        (
            "partner_id",
            "account_id",
            "company_id",
            "parent_state",
            "reconciled",
            "amount_residual",
            "amount_residual_currency",
            "date_maturity",
            "date",
            "move_id",
        ),
        f"""SELECT p.commercial_partner_id FROM {{rows}} r
              JOIN res_partner p ON p.id = r.partner_id
              JOIN account_account a ON a.id = r.account_id
             WHERE a.account_type = '{RECEIVABLE}'""",
    ),
    "account_move": (
        (
            "commercial_partner_id",
            "move_type",
            "currency_id",
            "dunning_excluded",
            "dunning_dispute_state",
            "dunning_level_id",
            "invoice_user_id",
        ),
        "SELECT r.commercial_partner_id FROM {rows} r",
    ),
    "account_payment": (
        ("partner_id", "move_id", "state", "amount_company_currency_signed"),
        """SELECT p.commercial_partner_id FROM {rows} r
             JOIN res_partner p ON p.id = r.partner_id
           UNION ALL
           SELECT m.commercial_partner_id FROM {rows} r
             JOIN account_move__account_payment rel ON rel.payment_id = r.id
             JOIN account_move m ON m.id = rel.invoice_id""",
    ),
    "account_move__account_payment": (
        None,
        """SELECT m.commercial_partner_id FROM {rows} r
             JOIN account_move m ON m.id = r.invoice_id""",
    ),
    "account_dunning_reminder": (
        ("partner_id", "company_id", "state", "date"),
        "SELECT r.partner_id FROM {rows} r",
    ),
    "account_dunning_promise": (
        ("partner_id", "state", "date"),
        _agreement_marks("account_dunning_promise_move_rel", "promise_id"),
    ),
    "account_dunning_promise_move_rel": (None, INVOICES_OF_ROWS),
    "account_dunning_plan": (
        ("partner_id", "state"),
        _agreement_marks("account_dunning_plan_move_rel", "plan_id"),
    ),
    "account_dunning_plan_move_rel": (None, INVOICES_OF_ROWS),
    # the customer's settings (per company, in JSON) and whether it is a customer
    "res_partner": (
        (
            "commercial_partner_id",
            "dunning_policy_id",
            "dunning_excluded",
            "dunning_stage",
            "customer_rank",
        ),
        "SELECT r.commercial_partner_id FROM {rows} r",
    ),
    "res_users": (
        ("partner_id", "share"),
        """SELECT p.commercial_partner_id FROM {rows} r
             JOIN res_partner p ON p.id = r.partner_id""",
    ),
    "res_company": (("partner_id",), "SELECT r.partner_id FROM {rows} r"),
}
# Tables whose change concerns every customer: nothing stored is read until the
# next refresh has stored everything again.
INVALIDATING = {
    "account_dunning_policy": None,
    "account_dunning_level": None,
    "account_account": ("account_type",),
    "res_company": ("dunning_policy_id",),
}


class AccountDunningFigures(models.AbstractModel):
    _inherit = "account.dunning.figures"

    # ------------------------------------------------------------------
    # The tables and the triggers
    # ------------------------------------------------------------------
    def init(self):
        cr = self.env.cr
        cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %s (
                       company_id integer PRIMARY KEY, date date NOT NULL)""",
                SQL.identifier(STATE),
            )
        )
        cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %(t)s (partner_id integer NOT NULL);
                   CREATE INDEX IF NOT EXISTS %(i)s ON %(t)s (partner_id)""",
                t=SQL.identifier(DIRTY),
                i=SQL.identifier(f"{DIRTY}_partner_idx"),
            )
        )
        for table, key, columns in (
            (CUSTOMERS, "partner_id", CUSTOMER_COLUMNS),
            (ENTRIES, "move_id", ENTRY_COLUMNS),
        ):
            cr.execute(
                SQL(
                    """CREATE TABLE IF NOT EXISTS %(t)s (
                           company_id integer NOT NULL, %(key)s integer NOT NULL,
                           %(columns)s, PRIMARY KEY (company_id, %(key)s))""",
                    t=SQL.identifier(table),
                    key=SQL.identifier(key),
                    columns=SQL(", ").join(
                        SQL("%s %s", SQL.identifier(name), SQL(kind))
                        for name, kind in columns
                    ),
                )
            )
            # a column added by an update of the module
            for name, kind in columns:
                cr.execute(
                    SQL(
                        "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s",
                        SQL.identifier(table),
                        SQL.identifier(name),
                        SQL(kind),
                    )
                )
        # Installed or updated: the selection's code may have changed, so nothing
        # stored is read until the next refresh has stored everything again.
        cr.execute(SQL("DELETE FROM %s", SQL.identifier(STATE)))
        for table, (columns, marked) in MARKED.items():
            self._install_trigger(table, columns, self._mark_code(marked), "mark")
        invalidate = f"INSERT INTO {DIRTY} (partner_id) VALUES ({EVERYONE});"
        for table, columns in INVALIDATING.items():
            self._install_trigger(table, columns, invalidate, "invalidate")

    @staticmethod
    def _mark_code(marked):
        """The statement that marks the customers of the rows of ``{rows}``."""
        return (
            f"INSERT INTO {DIRTY} (partner_id) SELECT DISTINCT partner_id "
            f"FROM ({marked}) x (partner_id) WHERE partner_id IS NOT NULL;"
        )

    @staticmethod
    def _trigger_bodies(columns, action):
        """The action on insert, on delete and on update. An action on the rows
        (``{rows}``) runs, on update, on the old and the new version of the rows
        where one of ``columns`` changed (all rows when ``columns`` is None)."""
        changed = columns and " OR ".join(
            f"n.{column} IS DISTINCT FROM o.{column}" for column in columns
        )
        if "{rows}" not in action:
            if columns is None:
                return action, action, action
            on_update = (
                "IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o "
                f"ON o.id = n.id WHERE {changed}) THEN {action} END IF;"
            )
            return action, action, on_update
        on_insert = action.replace("{rows}", "new_rows")
        on_delete = action.replace("{rows}", "old_rows")
        if columns is None:
            return on_insert, on_delete, on_insert + on_delete
        moved = (
            "(SELECT {side}.* FROM new_rows n JOIN old_rows o ON o.id = n.id "
            f"WHERE {changed})"
        )
        on_update = "".join(
            action.replace("{rows}", moved.replace("{side}", side))
            for side in ("n", "o")
        )
        return on_insert, on_delete, on_update

    def _install_trigger(self, table, columns, action, kind):
        """Statement-level triggers (one call per statement, whatever the number of
        rows) after insert, update and delete on ``table``."""
        cr = self.env.cr
        cr.execute("SELECT to_regclass(%s)", [table])
        if not cr.fetchone()[0]:
            # never silently: figures without their marks would be stale
            raise RuntimeError(f"account_dunning: no table {table} for its triggers")
        function = f"account_dunning_figures_{kind}_{table}"
        on_insert, on_delete, on_update = self._trigger_bodies(columns, action)
        body = (
            f"BEGIN IF TG_OP = 'INSERT' THEN {on_insert} "
            f"ELSIF TG_OP = 'DELETE' THEN {on_delete} "
            f"ELSE {on_update} END IF; RETURN NULL; END"
        )
        cr.execute(
            SQL(
                "CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql "
                "AS %s",
                SQL.identifier(function),
                body,
            )
        )
        for event, referencing in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
            ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
        ):
            trigger = SQL.identifier(f"account_dunning_figures_{kind}_{event.lower()}")
            cr.execute(
                SQL(
                    "DROP TRIGGER IF EXISTS %(trigger)s ON %(table)s; "
                    "CREATE TRIGGER %(trigger)s AFTER %(event)s ON %(table)s "
                    "REFERENCING %(referencing)s "
                    "FOR EACH STATEMENT EXECUTE FUNCTION %(function)s()",
                    trigger=trigger,
                    table=SQL.identifier(table),
                    event=SQL(event),
                    referencing=SQL(referencing),
                    function=SQL.identifier(function),
                )
            )

    @api.model
    def _uninstall(self):
        """Drop the triggers (from Odoo's tables too), their functions and the
        tables: nothing of the store is left once the module is gone."""
        cr = self.env.cr
        cr.execute(
            """SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.proname LIKE 'account\\_dunning\\_figures\\_%'"""
        )
        for (function,) in cr.fetchall():
            # CASCADE: the triggers that call it go with it
            cr.execute(SQL("DROP FUNCTION IF EXISTS %s CASCADE", SQL(function)))
        for table in TABLES:
            cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
