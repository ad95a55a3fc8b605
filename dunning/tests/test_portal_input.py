from datetime import date
from decimal import Decimal

import pytest

from dunning.portal_input import parse_amount, parse_date, plausible_token


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", Decimal("1200")),
        ("1200.5", Decimal("1200.5")),
        ("1 200,50", Decimal("1200.50")),
        ("1\u202f200,50", Decimal("1200.50")),
        (" 0.01 ", Decimal("0.01")),
    ],
)
def test_amounts_read_as_typed(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "abc",
        "-5",
        "0",
        "0.00",
        "1,200.50",
        "1.2.3",
        "12,5,0",
        "1e3",
        "10.001",
        "\u0661\u0662\u0663",  # Arabic-Indic digits
        "\uff11\uff12",  # fullwidth digits
        "1" + "0" * 400,
        "1" + "0" * 15,
        "NaN",
        "Infinity",
    ],
)
def test_what_is_not_an_amount_is_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_decimals_follow_the_currency():
    assert parse_amount("1500", decimal_places=0) == Decimal("1500")
    with pytest.raises(ValueError):
        parse_amount("15.5", decimal_places=0)
    assert parse_amount("1.125", decimal_places=3) == Decimal("1.125")


def test_fifteen_digits_before_the_point_at_most():
    assert parse_amount("9" * 15 + ".99") == Decimal("9" * 15 + ".99")
    with pytest.raises(ValueError):
        parse_amount("9" * 16)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-12-15", date(2026, 12, 15)), (" 2026-01-02 ", date(2026, 1, 2))],
)
def test_dates_read_as_typed(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "not-a-date",
        "2026-12-15garbage<script>",  # not its first ten characters
        "2026-12-15T10:00:00",
        "2026-02-30",
        "0000-01-01",
        "15/12/2026",
        "2026-1-5",
        "\u0662\u0660\u0662\u0666-12-15",  # Arabic-Indic digits
    ],
)
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "plausible"),
    [
        ("0b6e8f4e-5a3c-4b1e-9a44-2f0c7d1e9b3a", True),
        ("forged", True),  # looked up, and found nowhere
        ("", False),
        (None, False),
        ("\x00", False),
        ("abc\x00def", False),
        ("é" * 36, False),
        ("<script>", False),
        ("x" * 129, False),
    ],
)
def test_only_what_may_be_a_token_is_looked_up(text, plausible):
    assert plausible_token(text) is plausible
