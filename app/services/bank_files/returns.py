"""Reading the bank's answer (回盘文件): the batch's own file with the template's three
result columns filled in, as XLSX or CSV (UTF-8 or GB18030). Read strictly: a column
out of place, a result word the template does not know, an amount that is not exactly
yuan and fen, a line twice, or totals that do not add up refuse the whole file, naming
the row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from app.money import InvalidAmount, parse_wire_amount
from app.services.bank_files.templates import BankTemplate
from app.services.errors import BankFileRefused
from app.services.registry_import import LOST_DIGITS, ImportFileInvalid, read_rows
from app.xlsx import FORMULA_STARTS

_REFERENCE = re.compile(r"(?P<batch>.+)-(?P<line>[0-9]{1,18})")
_LINE_ID = re.compile(r"[0-9]{1,18}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]+")


@dataclass(frozen=True)
class ReturnLine:
    """One line of the bank's answer: which batch line (``line_id``; ``batch_no`` too when
    the reference carries it), ``paid`` or ``failed``, the bank's reason (empty when paid)
    and date (always for a paid line), and what the row says was paid to whom, for the
    caller to hold against the batch. ``row`` is the row in the file (1 is the first)."""

    line_id: int
    result: str
    reason: str
    bank_date: date | None
    row: int
    amount: Decimal | None = None
    payee_name: str | None = None
    account_number: str | None = None
    batch_no: str | None = None


def _refuse(message: str, row: int | None = None) -> BankFileRefused:
    return BankFileRefused(message, row=row)


def _unquoted(text: str) -> str:
    """A text cell as written before :func:`app.xlsx.safe_cell` quoted a leading = + - @."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _rows(filename: str, content: bytes) -> list[list[str]]:
    try:
        return [[str(c).strip() for c in row] for row in read_rows(filename, content)]
    except ImportFileInvalid as exc:
        raise _refuse(exc.message) from None


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _amount(text: str, row: int) -> Decimal:
    try:
        return parse_wire_amount(text)
    except InvalidAmount:
        raise _refuse(
            _(
                "Row %(row)s: the amount “%(value)s” is not yuan with at most two decimals.",
                row=row,
                value=text,
            ),
            row,
        ) from None


