"""Payment plan instalments: dates and amounts, without Odoo."""

from calendar import monthrange
from datetime import date as Date
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

FREQUENCIES = ("weekly", "biweekly", "monthly")


def add_months(day: Date, months: int) -> Date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, monthrange(year, month)[1])
    )


def instalment_dates(first: Date, count: int, frequency: str):
    """``count`` due dates from ``first``, every week, two weeks or month."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    if frequency == "monthly":
        return [add_months(first, index) for index in range(count)]
    step = timedelta(weeks=1 if frequency == "weekly" else 2)
    return [first + step * index for index in range(count)]


def split_amount(total, count, decimal_places=2):
    """``total`` in ``count`` instalments of equal rounded amounts, the last taking
    what rounding leaves, so that they add up to the total exactly."""
    if count < 1:
        raise ValueError("a plan needs at least one instalment")
    total = Decimal(str(total))
    step = Decimal(1).scaleb(-decimal_places)
    share = (total / count).quantize(step, rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    return [float(amount) for amount in amounts]


def allocate_paid(amounts, paid):
    """How much of each instalment ``paid`` covers, oldest first."""
    covered = []
    left = Decimal(str(max(paid, 0)))
    for amount in amounts:
        part = min(Decimal(str(amount)), left)
        covered.append(float(part))
        left -= part
    return covered


__all__ = ["add_months", "allocate_paid", "instalment_dates", "split_amount"]
