# Copyright 2026 account_dunning contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bounds on what users type, shared by the models that take it.

A delay or an interval of more than ten years is a typo, and one that breaks screens:
dates computed from it fall out of the calendar ("year out of range").

``check_input`` is the first thing each create and write of the addon's fields does:
the values as they arrive (from a form, an import or JSON-RPC) are of the field's type
and within what the database and the calendar hold, before Odoo converts them (a NaN
fee, a delay of 41.7 days, a date "2026-12-15garbage" or a text with a NUL byte would
otherwise be stored truncated or end in a traceback).
"""

import math
import re
from datetime import date, datetime

from odoo.exceptions import ValidationError
from odoo.models import BaseModel, NewId
from odoo.tools import email_normalize, email_split, formatLang

MODULE = "account_dunning"
# the longest delay, interval or horizon a user may set, in days (ten years)
MAX_DAYS = 3650
# what a float holds to the cent, far beyond any invoice
MAX_AMOUNT = 10**13
# what a PostgreSQL integer holds
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
# the calendar the addon's dates live in: earlier or later is a typo, and dates
# computed from it (a delay, an interval) would fall out of Python's calendar
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,12}$")
_SHOWN = 40  # characters of a refused value quoted in the message


def _shown(value):
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\x00", "\\x00")
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _refuse(env, field, message, value):
    raise ValidationError(
        env._(
            "%(field)s: %(problem)s (%(value)s given).",
            field=field._description_string(env),
            problem=message,
            value=_shown(value),
        )
    )


def _check_integer(env, field, value):
    if isinstance(value, bool):
        return
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        value = int(value.strip())
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        _refuse(env, field, env._("a whole number is expected"), value)
    if not MIN_INT <= value <= MAX_INT:
        _refuse(env, field, env._("the number is out of range"), value)


def _check_float(env, field, value):
    if isinstance(value, bool):
        return
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        number = None
    if number is None:
        _refuse(env, field, env._("a number is expected"), value)
    if not math.isfinite(number) or abs(number) >= MAX_AMOUNT:
        _refuse(
            env,
            field,
            env._(
                "a finite number below %(maximum)s is expected",
                maximum=formatLang(env, MAX_AMOUNT, digits=0),
            ),
            value,
        )


def _check_date(env, field, value):
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(value, str):
        day = None
        if _DATE.match(value):
            try:
                day = datetime.strptime(value, "%Y-%m-%d").date()
            except ValueError:
                day = None
    if not isinstance(day, date):
        _refuse(env, field, env._("a date (YYYY-MM-DD) is expected"), value)
    if not MIN_DATE <= day <= MAX_DATE:
        _refuse(
            env,
            field,
            env._(
                "a date between %(first)s and %(last)s is expected",
                first=MIN_DATE,
                last=MAX_DATE,
            ),
            value,
        )


def _check_text(env, field, value):
    if isinstance(value, str) and "\x00" in value:
        _refuse(env, field, env._("the text contains a NUL character"), value)
    if isinstance(value, dict):  # translations: {lang: text}
        for text in value.values():
            _check_text(env, field, text)


def _check_selection(env, field, value, records):
    if value not in field.get_values(records.env):
        _refuse(env, field, env._("not one of the choices"), value)


def _check_many2one(env, field, value):
    if isinstance(value, tuple):  # (id, name), as Odoo takes it
        value = value[0] if value else False
    if isinstance(value, (BaseModel, NewId)):
        return  # a record or a new one, as code passes it
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        _refuse(env, field, env._("a record is expected"), value)


_CHECKS = {
    "integer": _check_integer,
    "float": _check_float,
    "monetary": _check_float,
    "date": _check_date,
    "char": _check_text,
    "text": _check_text,
    "html": _check_text,
    "many2one": _check_many2one,
}


def check_input(records, vals_list):
    """Refuse the values of ``vals_list`` (create or write values of ``records``'
    model) that do not fit the addon's field they are for: a ValidationError in the
    user's language naming the field, before anything is written; a required
    field emptied included (the database would refuse it with a traceback)."""
    env = records.env
    fields_ = records._fields
    for vals in vals_list:
        for fname, value in vals.items():
            field = fields_.get(fname)
            if field is None or MODULE not in (field._modules or ()):
                continue
            if value is False or value is None:
                if (
                    field.required
                    and field.store
                    and not field.compute
                    and field.type != "boolean"
                ):
                    raise ValidationError(
                        env._(
                            "%(field)s is required.",
                            field=field._description_string(env),
                        )
                    )
                continue
            if field.type == "selection":
                _check_selection(env, field, value, records)
                continue
            check = _CHECKS.get(field.type)
            if check:
                check(env, field, value)


# an address list in copy: a few people, not a mailing
MAX_CC_ADDRESSES = 10
MAX_CC_LENGTH = 1000


def check_days(env, value, label, minimum=-MAX_DAYS, maximum=MAX_DAYS):
    """Refuse a number of days outside [minimum, maximum]."""
    if value is not None and value is not False and not minimum <= value <= maximum:
        raise ValidationError(
            env._(
                "%(field)s must be between %(minimum)s and %(maximum)s days "
                "(%(value)s given).",
                field=label,
                minimum=minimum,
                maximum=maximum,
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


def check_internal_user(env, user, company, label):
    """Refuse a user named to act for ``company`` (a responsible, an owner) who is
    not an internal user of it: a portal user, or another company's."""
    # sudo: whether the user is internal and their companies, not what they see
    user = user.sudo()
    if user and (user.share or (company and company not in user.company_ids)):
        raise ValidationError(
            env._(
                "%(field)s must be an internal user of %(company)s, not %(user)s.",
                field=label,
                company=company.name,
                user=user.name,
            )
        )
