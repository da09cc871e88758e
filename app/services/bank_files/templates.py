"""Bank file templates, read from ``data/banks/*.toml`` and checked once at load.

A template file holds (every key is checked; an unknown key is refused, so a typo
does not pass silently):

``code``
    the template's code (``[a-z0-9_]+``), unique among the files;
``name``, ``description``
    its Chinese name, and what in it comes from a public source and what is assumed;
``bank``
    optional: the bank's name as it appears in a payee's 开户银行 (``建设银行``), for the
    ``interbank`` column;
``formats``
    which of ``xlsx`` (a sheet) and ``csv`` (GB18030 text) the bank takes;
``sheet``, ``filename``
    the sheet's title, and the file's name before the extension (``{batch_no}`` is
    replaced by the batch number);
``header_rows``
    optional lines above the columns, each ``{label, field}`` with a field of the batch
    (:data:`HEADER_FIELDS`): written as two cells, the label and the value;
``columns``
    the columns in order, each ``{header, field}`` with a field of the line
    (:data:`LINE_FIELDS`); ``constant`` takes ``value``, ``interbank`` takes ``own`` and
    ``other`` (the code for a payee at the template's bank, and at another);
``total_row``
    optional ``{label}``: a last row with the label in the first column and the sum
    in the amount column;
``returns``
    the bank's answer: the same rows with three columns added after the template's own,
    headed ``result``, ``reason`` and ``date``; ``reference`` names the column that
    carries the line (a ``line_id`` or ``reference`` column); ``paid`` and ``failed`` are
    the words (or codes) the bank writes in the result column; ``date_formats`` how it
    writes the date (``strptime`` formats).

How each field is written follows from the field: amounts two decimals without
grouping (``1234.50``; a number formatted ``0.00`` in XLSX), accounts and references as
text (an XLSX text cell, so no digit is lost), the line number and the count as
integers, the date as a date.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "data" / "banks"
FORMATS = ("xlsx", "csv")
#: The batch's fields a header row can show, and the cell kind (app.xlsx) each is written as.
HEADER_FIELDS = {
    "unit_name": "text",
    "payer_account": "code",
    "payer_name": "text",
    "batch_no": "code",
    "date": "date",
    "count": "int",
    "total": "amount",
}
#: A line's fields a column can hold, and the cell kind each is written as. ``line_no``
#: is 1, 2, 3... in file order; ``reference`` is ``<batch_no>-<line_id>``.
LINE_FIELDS = {
    "line_no": "int",
    "line_id": "code",
    "reference": "code",
    "batch_no": "code",
    "payee_name": "text",
    "account_number": "code",
    "bank_name": "text",
    "amount": "amount",
    "memo": "text",
    "interbank": "code",
    "constant": "text",
}
#: The fields a return file's reference column may be.
REFERENCE_FIELDS = ("line_id", "reference")
_CODE = re.compile(r"[a-z0-9_]+")
_TOP_KEYS = {
    "code",
    "name",
    "description",
    "bank",
    "formats",
    "sheet",
    "filename",
    "header_rows",
    "columns",
    "total_row",
    "returns",
}
_REQUIRED = {"code", "name", "description", "formats", "sheet", "filename", "columns", "returns"}
_RETURN_KEYS = {"reference", "result", "reason", "date", "paid", "failed", "date_formats"}


class BankTemplateInvalid(ValueError):
    """A template file that cannot be used: the message names the file and what is wrong.
    Raised when the templates are loaded, never half-way through writing a file."""


@dataclass(frozen=True)
class HeaderRow:
    label: str
    field: str

    @property
    def kind(self) -> str:
        return HEADER_FIELDS[self.field]


@dataclass(frozen=True)
class BankColumn:
    header: str
    field: str
    value: str = ""  # for ``constant``
    own: str = ""  # for ``interbank``: the payee banks at the template's bank
    other: str = ""  # for ``interbank``: at another bank

    @property
    def kind(self) -> str:
        return LINE_FIELDS[self.field]


@dataclass(frozen=True)
class ReturnLayout:
    """Where the bank's answer is: the column carrying the line, the three result columns
    added after the template's own, the bank's words for paid and failed, its date formats."""

    reference: str
    result: str
    reason: str
    date: str
    paid: tuple[str, ...]
    failed: tuple[str, ...]
    date_formats: tuple[str, ...]

    @property
    def headers(self) -> tuple[str, str, str]:
        return (self.result, self.reason, self.date)


@dataclass(frozen=True)
class BankTemplate:
    """代发文件模板: one bank's layout for a payroll (代发) file and its answer."""

    code: str
    name: str
    description: str
    bank: str
    formats: tuple[str, ...]
    sheet: str
    filename: str
    header_rows: tuple[HeaderRow, ...]
    columns: tuple[BankColumn, ...]
    total_label: str | None
    returns: ReturnLayout

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column_of(self, field: str) -> int | None:
        """The index of the first column holding ``field``, if any."""
        return next((i for i, c in enumerate(self.columns) if c.field == field), None)


