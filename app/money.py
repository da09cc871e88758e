"""Money: exact yuan amounts with two places (元 and 分), never floats.

Two doors let text become money, and each has one parser here:

- :func:`parse_wire_amount`, the API's: exactly :data:`WIRE_AMOUNT_PATTERN` (digits,
  optionally a point and one or two decimals), nothing reinterpreted;
- :func:`parse_typed_amount`, the pages' (and spreadsheets', policy values', budget
  files'): what a person types, read kindly but never guessed at.

:func:`to_money` turns internal values (``Decimal``, ``int``) into two-place amounts and
reads any string as typed; it refuses floats, NaN, exponents and more than two decimal
places instead of rounding them. Every refusal is an :class:`InvalidAmount`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import cn2an
from flask_babel import lazy_gettext as _l

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Numeric(14, 2): twelve digits before the point.
MAX_AMOUNT = Decimal("999999999999.99")

#: An amount on the wire (API.md), bounded to what the database holds. The OpenAPI
#: document publishes this very pattern; ``re.fullmatch`` keeps ``$`` from accepting a
#: trailing newline, as a JSON Schema pattern would not.
WIRE_AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
_WIRE = re.compile(WIRE_AMOUNT_PATTERN)
#: A typed amount once normalised: plain digits, or thousands in groups of three.
_TYPED = re.compile(r"(?:[0-9]+|[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.[0-9]{1,2})?")
_TOO_MANY_DECIMALS = re.compile(r"[0-9,]*\.[0-9]{3,}")
_DIGITS_AND_COMMAS = re.compile(r"[0-9,]+(?:\.[0-9]*)?")
#: The yuan sign before the number (¥; the full-width ￥ becomes ¥ under NFKC) and the
#: character 元 after it: people write both, and neither changes the amount.
_YUAN_SIGN = "¥"
_YUAN_CHARACTER = "元"

GENERAL_REASON = _l("Enter the amount in yuan with at most two decimals, such as 2000 or 2000.50.")
GROUPING_REASON = _l(
    "A comma may only separate thousands, in groups of three digits (1,234.50); "
    "write jiao and fen after a point (100.00)."
)
DECIMALS_REASON = _l("At most two decimals: jiao and fen.")
NEGATIVE_REASON = _l("An amount cannot be negative.")
TOO_LARGE_REASON = _l("The amount is too large.")


class InvalidAmount(ValueError):
    """The value is not an exact amount of yuan with at most two decimal places.

    ``reason``, when the parser can tell, says what is wrong in words for the person who
    typed it (a lazy translation); :meth:`explain` gives that or a general message.
    """

    def __init__(self, detail: str, reason: object | None = None) -> None:
        super().__init__(detail)
        self.reason = reason

    def explain(self, general: object = GENERAL_REASON) -> str:
        """Why, for a message next to the field: the specific reason, else ``general``."""
        return str(self.reason if self.reason is not None else general)


def _checked(result: Decimal, value: object) -> Decimal:
    """``result`` within what the database holds, with two places."""
    if abs(result) > MAX_AMOUNT:
        raise InvalidAmount(f"amount out of range: {value!r}", TOO_LARGE_REASON)
    try:
        return result.quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - the range check above prevents it
        raise InvalidAmount(str(value)) from exc


def _narrow(text: str) -> str:
    """Full-width forms (Unicode's ``<wide>``: ０-９, ．，￥, the ideographic space) in
    their plain forms, as NFKC gives them; other compatibility characters are left alone,
    so that ``10²`` or ``①`` never become digits."""
    return "".join(
        unicodedata.normalize("NFKC", ch) if unicodedata.decomposition(ch).startswith("<wide>") else ch
        for ch in text
    )


def parse_wire_amount(text: object) -> Decimal:
    """An amount as the API takes it: a string matching :data:`WIRE_AMOUNT_PATTERN`, as it
    stands. No whitespace, sign, comma, exponent or third decimal; ``12.5`` as a JSON
    number is not a string. Zero passes (whether zero is allowed is the caller's rule)."""
    if not isinstance(text, str) or _WIRE.fullmatch(text) is None:
        raise InvalidAmount(f"not a wire amount: {text!r}")
    return _checked(Decimal(text), text)


def parse_typed_amount(text: object) -> Decimal:
    """An amount as a person types it into a page or a spreadsheet cell.

    Read kindly: surrounding whitespace is dropped; full-width characters become their
    plain forms (``２，０００．５０`` is ``2,000.50``, see :func:`_narrow`); a leading ¥ or ￥ and a
    trailing 元 are dropped; commas are accepted only between correct thousands groups
    (``1,234.50``, ``12,345,678``). Never guessed at: ``100,00``, ``1,00,000``, ``1,2345``,
    a sign, an exponent, a third decimal or an empty field are refused, and the
    :class:`InvalidAmount` says why when it can. The result is zero or more.
    """
    if not isinstance(text, str):
        raise InvalidAmount(f"not typed text: {type(text).__name__}")
    plain = _narrow(text).strip()
    plain = plain.removeprefix(_YUAN_SIGN).removesuffix(_YUAN_CHARACTER).strip()
    if _TYPED.fullmatch(plain) is None:
        raise InvalidAmount(f"not a typed amount: {text!r}", _typed_reason(plain))
    return _checked(Decimal(plain.replace(",", "")), text)


def _typed_reason(plain: str) -> object | None:
    if plain.startswith("-") and _DIGITS_AND_COMMAS.fullmatch(plain[1:]):
        return NEGATIVE_REASON
    if _TOO_MANY_DECIMALS.fullmatch(plain):
        return DECIMALS_REASON
    if "," in plain and _DIGITS_AND_COMMAS.fullmatch(plain):
        return GROUPING_REASON
    return None


def to_money(value: object) -> Decimal:
    """Return ``value`` as a two-place ``Decimal``; refuse anything inexact.

    Accepts ``Decimal`` and ``int`` (either sign: the ledger's own values), and strings
    as a person types them (:func:`parse_typed_amount`: zero or more). Refuses ``float``
    (and ``bool``), NaN, infinities, exponent notation and more than two decimal places,
    raising :class:`InvalidAmount`.
    """
    if isinstance(value, (bool, float)):
        raise InvalidAmount(f"refusing {type(value).__name__} {value!r}: amounts must be exact")
    if isinstance(value, str):
        return parse_typed_amount(value)
    if isinstance(value, int):
        return _checked(Decimal(value), value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidAmount(f"not a finite amount: {value}")
        if abs(value) <= MAX_AMOUNT and value != value.quantize(CENT):
            raise InvalidAmount(f"more than two decimal places: {value}", DECIMALS_REASON)
        return _checked(value, value)
    raise InvalidAmount(f"refusing {type(value).__name__}: amounts must be exact")


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
