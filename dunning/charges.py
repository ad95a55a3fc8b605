"""Late-payment charges: the fixed recovery fee and simple late interest.

Plain data in, plain data out: amounts are computed with decimals and rounded half up
to the currency's decimal places, as Odoo rounds money.
"""

from datetime import date as Date
from decimal import ROUND_HALF_UP, Decimal

DAYS_PER_YEAR = 365


def _decimal(value):
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _interest(residual, annual_rate, days):
    """Simple interest on ``residual`` at ``annual_rate`` percent a year for ``days``
    days (a 365-day year), unrounded; nothing on a credit or a non-positive rate or
    period."""
    if residual <= 0 or annual_rate <= 0 or days <= 0:
        return Decimal(0)
    return _decimal(residual) * _decimal(annual_rate) * days / (100 * DAYS_PER_YEAR)


def _round_half_up(amount, decimal_places):
    step = Decimal(1).scaleb(-decimal_places)
    return float(amount.quantize(step, rounding=ROUND_HALF_UP))


def late_interest(residual, annual_rate, days, decimal_places=2):
    """Simple interest on ``residual`` at ``annual_rate`` percent a year for ``days``
    days (a 365-day year), rounded half up. Nothing on a credit or a non-positive
    rate or period.

    >>> late_interest(1000, 12.15, 45)
    14.98
    """
    return _round_half_up(_interest(residual, annual_rate, days), decimal_places)


def interest_days(due_date: Date, charged_until: Date | None, on_date: Date):
    """Days of interest a reminder on ``on_date`` charges: from the due date, or from
    the date up to which an earlier reminder charged interest, whichever is later."""
    start = max(due_date, charged_until) if charged_until else due_date
    return max((on_date - start).days, 0)


def instalments_interest(
    instalments, overdue, annual_rate, charged_until, on_date, decimal_places=2
):
    """Simple interest on the overdue instalments of one invoice, each from its own
    due date (or from ``charged_until``, when an earlier reminder charged up to it),
    rounded once, half up. ``instalments``: [(due date, open amount)], the oldest
    first; ``overdue``: what is still overdue of them, less than their sum when a
    payment is not booked yet, which then pays the oldest first.

    >>> from datetime import date
    >>> due, on = date(2026, 1, 1), date(2026, 4, 11)
    >>> instalments_interest([(due, 300)], 300, 10, None, on)
    8.22
    """
    unpaid = sum(_decimal(amount) for __, amount in instalments) - _decimal(overdue)
    total = Decimal(0)
    for due, amount in instalments:
        amount = _decimal(amount)
        taken = min(amount, max(unpaid, Decimal(0)))
        unpaid -= taken
        total += _interest(
            amount - taken, annual_rate, interest_days(due, charged_until, on_date)
        )
    return _round_half_up(total, decimal_places)


def recovery_fee(level_fee, already_charged, customer_is_company):
    """The fixed fee a level charges on an invoice: once per invoice, and only to
    businesses (a private person is never charged the recovery indemnity)."""
    if already_charged or not customer_is_company or level_fee <= 0:
        return 0.0
    return float(level_fee)


__all__ = ["instalments_interest", "interest_days", "late_interest", "recovery_fee"]
