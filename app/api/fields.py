"""Field types of the API's request bodies that the OpenAPI document states more exactly
than a plain type: integers (a whole ``2.0`` included), visible text, unit codes, resident
ID numbers, mobile numbers, and dates with the service's own rules (app/api/formats.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictInt, StrictStr, WithJsonSchema

from app.api import formats as f


def _whole(value: object) -> object:
    """``2.0`` is the integer 2 in JSON (and to the JSON Schema of the document); ``2.5``,
    ``"2"`` and ``true`` stay refused."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def whole(low: int, high: int) -> Any:
    """An integer of a request body from ``low`` to ``high``; a whole number written as
    ``2.0`` is the same integer."""
    return Annotated[StrictInt, Field(ge=low, le=high), BeforeValidator(_whole)]


#: Free text the service refuses blank (a reason): at least one visible character once it
#: is trimmed and what cannot be printed is dropped (app/services/inputs.clean_text).
Reason = Annotated[StrictStr, Field(max_length=2000, pattern=f.VISIBLE_TEXT_PATTERN)]
#: A voucher number (凭证号): one visible line, at most the column's 40 characters.
Voucher = Annotated[StrictStr, Field(max_length=40, pattern=f.VISIBLE_LINE_PATTERN)]
#: A unit code among the caller's units (optional: without it the caller's own unit).
UnitCode = Annotated[StrictStr, Field(max_length=20, pattern=f.UNIT_CODE_PATTERN)]
#: Optional, as the document writes it: a unit code, or left out for the caller's own unit.
OptionalUnit = Annotated[UnitCode | None, WithJsonSchema(f.described(f.UNIT_CODE))]
#: A resident ID number: its shape, date and check digit are the service's (app/idnumbers.py).
ResidentId = Annotated[StrictStr, Field(max_length=30), WithJsonSchema(f.described(f.RESIDENT_ID))]
#: A mainland mobile number; the service also reads +86, spaces and dashes, the document
#: asks for the plain eleven digits.
Mobile = Annotated[
    StrictStr, Field(max_length=200), WithJsonSchema({"type": "string", "pattern": f.MOBILE_PATTERN})
]
#: A date of a past event (not after today: the service refuses a later one).
PastDate = Annotated[date, WithJsonSchema(f.described(f.PAST_DATE))]
#: A deadline: today or a later date (the service refuses an earlier one).
DeadlineDate = Annotated[date, WithJsonSchema(f.described(f.DEADLINE_DATE))]
#: A date of a past event, or "" for none.
PastDateOrEmpty = Annotated[
    StrictStr,
    Field(max_length=200),
    WithJsonSchema(f.described(f.PAST_DATE_OR_EMPTY)),
]
#: A title year: 1950 to this year (app/services/registry/model_workers.py); the document
#: states this year's bound when it is built (app/api/openapi.py).
TitleYear = whole(1950, 2100)
#: The date of a payment: a date in the fiscal year that pays.
FiscalDate = Annotated[date, WithJsonSchema(f.described(f.FISCAL_YEAR_DATE))]
