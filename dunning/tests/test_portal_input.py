from decimal import Decimal

import pytest

from dunning.portal_input import parse_amount


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
