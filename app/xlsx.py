"""Spreadsheets that open right in Excel and LibreOffice: one writer for every sheet the
product hands a person.

A sheet is a title, typed columns and rows. Money is written as a number with the format
``#,##0.00`` (so Excel adds it up), dates as dates, times as Beijing time; every column has
a width, the header is frozen and filtered, and the page is set up for A4 with the unit,
the date and signature lines. Text is made safe against formula injection.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.services.exports import safe_cell

BEIJING = ZoneInfo("Asia/Shanghai")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: Column kinds: how a value is written and how wide the column starts.
#: (``timestamp``: a time to the second, as the audit log keeps it).
KINDS = ("text", "money", "int", "date", "datetime", "timestamp", "code")
_WIDTHS = {"text": 18, "money": 14, "int": 8, "date": 12, "datetime": 17, "timestamp": 20, "code": 14}


@dataclass(frozen=True)
class Column:
    """A column: its header (words), its kind, and optionally its width in characters."""

    header: str
    kind: str = "text"
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class PageSetup:
    """What the printed page carries: the unit's name, the date printed, and signature lines."""

    unit_name: str = ""
    printed_on: date | None = None
    signatures: Sequence[str] = ()


def beijing(moment: datetime) -> datetime:
    """A stored (UTC) time as Beijing wall-clock time, without a zone (Excel has none)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).replace(tzinfo=None)


def cell_value(value: Any, kind: str) -> Any:
    """``value`` as the cell should hold it for a column of ``kind``."""
    if value is None or value == "":
        return None
    if kind == "money":
        return Decimal(value)  # openpyxl writes a Decimal as a number
    if kind == "int":
        return int(value)
    if kind in ("datetime", "timestamp") and isinstance(value, datetime):
        return beijing(value).replace(microsecond=0)
    if kind == "date" and isinstance(value, datetime):
        return beijing(value).date()
    if kind in ("date", "datetime", "timestamp"):
        return value
    return safe_cell(str(value))


def add_sheet(
    book: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    setup: PageSetup | None = None,
    totals: bool = False,
) -> Worksheet:
    """Append a sheet called ``title``: header, rows, and (``totals``) a row summing the money."""
    sheet = book.create_sheet(title=title[:31])
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF4")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    count = 0
    sums = [Decimal("0.00") for _c in columns]
    for row in rows:
        values = [cell_value(v, c.kind) for v, c in zip(row, columns, strict=True)]
        sheet.append(values)
        count += 1
        for i, (value, column) in enumerate(zip(values, columns, strict=True)):
            if column.kind == "money" and value is not None:
                sums[i] += value
    last = count + 1
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = column.width or max(
            _WIDTHS[column.kind], min(40, 2 * len(column.header) + 2)
        )
        number_format = {
            "money": MONEY_FORMAT,
            "date": DATE_FORMAT,
            "datetime": DATETIME_FORMAT,
            "timestamp": TIMESTAMP_FORMAT,
        }.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=i, max_col=i):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    if totals and any(c.kind == "money" for c in columns):
        total_row = [_("Total")] + [None] * (len(columns) - 1)
        for i, column in enumerate(columns):
            if column.kind == "money" and i > 0:
                total_row[i] = sums[i]
        sheet.append(total_row)
        for i, cell in enumerate(sheet[last + 1]):
            cell.font = Font(bold=True)
            if columns[i].kind == "money":
                cell.number_format = MONEY_FORMAT
    _page_setup(sheet, title, setup or PageSetup())
    return sheet


def _page_setup(sheet: Worksheet, title: str, setup: PageSetup) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if sheet.max_column > 6 else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.oddHeader.center.text = title
    sheet.oddHeader.left.text = setup.unit_name
    if setup.printed_on:
        sheet.oddHeader.right.text = _("Printed %(date)s", date=setup.printed_on.isoformat())
    sheet.oddFooter.center.text = _("Page &P of &N")
    if setup.signatures:
        sheet.oddFooter.left.text = "    ".join(f"{s}：________" for s in setup.signatures)


def workbook(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    setup: PageSetup | None = None,
    totals: bool = False,
) -> bytes:
    """A one-sheet workbook as bytes (for a download)."""
    book = new_book()
    add_sheet(book, title, columns, rows, setup=setup, totals=totals)
    return to_bytes(book)


def new_book() -> Workbook:
    """An empty workbook (its default sheet removed): add sheets with :func:`add_sheet`."""
    book = Workbook()
    book.remove(book.active)
    return book


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
