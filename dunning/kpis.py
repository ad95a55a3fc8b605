"""Collection KPIs, without Odoo: DSO (countback), CEI, shares."""


def dso_countback(ending_receivables, months):
    """Days sales outstanding by the countback method: the days of the latest
    months whose sales, walked back from the end, add up to the receivables.
    ``months``: [(days in month, sales)], the latest first."""
    remaining = ending_receivables
    days = 0.0
    for days_in_month, sales in months:
        if remaining <= 0:
            break
        if sales <= 0 or remaining > sales:
            days += days_in_month
            remaining -= max(sales, 0)
        else:
            days += days_in_month * remaining / sales
            remaining = 0
    return round(days, 1)


def cei(beginning_receivables, sales, ending_receivables, ending_current):
    """Collection effectiveness index, in percent: what was collected of what could
    be collected in the period."""
    collectable = beginning_receivables + sales - ending_current
    if collectable <= 0:
        return 0.0
    collected = beginning_receivables + sales - ending_receivables
    # with open invoices as receivables (ending >= ending_current) it is at most 100;
    # it is never below 0 (more was invoiced than was there to collect)
    return round(max(collected, 0) / collectable * 100, 2)


def share(part, whole):
    """``part`` of ``whole`` in percent, 0 when there is nothing. The callers pass a
    part that is contained in its whole, so that it stays within 0 and 100."""
    return round(part / whole * 100, 2) if whole > 0 else 0.0


__all__ = ["cei", "dso_countback", "share"]
