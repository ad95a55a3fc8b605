"""The reference ladder, for the tests only: which level an invoice deserves and which
one it is raised to, written the plain way (sorting and scanning every time). The
addon's one implementation is ``dunning.plan.Policy``; the tests hold it, and the
selection's SQL "next level due", against this oracle.

A level is anything with a ``delay`` attribute (days relative to the due date, negative
before it); functions take levels in any order and never look at anything else.
"""


def days_overdue(due_date, on_date):
    """Whole days between the due date and ``on_date``; negative before the due date."""
    return (on_date - due_date).days


def sorted_levels(levels):
    return sorted(levels, key=lambda level: level.delay)


def deserved_level(levels, days_late):
    """The highest level whose delay is at most ``days_late``, or None."""
    reached = [level for level in sorted_levels(levels) if level.delay <= days_late]
    return reached[-1] if reached else None


def next_level(levels, current=None):
    """The first level after ``current`` (after no level: the first one), or None at the
    top.
    """
    floor = current.delay if current is not None else None
    for level in sorted_levels(levels):
        if floor is None or level.delay > floor:
            return level
    return None


def interval_respected(last_reminder_date, on_date, min_interval_days):
    """No two reminders to one customer closer than ``min_interval_days``."""
    if not last_reminder_date:
        return True
    return (on_date - last_reminder_date).days >= (min_interval_days or 0)


def level_to_raise(
    levels,
    current,
    due_date,
    on_date,
    *,
    allow_skip=False,
    last_reminder_date=None,
    min_interval_days=0,
):
    """The level an invoice is raised to on ``on_date``, or None when nothing is due.

    Without ``allow_skip`` an invoice climbs one level per reminder; with it, it goes
    straight to the level it deserves. Either way the customer's minimum interval must
    have passed.
    """
    if not interval_respected(last_reminder_date, on_date, min_interval_days):
        return None
    candidate = next_level(levels, current)
    if candidate is None or days_overdue(due_date, on_date) < candidate.delay:
        return None
    if allow_skip:
        return deserved_level(levels, days_overdue(due_date, on_date))
    return candidate


__all__ = [
    "days_overdue",
    "deserved_level",
    "interval_respected",
    "level_to_raise",
    "next_level",
    "sorted_levels",
]
