"""Fees and late interest, without Odoo."""

from datetime import date

from dunning.charges import (
    instalments_interest,
    interest_days,
    late_interest,
    recovery_fee,
)


def test_late_interest_example_of_the_issue():
    # 1,000.00 EUR at 12.15 % a year for 45 days
    assert late_interest(1000, 12.15, 45) == 14.98


def test_late_interest_rounding_and_edges():
    assert late_interest(1234.56, 10.0, 30) == 10.15  # 10.1470...
    assert late_interest(100, 10.0, 73) == 2.0
    assert late_interest(0.05, 10.0, 1) == 0.0
    assert late_interest(1000, 12.15, 45, decimal_places=0) == 15.0
    assert late_interest(1000, 12.15, 45, decimal_places=3) == 14.979
    assert late_interest(-500, 12.15, 45) == 0.0
    assert late_interest(1000, 0, 45) == 0.0
    assert late_interest(1000, 12.15, 0) == 0.0


def test_interest_days_never_charge_twice():
    due = date(2026, 3, 1)
    assert interest_days(due, None, date(2026, 4, 15)) == 45
    assert interest_days(due, date(2026, 3, 31), date(2026, 4, 15)) == 15
    assert interest_days(due, date(2026, 2, 1), date(2026, 3, 11)) == 10
    assert interest_days(due, None, date(2026, 2, 20)) == 0


def test_recovery_fee_once_and_business_only():
    assert recovery_fee(40.0, False, True) == 40.0
    assert recovery_fee(40.0, True, True) == 0.0
    assert recovery_fee(40.0, False, False) == 0.0
    assert recovery_fee(0.0, False, True) == 0.0


def test_instalments_interest_runs_on_each_overdue_instalment_from_its_due_date():
    on = date(2026, 4, 11)
    first, second = date(2026, 1, 1), date(2026, 2, 1)
    # 300 x 10 % x 100 / 365 = 8.219..., alone as late_interest has it
    assert instalments_interest([(first, 300)], 300, 10, None, on) == late_interest(
        300, 10, 100
    )
    # each from its own due date, rounded once: 8.219 + 700 x 10 % x 69 / 365 = 21.45
    assert instalments_interest([(first, 300), (second, 700)], 1000, 10, None, on) == (
        21.45
    )
    # a payment not booked yet (200) pays the oldest instalment first
    assert instalments_interest([(first, 300), (second, 700)], 800, 10, None, on) == (
        15.97
    )
    # charged up to an earlier reminder: from then on only
    assert instalments_interest(
        [(first, 300)], 300, 10, date(2026, 3, 1), on
    ) == late_interest(300, 10, 41)
    assert instalments_interest([(first, 300)], 300, 0, None, on) == 0.0
