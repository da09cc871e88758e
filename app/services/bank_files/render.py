"""Writing a batch as a bank's file: the template's header rows, columns and total row,
as GB18030 CSV or as an XLSX sheet (app.xlsx, the product's one writer)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.money import to_money
from app.services.bank_files.templates import BankColumn, BankTemplate
from app.xlsx import Column, PageSetup, add_sheet, csv_value, new_book, safe_cell, to_bytes

CSV_ENCODING = "gb18030"
MIMETYPES = {
    "csv": "text/csv; charset=gb18030",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_UNSAFE_IN_NAME = re.compile(r"[\\/:*?\"<>|\s]")


@dataclass(frozen=True)
class BatchHeader:
    """The batch as its file's header rows show it. ``count`` and ``total``, when given,
    must be those of the lines (a check that the caller wrote what it meant)."""

    batch_no: str
    unit_name: str
    date: date
    payer_account: str = ""
    payer_name: str = ""
    count: int | None = None
    total: Decimal | None = None


@dataclass(frozen=True)
class BatchLine:
    """One payment of the batch: the line's id (it comes back in the bank's answer), the
    payee, their whole account number, their bank, the amount and the 用途/摘要."""

    line_id: int
    payee_name: str
    account_number: str
    bank_name: str
    amount: Decimal
    memo: str = ""


def reference(batch_no: str, line_id: int) -> str:
    """The text a ``reference`` column carries for a line: ``<batch_no>-<line_id>``."""
    return f"{batch_no}-{line_id}"


def _account(line: BatchLine) -> str:
    account = "".join(str(line.account_number).split())
    if not account:
        raise ValueError(f"line {line.line_id} has no bank account")
    return account


def _line_value(
    column: BankColumn, template: BankTemplate, header: BatchHeader, number: int, line: BatchLine
) -> Any:
    field = column.field
    if field == "line_no":
        return number
    if field == "line_id":
        return str(line.line_id)
    if field == "reference":
        return reference(header.batch_no, line.line_id)
    if field == "batch_no":
        return header.batch_no
    if field == "account_number":
        return _account(line)
    if field == "amount":
        return line.amount
    if field == "interbank":
        return column.own if template.bank and template.bank in (line.bank_name or "") else column.other
    if field == "constant":
        return column.value
    return getattr(line, field) or ""


def _header_value(field: str, header: BatchHeader, count: int, total: Decimal) -> Any:
    if field == "count":
        return count
    if field == "total":
        return total
    return getattr(header, field)


def _checked_totals(header: BatchHeader, lines: Sequence[BatchLine]) -> tuple[int, Decimal]:
    amounts = []
    for line in lines:
        amount = to_money(line.amount)
        if amount <= 0:
            raise ValueError(f"line {line.line_id}: the amount must be positive, not {amount}")
        amounts.append(amount)
    count, total = len(lines), sum(amounts, Decimal("0.00"))
    if header.count is not None and header.count != count:
        raise ValueError(f"the batch says {header.count} lines, {count} were given")
    if header.total is not None and to_money(header.total) != total:
        raise ValueError(f"the batch says {header.total} in all, the lines add up to {total}")
    if len({line.line_id for line in lines}) != count:
        raise ValueError("two lines share an id")
    return count, total


def _csv(
    template: BankTemplate, header: BatchHeader, lines: Sequence[BatchLine], count: int, total: Decimal
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in template.header_rows:
        writer.writerow(
            [safe_cell(row.label), csv_value(_header_value(row.field, header, count, total), row.kind)]
        )
    writer.writerow([safe_cell(h) for h in template.headers])
    for number, line in enumerate(lines, start=1):
        writer.writerow(
            [csv_value(_line_value(c, template, header, number, line), c.kind) for c in template.columns]
        )
    if template.total_label:
        total_row = [""] * len(template.columns)
        total_row[0] = template.total_label
        total_row[template.column_of("amount")] = csv_value(total, "amount")  # type: ignore[index]
        writer.writerow(total_row)
    return buffer.getvalue().encode(CSV_ENCODING)


def _xlsx(
    template: BankTemplate, header: BatchHeader, lines: Sequence[BatchLine], count: int, total: Decimal
) -> bytes:
    book = new_book()
    columns = [Column(c.header, c.kind, total=c.field == "amount") for c in template.columns]
    rows = (
        [_line_value(c, template, header, number, line) for c in template.columns]
        for number, line in enumerate(lines, start=1)
    )
    preamble = [(r.label, _header_value(r.field, header, count, total), r.kind) for r in template.header_rows]
    add_sheet(
        book,
        template.sheet,
        columns,
        rows,
        setup=PageSetup(unit_name=header.unit_name, printed_on=header.date),
        totals=template.total_label is not None,
        total_label=template.total_label,
        heading=template.name,
        preamble=preamble,
    )
    return to_bytes(book)


def render(
    template: BankTemplate, fmt: str, header: BatchHeader, lines: Sequence[BatchLine]
) -> tuple[bytes, str, str]:
    """The batch's file in ``fmt``: its bytes, its file name and its MIME type."""
    if fmt not in template.formats:
        raise ValueError(
            f"template {template.code!r} is not written as {fmt!r} (only {list(template.formats)})"
        )
    count, total = _checked_totals(header, lines)
    write = _csv if fmt == "csv" else _xlsx
    data = write(template, header, lines, count, total)
    name = template.filename.replace("{batch_no}", _UNSAFE_IN_NAME.sub("_", header.batch_no))
    return data, f"{name}.{fmt}", MIMETYPES[fmt]
