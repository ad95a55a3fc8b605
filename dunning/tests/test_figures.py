"""The customer's figures, one definition, without Odoo: examples from the screens
that once disagreed, and properties over many generated ledgers (seeded)."""

import random
from datetime import date, timedelta

from dunning.figures import (
    Entry,
    LedgerEntry,
    Line,
    credits_applied,
    entry_of,
    kind,
    position,
    reference,
    unbooked_payments,
)
from dunning.plan import Level, Policy

TODAY = date(2026, 11, 30)
POLICY = Policy(1, (Level(1, -3), Level(2, 5), Level(3, 10), Level(4, 20)))


def day(offset):
    return TODAY + timedelta(days=offset)


def test_a_disputed_invoice_is_overdue_but_not_claimed():
    """Granite Hardware: 720 claimable and a disputed 4,100, both past due."""
    figures = position(
        [Entry(720.0, 720.0, to_claim=720.0), Entry(4100.0, 4100.0)], digits=2
    )
    assert figures.overdue == 4820.0
    assert figures.to_claim == 720.0
    assert figures.balance == 4820.0


def test_credits_above_what_is_past_due_leave_nothing_overdue():
    """Deco Addict: 34,250 past due, 40,000 of credits, 5,750 not due yet."""
    figures = position(
        [Entry(34250.0, 34250.0), Entry(5750.0, 0.0), Entry(-40000.0)], digits=2
    )
    assert figures == (0.0, 40000.0, 0.0, 5750.0, 34250.0, 0.0)
    assert kind(-40000.0, 0.0) == "credit"


def test_credits_are_set_against_the_oldest_past_due_first():
    assert credits_applied([100.0, 50.0, 30.0], 120.0) == [0.0, 30.0, 30.0]
    assert credits_applied([100.0], 0.0) == [100.0]
    assert credits_applied([10.0, 0.0], 500.0) == [0.0, 0.0]


def test_instalments_only_what_is_due_is_past_due():
    invoice = LedgerEntry((Line(day(-12), 300.0), Line(day(18), 700.0)), chased=True)
    entry, due = entry_of(invoice, TODAY, POLICY)
    # the first level at -3 days is due: what is past due is claimed
    assert entry == Entry(1000.0, 300.0, 300.0)
    assert due == day(-12)
    # due today is not past due yet
    entry, due = entry_of(LedgerEntry((Line(TODAY, 80.0),)), TODAY)
    assert entry == Entry(80.0, 0.0, 0.0)
    assert due == TODAY


def test_paid_without_an_entry_the_next_instalment_is_the_due_date():
    invoice = LedgerEntry(
        (Line(day(-12), 300.0), Line(day(18), 700.0)), unbooked=300.0, chased=True
    )
    entry, due = entry_of(invoice, TODAY, POLICY)
    assert entry.residual == 700.0
    assert entry.past_due == 0.0
    assert due == day(18)  # never a past date on what is not past due
    # 21 days before the due date: no level is due, nothing to claim
    assert entry.to_claim == 0.0


def test_an_entry_with_its_own_credit_line():
    # a misc entry: 1,000 past due and 300 credited on the same entry
    entry, __ = entry_of(
        LedgerEntry((Line(day(-40), 1000.0), Line(day(-5), -300.0))), TODAY
    )
    assert entry == Entry(700.0, 700.0, 0.0)
    entry, due = entry_of(
        LedgerEntry((Line(day(-40), 200.0), Line(day(-5), -300.0))), TODAY
    )
    assert entry == Entry(-100.0, 0.0, 0.0)
    assert due == day(-40)


def test_unbooked_payments_pay_the_earliest_due_first_up_to_what_is_open():
    invoices = {1: (day(-10), 500.0), 2: (day(-30), 200.0), 3: (day(5), 100.0)}
    assert unbooked_payments([(650.0, [1, 2, 3])], invoices) == {2: 200.0, 1: 450.0}
    # two payments on one invoice: never more than what is open
    assert unbooked_payments([(400.0, [2]), (100.0, [2])], invoices) == {2: 200.0}


def test_no_level_due_or_interval_not_over_nothing_to_claim():
    invoice = LedgerEntry((Line(day(-4), 100.0),), chased=True, level_delay=-3)
    entry, __ = entry_of(invoice, TODAY, POLICY)
    assert entry.to_claim == 0.0  # next level at 5 days
    invoice = LedgerEntry((Line(day(-30), 100.0),), chased=True)
    entry, __ = entry_of(invoice, TODAY, POLICY, last_reminder_date=day(-1))
    assert entry.to_claim == 100.0  # the policy has no interval: claimed
    interval = Policy(1, POLICY.levels, min_interval_days=7)
    entry, __ = entry_of(invoice, TODAY, interval, last_reminder_date=day(-1))
    assert entry.to_claim == 0.0
    entry, __ = entry_of(invoice, TODAY, interval, last_reminder_date=day(-7))
    assert entry.to_claim == 100.0


def _ledger(rng):
    ledger = []
    for __ in range(rng.randint(0, 6)):
        if rng.random() < 0.25:  # a credit note or a payment
            ledger.append(
                LedgerEntry(
                    (Line(day(rng.randint(-90, 0)), -rng.randint(1, 900) * 1.0),)
                )
            )
            continue
        lines = tuple(
            Line(day(rng.randint(-150, 60)), rng.randint(1, 90000) / 100)
            for __ in range(rng.randint(1, 3))
        )
        total = sum(line.open for line in lines)
        ledger.append(
            LedgerEntry(
                lines,
                unbooked=round(rng.choice([0, 0, 0, rng.uniform(0, total)]), 2),
                chased=rng.random() < 0.6,
                level_delay=rng.choice([None, None, -3, 5, 10, 20]),
            )
        )
    return ledger


def test_properties_over_generated_ledgers():
    rng = random.Random(2026)
    for __ in range(3000):
        ledger = _ledger(rng)
        last = rng.choice([None, day(-rng.randint(0, 30))])
        figures = reference(ledger, TODAY, POLICY, last)
        assert figures.overdue >= 0 and figures.to_claim >= 0
        assert figures.overdue <= figures.past_due
        assert figures.to_claim <= figures.past_due + figures.not_due + 1e-9
        # the balance is never below what is overdue
        if figures.overdue > 0:
            assert figures.balance >= figures.overdue
            assert round(figures.balance - figures.overdue, 2) == round(
                figures.not_due, 2
            )
        assert round(figures.past_due + figures.not_due - figures.credit, 2) == round(
            figures.balance, 2
        )
        entries = [entry_of(item, TODAY, POLICY, last) for item in ledger]
        for entry, due in entries:
            if entry is None:
                continue
            # an entry whose due date has passed is never "not due yet"
            if entry.residual > 0:
                assert (due < TODAY) == (
                    kind(entry.residual, entry.past_due) == "overdue"
                )
                assert 0 <= entry.past_due <= entry.residual
        past_dues = [
            e.past_due for e, __ in entries if e is not None and e.residual > 0
        ]
        left = credits_applied(past_dues, figures.credit)
        assert all(
            0 <= amount <= past for amount, past in zip(left, past_dues, strict=True)
        )
        assert round(sum(left), 2) == figures.overdue
