"""What each figure of a customer means: the one definition, without Odoo.

Every screen that shows a customer's figures (the collection desk and its kanban,
the customer form, the aged receivables, the statement, the portal, the KPIs and
the digest) shows these, under these names. The selection computes them in SQL for
speed (``account.dunning.selection._customers_sql``); a property test holds that SQL,
and every screen, to this code.

Amounts are in company currency. An open entry is a customer's invoice, credit note,
payment or other receivable entry with something left open:

- **residual**: what is open; above zero the customer owes it, below zero it is a
  *credit to apply* (a credit note or a payment not matched with an invoice yet);
- **past due**: of what the customer owes, the instalments whose due date has
  passed (the day itself is not past due), disputed, promised and planned invoices
  included;
- **to claim**: what a reminder made on the day would ask of it: its past-due part
  (or, before its due date, what falls due, for a courtesy level), only for an
  invoice that is chased (not disputed, promised, under a payment plan or
  excluded) and whose next level is due.

Per customer:

- **credits to apply** (``credit``): the credits, as a positive amount;
- **overdue**: what is past due less the credits to apply, never below zero;
- **not due yet**: what the customer owes that is not past due (credits apart);
- **balance**: what is open, credits included (below zero: the customer is in
  credit); never below the overdue amount while something is overdue;
- **to claim**: what is to claim less the credits to apply, never below zero.
"""

from typing import NamedTuple

from .plan import interval_respected


class Entry(NamedTuple):
    """An open entry, as the figures read it (company currency)."""

    residual: float
    past_due: float = 0.0  # of a debit, its instalments past due; 0 for a credit
    to_claim: float = 0.0  # what a reminder made on the day would ask of it


class Position(NamedTuple):
    """A customer's figures (company currency); see the module's docstring."""

    overdue: float
    credit: float
    balance: float
    not_due: float
    past_due: float
    to_claim: float


def position(entries, digits=None):
    """The figures of a customer whose open entries are ``entries`` (``Entry``),
    rounded to ``digits`` decimals when given (the company currency's)."""
    past_due = credit = balance = not_due = to_claim = 0.0
    for entry in entries:
        balance += entry.residual
        if entry.residual < 0:
            credit -= entry.residual
            continue
        past_due += entry.past_due
        not_due += entry.residual - entry.past_due
        to_claim += entry.to_claim
    figures = Position(
        overdue=max(past_due - credit, 0.0),
        credit=credit,
        balance=balance,
        not_due=not_due,
        past_due=past_due,
        to_claim=max(to_claim - credit, 0.0),
    )
    if digits is None:
        return figures
    return Position(*(_round(value, digits) for value in figures))


def _round(value, digits):
    rounded = round(value, digits)
    return rounded + 0.0  # never -0.0


def credits_applied(past_dues, credit):
    """Per debit of ``past_dues`` (their past-due parts, the oldest first), what is
    left overdue once ``credit`` is set against them, the oldest first: the rows of
    the aged receivables add up to the customer's overdue amount."""
    left = []
    remaining = max(credit, 0.0)
    for amount in past_dues:
        applied = min(amount, remaining)
        remaining -= applied
        left.append(amount - applied)
    return left


def kind(residual, past_due):
    """How a statement or the portal lists an open entry: ``credit`` (a credit to
    apply), ``overdue`` (something of it is past due) or ``not_due``."""
    if residual < 0:
        return "credit"
    return "overdue" if past_due > 0 else "not_due"


# ----------------------------------------------------------------------------------
# The reference: the figures from the ledger itself, for the property tests
# ----------------------------------------------------------------------------------
class Line(NamedTuple):
    """A receivable line of an entry: its due date (its date when it has none) and
    what is open of it, signed (company currency)."""

    due: object
    open: float


class LedgerEntry(NamedTuple):
    """An entry of a customer's ledger, as the accounting records it.

    ``unbooked``: what payments registered without a journal entry pay of it (see
    ``unbooked_payments``); ``chased``: an invoice the daily run may remind (not
    disputed, promised, under a plan or excluded, nor its customer); ``level_delay``:
    the delay of the level it reached (None: none yet)."""

    lines: tuple
    unbooked: float = 0.0
    chased: bool = False
    level_delay: int | None = None


def unbooked_payments(payments, invoices):
    """What payments registered without a journal entry pay of each invoice.

    ``payments``: pairs (amount, keys of the invoices it pays); ``invoices``: per
    key, (its earliest unpaid due date, what is open of it). Each payment pays its
    invoices the earliest due first, each up to what is open; an invoice is never
    paid more than what is open. Returns {key: amount paid}."""
    paid = {}
    for amount, keys in payments:
        left = max(amount, 0.0)
        for key in sorted(keys, key=lambda key: (invoices[key][0], key)):
            open_amount = invoices[key][1]
            if open_amount <= 0:
                continue
            part = min(open_amount, left)
            if part > 0:
                paid[key] = paid.get(key, 0.0) + part
            left -= part
    return {key: min(amount, invoices[key][1]) for key, amount in paid.items()}


def entry_of(ledger_entry, on_date, policy=None, last_reminder_date=None, digits=2):
    """The ``Entry`` of ``ledger_entry`` on ``on_date`` (amounts rounded to
    ``digits`` decimals), and its due date as the statement tells it (None:
    nothing open). ``policy``: the customer's ``dunning.plan.Policy`` (None: no
    policy, nothing to claim)."""
    lines = [line for line in ledger_entry.lines if line.open]
    if not lines:
        return None, None
    debits = sorted((line for line in lines if line.open > 0), key=lambda x: x.due)
    inner_credit = -sum(line.open for line in lines if line.open < 0)
    # payments without an entry and the entry's own credit lines pay its debit
    # instalments, the oldest first
    applied = ledger_entry.unbooked + inner_credit
    residual = _round(sum(line.open for line in lines) - ledger_entry.unbooked, digits)
    if residual == 0:
        return None, None
    past_due_gross = sum(line.open for line in debits if line.due < on_date)
    past_due = _round(max(past_due_gross - applied, 0.0), digits)
    if residual < 0:
        return Entry(residual), min(line.due for line in lines)
    if past_due > 0:
        due = debits[0].due
    else:
        due = min(line.due for line in debits if line.due >= on_date)
    to_claim = 0.0
    if ledger_entry.chased and policy is not None:
        following = policy.next_level(ledger_entry.level_delay)
        if (
            following is not None
            and (on_date - due).days >= following.delay
            and interval_respected(
                last_reminder_date, on_date, policy.min_interval_days
            )
        ):
            to_claim = past_due or residual
    return Entry(residual, past_due, to_claim), due


def reference(ledger, on_date, policy=None, last_reminder_date=None, digits=2):
    """The ``Position`` of a customer whose ledger is ``ledger`` (``LedgerEntry``)
    on ``on_date``, computed from the ledger alone."""
    entries = [
        entry
        for entry, __ in (
            entry_of(item, on_date, policy, last_reminder_date, digits)
            for item in ledger
        )
        if entry is not None
    ]
    return position(entries, digits)


__all__ = [
    "Entry",
    "LedgerEntry",
    "Line",
    "Position",
    "credits_applied",
    "entry_of",
    "kind",
    "position",
    "reference",
    "unbooked_payments",
]
