"""The level rules, without Odoo."""

from collections import namedtuple
from datetime import date

import pytest

from dunning.plan import Level as PlanLevel
from dunning.plan import Policy, duplicate_delays, interval_respected
from dunning.tests.levels_oracle import (
    days_overdue,
    deserved_level,
    level_to_raise,
    next_level,
)

Level = namedtuple("Level", "name delay")

# The schedule our users know, given out of order on purpose.
LEVELS = [
    Level("formal", 15),
    Level("email", 5),
    Level("plan", 20),
    Level("call", 10),
]
EMAIL, CALL, FORMAL, PLAN = (
    LEVELS[1],
    LEVELS[3],
    LEVELS[0],
    LEVELS[2],
)
DUE = date(2026, 3, 1)


def on(days):
    return date.fromordinal(DUE.toordinal() + days)


def test_days_overdue_counts_whole_days_and_is_negative_before_due():
    assert days_overdue(DUE, on(0)) == 0
    assert days_overdue(DUE, on(17)) == 17
    assert days_overdue(DUE, on(-3)) == -3
    assert days_overdue(date(2026, 2, 28), date(2026, 3, 1)) == 1


@pytest.mark.parametrize(
    "days, expected",
    [
        (-10, None),
        (4, None),
        (5, EMAIL),
        (9, EMAIL),
        (10, CALL),
        (19, FORMAL),
        (90, PLAN),
    ],
)
def test_deserved_level_is_highest_reached(days, expected):
    assert deserved_level(LEVELS, days) == expected


def test_next_level_climbs_in_delay_order_and_stops_at_top():
    assert next_level(LEVELS) == EMAIL
    assert next_level(LEVELS, EMAIL) == CALL
    assert next_level(LEVELS, CALL) == FORMAL
    assert next_level(LEVELS, PLAN) is None
    assert next_level([], None) is None


def test_pre_due_level_with_negative_delay():
    levels = LEVELS + [Level("courtesy", -3)]
    assert next_level(levels).name == "courtesy"
    assert level_to_raise(levels, None, DUE, on(-4)) is None
    assert level_to_raise(levels, None, DUE, on(-3)).name == "courtesy"


def test_without_skip_an_invoice_climbs_one_level_per_reminder():
    # 30 days late, never reminded: only the first level is raised.
    assert level_to_raise(LEVELS, None, DUE, on(30)) == EMAIL
    assert level_to_raise(LEVELS, EMAIL, DUE, on(30)) == CALL


def test_with_skip_an_invoice_goes_to_the_level_it_deserves():
    assert level_to_raise(LEVELS, None, DUE, on(30), allow_skip=True) == PLAN
    assert level_to_raise(LEVELS, EMAIL, DUE, on(12), allow_skip=True) == CALL


def test_nothing_is_raised_before_the_next_delay():
    assert level_to_raise(LEVELS, None, DUE, on(4)) is None
    assert level_to_raise(LEVELS, EMAIL, DUE, on(9)) is None
    assert level_to_raise(LEVELS, PLAN, DUE, on(400)) is None


def test_minimum_interval_between_two_reminders():
    kwargs = {"last_reminder_date": on(8), "min_interval_days": 5}
    assert level_to_raise(LEVELS, EMAIL, DUE, on(12), **kwargs) is None
    assert level_to_raise(LEVELS, EMAIL, DUE, on(13), **kwargs) == CALL
    assert interval_respected(None, on(0), 5)
    assert not interval_respected(on(0), on(4), 5)
    assert interval_respected(on(0), on(5), 5)


def test_duplicate_delays():
    assert duplicate_delays([5, 10, 15]) == []
    assert duplicate_delays([5, 10, 5, -3, 10, 5]) == [5, 10]


def test_the_ladder_agrees_with_the_oracle_everywhere():
    """The addon's one ladder (``dunning.plan.Policy``) against the reference, over
    every combination of delays, level reached, days late and skip setting."""
    schedules = [(5,), (-3, 5, 15), (0, 10, 20, 45), (-7, 1, 2, 3, 30, 90)]
    checked = 0
    for delays in schedules:
        levels = [PlanLevel(index + 1, delay) for index, delay in enumerate(delays)]
        for allow_skip in (False, True):
            policy = Policy(1, tuple(reversed(levels)), allow_level_skip=allow_skip)
            for current in [None, *levels]:
                current_delay = current.delay if current else None
                for days_late in range(-10, 100):
                    expected = level_to_raise(
                        levels,
                        current,
                        DUE,
                        on(days_late),
                        allow_skip=allow_skip,
                    )
                    got = policy.level_to_raise(current_delay, days_late)
                    assert got == expected, (delays, allow_skip, current, days_late)
                    checked += 1
    assert checked == 2 * 110 * sum(len(s) + 1 for s in schedules)
