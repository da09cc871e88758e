"""Writing the package's files into its ZIP as they are read: each table as CSV (UTF-8
with BOM) with its row count, money totals and SHA-256, and all of them as one XLSX
workbook (through :mod:`app.xlsx`, streaming)."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from app.money import ZERO
from app.xlsx import Column, PageSetup, add_sheet, csv_value, new_book, safe_cell

XLSX_MAX_ROWS = 1_048_575  # a sheet's rows less the header


@dataclass
class FileEntry:
    name: str
    rows: int = 0
    sha256: str = ""
    totals: dict[str, str] = field(default_factory=dict)


class _Hashing(io.RawIOBase):
    """Passes bytes on to the ZIP member while hashing them."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.digest.update(data)
        return self.target.write(data)


def write_csv(
    archive: zipfile.ZipFile,
    name: str,
    columns: Sequence[Column],
    rows: Iterator[list[object]],
    totals_of: Callable[[list[object]], dict],
) -> FileEntry:
    """A table as CSV: amounts as plain ``1234.50``, dates ``2015-03-01``, times in
    Beijing to the second (:func:`app.xlsx.csv_value`); the totals come from the values."""
    entry = FileEntry(name=name)
    sums: dict[str, Decimal] = {}
    with archive.open(name, "w", force_zip64=True) as member:
        hashing = _Hashing(member)
        text = io.TextIOWrapper(io.BufferedWriter(hashing), encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([safe_cell(c.header) for c in columns])
        for row in rows:
            writer.writerow([csv_value(v, c.kind) for v, c in zip(row, columns, strict=True)])
            entry.rows += 1
            for key, value in totals_of(row).items():
                sums[key] = sums.get(key, ZERO) + value
        text.flush()
        text.detach().flush()
    entry.sha256 = hashing.digest.hexdigest()
    entry.totals = {key: f"{value:.2f}" for key, value in sorted(sums.items())}
    return entry


def _parts(rows: Iterator[list[object]], size: int) -> Iterator[Iterator[list[object]]]:
    """``rows`` in runs of at most ``size`` (at least one run, empty if there are none)."""
    first = next(rows, None)
    if first is None:
        yield iter(())
        return
    while first is not None:
        yield itertools.chain([first], itertools.islice(rows, size - 1))
        first = next(rows, None)


def write_xlsx(
    archive: zipfile.ZipFile,
    name: str,
    sheets: Iterable[tuple[str, Sequence[Column], Iterator[list[object]]]],
    *,
    setup: PageSetup | None = None,
) -> FileEntry:
    """One streaming workbook of ``(title, columns, rows)`` sheets written by
    :mod:`app.xlsx` (numbers, dates, widths, frozen filtered header, A4); a table longer
    than a sheet holds goes on in ``title2``, ``title3``..."""
    book = new_book(streaming=True)
    rows_total = 0
    for title, columns, rows in sheets:
        counted = _Counting(rows)
        for part, chunk in enumerate(_parts(counted, XLSX_MAX_ROWS), start=1):
            add_sheet(book, title if part == 1 else f"{title}{part}", columns, chunk, setup=setup)
        rows_total += counted.count
    with tempfile.TemporaryFile() as scratch:
        book.save(scratch)
        scratch.seek(0)
        digest = hashlib.sha256()
        with archive.open(name, "w", force_zip64=True) as member:
            while chunk := scratch.read(1 << 20):
                digest.update(chunk)
                member.write(chunk)
    return FileEntry(name=name, rows=rows_total, sha256=digest.hexdigest())


class _Counting:
    """An iterator that counts what passes through it."""

    def __init__(self, rows: Iterator[list[object]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> _Counting:
        return self

    def __next__(self) -> list[object]:
        row = next(self.rows)
        self.count += 1
        return row


def open_archive(out: IO[bytes]) -> zipfile.ZipFile:
    """The package's ZIP: DEFLATE at level 1, which halves the time of the default level
    for a few per cent more bytes (bench/RESULTS.md, figure 5)."""
    return zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
