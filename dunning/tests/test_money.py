"""Money helpers, without Odoo."""

from dunning.money import round_amount, totals_per_currency


def test_round_half_up_to_currency_decimals():
    assert round_amount(14.975, 2) == 14.98
    assert round_amount(2.675, 2) == 2.68  # binary float would give 2.67
    assert round_amount(1234.5, 0) == 1235
    assert round_amount(-0.125, 2) == -0.13


def test_totals_are_kept_per_currency_and_rounded():
    totals = totals_per_currency(
        [("EUR", 100.10), ("USD", 50.0), ("EUR", 0.2), ("JPY", 1000.4), ("JPY", 0.2)],
        {"EUR": 2, "USD": 2, "JPY": 0},
    )
    assert totals == {"EUR": 100.30, "USD": 50.0, "JPY": 1001}
    assert list(totals) == ["EUR", "USD", "JPY"]
