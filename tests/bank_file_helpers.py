"""A three-line batch, and the bank's answer made from its file as a bank would: the
same rows with the result columns filled in."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from app.services.bank_files import BankTemplate, BatchHeader, BatchLine

#: 19-digit cards: more digits than a spreadsheet number keeps (15).
LINES = [
    BatchLine(
        17, "张三", "6222020409001234567", "中国工商银行张家口桥西支行", Decimal("1234.50"), "送温暖慰问金"
    ),
    BatchLine(18, "李四", "6217000130000123456", "中国建设银行张家口分行", Decimal("500.00"), "送温暖慰问金"),
    BatchLine(25, "=HYPERLINK(1)", "0009001234567890123", "张家口银行", Decimal("0.05"), "医疗救助"),
]
TOTAL = Decimal("1734.55")
HEADER = BatchHeader(
    batch_no="DF2015-0007",
    unit_name="张家口市桥西区总工会",
    date=date(2015, 1, 20),
    payer_account="0407003109300012345",
    payer_name="张家口市桥西区总工会",
    count=3,
    total=TOTAL,
)


def file_rows(fmt: str, data: bytes) -> list[list[str]]:
    """The file's rows as text, trailing empty cells dropped (CSV: GB18030)."""
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("gb18030"), newline="")))
    else:
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    trimmed = []
    for row in rows:
        while row and row[-1] == "":
            row = row[:-1]
        trimmed.append(row)
    return trimmed


def answer(
    template: BankTemplate,
    fmt: str,
    data: bytes,
    results: list[tuple[str, str, str]],
    edits: dict[tuple[int, int], object] | None = None,
) -> bytes:
    """The bank's answer to the file ``data``: the same file with the template's result
    headers and, for the n-th line, ``results[n]`` (result, reason, date) in the columns
    after the template's own; ``edits`` then sets cells by (row, column), 1-based. An
    XLSX answer is the very workbook, its cells as they were (amounts numbers)."""
    width = len(template.columns)
    if fmt == "csv":
        rows = file_rows("csv", data)
    else:
        book = load_workbook(io.BytesIO(data))
        sheet = book.worksheets[0]
        rows = file_rows("xlsx", data)
    start = next(i for i, row in enumerate(rows) if row and row[0] == template.headers[0])
    cells: dict[tuple[int, int], object] = {}
    for offset, value in enumerate(template.returns.headers):
        cells[(start + 1, width + 1 + offset)] = value
    for index, result in enumerate(results):
        for offset, value in enumerate(result):
            cells[(start + 2 + index, width + 1 + offset)] = value
    cells |= edits or {}
    if fmt == "xlsx":
        for (row, column), value in cells.items():
            sheet.cell(row=row, column=column, value=value)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    for (row, column), value in cells.items():
        while len(rows) < row:
            rows.append([])
        line = rows[row - 1]
        line += [""] * (column - len(line))
        line[column - 1] = "" if value is None else str(value)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("gb18030")
