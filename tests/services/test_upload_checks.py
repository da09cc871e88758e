"""Hostile uploads, generated here, each refused with its reason before anything parses
them: a ZIP bomb, one huge cell, a huge row, billion-laughs XML, a picture or PDF named
.xlsx, a CSV with NUL bytes, too many rows. The probe's spreadsheet bombs (a 20-million-cell
row; one huge cell) are refused with memory bounded, in a process whose address space
is capped."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from app.services import registry_import, upload_checks
from app.services.upload_checks import UploadLimits, UploadRefused
from tests.services.test_registry_import import HEADER, _csv, _row, _xlsx

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def _rebuilt(parts: dict[str, bytes], *, base: bytes | None = None) -> bytes:
    """A real workbook with some parts replaced or added."""
    base = base or _xlsx([_row(1)])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def _sheet(rows_xml: bytes, *, prolog: bytes = b'<?xml version="1.0"?>\n') -> bytes:
    return (
        prolog + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + rows_xml + b"</sheetData></worksheet>"
    )


def _huge_row_workbook(path: Path, cells: int) -> None:
    """The probe's bomb: one row of ``cells`` empty cells, written as a stream."""
    base = _xlsx([_row(1)])
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            sheet.write(b'<sheetData><row r="1">')
            block = b"<c/>" * 100_000
            for _ in range(cells // 100_000):
                sheet.write(block)
            sheet.write(b"</row></sheetData></worksheet>")


def _random_text(chars: int) -> bytes:
    return base64.b64encode(os.urandom(chars * 3 // 4))[:chars]


#: (file name, content, the Chinese reason shown, caps other than the defaults)
HOSTILE = {
    "zip bomb": (
        "bomb.xlsx",
        lambda: _rebuilt({"xl/media/pad.bin": b"\0" * (60 * 1024 * 1024)}),
        "解压后超过 50 MB",
        None,
    ),
    "zip bomb by ratio": (
        "ratio.xlsx",
        lambda: _rebuilt({"xl/media/pad.bin": b"\0" * (5 * 1024 * 1024)}),
        "压缩比异常",
        None,
    ),
    "one huge cell in the shared strings": (
        "cell.xlsx",
        lambda: _rebuilt(
            {
                "xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<si><t>" + _random_text(3_000_000) + b"</t></si></sst>"
            }
        ),
        "有单元格超过 2000 个字符",
        None,
    ),
    "one huge inline cell in the sheet": (
        "inline.xlsx",
        lambda: _rebuilt(
            {
                "xl/worksheets/sheet1.xml": _sheet(
                    b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
                    + _random_text(5000)
                    + b"</t></is></c></row>"
                )
            }
        ),
        "有单元格超过 2000 个字符",
        None,
    ),
    "a huge row": (
        "row.xlsx",
        lambda: _rebuilt(
            {"xl/worksheets/sheet1.xml": _sheet(b'<row r="1">' + b"<c/>" * 200_000 + b"</row>")}
        ),
        "有一行超过 60 列",
        UploadLimits(ratio=10**9),
    ),
    "a cell far to the right": (
        "wide.xlsx",
        lambda: _rebuilt({"xl/worksheets/sheet1.xml": _sheet(b'<row r="1"><c r="XFD1"><v>1</v></c></row>')}),
        "有一行超过 60 列",
        None,
    ),
    "dimensions of a million rows": (
        "tall.xlsx",
        lambda: _rebuilt(
            {"xl/worksheets/sheet1.xml": _sheet(b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>')}
        ),
        "文件超过 20000 行",
        None,
    ),
    "too many rows in a workbook": (
        "rows.xlsx",
        lambda: _xlsx([_row(i) for i in range(1, 8)]),
        "文件超过 5 行",
        UploadLimits(rows=5),
    ),
    "billion laughs in the shared strings": (
        "laughs.xlsx",
        lambda: _rebuilt(
            {
                "xl/sharedStrings.xml": LAUGHS
                + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
            }
        ),
        "DOCTYPE 或 ENTITY",
        None,
    ),
    "billion laughs in the sheet": (
        "laughs-sheet.xlsx",
        lambda: _rebuilt(
            {
                "xl/worksheets/sheet1.xml": _sheet(
                    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=LAUGHS
                )
            }
        ),
        "DOCTYPE 或 ENTITY",
        None,
    ),
    "a sheet hidden under another name": (
        "renamed.xlsx",
        lambda: _rebuilt({"xl/worksheets/sheet1.bin": LAUGHS + b"<worksheet/>"}),
        "DOCTYPE 或 ENTITY",
        None,
    ),
    "a PNG named .xlsx": ("photo.xlsx", lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "PNG", None),
    "a PDF named .xlsx": ("scan.xlsx", lambda: b"%PDF-1.7\n" + os.urandom(2000), "PDF", None),
    "a ZIP that is no workbook": (
        "archive.xlsx",
        lambda: _zip({"readme.txt": b"hello"}),
        "不是 XLSX 工作簿",
        None,
    ),
    "a CSV with NUL bytes": ("nul.csv", lambda: _csv([_row(1)], "utf-8") + b"\x00\x00", "空字节", None),
    "a workbook named .csv": ("sheet.csv", lambda: _xlsx([_row(1)]), "ZIP", None),
    "too many rows in a CSV file": (
        "rows.csv",
        lambda: _csv([_row(1)] * 20_001, "utf-8"),
        "文件超过 20000 行",
        None,
    ),
    "a CSV row of a million fields": ("wide.csv", lambda: b"," * 1_000_000, "有一行超过 60 列", None),
    "a CSV cell too long": (
        "cell.csv",
        lambda: _csv([_row(1, 姓名="张" * 3000)], "utf-8"),
        "2000 个字符",
        None,
    ),
}


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_with_its_reason_before_it_is_parsed(ctx, case):
    filename, make, reason, caps = HOSTILE[case]
    content = make()
    with pytest.raises(UploadRefused) as refused:
        upload_checks.check_upload(filename, content, caps)
    assert reason in refused.value.message
    assert refused.value.field == "file"
    if caps is None:  # the import's own reading refuses it the same way
        with pytest.raises(UploadRefused):
            registry_import.check_file(filename, content)


@pytest.mark.parametrize("filename", ["sheet.xlsx", "sheet.csv"])
def test_an_honest_sheet_passes_the_checks(ctx, filename):
    rows = [_row(i) for i in range(1, 200)]
    content = _xlsx(rows) if filename.endswith(".xlsx") else _csv(rows, "gb18030")
    assert upload_checks.check_upload(filename, content).kind == filename.rsplit(".", 1)[1]


def test_a_workbook_with_a_legacy_drawing_that_is_not_well_formed_xml_passes(ctx):
    drawing = b'<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape><br></v:shape></xml>'
    content = _rebuilt({"xl/drawings/vmlDrawing1.vml": drawing})
    assert upload_checks.check_upload("comments.xlsx", content).kind == "xlsx"
    assert registry_import.check_file("comments.xlsx", content).valid


def test_a_sheet_that_is_not_well_formed_is_refused_not_a_server_error(ctx):
    content = _rebuilt({"xl/worksheets/sheet1.xml": _sheet(b'<row r="1"><c r="A1"><v>1</v></row>')})
    with pytest.raises(UploadRefused) as refused:
        registry_import.check_file("broken.xlsx", content)
    assert "XLSX" in refused.value.message


def test_the_caps_are_configuration(ctx):
    ctx.config["UPLOAD_MAX_ROWS"] = 3
    with pytest.raises(UploadRefused) as refused:
        registry_import.check_file("four.csv", _csv([_row(i) for i in range(1, 5)], "utf-8"))
    assert "文件超过 3 行" in refused.value.message
    assert HEADER  # the header row is not counted


_PROBE = textwrap.dedent(
    """
    import resource, sys
    from app import create_app
    from app.services import registry_import
    from app.services.upload_checks import UploadLimits, UploadRefused, check_upload

    app = create_app("testing")
    content = open(sys.argv[1], "rb").read()
    caps = UploadLimits(uncompressed_bytes=10**12, ratio=10**9) if sys.argv[2] == "relaxed" else None
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    bound = size + 300 * 1024 * 1024  # 300 MB above what the process already holds
    resource.setrlimit(resource.RLIMIT_AS, (bound, bound))
    with app.test_request_context():
        try:
            if caps is None:
                registry_import.check_file("bomb.xlsx", content)
            else:
                check_upload("bomb.xlsx", content, caps)
        except UploadRefused as refused:
            print(refused.message)
        else:
            print("accepted")
    """
)


def _probe(bomb: Path, caps: str) -> str:
    """Check ``bomb`` in a fresh process whose memory is capped; what it answered."""
    done = subprocess.run(  # noqa: S603 (our own interpreter, our own file)
        [sys.executable, "-c", _PROBE, str(bomb), caps],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]  # MemoryError when the check builds the row
    return done.stdout


@pytest.mark.parametrize(("cells", "caps"), [(20_000_000, "default"), (20_000_000, "relaxed")])
def test_the_probes_huge_row_is_refused_with_memory_bounded(tmp_path, cells, caps):
    """A row of 20 million cells (the probe's bomb took 1 GB and 30 s of CPU) is refused
    while it streams, before a 20-million-element list exists, in a process allowed
    300 MB more than it holds at the start; with the size caps lifted, the count of
    cells in a row still stops it at the 61st."""
    bomb = tmp_path / "bomb.xlsx"
    _huge_row_workbook(bomb, cells)
    assert bomb.stat().st_size < 1024 * 1024
    expected = "有一行超过 60 列" if caps == "relaxed" else "解压后超过 50 MB"
    assert expected in _probe(bomb, caps)


def test_the_probes_huge_cell_is_refused_with_memory_bounded(tmp_path):
    """One cell of 40 million characters in 2 MB of ZIP (the probe's took 4.3 GB)."""
    bomb = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx([_row(1)]))) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                out.writestr(info.filename, source.read(info.filename))
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(400):
                strings.write(b"x" * 100_000)
            strings.write(b"</t></si></sst>")
    assert "有单元格超过 2000 个字符" in _probe(bomb, "relaxed")
