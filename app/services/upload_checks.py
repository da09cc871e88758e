"""Every uploaded spreadsheet is checked here before anything parses it.

A hostile file must be refused while it is read as a stream, before it costs memory: a
ZIP bomb, one huge cell, a row of millions of cells, XML with entity declarations
(billion laughs), a picture or PDF named ``.xlsx``, a CSV file that is not text.

- **Real type by content**: an XLSX workbook is a ZIP holding ``[Content_Types].xml`` and
  ``xl/workbook.xml``; a CSV file is UTF-8 or GB18030 text without NUL bytes.
- **The ZIP**: its member count, each member's and the total uncompressed size (counted
  as it is inflated, not taken from the headers) and each large member's compression ratio.
- **The XML**: every part is streamed through expat with DOCTYPE and ENTITY declarations
  refused; rows, cells per row, cells in all, the column a cell sits in, the sheet's
  declared dimensions and the length of one cell are counted as the elements go by.
- **CSV**: read record by record with the characters of one record bounded, so a row of
  millions of fields never becomes a list.

The caps are configuration values (``UPLOAD_MAX_*`` in ``config.py``). A refusal is an
:class:`UploadRefused` naming the ``file`` field; nothing has been saved.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from flask import current_app, has_app_context
from flask_babel import gettext as _

from app.services.errors import InvalidInput

_CHUNK = 64 * 1024
#: bytes of XML without a ``>``: no honest tag or capped cell is that long.
_LONGEST_TOKEN = 256 * 1024
#: members larger than this must also keep to the compression ratio.
_RATIO_FROM_BYTES = 1024 * 1024
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,7})\$?([0-9]{1,9})$")
_MAGIC = [
    (b"\x89PNG", "PNG"),
    (b"%PDF", "PDF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\xd0\xcf\x11\xe0", "XLS/DOC"),
    (b"PK\x03\x04", "ZIP"),
]


class UploadRefused(InvalidInput):
    """An uploaded file refused before it was parsed: wrong type, too large, hostile."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class UploadLimits:
    rows: int = 20_000  # data rows, below the header
    columns: int = 60
    cell_chars: int = 2_000
    cells: int = 1_200_000
    uncompressed_bytes: int = 50 * 1024 * 1024
    members: int = 200
    ratio: int = 100

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> UploadLimits:
        defaults = cls()
        return cls(
            **{
                name: int(config.get(f"UPLOAD_MAX_{name.upper()}", getattr(defaults, name)))
                for name in cls.__dataclass_fields__
            }
        )


def limits() -> UploadLimits:
    """The running app's caps (the defaults outside an app)."""
    return UploadLimits.from_config(current_app.config) if has_app_context() else UploadLimits()


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # "xlsx" or "csv"
    text: str | None = None  # a CSV file's decoded text


def check_upload(filename: str, content: bytes, caps: UploadLimits | None = None) -> CheckedUpload:
    """Check an upload by its content; raise :class:`UploadRefused` with the reason."""
    caps = caps or limits()
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        _check_xlsx(content, caps)
        return CheckedUpload("xlsx")
    if lower.endswith(".csv"):
        return CheckedUpload("csv", _check_csv(content, caps))
    raise UploadRefused(_("Upload an .xlsx or .csv file."))


def _sniffed(content: bytes) -> str | None:
    return next((kind for magic, kind in _MAGIC if content.startswith(magic)), None)


# --- XLSX ---------------------------------------------------------------------------


def _check_xlsx(content: bytes, caps: UploadLimits) -> None:
    kind = _sniffed(content)
    if kind != "ZIP":
        if kind is None:
            raise UploadRefused(_("The file is not an XLSX workbook."))
        raise UploadRefused(_("The file is not an XLSX workbook: its content is %(kind)s.", kind=kind))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise UploadRefused(_("The file is not a readable XLSX workbook.")) from None
    if len(members) > caps.members:
        raise UploadRefused(_("The workbook has more than %(n)s parts.", n=caps.members))
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRefused(_("The file is a ZIP archive but not an XLSX workbook."))
    if sum(m.file_size for m in members) > caps.uncompressed_bytes:
        raise _too_large(caps)
    counter = _Budget(caps.uncompressed_bytes)
    with archive:
        for member in members:
            if member.is_dir():
                continue
            if member.file_size > _RATIO_FROM_BYTES and member.file_size > caps.ratio * max(
                member.compress_size, 1
            ):
                raise UploadRefused(_("The workbook is compressed suspiciously tightly (a ZIP bomb?)."))
            try:
                with archive.open(member) as stream:
                    chunks = counter.chunks(stream, member)
                    first = next(chunks, b"")
                    if _looks_like_xml(first):  # whatever its name: a sheet may be named anything
                        _scan_xml(itertools.chain([first], chunks), caps)
                    else:
                        for _chunk in chunks:
                            pass
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
                raise UploadRefused(_("The file is not a readable XLSX workbook.")) from None


def _too_large(caps: UploadLimits) -> UploadRefused:
    return UploadRefused(
        _(
            "The workbook unpacks to more than %(mb)s MB; split it.",
            mb=caps.uncompressed_bytes // (1024 * 1024),
        )
    )


