"""Money helpers: amounts are summed per currency and never mixed."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal


def round_amount(amount, decimal_places):
    """Round half-up to the currency's decimal places, as accountants expect."""
    quantum = Decimal(1).scaleb(-decimal_places)
    return float(Decimal(str(amount)).quantize(quantum, rounding=ROUND_HALF_UP))


def totals_per_currency(amounts, decimal_places):
    """Sum ``(currency, amount)`` pairs per currency.

    Each total is rounded with ``decimal_places[currency]``.

    Returns a dict ordered by currency as first seen.
    """
    totals = defaultdict(float)
    for currency, amount in amounts:
        totals[currency] += amount
    return {
        currency: round_amount(total, decimal_places[currency])
        for currency, total in totals.items()
    }
