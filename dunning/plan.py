"""Plan step of the dunning pipeline: which reminders to make, from open items.

Plain data in, plain data out: the ORM selects (one grouped query) and creates; this
module decides. One reminder per customer, listing every invoice raised to a new level;
the reminder's level is the highest one raised; each invoice keeps its own level.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

from .levels import days_overdue, level_to_raise


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


class OpenItem(NamedTuple):
    """An entry with an open receivable balance; ``residual`` in company currency.

    A named tuple: the daily run builds one per open entry, tens of thousands."""

    move_id: int
    residual: float
    due: object = None  # date of the earliest unpaid instalment, None for credits
    chaseable: bool = False
    current_delay: int | None = None  # delay of the level reached so far, None if none


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
    raises, claimed = [], 0.0
    for item in customer.items:
        if not item.chaseable or item.due is None or item.residual <= 0:
            continue
        current = (
            Level(0, item.current_delay) if item.current_delay is not None else None
        )
        level = level_to_raise(
            policy.levels,
            current,
            item.due,
            on_date,
            allow_skip=policy.allow_level_skip,
            last_reminder_date=customer.last_reminder_date,
            min_interval_days=policy.min_interval_days,
        )
        if level is not None:
            raises.append(
                Raise(item.move_id, level.id, days_overdue(item.due, on_date))
            )
            claimed += item.residual
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
