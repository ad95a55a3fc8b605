"""Plan step of the dunning pipeline: which reminders to make, from open items.

Plain data in, plain data out: the ORM selects (one grouped query) and creates; this
module decides. One reminder per customer, listing every invoice raised to a new level;
the reminder's level is the highest one raised; each invoice keeps its own level.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple


def interval_respected(last_reminder_date, on_date, min_interval_days):
    """No two reminders to one customer closer than ``min_interval_days``."""
    if not last_reminder_date:
        return True
    return (on_date - last_reminder_date).days >= (min_interval_days or 0)


def duplicate_delays(delays):
    """The delays that appear more than once, sorted: a policy must have none."""
    seen, duplicates = set(), set()
    for delay in delays:
        (duplicates if delay in seen else seen).add(delay)
    return sorted(duplicates)


@dataclass(frozen=True)
class Level:
    id: int
    delay: int


@dataclass(frozen=True)
class Policy:
    id: int
    levels: tuple  # of Level, active ones only
    minimum_amount: float = 0.0
    min_interval_days: int = 0
    allow_level_skip: bool = False

    @cached_property
    def ladder(self):
        """The levels sorted by delay, and their delays: sorted once per policy, not
        once per invoice."""
        levels = tuple(sorted(self.levels, key=lambda level: level.delay))
        return levels, [level.delay for level in levels]

    def next_level(self, current_delay):
        """The first level above ``current_delay`` (None: no level yet), or None."""
        levels, delays = self.ladder
        index = 0 if current_delay is None else bisect_right(delays, current_delay)
        return levels[index] if index < len(levels) else None

    def deserved_level(self, days_late):
        """The highest level whose delay is at most ``days_late``, or None."""
        levels, delays = self.ladder
        index = bisect_right(delays, days_late)
        return levels[index - 1] if index else None

    def level_to_raise(self, current_delay, days_late):
        """The level an invoice that reached ``current_delay`` (None: no level yet)
        is raised to when ``days_late`` days late, or None: without level skip it
        climbs one level per reminder, with it it goes straight to the level it
        deserves. The customer's interval is checked by the caller."""
        candidate = self.next_level(current_delay)
        if candidate is None or days_late < candidate.delay:
            return None
        if self.allow_level_skip:
            return self.deserved_level(days_late)
        return candidate


class OpenItem(NamedTuple):
    """An entry with an open receivable balance; ``residual`` in company currency.

    A named tuple: the daily run builds one per open entry, tens of thousands."""

    move_id: int
    residual: float
    due: object = None  # date of the earliest unpaid instalment, None for credits
    chaseable: bool = False
    current_delay: int | None = None  # delay of the level reached so far, None if none
    # what is overdue of it (its instalments due before the run's date); None: all
    overdue: float | None = None
    reason: str | None = None  # why it is not chased (see the selection), if not


@dataclass
class Customer:
    partner_id: int
    policy_id: int | None
    items: list = field(default_factory=list)
    last_reminder_date: object = None
    blocked: bool = False  # a draft awaits review, or a reminder was made on this date


class Raise(NamedTuple):
    move_id: int
    level_id: int
    days_overdue: int


@dataclass(frozen=True)
class Proposal:
    partner_id: int
    policy_id: int
    level_id: int
    amount_to_claim: float
    raises: tuple  # of Raise


def plan_customer(customer, policy, on_date):
    """The reminder to make for ``customer`` on ``on_date``, or None."""
    if customer.blocked or policy is None or not policy.levels:
        return None
    if not interval_respected(
        customer.last_reminder_date, on_date, policy.min_interval_days
    ):
        return None
    raises, claimed = [], 0.0
    for item in customer.items:
        if not item.chaseable or item.due is None or item.residual <= 0:
            continue
        days_late = (on_date - item.due).days
        level = policy.level_to_raise(item.current_delay, days_late)
        if level is not None:
            raises.append(Raise(item.move_id, level.id, days_late))
            # the overdue part; before the due date (courtesy), what falls due
            claimed += item.overdue or item.residual
    if not raises:
        return None
    # Unapplied credit notes and payments are netted: never claim what is not owed.
    claimed += sum(item.residual for item in customer.items if item.residual < 0)
    if claimed <= 0 or claimed < policy.minimum_amount:
        return None
    delays = {level.id: level.delay for level in policy.levels}
    top = max(raises, key=lambda r: delays[r.level_id])
    return Proposal(
        customer.partner_id, policy.id, top.level_id, claimed, tuple(raises)
    )


