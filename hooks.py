from odoo.tools import SQL

# the module's runtime records that no external id names: its settings' parameters
# and the numbering sequences it creates per company
OWN_PARAMETERS = "account_dunning.%"
OWN_SEQUENCES = "account.dunning.%"


def post_init_hook(env):
    """Give every existing company its default dunning policy, its fees product
    and its thank-you email (their defaults were read before the data that names
    them was loaded), and French companies the statutory late-payment clause (new
    companies get all of them on create).
    """
    # demo data that failed to load was rolled back without the ORM forgetting
    # what it wrote (Odoo loads it in a savepoint that does not flush): a company
    # would seem to have the policy the demo gave it
    env.invalidate_all()
    env["res.company"].search([])._dunning_set_up()


def uninstall_hook(env):
    """Leave nothing of the module: drop what it keeps outside Odoo's models (the
    customer figures' tables, and their triggers on Odoo's own tables: left
    behind, they would fail every invoice once the module's tables are gone), the
    foreign keys that would refuse Odoo's deletion of the module's records, and
    the records no external id names."""
    env["account.dunning.figures"]._uninstall()
    _drop_refusing_foreign_keys(env)
    _delete_unnamed_records(env)
    _unpost_demo_payments(env)


def _own_tables(env):
    return sorted(
        {
            model._table
            for model in env.registry.values()
            if model._name.startswith("account.dunning.")
            and model._auto
            and not model._abstract
        }
    )


def _drop_refusing_foreign_keys(env):
    """Odoo deletes the module's records model by model, then its columns and
    tables. A foreign key that refuses a delete (a level's email template, a
    reminder's policy or invoice, a company's policy) would log an error and
    leave the record behind: the keys from and to the module's tables go first
    (the columns and tables that hold them go right after)."""
    tables = _own_tables(env)
    env.cr.execute(
        SQL(
            """SELECT c.conrelid::regclass::text, c.conname
                 FROM pg_constraint c
                WHERE c.contype = 'f'
                  AND c.confdeltype IN ('r', 'a')
                  AND (c.conrelid::regclass::text = ANY(%(tables)s)
                       OR c.confrelid::regclass::text = ANY(%(tables)s))""",
            tables=tables,
        )
    )
    for table, constraint in env.cr.fetchall():
        env.cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(table),
                SQL.identifier(constraint),
            )
        )


def _delete_unnamed_records(env):
    """The sequences the numbering made per company and the settings' parameters
    (those of the module's data go with their external ids, as Odoo does)."""
    sequences = env["ir.sequence"].search([("code", "=like", OWN_SEQUENCES)])
    named = env["ir.model.data"].search(
        [("model", "=", "ir.sequence"), ("res_id", "in", sequences.ids)]
    )
    (sequences - sequences.browse(named.mapped("res_id"))).unlink()
    env.cr.execute(
        SQL("DELETE FROM ir_config_parameter WHERE key LIKE %s", OWN_PARAMETERS)
    )


def _unpost_demo_payments(env):
    """The demo's payments back to draft, their invoices unreconciled: Odoo
    deletes the module's records by their external ids, and refuses a posted
    payment (its journal entry goes first, then its state check fails) or a
    reconciled invoice."""
    named = env["ir.model.data"].search(
        [("module", "=", "account_dunning"), ("model", "=", "account.payment")]
    )
    payments = env["account.payment"].browse(named.mapped("res_id")).exists()
    payments.filtered(lambda payment: payment.state != "draft").action_draft()