def _text(where: str, value: Any, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise BankTemplateInvalid(f"{where}: expected {'text' if empty else 'non-empty text'}, got {value!r}")
    return value.strip()


def _words(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise BankTemplateInvalid(f"{where}: expected a non-empty list of text, got {value!r}")
    return tuple(_text(f"{where}[{i}]", v) for i, v in enumerate(value))


def _keys(where: str, table: Any, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise BankTemplateInvalid(f"{where}: expected a table, got {table!r}")
    if unknown := set(table) - allowed:
        raise BankTemplateInvalid(f"{where}: unknown key(s) {sorted(unknown)}")
    if missing := required - set(table):
        raise BankTemplateInvalid(f"{where}: missing key(s) {sorted(missing)}")
    return table


def _column(where: str, raw: Any) -> BankColumn:
    raw = _keys(where, raw, {"header", "field", "value", "own", "other"}, {"header", "field"})
    field = raw["field"]
    if field not in LINE_FIELDS:
        raise BankTemplateInvalid(f"{where}: unknown field {field!r} (one of {sorted(LINE_FIELDS)})")
    extras = {"constant": {"value"}, "interbank": {"own", "other"}}.get(field, set())
    given = set(raw) - {"header", "field"}
    if given != extras:
        raise BankTemplateInvalid(f"{where}: field {field!r} takes {sorted(extras) or 'no other key'}")
    return BankColumn(
        header=_text(f"{where}.header", raw["header"]),
        field=field,
        value=_text(f"{where}.value", raw.get("value", ""), empty=True),
        own=_text(f"{where}.own", raw["own"]) if field == "interbank" else "",
        other=_text(f"{where}.other", raw["other"]) if field == "interbank" else "",
    )


def _header_row(where: str, raw: Any) -> HeaderRow:
    raw = _keys(where, raw, {"label", "field"}, {"label", "field"})
    if raw["field"] not in HEADER_FIELDS:
        raise BankTemplateInvalid(f"{where}: unknown field {raw['field']!r} (one of {sorted(HEADER_FIELDS)})")
    return HeaderRow(label=_text(f"{where}.label", raw["label"]), field=raw["field"])


def _returns(where: str, raw: Any, columns: tuple[BankColumn, ...]) -> ReturnLayout:
    raw = _keys(where, raw, _RETURN_KEYS, _RETURN_KEYS)
    layout = ReturnLayout(
        reference=_text(f"{where}.reference", raw["reference"]),
        result=_text(f"{where}.result", raw["result"]),
        reason=_text(f"{where}.reason", raw["reason"]),
        date=_text(f"{where}.date", raw["date"]),
        paid=_words(f"{where}.paid", raw["paid"]),
        failed=_words(f"{where}.failed", raw["failed"]),
        date_formats=_words(f"{where}.date_formats", raw["date_formats"]),
    )
    referenced = [c for c in columns if c.header == layout.reference]
    if not referenced or referenced[0].field not in REFERENCE_FIELDS:
        raise BankTemplateInvalid(
            f"{where}.reference: {layout.reference!r} must be the header of a column holding "
            f"one of {list(REFERENCE_FIELDS)}"
        )
    if both := set(layout.paid) & set(layout.failed):
        raise BankTemplateInvalid(f"{where}: {sorted(both)} cannot mean both paid and failed")
    clash = {h for h in layout.headers if h in {c.header for c in columns}}
    if clash or len(set(layout.headers)) != 3:
        raise BankTemplateInvalid(f"{where}: the result columns must have three new headers, not {clash}")
    return layout


def parse_template(source: str, raw: dict[str, Any]) -> BankTemplate:
    """The template in ``raw`` (a parsed TOML file called ``source``), checked."""
    raw = _keys(source, raw, _TOP_KEYS, _REQUIRED)
    code = raw["code"]
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise BankTemplateInvalid(f"{source}: code {code!r} must be lower-case letters, digits and _")
    formats = _words(f"{source}: formats", raw["formats"])
    if bad := set(formats) - set(FORMATS):
        raise BankTemplateInvalid(f"{source}: formats {sorted(bad)} unknown (one of {list(FORMATS)})")
    raw_columns = raw["columns"]
    if not isinstance(raw_columns, list) or not raw_columns:
        raise BankTemplateInvalid(f"{source}: columns must be a non-empty list")
    columns = tuple(_column(f"{source}: columns[{i}]", c) for i, c in enumerate(raw_columns))
    headers = [c.header for c in columns]
    if len(set(headers)) != len(headers):
        raise BankTemplateInvalid(f"{source}: two columns share a header in {headers}")
    for needed in ("payee_name", "account_number", "amount"):
        if needed not in {c.field for c in columns}:
            raise BankTemplateInvalid(f"{source}: no column holds {needed!r}")
    if [c.field for c in columns].count("amount") > 1:
        raise BankTemplateInvalid(f"{source}: only one column may hold the amount")
    raw_rows = raw.get("header_rows", [])
    if not isinstance(raw_rows, list):
        raise BankTemplateInvalid(f"{source}: header_rows must be a list")
    header_rows = tuple(_header_row(f"{source}: header_rows[{i}]", r) for i, r in enumerate(raw_rows))
    if header_rows and header_rows[0].label == headers[0]:
        raise BankTemplateInvalid(
            f"{source}: the first header row's label cannot be the first column's header"
        )
    total_label = None
    if "total_row" in raw:
        total = _keys(f"{source}: total_row", raw["total_row"], {"label"}, {"label"})
        total_label = _text(f"{source}: total_row.label", total["label"])
        if columns[0].field == "amount":
            raise BankTemplateInvalid(
                f"{source}: a total row needs the first column for its label, not the amount"
            )
    filename = _text(f"{source}: filename", raw["filename"])
    if re.search(r"[\\/:*?\"<>|]", filename.replace("{batch_no}", "")):
        raise BankTemplateInvalid(f"{source}: filename {filename!r} has a character a file name cannot")
    return BankTemplate(
        code=code,
        name=_text(f"{source}: name", raw["name"]),
        description=_text(f"{source}: description", raw["description"]),
        bank=_text(f"{source}: bank", raw.get("bank", ""), empty=True),
        formats=formats,
        sheet=_text(f"{source}: sheet", raw["sheet"])[:31],
        filename=filename,
        header_rows=header_rows,
        columns=columns,
        total_label=total_label,
        returns=_returns(f"{source}: returns", raw["returns"], columns),
    )


def load_from(directory: Path) -> dict[str, BankTemplate]:
    """Every ``*.toml`` template in ``directory`` by code; :class:`BankTemplateInvalid`
    names the first file that is malformed."""
    found: dict[str, BankTemplate] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise BankTemplateInvalid(f"{path.name}: not a TOML file ({exc})") from exc
        template = parse_template(path.name, raw)
        if template.code in found:
            raise BankTemplateInvalid(f"{path.name}: code {template.code!r} is already used by another file")
        found[template.code] = template
    if not found:
        raise BankTemplateInvalid(f"{directory}: no bank file template (*.toml)")
    return found


@cache
def load_templates() -> dict[str, BankTemplate]:
    """The shipped templates (``data/banks``) by code, read and checked once."""
    return load_from(TEMPLATES_DIR)
