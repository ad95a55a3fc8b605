"""The plan step, without Odoo."""

from datetime import date, timedelta

from dunning.plan import Customer, Level, OpenItem, Policy, plan, plan_customer

EMAIL, CALL, FORMAL, MEETING = Level(1, 5), Level(2, 10), Level(3, 15), Level(4, 20)
POLICY = Policy(7, (EMAIL, CALL, FORMAL, MEETING), min_interval_days=5)
DUE = date(2026, 3, 1)


def day(n):
    return DUE + timedelta(days=n)


def invoice(move_id, residual=100.0, due=DUE, current=None):
    return OpenItem(move_id, residual, due, True, current.delay if current else None)


def customer(*items, last=None, blocked=False):
    return Customer(42, POLICY.id, list(items), last, blocked)


def simulate(days, policy=POLICY):
    """Plan one invoice day after day, applying each reminder as the run would:
    [(day, level id, days overdue)] of the reminders made."""
    by_id = {level.id: level for level in policy.levels}
    current, last, sent = None, None, []
    for n in days:
        proposal = plan_customer(
            customer(invoice(1, current=current), last=last), policy, day(n)
        )
        if proposal:
            (raised,) = proposal.raises
            current, last = by_id[raised.level_id], day(n)
            sent.append((n, raised.level_id, raised.days_overdue))
    return sent


def test_schedule_day_by_day_one_level_per_reminder():
    """+5, +10, +15, +20: each reminder raises the invoice one level, once."""
    assert simulate(range(0, 31)) == [(5, 1, 5), (10, 2, 10), (15, 3, 15), (20, 4, 20)]


def test_late_start_climbs_one_level_per_interval_without_skip():
    assert simulate(range(40, 60)) == [
        (40, 1, 40),
        (45, 2, 45),
        (50, 3, 50),
        (55, 4, 55),
    ]


def test_level_skip_goes_straight_to_deserved_level():
    skipping = Policy(7, POLICY.levels, allow_level_skip=True)
    proposal = plan_customer(customer(invoice(1)), skipping, day(17))
    assert proposal.level_id == FORMAL.id
    assert (
        plan_customer(customer(invoice(1, current=FORMAL)), skipping, day(19)) is None
    )


def test_minimum_interval_between_reminders():
    item = invoice(1, current=EMAIL)
    assert plan_customer(customer(item, last=day(8)), POLICY, day(12)) is None
    assert (
        plan_customer(customer(item, last=day(8)), POLICY, day(13)).level_id == CALL.id
    )


def test_one_reminder_per_customer_at_its_highest_level():
    items = [
        invoice(1, 300.0, DUE, current=CALL),  # +15 reached: formal notice
        invoice(2, 200.0, day(10)),  # 6 days late: first reminder
        invoice(3, 50.0, day(20)),  # not due yet: not listed
    ]
    proposal = plan_customer(customer(*items), POLICY, day(16))
    assert proposal.level_id == FORMAL.id
    assert [(r.move_id, r.level_id, r.days_overdue) for r in proposal.raises] == [
        (1, FORMAL.id, 16),
        (2, EMAIL.id, 6),
    ]
    assert proposal.amount_to_claim == 500.0


def test_credits_are_netted_and_never_chased():
    credit = OpenItem(9, -80.0)
    proposal = plan_customer(customer(invoice(1, 100.0), credit), POLICY, day(6))
    assert proposal.amount_to_claim == 20.0
    assert [r.move_id for r in proposal.raises] == [1]
    assert (
        plan_customer(customer(invoice(1, 100.0), OpenItem(9, -100.0)), POLICY, day(6))
        is None
    )


def test_minimum_amount():
    policy = Policy(7, POLICY.levels, minimum_amount=150.0)
    assert plan_customer(customer(invoice(1, 149.99)), policy, day(6)) is None
    assert plan_customer(customer(invoice(1, 150.0)), policy, day(6)) is not None


def test_not_chaseable_blocked_or_without_policy():
    excluded = OpenItem(1, 100.0, DUE, False, None)
    assert plan_customer(customer(excluded), POLICY, day(30)) is None
    assert plan_customer(customer(invoice(1), blocked=True), POLICY, day(30)) is None
    assert plan_customer(customer(invoice(1)), None, day(30)) is None
    assert plan_customer(customer(invoice(1)), Policy(8, ()), day(30)) is None


def test_plan_many_customers_keeps_order_and_skips_none():
    customers = [
        Customer(1, 7, [invoice(10)]),
        Customer(2, 7, [invoice(20, due=day(40))]),
        Customer(3, 7, [invoice(30)]),
    ]
    proposals = plan(customers, {7: POLICY}, day(6))
    assert [p.partner_id for p in proposals] == [1, 3]


def test_policy_ladder_agrees_with_the_level_rules():
    """The per-policy ladder the plan uses gives the level ``level_to_raise`` gives,
    for every current level, lateness and skip setting (levels given unsorted)."""
    from dunning.tests.levels_oracle import level_to_raise

    levels = (FORMAL, Level(5, -3), EMAIL, MEETING, CALL)
    for skip in (False, True):
        policy = Policy(9, levels, allow_level_skip=skip)
        for current in (None, *levels):
            current_delay = current.delay if current else None
            for late in range(-6, 30):
                expected = level_to_raise(
                    levels, current, DUE, day(late), allow_skip=skip
                )
                assert policy.level_to_raise(current_delay, late) == expected, (
                    skip,
                    current,
                    late,
                )
