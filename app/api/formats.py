"""What the services accept, written for the OpenAPI document (app/api/openapi.py) where a
plain type says too little: text that must not be blank, the canonical forms of a mobile
number and an Idempotency-Key, and the named formats for rules a JSON Schema cannot
state (a resident ID number's check digit, a unit the caller sees, a date in a fiscal
year). Each named format is described once here and published in the document."""

from __future__ import annotations

#: C0 controls and DEL: refused in every text (PostgreSQL refuses NUL; none belongs in a
#: record). Free text may keep tab and line breaks.
ONE_LINE_EXCLUDED = r"\x00-\x1f\x7f"
MULTILINE_EXCLUDED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"


def _visible_class() -> str:
    """Every character of the Basic Multilingual Plane that the services keep when they
    clean text (app/services/inputs.py: printable, and not white space), as a class."""
    ranges: list[tuple[int, int]] = []
    start = None
    for code in range(0x10000):
        char = chr(code)
        keep = not 0xD800 <= code <= 0xDFFF and char.isprintable() and not char.isspace()
        if keep and start is None:
            start = code
        elif not keep and start is not None:
            ranges.append((start, code - 1))
            start = None
    if start is not None:
        ranges.append((start, 0xFFFF))
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


VISIBLE = f"[{_visible_class()}]"
#: One line with at least one visible character: what a name or a voucher number must be
#: once the service has trimmed it and dropped what cannot be printed.
VISIBLE_LINE_PATTERN = f"^[^{ONE_LINE_EXCLUDED}]*{VISIBLE}[^{ONE_LINE_EXCLUDED}]*$"
#: The same for free text that may break lines (a reason).
VISIBLE_TEXT_PATTERN = f"^[^{MULTILINE_EXCLUDED}]*{VISIBLE}[^{MULTILINE_EXCLUDED}]*$"

#: A mainland mobile number as the API should send it (app/idnumbers.normalise_mobile).
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
#: An Idempotency-Key: printable ASCII (the IETF draft's sf-string), not blank, at most 64.
IDEMPOTENCY_KEY_PATTERN = r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$"
#: A union unit's code (app/services/units.CODE_PATTERN).
UNIT_CODE_PATTERN = r"^[0-9A-Za-z]{1,20}$"
#: The cursor of a registry search (``next`` of the previous page): URL-safe base64,
#: optionally marked ``c.`` for a page of names that contain the term.
SEARCH_CURSOR_PATTERN = r"^(c\.)?[A-Za-z0-9_-]*$"
#: A policy value that is a whole number of days (app/services/policy.py: 0 to 60).
DAYS_PATTERN = r"^([0-9]|[1-5][0-9]|60)$"
#: A policy value that is a count (app/services/policy.py: 1 to 10000).
#: Months after an exit when follow-up calls fall due: "3,6,12".
MONTHS_PATTERN = r"^([1-9]|[1-9][0-9]|1[01][0-9]|120)(,([1-9]|[1-9][0-9]|1[01][0-9]|120))*$"
#: A step required or not (policy switches): 是/否, 1/0, yes/no, true/false.
SWITCH_PATTERN = r"^(是|否|0|1|[Yy][Ee][Ss]|[Nn][Oo]|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"
COUNT_PATTERN = r"^([1-9][0-9]{0,3}|10000)$"
#: A policy value that is a telephone number printed on a notice.
NOTICE_PHONE_PATTERN = r"^[()（） -]*([0-9][()（） -]*){5}[0-9()（） -]*$"

RESIDENT_ID = "cn-resident-id"
UNIT_CODE = "unit-code"
FISCAL_YEAR_DATE = "fiscal-year-date"
PAST_DATE = "past-date"
PAST_DATE_OR_EMPTY = "past-date-or-empty"
DEADLINE_DATE = "deadline-date"

#: The named formats of the document and what each means.
FORMATS: dict[str, str] = {
    RESIDENT_ID: (
        "A resident ID number (居民身份证号码, GB 11643-1999): 18 characters, 17 digits and a digit"
        " or X; the birth date in characters 7-14 exists, is not before 1870-01-01 and not after"
        " today; the last character is the ISO 7064 MOD 11-2 check digit. A region code that never"
        " existed is accepted with a warning."
    ),
    UNIT_CODE: "The code of a union unit the caller sees (GET /units); another code is a 422 on `unit`.",
    FISCAL_YEAR_DATE: (
        "An ISO 8601 date (2015-03-01) in the fiscal year that pays: for a case's payment the year"
        " of the case's fund; for a check-up the year of a loaded budget with a check-up fund for"
        " the model worker's unit. Another date is a 422 on the field."
    ),
    PAST_DATE: "An ISO 8601 date (2015-03-01) that is not after today.",
    PAST_DATE_OR_EMPTY: "An ISO 8601 date (2015-03-01) that is not after today, or \"\" for none.",
    DEADLINE_DATE: "An ISO 8601 date (2015-12-31) that is not before today.",
}


def described(fmt: str) -> dict[str, str]:
    """A string schema of the named format, with what it means."""
    return {"type": "string", "format": fmt, "description": FORMATS[fmt]}