def _date(text: str, formats: tuple[str, ...], row: int) -> date | None:
    if not text:
        return None
    for fmt in (*formats, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _refuse(
        _("Row %(row)s: the date “%(value)s” is not one the bank writes.", row=row, value=text), row
    )


def _line(template: BankTemplate, cells: list[str], row: int) -> ReturnLine:
    layout = template.returns
    width = len(template.columns)
    by_field = {c.field: cells[i] for i, c in reversed(list(enumerate(template.columns)))}
    ref_index = template.headers.index(layout.reference)
    ref = cells[ref_index]
    batch_no = None
    if template.columns[ref_index].field == "reference":
        match = _REFERENCE.fullmatch(ref)
        line_text = match["line"] if match else ""
        batch_no = match["batch"] if match else None
    else:
        line_text = ref if _LINE_ID.fullmatch(ref) else ""
        batch_no = by_field.get("batch_no") or None
    if not line_text:
        raise _refuse(
            _(
                "Row %(row)s: “%(value)s” in %(header)s names no line of a batch.",
                row=row,
                value=ref,
                header=layout.reference,
            )
            if ref
            else _("Row %(row)s: the column %(header)s is empty.", row=row, header=layout.reference),
            row,
        )
    word, reason, when = cells[width : width + 3]
    if word in layout.paid:
        result = "paid"
    elif word in layout.failed:
        result = "failed"
    else:
        raise _refuse(
            _(
                "Row %(row)s: the result “%(value)s” is not one this bank writes (%(words)s).",
                row=row,
                value=word,
                words="、".join(layout.paid + layout.failed),
            ),
            row,
        )
    bank_date = _date(when, layout.date_formats, row)
    if result == "paid" and bank_date is None:
        raise _refuse(_("Row %(row)s: a paid line needs the bank's date.", row=row), row)
    if result == "failed" and not reason:
        raise _refuse(_("Row %(row)s: a failed line needs the bank's reason.", row=row), row)
    account = by_field["account_number"]
    if account == LOST_DIGITS or not _ACCOUNT.fullmatch(account):
        raise _refuse(
            _("Row %(row)s: the account number is not whole (keep the column as text).", row=row), row
        )
    return ReturnLine(
        line_id=int(line_text),
        result=result,
        reason=reason if result == "failed" else "",
        bank_date=bank_date,
        row=row,
        amount=_amount(by_field["amount"], row),
        payee_name=_unquoted(by_field["payee_name"]),
        account_number=account,
        batch_no=batch_no,
    )


def _stated(template: BankTemplate, above: list[list[str]]) -> dict[str, tuple[str, int]]:
    """The header rows' count and total above the columns, if the bank kept them."""
    labels = {r.label: r.field for r in template.header_rows if r.field in ("count", "total")}
    return {
        labels[cells[0]]: (cells[1] if len(cells) > 1 else "", number)
        for number, cells in enumerate(above, start=1)
        if cells and cells[0] in labels
    }


def _check_totals(
    template: BankTemplate, lines: list[ReturnLine], stated: dict[str, tuple[str, int]]
) -> None:
    total = sum((line.amount or Decimal(0) for line in lines), Decimal("0.00"))
    if "count" in stated:
        text, row = stated["count"]
        if text != str(len(lines)):
            raise _refuse(
                _(
                    "Row %(row)s: the file says %(said)s lines, it has %(count)s.",
                    row=row,
                    said=text,
                    count=len(lines),
                ),
                row,
            )
    if "total" in stated:
        text, row = stated["total"]
        if _amount(text, row) != total:
            raise _refuse(
                _(
                    "Row %(row)s: the file says %(said)s in all, its lines add up to %(total)s.",
                    row=row,
                    said=text,
                    total=total,
                ),
                row,
            )


def read(template: BankTemplate, filename: str, content: bytes) -> list[ReturnLine]:
    """The answer's lines in file order, or :class:`BankFileRefused` naming the row."""
    rows = _rows(filename, content)
    expected = template.headers + list(template.returns.headers)
    start = next((i for i, cells in enumerate(rows) if cells and cells[0] == expected[0]), None)
    if start is None:
        raise _refuse(
            _(
                "No row begins with the column %(header)s: this is not an answer in the layout %(name)s.",
                header=expected[0],
                name=template.name,
            )
        )
    found = _trimmed(rows[start])
    if found != expected:
        raise _refuse(
            _(
                "Row %(row)s: the columns should be %(expected)s; the file has %(found)s.",
                row=start + 1,
                expected="、".join(expected),
                found="、".join(found),
            ),
            start + 1,
        )
    lines: list[ReturnLine] = []
    first_row: dict[int, int] = {}
    stated = _stated(template, rows[:start])
    for index in range(start + 1, len(rows)):
        number, cells = index + 1, _trimmed(rows[index])
        if not cells:
            continue
        if template.total_label and cells[0] == template.total_label:
            amount_index = template.column_of("amount")
            said = cells[amount_index] if amount_index is not None and amount_index < len(cells) else ""
            stated["total"] = (said, number)
            if rest := next((i + 1 for i in range(index + 1, len(rows)) if _trimmed(rows[i])), None):
                raise _refuse(_("Row %(row)s comes after the total row.", row=rest), rest)
            break
        if len(cells) > len(expected):
            raise _refuse(_("Row %(row)s has more cells than the file has columns.", row=number), number)
        line = _line(template, cells + [""] * (len(expected) - len(cells)), number)
        if line.line_id in first_row:
            raise _refuse(
                _(
                    "Row %(row)s: the line is already in row %(first)s.",
                    row=number,
                    first=first_row[line.line_id],
                ),
                number,
            )
        first_row[line.line_id] = number
        lines.append(line)
    if not lines:
        raise _refuse(_("The file has no lines."))
    _check_totals(template, lines, stated)
    return lines
