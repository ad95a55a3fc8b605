"""Payment behaviour and risk score of a customer, without Odoo.

Deterministic and explainable: every point of the score comes with its reason.
"""

from datetime import timedelta
from typing import NamedTuple

RECENT_DAYS = 90  # the "last 3 months" of the trend, against the 9 before


class PaidInvoice(NamedTuple):
    amount: float  # in company currency
    days_late: int  # paid date minus due date (negative: early)
    paid_date: object


class Behaviour(NamedTuple):
    avg_days_late: float  # weighted by amount, early payments count as 0
    on_time_ratio: float  # share of the amount paid by the due date
    trend_days: float  # recent average days late minus the older one
    invoices: int


def _weighted_days_late(invoices):
    total = sum(inv.amount for inv in invoices)
    if total <= 0:
        return 0.0
    return sum(inv.amount * max(inv.days_late, 0) for inv in invoices) / total


def behaviour(paid_invoices, on_date):
    """How a customer paid the invoices it paid in the last 12 months."""
    invoices = [inv for inv in paid_invoices if inv.amount > 0]
    if not invoices:
        return Behaviour(0.0, 1.0, 0.0, 0)
    total = sum(inv.amount for inv in invoices)
    on_time = sum(inv.amount for inv in invoices if inv.days_late <= 0)
    recent_start = on_date - timedelta(days=RECENT_DAYS)
    recent = [inv for inv in invoices if inv.paid_date >= recent_start]
    older = [inv for inv in invoices if inv.paid_date < recent_start]
    trend = (
        _weighted_days_late(recent) - _weighted_days_late(older)
        if recent and older
        else 0.0
    )
    return Behaviour(
        round(_weighted_days_late(invoices), 2),
        round(on_time / total, 4),
        round(trend, 2),
        len(invoices),
    )


def risk(behaviour_, promises_broken=0, disputes=0, overdue_days=0):
    """(score from 0 to 100, [(points, reason key, value)]): the reasons that make
    the score, largest first. Keys: late, late_share, trend, promises, disputes,
    overdue."""
    parts = [
        (min(round(behaviour_.avg_days_late), 30), "late", behaviour_.avg_days_late),
        (
            round((1 - behaviour_.on_time_ratio) * 20),
            "late_share",
            round((1 - behaviour_.on_time_ratio) * 100),
        ),
        (10 if behaviour_.trend_days > 5 else 0, "trend", behaviour_.trend_days),
        (min(10 * promises_broken, 20), "promises", promises_broken),
        (min(5 * disputes, 10), "disputes", disputes),
        (min(overdue_days // 6, 10), "overdue", overdue_days),
    ]
    reasons = sorted((p for p in parts if p[0] > 0), key=lambda p: -p[0])
    return min(sum(p[0] for p in reasons), 100), reasons


def predicted_payment_date(due_date, avg_days_late, on_date):
    """When an open invoice is likely to be paid: its due date plus the customer's
    average delay, and not before ``on_date``."""
    return max(due_date + timedelta(days=round(avg_days_late)), on_date)


__all__ = ["Behaviour", "PaidInvoice", "behaviour", "predicted_payment_date", "risk"]