class _Budget:
    """The uncompressed bytes the workbook may still unpack to."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.total = total

    def chunks(self, stream: Any, member: zipfile.ZipInfo) -> Iterator[bytes]:
        read = 0
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            self.left -= len(chunk)
            if self.left < 0:
                raise _too_large(UploadLimits(uncompressed_bytes=self.total))
            if read > member.file_size:  # the header lied about the size
                raise UploadRefused(_("The file is not a readable XLSX workbook."))
            yield chunk


def _looks_like_xml(first: bytes) -> bool:
    if first.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")):  # UTF-16
        return True
    return first.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


class _XmlCounter:
    """Counts what an XML part holds as expat streams it, and refuses past a cap."""

    def __init__(self, caps: UploadLimits) -> None:
        self.caps = caps
        self.rows = 0
        self.row_cells = 0
        self.cells = 0
        self.strings = 0
        self.chars = 0
        self.in_cell = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        caps = self.caps
        if not self.in_cell:
            self.chars = 0
        if local == "row":
            self.rows += 1
            self.row_cells = 0
            number = attributes.get("r", "")
            if self.rows > caps.rows + 1 or (number.isdigit() and int(number) > caps.rows + 1):
                raise _too_many_rows(caps)
        elif local == "c":
            self.row_cells += 1
            self.cells += 1
            self._cell_at(attributes.get("r", ""))
            if self.row_cells > caps.columns:
                raise _too_many_columns(caps)
            if self.cells > caps.cells:
                raise UploadRefused(_("The sheet has more than %(n)s cells; split it.", n=caps.cells))
            self.in_cell, self.chars = True, 0
        elif local == "si":
            self.strings += 1
            if self.strings > caps.cells:
                raise UploadRefused(_("The sheet has more than %(n)s cells; split it.", n=caps.cells))
            self.in_cell, self.chars = True, 0
        elif local == "dimension":
            for corner in attributes.get("ref", "").split(":"):
                self._cell_at(corner)

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] in ("c", "si"):
            self.in_cell = False
        if not self.in_cell:
            self.chars = 0

    def text(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > self.caps.cell_chars:
            raise UploadRefused(_("A cell holds more than %(n)s characters.", n=self.caps.cell_chars))

    def _cell_at(self, ref: str) -> None:
        match = _CELL_REF.match(ref)
        if match is None:
            return
        column = 0
        for letter in match.group(1).upper():
            column = column * 26 + ord(letter) - 64
        if column > self.caps.columns:
            raise _too_many_columns(self.caps)
        if int(match.group(2)) > self.caps.rows + 1:
            raise _too_many_rows(self.caps)


def _too_many_rows(caps: UploadLimits) -> UploadRefused:
    return UploadRefused(_("The file has more than %(n)s rows; split it.", n=caps.rows))


def _too_many_columns(caps: UploadLimits) -> UploadRefused:
    return UploadRefused(_("A row has more than %(n)s columns.", n=caps.columns))


def _refuse_declarations(*_args: object) -> None:
    raise UploadRefused(_("The workbook holds XML declarations that are not allowed (DOCTYPE or ENTITY)."))


def _scan_xml(chunks: Iterator[bytes], caps: UploadLimits) -> None:
    counter = _XmlCounter(caps)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    parser.ExternalEntityRefHandler = _refuse_declarations
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.CharacterDataHandler = counter.text
    since_tag_end = 0
    try:
        for chunk in chunks:
            end = chunk.rfind(b">")
            since_tag_end = len(chunk) - end - 1 if end >= 0 else since_tag_end + len(chunk)
            if since_tag_end > _LONGEST_TOKEN:
                raise UploadRefused(_("A cell holds more than %(n)s characters.", n=caps.cell_chars))
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        # Not well-formed (Excel's legacy VML drawings often are not): any XML parser stops
        # where expat did, and everything up to there was counted. Its bytes still count.
        for _chunk in chunks:
            pass


# --- CSV ----------------------------------------------------------------------------


def _check_csv(content: bytes, caps: UploadLimits) -> str:
    kind = _sniffed(content)
    if kind is not None:
        raise UploadRefused(_("The file is not CSV text: its content is %(kind)s.", kind=kind))
    if b"\x00" in content:
        raise UploadRefused(_("The file is not CSV text: it holds NUL bytes."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise UploadRefused(_("The file is neither UTF-8 nor GB18030 text.")) from None
    for _row in csv_rows(text, caps):
        pass
    return text


def csv_rows(text: str, caps: UploadLimits | None = None) -> Iterator[list[str]]:
    """The CSV text's rows, each within the caps: the characters of one record are
    bounded while it is read, so a record of millions of fields is refused before
    it is split into a list."""
    caps = caps or limits()
    record_chars = caps.columns * (caps.cell_chars + 3) + 2
    fed = 0

    def lines() -> Iterator[str]:
        nonlocal fed
        for line in io.StringIO(text, newline=""):
            fed += len(line)
            if fed > record_chars:
                raise UploadRefused(
                    _(
                        "A row is longer than %(n)s columns of %(chars)s characters.",
                        n=caps.columns,
                        chars=caps.cell_chars,
                    )
                )
            yield line

    try:
        for number, row in enumerate(csv.reader(lines()), start=1):
            fed = 0
            if number > caps.rows + 1:
                raise _too_many_rows(caps)
            if len(row) > caps.columns:
                raise _too_many_columns(caps)
            if any(len(value) > caps.cell_chars for value in row):
                raise UploadRefused(_("A cell holds more than %(n)s characters.", n=caps.cell_chars))
            yield row
    except csv.Error:
        raise UploadRefused(_("The file is not readable CSV text.")) from None
