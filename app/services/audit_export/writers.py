"""Writing the package's files into its ZIP as they are read: each table as CSV (UTF-8
with BOM) with its row count, money totals and SHA-256, and all of them as one XLSX
workbook."""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook

from app.money import ZERO
from app.services.exports import safe_cell

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
    header: list[str],
    rows: Iterator[list[object]],
    totals_of: Callable[[list[object]], dict],
) -> FileEntry:
    entry = FileEntry(name=name)
    sums: dict[str, Decimal] = {}
    with archive.open(name, "w", force_zip64=True) as member:
        hashing = _Hashing(member)
        text = io.TextIOWrapper(io.BufferedWriter(hashing), encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            entry.rows += 1
            for key, value in totals_of(row).items():
                sums[key] = sums.get(key, ZERO) + value
        text.flush()
        text.detach().flush()
    entry.sha256 = hashing.digest.hexdigest()
    entry.totals = {key: f"{value:.2f}" for key, value in sorted(sums.items())}
    return entry


def write_xlsx(
    archive: zipfile.ZipFile, name: str, sheets: Iterable[tuple[str, list[str], Iterable[list[object]]]]
) -> FileEntry:
    """One workbook of ``(title, header, rows)`` sheets; a table longer than a sheet holds
    goes on in ``title2``, ``title3``..."""
    book = Workbook(write_only=True)
    rows_total = 0
    for title, header, rows in sheets:
        part, sheet, count = 1, None, 0
        for row in rows:
            if sheet is None or count >= XLSX_MAX_ROWS:
                sheet = book.create_sheet(title if part == 1 else f"{title}{part}")
                sheet.append(header)
                part, count = part + 1, 0
            sheet.append([safe_cell(v) for v in row])
            count += 1
            rows_total += 1
        if sheet is None:
            book.create_sheet(title).append(header)
    with tempfile.TemporaryFile() as scratch:
        book.save(scratch)
        scratch.seek(0)
        digest = hashlib.sha256()
        with archive.open(name, "w", force_zip64=True) as member:
            while chunk := scratch.read(1 << 20):
                digest.update(chunk)
                member.write(chunk)
    return FileEntry(name=name, rows=rows_total, sha256=digest.hexdigest())


def open_archive(out: IO[bytes]) -> zipfile.ZipFile:
    """The package's ZIP: DEFLATE at level 1, which halves the time of the default level
    for a few per cent more bytes (bench/RESULTS.md, figure 5)."""
    return zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
