"""What a customer types into the portal forms, read without Odoo.

Browsers send a number field as ``1234.5`` whatever the page's language; a form
posted by hand, or a French customer's tool, may send ``1 234,50``. Anything else
(letters, two decimal marks, a sign, more decimals than the currency has, digits of
other scripts, more than 15 digits before the point) is refused rather than guessed.
"""

import re
from datetime import date
from decimal import Decimal

_SPACES = re.compile(r"[\s\u00a0\u202f]")
# ASCII digits only (``\d`` would take other scripts' digits), at most 15 before the
# point: what a float holds exactly, far beyond any invoice
_NUMBER = re.compile(r"^[0-9]{1,15}(?:\.([0-9]+))?$")
# a date field of a browser sends YYYY-MM-DD, and nothing else
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
# Odoo's access tokens are UUIDs (36 characters): anything far from one is no token,
# refused before any query
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def parse_amount(text, decimal_places=2):
    """The positive amount in ``text``, as a Decimal; ValueError if it is not one
    (empty, not a number, zero or negative, too many decimals)."""
    cleaned = _SPACES.sub("", text or "")
    if "," in cleaned:
        if "." in cleaned or cleaned.count(",") > 1:
            raise ValueError(text)
        cleaned = cleaned.replace(",", ".")
    match = _NUMBER.match(cleaned)
    if not match:
        raise ValueError(text)
    if match.group(1) and len(match.group(1)) > decimal_places:
        raise ValueError(text)
    amount = Decimal(cleaned)
    if amount <= 0:
        raise ValueError(text)
    return amount


def parse_date(text):
    """The date in ``text``, exactly YYYY-MM-DD (spaces around it aside); ValueError
    otherwise: "2026-12-15garbage" is not read as its first ten characters."""
    match = _DATE.match((text or "").strip())
    if not match:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


def plausible_token(text):
    """Whether ``text`` may be an access token at all (letters, digits, dashes and
    underscores; no NUL byte, no space, no page of text) before it is looked up."""
    return bool(text) and isinstance(text, str) and bool(_TOKEN.match(text))
