# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bounds on what users type, shared by the models that take it.

A delay or an interval of more than ten years is a typo, and one that breaks screens:
dates computed from it fall out of the calendar ("year out of range").
"""

from odoo.exceptions import ValidationError
from odoo.tools import email_normalize, email_split

# the longest delay, interval or horizon a user may set, in days (ten years)
MAX_DAYS = 3650
# an address list in copy: a few people, not a mailing
MAX_CC_ADDRESSES = 10
MAX_CC_LENGTH = 1000


def check_days(env, value, label, minimum=-MAX_DAYS):
    """Refuse a number of days outside [minimum, MAX_DAYS]."""
    if value is not None and value is not False and not minimum <= value <= MAX_DAYS:
        raise ValidationError(
            env._(
                "%(field)s must be between %(minimum)s and %(maximum)s days "
                "(%(value)s given).",
                field=label,
                minimum=minimum,
                maximum=MAX_DAYS,
                value=value,
            )
        )


def check_email_list(env, value, label):
    """Refuse a list of addresses that is too long or has an invalid address."""
    if len(value) > MAX_CC_LENGTH:
        raise ValidationError(
            env._(
                "%(field)s is too long: at most %(maximum)s characters.",
                field=label,
                maximum=MAX_CC_LENGTH,
            )
        )
    parts = [part.strip() for part in value.replace(";", ",").split(",")]
    parts = [part for part in parts if part]
    if len(parts) > MAX_CC_ADDRESSES:
        raise ValidationError(
            env._(
                "%(field)s lists %(count)s addresses: at most %(maximum)s.",
                field=label,
                count=len(parts),
                maximum=MAX_CC_ADDRESSES,
            )
        )
    invalid = [
        part
        for part in parts
        if len(email_split(part)) != 1 or not email_normalize(part)
    ]
    if invalid:
        raise ValidationError(
            env._(
                "%(field)s: not a valid email address: %(addresses)s.",
                field=label,
                addresses=", ".join(invalid),
            )
        )


def check_text(env, value, label):
    """Refuse a text made of spaces only where one is required."""
    if value is not None and value is not False and not str(value).strip():
        raise ValidationError(env._("%(field)s cannot be empty.", field=label))
