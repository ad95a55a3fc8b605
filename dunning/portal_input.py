"""What a customer types into the portal forms, read without Odoo.

Browsers send a number field as ``1234.5`` whatever the page's language; a form
posted by hand, or a French customer's tool, may send ``1 234,50``. Anything else
(letters, two decimal marks, a sign, more decimals than the currency has, digits of
other scripts, more than 15 digits before the point) is refused rather than guessed.
"""

import re
from decimal import Decimal

_SPACES = re.compile(r"[\s\u00a0\u202f]")
# ASCII digits only (``\d`` would take other scripts' digits), at most 15 before the
# point: what a float holds exactly, far beyond any invoice
_NUMBER = re.compile(r"^[0-9]{1,15}(?:\.([0-9]+))?$")


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
