# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The selection's figures of every customer, kept so that the screens that list,
sort, filter and group all customers (the collection desk, the kanban by level, the
aged receivables) stay interactive with hundreds of thousands of open entries.

Exact, never stale: the selection (``account.dunning.selection``) stays the one
definition. A scheduled refresh stores its rows for the day; database triggers on
every table those rows read (``account_dunning_figures_triggers``) mark the
customer concerned, in the transaction that changes it; a read takes the stored rows
of the customers not marked and the selection's rows, computed there and then, of
those marked. A new day, or a change
of a policy, a level or the receivable accounts, makes every stored row unusable
until the next refresh: the screens then compute everything, as without the store.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from .account_dunning_selection import AGED_COLUMNS
from .cron_budget import CallBudget, call_seconds, now, step_done

STATE = "account_dunning_figures_state"
DIRTY = "account_dunning_figures_dirty"
CUSTOMERS = "account_dunning_figures_customer"
ENTRIES = "account_dunning_figures_entry"
TABLES = (STATE, DIRTY, CUSTOMERS, ENTRIES)
# one refresh at a time (the cron, or a test): an advisory lock's key
REFRESH_LOCK_KEY = 0x64756E66
# The mark of a change that concerns every customer (a policy, a level, the
# receivable accounts): a mark like the others, so that a change committed while a
# refresh runs is never lost (the refresh forgets only the marks it saw).
EVERYONE = 0
# customers refreshed per step, between two commits
REFRESH_CHUNK = 2000

# The columns of ``account.dunning.selection._customers_sql``, kept per customer.
CUSTOMER_COLUMNS = (
    ("amount_overdue", "numeric"),
    ("past_due", "numeric"),
    ("credit", "numeric"),
    ("balance", "numeric"),
    ("overdue_count", "bigint"),
    ("level_id", "integer"),
    ("next_date", "date"),
    ("amount_to_claim", "numeric"),
    ("status", "varchar"),
    ("is_customer", "boolean"),
)
# What the aged receivables read of each open entry (``_open_items_sql``), and
# ``amount_overdue``: what is left of its past-due part once its customer's credits
# are set against the past-due parts, the oldest first (``dunning.figures``).
ENTRY_COLUMNS = (
    ("partner_id", "integer"),
    ("user_id", "integer"),
    ("level_id", "integer"),
    ("due", "date"),
    ("overdue_residual", "numeric"),
    ("amount_overdue", "numeric"),
    ("residual", "numeric"),
    ("credit", "numeric"),
    *((column, "numeric") for column in AGED_COLUMNS),
)


