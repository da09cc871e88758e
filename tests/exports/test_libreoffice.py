"""Every XLSX the product writes, opened by LibreOffice (headless, converted to CSV as it
shows the cells): the amounts are numbers shown ``#,##0.00`` that add up to the totals
the product states, dates are dates, and no code word reaches a person.

All workbooks are converted in ONE ``soffice`` call (every sheet to its own CSV), so
the test stays a few seconds however many exports there are. Without ``soffice`` the
test is skipped locally and fails in CI (``CI`` set): ``apt-get install
libreoffice-calc-nogui``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from app import labels
from app.services import (
    audit_export,
    bank_files,
    budget_report,
    exports,
    performance,
    reconciliation,
    registry_import,
)
from app.xlsx import MONEY_FORMAT, is_code_header
from tests import bank_file_helpers

#: LibreOffice's CSV filter: comma, double quote, UTF-8 (76), from line 1, cells saved AS
#: SHOWN (token 9: a money cell reads 1,234.50, proving the number format is applied;
#: with false it would read the bare number 1234.5), every sheet to its own file (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
#: Columns whose label table another piece of work fills: checked once it has entries.
PENDING = {("审计日志", "操作"): "audit_action", ("审计日志", "对象类型"): "object_type"}
SHOWN_MONEY = re.compile(r"-?\d{1,3}(,\d{3})*\.\d{2}")
DATE_SHOWN = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?")
WORD = re.compile(r"[A-Za-z][A-Za-z_]*")


@dataclass
class Produced:
    """A workbook's bytes and the totals the product states elsewhere (on the page, in the
    manifest), by (sheet, column header). A sheet's own 合计 row is checked without it."""

    data: bytes
    totals: dict[tuple[str, str], Decimal] = field(default_factory=dict)


def _audit_package(world: SimpleNamespace) -> Produced:
    out = io.BytesIO()
    manifest = audit_export.write_package(2015, out, actor=world.auditor)
    files = {f["name"]: f["totals"] for f in manifest["files"]}
    with zipfile.ZipFile(out) as archive:
        data = archive.read("audit.xlsx")
    ledger = sum(Decimal(v) for k, v in files["ledger.csv"].items() if k.startswith("amount:"))
    return Produced(
        data,
        {
            ("台账", "金额"): ledger,
            ("帮扶申请", "申请金额"): Decimal(files["cases.csv"]["requested"]),
            ("帮扶申请", "批准金额"): Decimal(files["cases.csv"]["approved"]),
            ("发放", "金额"): Decimal(files["payments.csv"]["amount"]),
            ("红冲", "红冲金额"): Decimal(files["reversals.csv"]["amount"]),
        },
    )


def _budget_execution(world: SimpleNamespace) -> Produced:
    rows = budget_report.execution_rows(2015)
    paid = sum((f.balance.paid for f in reconciliation.reconcile(2015).funds), Decimal("0.00"))
    data = budget_report.execution_workbook(2015, rows, None)
    title = budget_report.TITLE
    return Produced(data, {(title, "合计"): Decimal("323000.00"), (title, "已执行"): paid})


def _performance(world: SimpleNamespace) -> Produced:
    report = performance.performance(2015)
    paid = report.total.paid
    sheets = ("按困难类别", "按帮扶方式", "按工会单位", "按月份")
    return Produced(
        performance.performance_workbook(report),
        {(sheet, "发放金额（元）"): paid for sheet in sheets} | {("概况", "发放金额（元）"): paid},
    )


def _registry(world: SimpleNamespace) -> Produced:
    return Produced(exports.registry_workbook(None, unit_name=world.unit.name))


def _import_template(world: SimpleNamespace) -> Produced:
    return Produced(registry_import.template_workbook())


def _vouchers(world: SimpleNamespace) -> Produced:
    from app.services.vouchers import books

    paid = sum((f.balance.paid for f in reconciliation.reconcile(2015).funds), Decimal("0.00"))
    chosen = books.VoucherFilter(2015)
    data = books.workbook(world.auditor, chosen, unit_name=world.unit.name, today=date.today())
    title = "2015年记账凭证"
    return Produced(data, {(title, "借方金额"): paid, (title, "贷方金额"): paid})


def _bank_file(code: str) -> Callable[[SimpleNamespace], Produced]:
    def make(world: SimpleNamespace) -> Produced:
        return Produced(
            bank_files.render_batch_file(code, "xlsx", bank_file_helpers.HEADER, bank_file_helpers.LINES)[0]
        )

    return make


