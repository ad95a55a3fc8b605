# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Contention with the other transactions of the database, for the scheduled
actions: what it looks like when it surfaces (however wrapped), how long a statement
may wait for a lock, and how to take only the rows that can be locked now.

An accountant's open edit holds its rows until it is saved; a scheduled action that
waits for them holds its own call, then fails (Odoo's repeatable read: "could not
serialize access"). The actions wait for nothing: they take the rows free now, leave
the others to their next call, and stop a statement that waits longer than a short
``lock_timeout`` (a row nobody expected to be held).
"""

import logging
import threading
from contextlib import contextmanager

from psycopg2 import errors as pg_errors
from psycopg2.extensions import TRANSACTION_STATUS_INERROR

from odoo.tools import SQL

# How long a statement of a batch may wait for a lock that another transaction
# holds, in milliseconds: the rows a batch writes are locked beforehand without
# waiting (see ``lock_free_rows``), so this bounds only the unexpected ones.
BATCH_LOCK_TIMEOUT_MS = 1000

# PostgreSQL's answers to contention: a serialization failure or a deadlock (both
# TransactionRollbackError), a lock not available at once (NOWAIT) or in time
# (lock_timeout).
CONTENTION_ERRORS = (pg_errors.TransactionRollbackError, pg_errors.LockNotAvailable)


def contention_of(error):
    """The database's contention error behind ``error``, or None: raised as such,
    or wrapped on its way up (QWeb's "Error while render the template", mail's
    "Failed to render QWeb template", any ``raise ... from``)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, CONTENTION_ERRORS):
            return error
        error = error.__cause__ or error.__context__
    return None


def unique_violation_of(error):
    """The unique violation behind ``error`` (another transaction committed the same
    key meanwhile), or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, pg_errors.UniqueViolation):
            return error
        error = error.__cause__ or error.__context__
    return None


@contextmanager
def lock_timeout(cr, milliseconds):
    """Statements of the block wait at most ``milliseconds`` for a lock (then fail
    with LockNotAvailable); the previous setting is restored after the block."""
    cr.execute("SELECT current_setting('lock_timeout')")
    before = cr.fetchone()[0]
    cr.execute(
        SQL("SELECT set_config('lock_timeout', %s, true)", f"{int(milliseconds)}ms")
    )
    try:
        yield
    finally:
        # a failed statement aborts the transaction until its savepoint is rolled
        # back: restored by the caller's rollback then (SET is transactional)
        if cr._cnx.get_transaction_status() != TRANSACTION_STATUS_INERROR:
            cr.execute(SQL("SELECT set_config('lock_timeout', %s, true)", before))


def lock_free_rows(cr, table, ids):
    """Lock the rows ``ids`` of ``table`` that no other transaction holds, as an
    update of them would (FOR NO KEY UPDATE), without waiting; return the ids
    locked. A row another transaction changed since this one began raises
    SerializationFailure (repeatable read), as the update itself would."""
    if not ids:
        return set()
    cr.execute(
        SQL(
            "SELECT id FROM %s WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED",
            SQL.identifier(table),
            sorted(ids),
        )
    )
    return {row[0] for row in cr.fetchall()}


class _ContentionFilter(logging.Filter):
    """Drops the database layer's "bad query" lines of the thread that expects
    contention (see ``contention_expected``): thread by thread, unlike mute_logger,
    which swaps the logger's handlers for every thread at once."""

    expected = threading.local()

    def filter(self, record):
        return not getattr(self.expected, "active", False)


_CONTENTION_FILTER = _ContentionFilter()
logging.getLogger("odoo.sql_db").addFilter(_CONTENTION_FILTER)


@contextmanager
def contention_expected():
    """A block whose conflicts with another worker are handled by the caller: the
    query that meets one is not logged as an error."""
    before = getattr(_CONTENTION_FILTER.expected, "active", False)
    _CONTENTION_FILTER.expected.active = True
    try:
        yield
    finally:
        _CONTENTION_FILTER.expected.active = before