class AccountDunningFigures(models.AbstractModel):
    """Service: the selection's per-customer and per-entry figures, stored and
    kept exact (see the module's docstring)."""

    _name = "account.dunning.figures"
    _description = "Dunning Figures Store"

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------
    @api.model
    def _is_fresh(self, company, date):
        """Whether the stored rows of ``company`` are those of ``date`` and no
        change since concerns every customer."""
        self.env.flush_all()  # a pending write may make them unusable (a policy's)
        self.env.cr.execute(
            SQL(
                """SELECT date FROM %(state)s
                    WHERE company_id = %(company)s
                      AND NOT EXISTS (SELECT 1 FROM %(dirty)s
                                       WHERE partner_id = %(everyone)s)""",
                state=SQL.identifier(STATE),
                dirty=SQL.identifier(DIRTY),
                company=company.id,
                everyone=EVERYONE,
            )
        )
        row = self.env.cr.fetchone()
        return bool(row) and row[0] == date

    @staticmethod
    def _marked_sql():
        return SQL("SELECT partner_id FROM %s", SQL.identifier(DIRTY))

    @api.model
    def _any_marked(self):
        """Whether any customer changed since the last refresh (a screen then reads
        the store alone: no query for the marked ones, not even an empty one)."""
        self.env.cr.execute(
            SQL("SELECT EXISTS (SELECT 1 FROM %s)", SQL.identifier(DIRTY))
        )
        return self.env.cr.fetchone()[0]

    def _stored_and_live_sql(self, table, company, columns, live, condition=None):
        """The stored rows of the customers not marked, and ``live`` (the
        selection's, for the marked customers) when some are; only those meeting
        ``condition`` (SQL on alias ``f``) if given, tested on each side so that
        PostgreSQL estimates it from the stored table's statistics."""
        condition = condition or SQL("TRUE")
        stored = SQL(
            "SELECT %s FROM %s f WHERE f.company_id = %s AND %s",
            columns,
            SQL.identifier(table),
            company.id,
            condition,
        )
        if not self._any_marked():
            return stored
        return SQL(
            """%(stored)s
                 AND NOT EXISTS (SELECT 1 FROM %(dirty)s d
                                  WHERE d.partner_id = f.partner_id)
               UNION ALL
               SELECT %(columns)s FROM (%(live)s) f WHERE %(condition)s""",
            stored=stored,
            dirty=SQL.identifier(DIRTY),
            columns=columns,
            live=live(),
            condition=condition,
        )

    def _marked_filter(self):
        """The selection's line filter for the marked customers."""
        return SQL("lp.commercial_partner_id IN (%s)", self._marked_sql())

    @api.model
    def _customers_sql(self, company, date, condition=None):
        """The rows of ``account.dunning.selection._customers_sql`` of every
        customer of ``company`` on ``date`` (only those meeting ``condition``, SQL
        on alias ``f``, if given)."""
        self.env.flush_all()  # the triggers mark what pending writes change
        selection = self.env["account.dunning.selection"]
        if not self._is_fresh(company, date):
            return SQL(
                "SELECT * FROM (%s) f WHERE %s",
                selection._customers_sql(company, date, SQL("TRUE")),
                condition or SQL("TRUE"),
            )
        columns = SQL(", ").join(
            SQL.identifier("f", name)
            for name in ("partner_id", *dict(CUSTOMER_COLUMNS))
        )
        return self._stored_and_live_sql(
            CUSTOMERS,
            company,
            columns,
            lambda: selection._customers_sql(company, date, self._marked_filter()),
            condition,
        )

    @api.model
    def _customer_figures(self, company, date):
        """Per commercial partner id, its row of the selection's ``_customers_sql``,
        for every customer of ``company`` on ``date``."""
        rows = self.env["account.dunning.selection"]._fetch(
            self._customers_sql(company, date)
        )
        return {row["partner_id"]: row for row in rows}

    @api.model
    def _live_entries_sql(self, company, date, line_filter):
        """What the aged receivables read of the selection's open entries.
        ``line_filter`` takes whole customers (every entry of a customer, or
        none): its credits are set against its past-due parts."""
        selection = self.env["account.dunning.selection"]
        computed = {
            "user_id": SQL("m.invoice_user_id AS user_id"),
            # dunning.figures.credits_applied, per customer, the oldest first
            "amount_overdue": SQL(
                """s.overdue_residual - LEAST(s.overdue_residual, GREATEST(
                       SUM(s.credit) OVER per_customer
                       - (SUM(s.overdue_residual) OVER oldest_first
                          - s.overdue_residual), 0)) AS amount_overdue"""
            ),
        }
        return SQL(
            """SELECT s.move_id, %(columns)s
                 FROM (%(rows)s) s
                 JOIN account_move m ON m.id = s.move_id
               WINDOW per_customer AS (PARTITION BY s.partner_id),
                      oldest_first AS (PARTITION BY s.partner_id
                                       ORDER BY s.due, s.move_id
                                       ROWS UNBOUNDED PRECEDING)""",
            columns=SQL(", ").join(
                computed.get(name) or SQL.identifier("s", name)
                for name in dict(ENTRY_COLUMNS)
            ),
            rows=selection._open_items_sql(company, date, line_filter, aged=True),
        )

    @api.model
    def _entries_sql(self, company, date):
        """The open entries of ``company`` on ``date`` as the aged receivables read
        them (see ``ENTRY_COLUMNS``)."""
        self.env.flush_all()
        if not self._is_fresh(company, date):
            return self._live_entries_sql(company, date, SQL("TRUE"))
        columns = SQL(", ").join(
            SQL.identifier("f", name) for name in ("move_id", *dict(ENTRY_COLUMNS))
        )
        return self._stored_and_live_sql(
            ENTRIES,
            company,
            columns,
            lambda: self._live_entries_sql(company, date, self._marked_filter()),
        )

    # ------------------------------------------------------------------
    # Refreshing
    # ------------------------------------------------------------------
    @api.model
    def _store_date(self, company):
        """The day the store keeps for ``company``: the company's own day."""
        tz = company.partner_id.tz or self.env.user.tz
        return fields.Date.context_today(self.with_context(tz=tz))

    @api.model
    def _refresh(self, seconds=None):
        """Store the figures of every customer where the stored rows are not
        today's (the first call of a day, or after a change that concerns every
        customer), else of the customers marked since, by chunks committed one by
        one within the call's time (``cron_budget``). Returns how many customers
        are left to refresh (Odoo calls again), or None when another transaction
        is refreshing.

        Only the marks this transaction saw are forgotten: Odoo's repeatable-read
        snapshot neither computes nor deletes those of transactions that commit
        meanwhile, which the next chunk or call takes."""
        budget = CallBudget(seconds or call_seconds(self.env))
        # sudo: the store holds the figures of every company, whoever runs it
        companies = self.env["res.company"].sudo().search([])
        done, first = 0, True
        while True:
            if not self._lock():
                if first:
                    return None
                break  # another worker goes on from here
            first = False
            started = now()
            stale = companies.filtered(
                lambda c: not self._is_fresh(c, self._store_date(c))
            )
            if stale:
                for company in stale:
                    self._store_company(company)
                # every customer's figures are stored: the marks seen are done
                self.env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(DIRTY)))
            else:
                chunk = self._marked_chunk()
                if not chunk:
                    break
                for company in companies:
                    self._store_partners(company, chunk)
                done += len(chunk)
            if not step_done(self.env, budget, started):
                break
        remaining = self._marked_count()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    def _lock(self):
        """Take the refresh's lock for this transaction; False if another has it."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK_KEY])
        return self.env.cr.fetchone()[0]

    def _marked_chunk(self):
        """The next customers marked (not the mark for everyone: the next call
        handles it with a whole refresh)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT partner_id FROM %s WHERE partner_id != %s
                    ORDER BY partner_id LIMIT %s""",
                SQL.identifier(DIRTY),
                EVERYONE,
                REFRESH_CHUNK,
            )
        )
        return [partner_id for (partner_id,) in self.env.cr.fetchall()]

    def _marked_count(self):
        self.env.cr.execute(
            SQL("SELECT COUNT(DISTINCT partner_id) FROM %s", SQL.identifier(DIRTY))
        )
        return self.env.cr.fetchone()[0]

    def _store_company(self, company):
        """Store the figures of every customer of ``company`` for its day."""
        date = self._store_date(company)
        self._forget(company)
        self._store_rows(company, date, SQL("TRUE"))
        # statistics at once, not when autovacuum comes: without them PostgreSQL
        # takes the freshly filled tables for empty and joins them by nested loops
        self.env.cr.execute(
            SQL("ANALYZE %s, %s", SQL.identifier(CUSTOMERS), SQL.identifier(ENTRIES))
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO %(state)s (company_id, date)
                   VALUES (%(company)s, %(date)s)
                   ON CONFLICT (company_id) DO UPDATE SET date = EXCLUDED.date""",
                state=SQL.identifier(STATE),
                company=company.id,
                date=date,
            )
        )

    def _store_partners(self, company, partner_ids):
        """Store again the figures of the customers ``partner_ids`` of
        ``company`` (for the day stored), and forget their marks."""
        date = self._store_date(company)
        self._forget(company, partner_ids)
        self._store_rows(
            company, date, SQL("lp.commercial_partner_id = ANY(%s)", partner_ids)
        )
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE partner_id = ANY(%s)",
                SQL.identifier(DIRTY),
                partner_ids,
            )
        )

    def _forget(self, company, partner_ids=None):
        """Delete the stored rows of ``company``: of ``partner_ids`` only, if given."""
        for table in (CUSTOMERS, ENTRIES):
            self.env.cr.execute(
                SQL(
                    "DELETE FROM %s WHERE company_id = %s AND %s",
                    SQL.identifier(table),
                    company.id,
                    SQL("partner_id = ANY(%s)", partner_ids)
                    if partner_ids is not None
                    else SQL("TRUE"),
                )
            )

    def _store_rows(self, company, date, line_filter):
        """Insert the selection's rows (customers and entries) of ``line_filter``."""
        selection = self.env["account.dunning.selection"]
        for table, key, columns, rows in (
            (
                CUSTOMERS,
                "partner_id",
                CUSTOMER_COLUMNS,
                selection._customers_sql(company, date, line_filter),
            ),
            (
                ENTRIES,
                "move_id",
                ENTRY_COLUMNS,
                self._live_entries_sql(company, date, line_filter),
            ),
        ):
            names = SQL(", ").join(
                SQL.identifier(name) for name in (key, *dict(columns))
            )
            self.env.cr.execute(
                SQL(
                    """INSERT INTO %(store)s (company_id, %(names)s)
                       SELECT %(company)s, %(names)s FROM (%(rows)s) s""",
                    store=SQL.identifier(table),
                    names=names,
                    company=company.id,
                    rows=rows,
                )
            )

    @api.model
    def _cron_refresh(self):
        """The scheduled action: store what changed since the last call (or the
        whole day's figures at the first call of a day)."""
        return self._refresh()
