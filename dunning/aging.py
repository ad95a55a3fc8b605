"""Aging buckets of open receivables: not due, 1-30, 31-60, 61-90, 91-120, over 120.

Plain data in, plain data out, as the rest of ``dunning``: the customer statement and
the aged receivables analysis use it.
"""

BUCKETS = ("not_due", "1_30", "31_60", "61_90", "91_120", "over_120")
UPPER_LIMITS = (
    (0, "not_due"),
    (30, "1_30"),
    (60, "31_60"),
    (90, "61_90"),
    (120, "91_120"),
)


def bucket(days_overdue):
    """The bucket of an item ``days_overdue`` days past due (0 or less: not due)."""
    for upper, key in UPPER_LIMITS:
        if days_overdue <= upper:
            return key
    return "over_120"


def aging(items):
    """Totals per bucket of ``items``, pairs (days overdue, amount); every bucket is
    present. Credits (negative amounts) count where their days put them."""
    totals = dict.fromkeys(BUCKETS, 0.0)
    for days_overdue, amount in items:
        totals[bucket(days_overdue)] += amount
    return totals


__all__ = ["BUCKETS", "UPPER_LIMITS", "aging", "bucket"]
