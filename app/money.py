"""Money: exact yuan amounts with two places (元 and 分), never floats.

Every amount that enters the system passes through :func:`to_money`, which refuses
floats, NaN, exponents and more than two decimal places instead of rounding them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Numeric(14, 2): twelve digits before the point.
MAX_AMOUNT = Decimal("999999999999.99")

_AMOUNT_RE = re.compile(r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$")


class InvalidAmount(ValueError):
    """The value is not an exact amount of yuan with at most two decimal places."""


def to_money(value: object) -> Decimal:
    """Return ``value`` as a two-place ``Decimal``; refuse anything inexact.

    Accepts ``Decimal``, ``int`` and strings such as ``"300000"`` or ``"1,234.50"``.
    Refuses ``float`` (and ``bool``), NaN, infinities, exponent notation and more
    than two decimal places, raising :class:`InvalidAmount`.
    """
    if isinstance(value, (bool, float)):
        raise InvalidAmount(f"refusing {type(value).__name__} {value!r}: amounts must be exact")
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidAmount(f"not a finite amount: {value}")
        if abs(value) > MAX_AMOUNT:
            raise InvalidAmount(f"amount out of range: {value}")
        if value != value.quantize(CENT):
            raise InvalidAmount(f"more than two decimal places: {value}")
        result = value
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not _AMOUNT_RE.match(text):
            raise InvalidAmount(f"not an amount of yuan with at most two decimals: {value!r}")
        result = Decimal(text)
    else:
        raise InvalidAmount(f"refusing {type(value).__name__}: amounts must be exact")
    try:
        result = result.quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the checks above
        raise InvalidAmount(str(value)) from exc
    if abs(result) > MAX_AMOUNT:
        raise InvalidAmount(f"amount out of range: {value}")
    return result


def to_positive_money(value: object) -> Decimal:
    """:func:`to_money`, and the amount must be greater than zero."""
    amount = to_money(value)
    if amount <= ZERO:
        raise InvalidAmount(f"amount must be greater than zero: {value!r}")
    return amount


def money_str(amount: Decimal) -> str:
    """The wire format: ``"300000.00"``."""
    return f"{to_money(amount):.2f}"


def format_yuan(amount: Decimal) -> str:
    """Display format with thousands separators: ``¥300,000.00`` (``-¥5.00``)."""
    amount = to_money(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def capitals(amount: Decimal) -> str:
    """The amount in Chinese financial capitals (大写), e.g. ``叁拾万元整``."""
    amount = to_money(amount)
    if amount < 0:
        return "负" + capitals(-amount)
    if amount == ZERO:
        return "零元整"
    return cn2an.an2cn(f"{amount:.2f}", "rmb")
