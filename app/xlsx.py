"""Spreadsheets that open right in Excel and LibreOffice: one writer for every sheet the
product hands a person, and the matching CSV values.

A sheet is a title, typed columns and rows. Money is written as a number with the format
``#,##0.00`` (so Excel adds it up), dates as dates, times as Beijing time; every column has
a width, the header is frozen and filtered, and the page is set up for A4 with the unit,
the date and signature lines. Text is made safe against formula injection.

The same sheet can be written into a streaming workbook (``new_book(streaming=True)``):
rows are then written as they come, so an audit package of millions of ledger rows
keeps memory flat. In CSV the same columns give plain values: ``1234.50`` (no grouping,
two decimals), ``2015-03-01``, ``2015-03-01 10:03:04`` (Beijing, whole seconds).

A column whose values are codes a machine reads (kept beside their words) has a header
ending in :data:`CODE_MARK` (``类型代码``); the tests look for code words everywhere else.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BEIJING = ZoneInfo("Asia/Shanghai")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TEXT_FORMAT = "@"
#: A header ending so marks a column of codes for machines (``类型代码``, ``状态代码``).
CODE_MARK = "代码"
PERCENT_FORMAT = "0.0%"
#: Column kinds: how a value is written and how wide the column starts. ``code`` is a
#: code or number kept as text (file numbers, project codes, hashes); ``percent`` a
#: share given in per cent (``12.5``), held as the fraction Excel formats as ``12.5%``.
#: ``timestamp`` is ``datetime`` by another name (both to the second, Beijing time).
#: ``amount`` is money for a machine to read (a bank's upload): ``0.00``, no grouping.
KINDS = ("text", "money", "amount", "int", "date", "datetime", "timestamp", "code", "percent")
#: The kinds that hold yuan: summed by a totals row, written ``1234.50`` in CSV.
MONEY_KINDS = ("money", "amount")
AMOUNT_FORMAT = "0.00"
_WIDTHS = {
    "text": 18,
    "money": 14,
    "amount": 14,
    "int": 8,
    "date": 12,
    "datetime": 19,
    "timestamp": 19,
    "code": 14,
    "percent": 10,
}
_FORMATS = {
    "money": MONEY_FORMAT,
    "amount": AMOUNT_FORMAT,
    "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT,
    "timestamp": DATETIME_FORMAT,
    "code": TEXT_FORMAT,
    "percent": PERCENT_FORMAT,
}
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")


@dataclass(frozen=True)
class Column:
    """A column: its header (words), its kind, optionally its width in characters, and
    whether a totals row sums it (``total``; a running balance is not summed)."""

    header: str
    kind: str = "text"
    width: int | None = None
    total: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def number_format(self) -> str | None:
        return _FORMATS.get(self.kind)

    @property
    def char_width(self) -> int:
        # a Chinese character is about two columns wide
        return self.width or max(_WIDTHS[self.kind], min(40, 2 * len(self.header) + 2))


@dataclass(frozen=True)
class PageSetup:
    """What the printed page carries: the unit's name, the date printed, and signature lines."""

    unit_name: str = ""
    printed_on: date | None = None
    signatures: Sequence[str] = ()


def safe_cell(value: object) -> str:
    """Text for a spreadsheet cell: a leading =, +, -, @ is neutralised with a quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def is_code_header(header: str) -> bool:
    """Whether a column's header marks it as holding codes for machines."""
    return str(header).strip().endswith(CODE_MARK)


