"""Payment plan instalments, without Odoo."""

from datetime import date

import pytest

from dunning.instalments import allocate_paid, instalment_dates, split_amount


def test_split_adds_up_exactly():
    assert split_amount(1000, 3) == [333.33, 333.33, 333.34]
    assert split_amount(100, 4) == [25.0, 25.0, 25.0, 25.0]
    assert split_amount(0.05, 2) == [0.02, 0.03]
    assert split_amount(1000, 3, decimal_places=0) == [333.0, 333.0, 334.0]
    assert sum(split_amount(1234.57, 7)) == pytest.approx(1234.57)
    with pytest.raises(ValueError):
        split_amount(100, 0)


def test_dates_monthly_keep_the_day_or_the_month_end():
    assert instalment_dates(date(2026, 1, 31), 3, "monthly") == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert instalment_dates(date(2026, 11, 15), 3, "monthly")[-1] == date(2027, 1, 15)
    assert instalment_dates(date(2026, 3, 2), 3, "weekly") == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    assert instalment_dates(date(2026, 3, 2), 2, "biweekly")[1] == date(2026, 3, 16)
    with pytest.raises(ValueError):
        instalment_dates(date(2026, 3, 2), 2, "daily")


def test_payments_cover_the_oldest_instalments_first():
    assert allocate_paid([300, 300, 400], 450) == [300.0, 150.0, 0.0]
    assert allocate_paid([300, 300, 400], 0) == [0.0, 0.0, 0.0]
    assert allocate_paid([300, 300, 400], 2000) == [300.0, 300.0, 400.0]
