"""Every bank file template's batch file, opened by LibreOffice (headless, converted to
CSV as it shows the cells, as tests/exports/test_libreoffice.py does): the columns in
the template's order, every account number whole, the amounts shown ``1234.50`` and
adding up to the batch's total, the header rows' count and total, the total row.

The XLSX files are converted in one ``soffice`` call; the GB18030 CSV files in another,
opened as a bank clerk is told to: GB18030, every column as text (otherwise any
spreadsheet turns a 19-digit card into 6.22202E+18)."""

from __future__ import annotations

import csv
import io
import subprocess
from decimal import Decimal
from pathlib import Path

from app.services import bank_files
from tests.bank_file_helpers import HEADER, LINES, TOTAL
from tests.exports.test_libreoffice import CSV_FILTER, _soffice

#: LibreOffice's CSV import: comma, double quote, GB18030 (LibreOffice's encoding 85), from
#: line 1, columns 1-20 as text (type 2).
GB18030_TEXT_IN = "CSV:44,34,85,1," + "/".join(f"{n}/2" for n in range(1, 21))


def _convert(paths: list[Path], out: Path, profile: Path, infilter: str | None = None) -> None:
    args = [f"--infilter={infilter}"] if infilter else []
    subprocess.run(  # noqa: S603 (our own file names)
        [
            _soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            *args,
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


def _shown(path: Path) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return [row[: max((i + 1 for i, c in enumerate(row) if c), default=0)] for row in rows]


def _problems(code: str, fmt: str, rows: list[list[str]]) -> list[str]:
    template = bank_files.template(code)
    where = f"{code} ({fmt})"
    start = next((i for i, row in enumerate(rows) if row and row[0] == template.headers[0]), None)
    if start is None:
        return [f"{where}: no row starts with {template.headers[0]}: {rows[:3]}"]
    problems = []
    if rows[start] != template.headers:
        problems.append(f"{where}: the columns read {rows[start]}, not {template.headers}")
    body = [
        row + [""] * (len(template.headers) - len(row)) for row in rows[start + 1 : start + 1 + len(LINES)]
    ]
    account, amount = template.column_of("account_number"), template.column_of("amount")
    name = template.column_of("payee_name")
    if [row[account] for row in body] != [line.account_number for line in LINES]:
        problems.append(f"{where}: accounts read {[row[account] for row in body]}")
    if [row[amount] for row in body] != [f"{line.amount:.2f}" for line in LINES]:
        problems.append(f"{where}: amounts read {[row[amount] for row in body]}, not 1234.50-style")
    if [row[name] for row in body] != ["张三", "李四", "'=HYPERLINK(1)"]:
        problems.append(f"{where}: names read {[row[name] for row in body]}")
    elif sum(Decimal(row[amount]) for row in body) != TOTAL:
        problems.append(f"{where}: the amounts do not add up to {TOTAL}")
    after = rows[start + 1 + len(LINES) :]
    if template.total_label:
        if not after or after[0][0] != template.total_label or after[0][amount] != f"{TOTAL:.2f}":
            problems.append(f"{where}: the total row reads {after[:1]}")
    elif any(after):
        problems.append(f"{where}: rows after the lines: {after}")
    above = {row[0]: row[1] for row in rows[:start] if len(row) > 1}
    for header_row in template.header_rows:
        want = {"count": "3", "total": f"{TOTAL:.2f}", "date": "2015-01-20"}.get(header_row.field)
        want = want or getattr(HEADER, header_row.field)
        if above.get(header_row.label) != want:
            problems.append(
                f"{where}: {header_row.label} reads {above.get(header_row.label)!r}, not {want!r}"
            )
    return problems


def test_every_bank_file_opens_in_libreoffice_with_whole_accounts_and_the_total(ctx, tmp_path):
    _soffice()  # skip or fail before building anything
    made: dict[str, list[tuple[str, Path]]] = {"xlsx": [], "csv": []}
    for code, template in bank_files.load_templates().items():
        for fmt in template.formats:
            data, _filename, _mime = bank_files.render_batch_file(code, fmt, HEADER, LINES)
            path = tmp_path / f"{code}-{fmt}.{fmt}"
            path.write_bytes(data)
            made[fmt].append((code, path))
    out = tmp_path / "shown"
    _convert([p for _c, p in made["xlsx"]], out / "xlsx", tmp_path / "lo-profile")
    _convert([p for _c, p in made["csv"]], out / "csv", tmp_path / "lo-profile", GB18030_TEXT_IN)
    problems = []
    for fmt, files in made.items():
        for code, path in files:
            template = bank_files.template(code)
            shown = out / fmt / f"{path.stem}-{template.sheet if fmt == 'xlsx' else path.stem}.csv"
            if not shown.exists():
                problems.append(f"{code} ({fmt}): LibreOffice wrote no CSV ({sorted(out.rglob('*'))})")
                continue
            problems += _problems(code, fmt, _shown(shown))
    assert not problems, "\n".join(problems)