def beijing(moment: datetime) -> datetime:
    """A stored (UTC) time as Beijing wall-clock time to the second, without a zone (Excel
    has none)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).replace(tzinfo=None, microsecond=0)


def today_in_beijing() -> date:
    return datetime.now(UTC).astimezone(BEIJING).date()


def cell_value(value: Any, kind: str) -> Any:
    """``value`` as the cell should hold it for a column of ``kind``."""
    if value is None or value == "":
        return None
    if kind in MONEY_KINDS:
        return Decimal(value)  # openpyxl writes a Decimal as a number
    if kind == "int":
        return int(value)
    if kind == "percent":
        return Decimal(value) / 100
    if kind in ("datetime", "timestamp") and isinstance(value, datetime):
        return beijing(value)
    if kind == "date" and isinstance(value, datetime):
        return beijing(value).date()
    if kind in ("date", "datetime", "timestamp") and isinstance(value, date):
        return value
    return safe_cell(str(value))


def csv_value(value: Any, kind: str) -> str:
    """``value`` as a CSV field for a column of ``kind``: money as ``1234.50``, dates as
    ``2015-03-01``, times in Beijing as ``2015-03-01 10:03:04``; text made formula-safe."""
    value = cell_value(value, kind)
    if value is None:
        return ""
    if kind in MONEY_KINDS:
        return f"{value:.2f}"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_rows(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[list[str]]:
    """The header, then each row as CSV fields."""
    yield [safe_cell(c.header) for c in columns]
    for row in rows:
        yield [csv_value(v, c.kind) for v, c in zip(row, columns, strict=True)]


def _cell(sheet: Any, value: Any, column: Column, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if column.number_format:
        cell.number_format = column.number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def add_sheet(
    book: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    setup: PageSetup | None = None,
    totals: bool = False,
    total_label: str | None = None,
    heading: str | None = None,
    preamble: Sequence[tuple[str, Any, str]] = (),
) -> Any:
    """Append a sheet called ``title``: header, rows, and (``totals``) a row summing the
    money columns (those with ``total``), labelled in the first column. The printed page
    is headed ``heading`` (default: the title). ``preamble`` rows come above the header,
    each a label and a value of a kind (a bank's 单位名称 / 总笔数 / 总金额 lines). Works on
    a streaming workbook too (rows are then written as they come). Returns the sheet."""
    sheet = book.create_sheet(title=title[:31])
    for i, column in enumerate(columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(i)]
        dimension.width = column.char_width
    first = len(preamble) + 1  # the header's row
    sheet.freeze_panes = f"A{first + 1}"
    for label, value, kind in preamble:
        typed = Column(label, kind)
        sheet.append(
            [
                _cell(sheet, safe_cell(label), Column(label), bold=True),
                _cell(sheet, cell_value(value, kind), typed),
            ]
        )
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_cell(column.header))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    sums = [Decimal("0.00") for _c in columns]
    for row in rows:
        values = [cell_value(v, c.kind) for v, c in zip(row, columns, strict=True)]
        sheet.append([_cell(sheet, v, c) for v, c in zip(values, columns, strict=True)])
        count += 1
        for i, (value, column) in enumerate(zip(values, columns, strict=True)):
            if column.kind in MONEY_KINDS and value is not None:
                sums[i] += value
    last = count + first
    if count:
        sheet.auto_filter.ref = f"A{first}:{get_column_letter(len(columns))}{last}"
    if totals and any(c.kind in MONEY_KINDS for c in columns):
        total_row: list[Any] = [total_label or _("Total")] + [None] * (len(columns) - 1)
        for i, column in enumerate(columns):
            if column.kind in MONEY_KINDS and column.total and i > 0:
                total_row[i] = sums[i]
        sheet.append([_cell(sheet, v, c, bold=True) for v, c in zip(total_row, columns, strict=True)])
    _page_setup(sheet, heading or title, len(columns), setup or PageSetup(), title_row=first)
    return sheet


def _page_setup(sheet: Any, title: str, width: int, setup: PageSetup, *, title_row: int = 1) -> None:
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if width > 6 else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{title_row}:{title_row}"
    sheet.print_options.gridLines = True
    header, footer = sheet.HeaderFooter.oddHeader, sheet.HeaderFooter.oddFooter
    header.center.text = title
    header.left.text = setup.unit_name
    if setup.printed_on:
        header.right.text = _("Printed %(date)s", date=setup.printed_on.isoformat())
    footer.center.text = _("Page &P of &N")
    if setup.signatures:
        footer.left.text = "    ".join(f"{s}：________" for s in setup.signatures)


def workbook(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    setup: PageSetup | None = None,
    totals: bool = False,
    heading: str | None = None,
) -> bytes:
    """A one-sheet workbook as bytes (for a download)."""
    book = new_book()
    add_sheet(book, title, columns, rows, setup=setup, totals=totals, heading=heading)
    return to_bytes(book)


def new_book(*, streaming: bool = False) -> Workbook:
    """An empty workbook (no default sheet): add sheets with :func:`add_sheet`.
    ``streaming`` writes rows as they come (a sheet cannot be changed once written)."""
    book = Workbook(write_only=streaming)
    if not streaming:
        book.remove(book.active)
    return book


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
