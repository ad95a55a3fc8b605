"""`make bench` data: N customers and M posted invoices for the bench's date.

Kept apart from the measurements so that a generated database stays a valid template
while this file is unchanged (tools/bench.sh keys the templates on it).
"""

import random
from datetime import date, timedelta

TODAY = date(2026, 6, 30)  # the bench's "today": data is generated around it
SEED = 20260630


# ----------------------------------------------------------------------------------
# Data: N customers, M posted invoices; a fifth partly paid, a third paid; due dates
# spread over the last 240 days and the next 30. Made by the ORM for a pool of 500,
# copied in SQL for the rest.
# ----------------------------------------------------------------------------------
def generate(env, invoices, customers, pool_size=500):
    """A pool of real invoices made and paid by the ORM, replicated in bulk SQL with
    new numbers, customers, due dates and payment states."""
    rng = random.Random(SEED)
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
        env.cr.commit()
    partners = env["res.partner"].create(
        [
            {
                "name": f"Customer {i:05d}",
                "is_company": True,
                "email": f"c{i}@bench.test",
                # as posting their first invoice would: customers on every screen
                "customer_rank": 1,
            }
            for i in range(customers)
        ]
    )
    pool = make_pool(env, partners, min(pool_size, invoices), rng)
    copies = -(-(invoices - len(pool)) // len(pool))  # ceiling
    if copies:
        replicate(env, pool, partners, copies, invoices - len(pool))
    env.cr.commit()
    env.invalidate_all()
    # the pool is paid by the ORM (payments, reconciliations); the copies take their
    # payment state in SQL (see pay_copies): 500,000 invoices in minutes, not hours
    pay_bulk(env, pool, rng)
    env.cr.commit()
    env.invalidate_all()
    # statistics, as a database that lived has them (autovacuum would come later)
    env.cr.execute("ANALYZE")
    env.cr.commit()
    env.cr.execute(
        "SELECT COUNT(*) FROM account_move WHERE move_type = 'out_invoice' "
        "AND state = 'posted'"
    )
    made = env.cr.fetchone()[0]
    print(f"generated {made} invoices for {customers} customers", flush=True)


def make_pool(env, partners, size, rng):
    from odoo import Command

    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
    )
    vals_list = []
    for i in range(size):
        due = TODAY - timedelta(days=rng.randint(-30, 240))
        vals_list.append(
            {
                "move_type": "out_invoice",
                "journal_id": journal.id,
                "partner_id": partners[i % len(partners)].id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Services",
                            "quantity": 1,
                            "price_unit": round(rng.uniform(100, 5000), 2),
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
    pool = env["account.move"].create(vals_list)
    pool.action_post()
    env.cr.commit()
    return pool


def columns(env, table):
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in env.cr.fetchall()]


def replicate(env, pool, partners, copies, limit):
    """Copy the pool's rows ``copies`` times (at most ``limit`` invoices): every stored
    column as Odoo computed it, with new ids, numbers, customers and dates."""
    env.flush_all()
    cr = env.cr
    cr.execute("SELECT setseed(0.42)")
    cr.execute(
        """
        CREATE TEMP TABLE bench_map ON COMMIT DROP AS
        SELECT m.id AS src_id,
               nextval('account_move_id_seq') AS new_id,
               (%(partners)s::int[])[1 + (row_number() OVER () %% %(n)s)] AS partner_id,
               (%(today)s::date - (floor(random() * 271) - 30)::int) AS due
          FROM account_move m CROSS JOIN generate_series(1, %(copies)s) g
         WHERE m.id = ANY(%(pool)s)
         LIMIT %(limit)s
        """,
        {
            "partners": partners.ids,
            "n": len(partners),
            "today": TODAY,
            "copies": copies,
            "pool": pool.ids,
            "limit": limit,
        },
    )
    move_overrides = {
        "id": "b.new_id",
        "name": "'INV/B/' || b.new_id",
        "sequence_prefix": "'INV/B/'",
        "sequence_number": "b.new_id",
        "payment_reference": "'INV/B/' || b.new_id",
        "partner_id": "b.partner_id",
        "commercial_partner_id": "b.partner_id",
        "partner_shipping_id": "b.partner_id",
        "invoice_partner_display_name": "p.name",
        "invoice_date": "b.due - 30",
        "date": "b.due - 30",
        "invoice_date_due": "b.due",
        "access_token": "NULL",
    }
    move_cols = columns(env, "account_move")
    cr.execute(
        "INSERT INTO account_move ({}) SELECT {} FROM account_move src "
        "JOIN bench_map b ON b.src_id = src.id "
        "JOIN res_partner p ON p.id = b.partner_id".format(
            ", ".join(f'"{c}"' for c in move_cols),
            ", ".join(move_overrides.get(c, f'src."{c}"') for c in move_cols),
        )
    )
    line_overrides = {
        "id": "nextval('account_move_line_id_seq')",
        "move_id": "b.new_id",
        "move_name": "'INV/B/' || b.new_id",
        "partner_id": "CASE WHEN src.partner_id IS NOT NULL THEN b.partner_id END",
        "date": "b.due - 30",
        "invoice_date": "b.due - 30",
        "date_maturity": "CASE WHEN src.date_maturity IS NOT NULL THEN b.due END",
    }
    line_cols = columns(env, "account_move_line")
    cr.execute(
        "INSERT INTO account_move_line ({}) SELECT {} FROM account_move_line src "
        "JOIN bench_map b ON b.src_id = src.move_id".format(
            ", ".join(f'"{c}"' for c in line_cols),
            ", ".join(line_overrides.get(c, f'src."{c}"') for c in line_cols),
        )
    )
    pay_copies(cr)
    env.cr.commit()
    env.invalidate_all()


def pay_copies(cr):
    """A third of the copies paid, a fifth partly paid (20 to 80 %): their receivable
    line's residual and their payment state set as a payment would leave them,
    without a payment entry of their own (what the dunning reads is the residual)."""
    cr.execute(
        """
        CREATE TEMP TABLE bench_paid ON COMMIT DROP AS
        SELECT id,
               CASE WHEN roll < 1.0 / 3 THEN 0.0
                    ELSE round((0.2 + random() * 0.6)::numeric, 4) END AS left_share
          FROM (SELECT new_id AS id, random() AS roll FROM bench_map) r
         WHERE roll < 1.0 / 3 + 1.0 / 5
        """
    )
    cr.execute(
        """
        UPDATE account_move_line l
           SET amount_residual = round(l.amount_residual * p.left_share, 2),
               amount_residual_currency =
                   round(l.amount_residual_currency * p.left_share, 2),
               reconciled = p.left_share = 0
          FROM bench_paid p
         WHERE l.move_id = p.id AND l.display_type = 'payment_term'
        """
    )
    cr.execute(
        """
        UPDATE account_move m
           SET amount_residual = round(m.amount_residual * p.left_share, 2),
               amount_residual_signed =
                   round(m.amount_residual_signed * p.left_share, 2),
               payment_state = CASE WHEN p.left_share = 0 THEN 'paid' ELSE 'partial' END
          FROM bench_paid p
         WHERE m.id = p.id
        """
    )


def pay_bulk(env, moves, rng):
    """Pay a third in full and a fifth in part, with one journal entry per batch and
    one batched reconciliation."""
    from odoo import Command

    company = env.company
    bank = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    plans, lines = [], []
    for move in moves:
        roll = rng.random()
        if roll < 1 / 3:
            amount = move.amount_total
        elif roll < 1 / 3 + 1 / 5:
            amount = round(move.amount_total * rng.uniform(0.2, 0.8), 2)
        else:
            continue
        receivable = move.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        lines.append(
            {
                "name": f"Payment {move.name}",
                "account_id": receivable.account_id.id,
                "partner_id": move.commercial_partner_id.id,
                "credit": amount,
            }
        )
        plans.append(receivable)
    if not lines:
        return
    total = sum(line["credit"] for line in lines)
    entry = env["account.move"].create(
        {
            "move_type": "entry",
            "journal_id": bank.id,
            "date": TODAY - timedelta(days=1),
            "line_ids": [Command.create(vals) for vals in lines]
            + [
                Command.create(
                    {
                        "name": "Bank",
                        "account_id": bank.default_account_id.id,
                        "debit": total,
                    }
                )
            ],
        }
    )
    entry.action_post()
    payment_lines = entry.line_ids.filtered(lambda line: line.credit)
    env["account.move.line"]._reconcile_plan(
        [
            invoice_line + payment_line
            for invoice_line, payment_line in zip(plans, payment_lines, strict=True)
        ]
    )
