"""A reminder sent by hand follows the daily run's rules (``propose_manual``)."""

from datetime import date, timedelta

from dunning.plan import (
    ALL_LEFT_OUT,
    CREDIT_COVERS,
    NO_LEVEL,
    NOTHING_OPEN,
    Customer,
    Level,
    OpenItem,
    Policy,
    plan_customer,
    propose_manual,
)

EMAIL, CALL, FORMAL = Level(1, 5), Level(2, 10), Level(3, 15)
POLICY = Policy(7, (EMAIL, CALL, FORMAL), min_interval_days=5)
DUE = date(2026, 3, 1)


def day(n):
    return DUE + timedelta(days=n)


def invoice(move_id, residual=100.0, due=DUE, current=None, reason=None):
    return OpenItem(
        move_id,
        residual,
        due,
        reason is None,
        current.delay if current else None,
        None,
        reason,
    )


def customer(*items, last=None):
    return Customer(42, POLICY.id, list(items), last)


def test_proposes_the_overdue_invoices_at_the_level_the_run_would_raise():
    proposal = propose_manual(
        customer(invoice(1), invoice(2, due=day(20))), POLICY, day(11)
    )
    assert proposal.blocked is None
    assert [r.move_id for r in proposal.raises] == [1]
    assert proposal.level_id == EMAIL.id  # one level per reminder, as the run
    assert proposal.amount_to_claim == 100.0


def test_same_level_as_the_daily_run_when_one_is_due():
    for n in (5, 9, 12, 30):
        for current in (None, EMAIL, CALL):
            item = invoice(1, current=current)
            run = plan_customer(customer(item), POLICY, day(n))
            manual = propose_manual(customer(item), POLICY, day(n))
            if run is not None:
                assert manual.level_id == run.level_id, (n, current)


def test_before_any_level_is_due_the_first_level_or_the_one_reached():
    assert propose_manual(customer(invoice(1)), POLICY, day(2)).level_id == EMAIL.id
    reached = customer(invoice(1, current=CALL))
    assert propose_manual(reached, POLICY, day(12)).level_id == CALL.id
    top = customer(invoice(1, current=FORMAL))
    assert propose_manual(top, POLICY, day(40)).level_id == FORMAL.id


def test_not_due_yet_proposed_only_when_nothing_is_overdue():
    proposal = propose_manual(customer(invoice(1, due=day(20))), POLICY, day(3))
    assert [r.move_id for r in proposal.raises] == [1]


def test_invoices_not_chased_are_left_out_whichever_door():
    items = (invoice(1, reason="dispute"), invoice(2, reason="promise"), invoice(3))
    for chosen in (None, {1, 2, 3}):
        proposal = propose_manual(customer(*items), POLICY, day(12), chosen)
        assert [r.move_id for r in proposal.raises] == [3]
        assert proposal.left_out == ((1, "dispute"), (2, "promise"))


def test_chosen_invoices_all_left_out():
    items = (invoice(1, reason="plan"), invoice(2))
    proposal = propose_manual(customer(*items), POLICY, day(12), {1})
    assert proposal.blocked == ALL_LEFT_OUT
    assert proposal.left_out == ((1, "plan"),)
    assert not proposal.raises


def test_credits_covering_the_claim_send_nothing():
    items = (invoice(1, 100.0), OpenItem(9, -100.0, None, False, None, None, "credit"))
    proposal = propose_manual(customer(*items), POLICY, day(12))
    assert proposal.blocked == CREDIT_COVERS
    partly = (invoice(1, 100.0), OpenItem(9, -40.0, None, False, None, None, "credit"))
    assert propose_manual(customer(*partly), POLICY, day(12)).amount_to_claim == 60.0


def test_nothing_open_and_no_level():
    assert propose_manual(customer(), POLICY, day(12)).blocked == NOTHING_OPEN
    credit_only = customer(OpenItem(9, -10.0, None, False, None, None, "credit"))
    assert propose_manual(credit_only, POLICY, day(12)).blocked == NOTHING_OPEN
    empty = Policy(8, ())
    assert propose_manual(customer(invoice(1)), empty, day(12)).blocked == NO_LEVEL


def test_minimum_interval_reported_as_the_run_applies_it():
    item = invoice(1, current=EMAIL)
    assert propose_manual(customer(item, last=day(8)), POLICY, day(12)).within_interval
    assert not propose_manual(
        customer(item, last=day(7)), POLICY, day(12)
    ).within_interval
    assert plan_customer(customer(item, last=day(8)), POLICY, day(12)) is None