def plan(customers, policies, on_date):
    """Proposals for every customer, in the order given; ``policies`` by id."""
    proposals = []
    for customer in customers:
        proposal = plan_customer(customer, policies.get(customer.policy_id), on_date)
        if proposal is not None:
            proposals.append(proposal)
    return proposals


# ---------------------------------------------------------------------------
# A reminder sent by hand (the Send reminder wizard, on invoices or customers)
# ---------------------------------------------------------------------------
# Why a customer gets no reminder by hand, whatever the invoices chosen.
NOTHING_OPEN = "nothing_open"  # no open invoice to remind
CREDIT_COVERS = "credit_covers"  # its credits cover all that would be claimed
ALL_LEFT_OUT = "all_left_out"  # every invoice is excluded (see ``left_out``)
NO_LEVEL = "no_level"  # its policy has no active level


class Manual(NamedTuple):
    """What a reminder sent by hand would carry for one customer (see
    ``propose_manual``)."""

    level_id: int | None
    raises: tuple  # of Raise: the invoices reminded, each with its own level
    left_out: tuple  # of (move id, chase reason): chosen but not to be reminded
    amount_to_claim: float
    blocked: str | None  # NOTHING_OPEN, CREDIT_COVERS, ALL_LEFT_OUT, NO_LEVEL or None
    within_interval: bool  # reminded more recently than the policy's interval
    decisive: Raise | None  # the invoice whose level the reminder takes


def manual_level(policy, current_delay, days_late):
    """The level a reminder sent by hand gives an invoice: the level the daily run
    would raise it to; when none is due yet, its level again (the first if it has
    none); at the top, the top."""
    raised = policy.level_to_raise(current_delay, days_late)
    if raised is not None:
        return raised
    levels, __ = policy.ladder
    if policy.next_level(current_delay) is None:
        return levels[-1]
    same = [level for level in levels if level.delay == current_delay]
    return same[0] if same else levels[0]


def propose_manual(customer, policy, on_date, chosen=None):
    """The reminder a user may send ``customer`` by hand on ``on_date``.

    ``chosen``: the move ids the user picked (None: the door proposes). The same
    rules as the daily run: an invoice not chased (its ``chaseable`` is False:
    excluded, disputed, promised, under a plan, in collection) is left out with its
    reason, whichever door it came through; credits are netted and nothing is sent
    when they cover the claim; the minimum interval is reported. Proposed without a
    choice: the overdue invoices that are chased, else those not due yet. The
    customer's ``blocked`` (a draft awaits review) is the door's to handle: a user
    may send although the daily run would wait."""
    debits = [
        item
        for item in customer.items
        # an entry that is not an invoice (reason "credit") is never reminded
        if item.residual > 0
        and item.due is not None
        and item.reason != "credit"
        and (chosen is None or item.move_id in chosen)
    ]
    left_out = tuple(
        (item.move_id, item.reason or "excluded_invoice")
        for item in debits
        if not item.chaseable
    )
    chased = [item for item in debits if item.chaseable]
    if chosen is None:
        overdue = [item for item in chased if item.due < on_date]
        chased = overdue or chased
    within = not interval_respected(
        customer.last_reminder_date, on_date, policy.min_interval_days if policy else 0
    )

    def refused(why):
        return Manual(None, (), left_out, 0.0, why, within, None)

    if not debits:
        return refused(NOTHING_OPEN)
    if not chased:
        return refused(ALL_LEFT_OUT)
    if policy is None or not policy.levels:
        return refused(NO_LEVEL)
    raises = []
    for item in chased:
        days_late = (on_date - item.due).days
        level = manual_level(policy, item.current_delay, days_late)
        raises.append(Raise(item.move_id, level.id, days_late))
    claimed = sum(item.overdue or item.residual for item in chased)
    # unapplied credit notes and payments are netted: never claim what is not owed
    claimed += sum(item.residual for item in customer.items if item.residual < 0)
    if claimed <= 0:
        return refused(CREDIT_COVERS)
    delays = {level.id: level.delay for level in policy.levels}
    top = max(raises, key=lambda r: (delays[r.level_id], r.days_overdue))
    return Manual(top.level_id, tuple(raises), left_out, claimed, None, within, top)