#: EVERY XLSX the product writes: name → the workbook built from the seeded year.
#: A new export (the case list, the ledger, the audit log...) is one line here.
PRODUCERS: dict[str, Callable[[SimpleNamespace], Produced]] = {
    "audit package (audit.xlsx)": _audit_package,
    "budget execution (预算执行)": _budget_execution,
    "performance (绩效)": _performance,
    "registry (困难职工档案)": _registry,
    "registry import template": _import_template,
    "accounting vouchers (记账凭证)": _vouchers,
    # the bank's own checks (columns, whole accounts, totals): test_bank_files_libreoffice.py
    **{f"bank file ({code})": _bank_file(code) for code in ("generic", "icbc_payroll", "ccb_payroll")},
}


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    message = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _convert(paths: list[Path], out: Path, profile: Path) -> None:
    subprocess.run(  # noqa: S603 (our own file names)
        [
            _soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            *map(str, paths),
            "--outdir",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )


def _code_words() -> set[str]:
    """Every code a person must not see: each ASCII-word key of every label table."""
    return {
        key
        for table in labels.tables().values()
        for key in table
        if isinstance(key, str) and WORD.fullmatch(key)
    }


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _money_problems(where: str, held: list, shown: list[str]) -> list[str]:  # type: ignore[type-arg]
    """A money column: each cell a number formatted #,##0.00, and shown so by LibreOffice."""
    problems = []
    for cell, text in zip(held, shown, strict=False):
        if cell.value is None:
            continue
        if not isinstance(cell.value, int | float) or cell.number_format != MONEY_FORMAT:
            problems.append(f"{where}: {cell.value!r} is not a number formatted #,##0.00")
        elif not SHOWN_MONEY.fullmatch(text):
            problems.append(f"{where}: LibreOffice shows {text!r}, not #,##0.00")
    return problems


def _check_sheet(name: str, sheet, rows: list[list[str]], stated: dict, codes: set[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """What is wrong with one sheet as LibreOffice shows it (``rows``; ``sheet`` is the
    same sheet read by openpyxl, for what the cells hold)."""
    problems = []
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    cells = list(sheet.iter_rows(min_row=2))
    totals_row = body[-1] if body and body[-1][:1] == ["合计"] else None
    data = body[:-1] if totals_row else body
    for index, heading in enumerate(header):
        where = f"{name} / {sheet.title} / {heading}"
        shown = [row[index] if index < len(row) else "" for row in body]
        held = [row[index] for row in cells if index < len(row)]
        if any(c.number_format == MONEY_FORMAT and c.value is not None for c in held):
            problems += _money_problems(where, held, shown)
            total = sum((_money(row[index]) for row in data if index < len(row) and row[index]), Decimal(0))
            said = totals_row[index] if totals_row and index < len(totals_row) else ""
            if said and _money(said) != total:
                problems.append(f"{where}: the rows add up to {total}, the 合计 row says {said}")
            want = stated.get((sheet.title, heading))
            if want is not None and want != total:
                problems.append(f"{where}: the rows add up to {total}, the product states {want}")
        for cell, text in zip(held, shown, strict=False):
            if isinstance(cell.value, datetime | date) and not DATE_SHOWN.fullmatch(text):
                problems.append(f"{where}: the date {cell.value} shows as {text!r}")
        pending = PENDING.get((sheet.title, heading))
        if is_code_header(heading) or (pending and not labels.tables()[pending]):
            continue
        for text in [heading, *shown]:
            if words := set(WORD.findall(text)) & codes:
                problems.append(f"{where}: code word(s) {sorted(words)} in {text[:80]!r}")
    return problems


def test_every_workbook_opens_in_libreoffice_with_numbers_that_add_up_and_no_code_words(world, tmp_path):
    _soffice()  # skip or fail before building anything
    produced = {name: make(world) for name, make in PRODUCERS.items()}
    paths = []
    for number, result in enumerate(produced.values()):
        path = tmp_path / f"book{number}.xlsx"
        path.write_bytes(result.data)
        paths.append(path)
    out = tmp_path / "csv"
    _convert(paths, out, tmp_path / "lo-profile")
    codes = _code_words()
    problems = []
    for path, (name, result) in zip(paths, produced.items(), strict=True):
        book = load_workbook(path)
        for sheet in book.worksheets:
            converted = out / f"{path.stem}-{sheet.title}.csv"
            if not converted.exists():
                problems.append(f"{name} / {sheet.title}: LibreOffice wrote no CSV")
                continue
            text = converted.read_text(encoding="utf-8-sig")
            rows = list(csv.reader(io.StringIO(text)))
            problems += _check_sheet(name, sheet, rows, result.totals, codes)
        for sheet_title, heading in result.totals:
            if sheet_title not in book.sheetnames:
                problems.append(f"{name}: no sheet {sheet_title} for the stated total of {heading}")
    assert not problems, "\n".join(problems)
