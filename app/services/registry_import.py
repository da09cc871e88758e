"""Importing the registry from the spreadsheets caseworkers already keep.

An XLSX or CSV file (UTF-8, UTF-8 with BOM, or GB18030) with the columns of
:data:`COLUMNS`, headed in Chinese as in the downloadable template. Every row is
checked with the same rules as the registration form; the report names each bad
row and why. Importing takes the valid rows in one transaction. A person who
already has an active file is skipped, so importing the same file again creates
nothing twice.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import ParseError

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import load_workbook

from app.database import read_only
from app.extensions import db
from app.models.jobs import Job
from app.models.org import Unit
from app.privacy import vault
from app.services import eligibility, jobs, pending_uploads, registry, registry_template, upload_checks
from app.services.audit import Actor, record

#: (field of WorkerInput, the column's heading in the file)
COLUMNS: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("employer", "工作单位"),
    ("address", "家庭住址"),
    ("household_size", "家庭人口"),
    ("household_monthly_income", "家庭月收入"),
    ("category", "困难类别"),
    ("category_reason", "类别理由"),
    ("main_cause", "致困主因"),
    ("secondary_cause", "致困次因"),
    ("disaster_event", "灾害或事故"),
    ("disaster_date", "灾害日期"),
    ("rights_case_ref", "维权案号"),
    ("bank_name", "开户银行"),
    ("bank_account", "银行卡号"),
]
REQUIRED = {
    "name",
    "id_number",
    "phone",
    "employer",
    "household_size",
    "household_monthly_income",
    "category",
    "main_cause",
}
#: ``progress(done, total, phase)``, called as rows are checked and files opened.
Progress = Callable[[int, int, str], None]
#: Stands in for a cell whose number has more digits than a spreadsheet number keeps.
LOST_DIGITS = "\x00lost-digits"


#: The file cannot be read as a registry sheet at all (a message at the file field).
ImportFileInvalid = upload_checks.UploadRefused


@dataclass
class RowResult:
    row: int  # the row number as the spreadsheet shows it
    name: str
    status: str  # "ok", "error", "duplicate" or "sample" (the template's, never imported)
    messages: list[str] = field(default_factory=list)
    data: registry.WorkerInput | None = None
    cleaned: registry.CleanWorker | None = None


@dataclass
class ImportReport:
    rows: list[RowResult]

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "ok"]

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "error"]

    @property
    def duplicates(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "duplicate"]

    @property
    def samples(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "sample"]


def _words_to_codes(table: dict) -> dict[str, str]:
    """A label table's words as written in the sheet (Chinese or English labels, the part
    before a colon as in 第一类, or the codes) → the code as text."""
    names: dict[str, str] = {}
    for code, label in table.items():
        names[str(code)] = str(code)
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                words = str(label)
            names[words] = str(code)
            names.setdefault(words.split("：")[0].split(":")[0].strip(), str(code))
    return names


def _cause_codes() -> dict[str, str]:
    return _words_to_codes(eligibility.CAUSES)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10**15:
        return LOST_DIGITS  # an ID or card number typed as a number
    if isinstance(value, float):
        # Spreadsheet numbers arrive as floats; their shortest text is what was typed.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _rows_from_xlsx(content: bytes) -> Iterator[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError):
        raise ImportFileInvalid(_("The file is not a readable XLSX workbook.")) from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    except (ParseError, ValueError, KeyError, IndexError):  # a part that is not well-formed XML
        raise ImportFileInvalid(_("The file is not a readable XLSX workbook.")) from None
    finally:
        book.close()


def read_rows(filename: str, content: bytes) -> Iterator[list[str]]:
    """The file's rows as text, whatever its format, once :mod:`upload_checks` has found
    it within every cap; raise :class:`ImportFileInvalid`."""
    checked = upload_checks.check_upload(filename, content)
    if checked.kind == "xlsx":
        return _rows_from_xlsx(content)
    return upload_checks.csv_rows(checked.text or "")


def check_file(
    filename: str, content: bytes, *, today: date | None = None, progress: Progress | None = None
) -> ImportReport:
    """Validate every row; write nothing."""
    rows = read_rows(filename, content)
    header = next(rows, None)
    if header is None:
        raise ImportFileInvalid(_("The file is empty."))
    header = [h.strip().lstrip("\ufeff") for h in header]
    positions: dict[str, int] = {}
    for field_name, heading in COLUMNS:
        if heading in header:
            positions[field_name] = header.index(heading)
    missing = [
        heading for field_name, heading in COLUMNS if field_name in REQUIRED and field_name not in positions
    ]
    if missing:
        raise ImportFileInvalid(
            _("Columns missing from the header row: %(columns)s.", columns="、".join(missing))
        )
    causes = _cause_codes()
    categories = _words_to_codes(eligibility.CATEGORIES)
    results: list[RowResult] = []
    seen: dict[str, int] = {}
    # rows in a CSV file, for the progress bar (an XLSX file says only as it is read)
    expected = max(content.count(b"\n") - 1, 0) if not filename.lower().endswith(".xlsx") else 0
    for number, values in enumerate(rows, start=2):
        if progress is not None and number % 200 == 0:
            progress(number - 1, max(expected, number - 1), _("Checking the rows"))
        if not any(v.strip() for v in values):
            continue
        raw = {f: (values[i] if i < len(values) else "") for f, i in positions.items()}
        for cause_field in ("main_cause", "secondary_cause"):
            raw[cause_field] = causes.get(raw.get(cause_field, "").strip(), raw.get(cause_field, ""))
        raw["category"] = categories.get(raw.get("category", "").strip(), raw.get("category", ""))
        data = registry.WorkerInput(**raw)
        result = RowResult(row=number, name=raw.get("name", "")[:50], status="ok", data=data)
        if registry_template.is_sample(data.name, data.id_number):
            result.status = "sample"
            result.messages.append(_("The template's sample row: never imported."))
        elif LOST_DIGITS in values:
            result.status = "error"
            result.messages.append(
                _(
                    "A number in this row was saved as a number and lost digits; save ID and"
                    " card numbers as text."
                )
            )
        else:
            try:
                cleaned = registry.clean(data, today=today)
            except registry.ValidationFailed as failure:
                result.status = "error"
                result.messages.extend(m for messages in failure.errors.values() for m in messages)
            else:
                if cleaned.id_number in seen:
                    result.status = "error"
                    result.messages.append(
                        _("The same ID number is already in row %(row)s.", row=seen[cleaned.id_number])
                    )
                else:
                    seen[cleaned.id_number] = number
                    result.cleaned = cleaned
                    result.messages.extend(cleaned.warnings)
        results.append(result)
    _mark_files_on_record(results)
    return ImportReport(rows=results)


def _mark_files_on_record(results: list[RowResult], chunk: int = 500, *, members: bool = True) -> None:
    """Mark rows whose person already has an active file, and (``members``) flag
    households of which someone is on another file: a few queries for the whole sheet."""
    checked = [r for r in results if r.cleaned is not None]
    protector = vault()
    for start in range(0, len(checked), chunk):
        batch = checked[start : start + chunk]
        heads = {protector.index(r.cleaned.id_number): r for r in batch if r.cleaned}
        on_file = registry.active_files_by_index(list(heads))
        for index, worker_id in on_file.items():
            row = heads[index]
            row.status = "duplicate"
            row.messages.append(_("Already on file (No. %(id)s); skipped.", id=worker_id))
        if not members:
            continue
        member_rows = {
            protector.index(m[2]): r
            for r in batch
            if r.cleaned and r.status == "ok"
            for m in r.cleaned.members
            if m[2]
        }
        for index, worker_id in registry.active_files_by_index(list(member_rows)).items():
            member_rows[index].messages.append(
                _(
                    "A person of this household is also on active file No. %(id)s:"
                    " check for a double registration.",
                    id=worker_id,
                )
            )


def save_checked(
    report: ImportReport,
    *,
    filename: str,
    unit: Unit,
    actor: Actor,
    today: date | None = None,
    progress: Progress | None = None,
) -> int:
    """Open a file for each valid row of a checked report, and record the import (in the
    caller's transaction); rows whose person was put on file since the check are skipped
    as duplicates."""
    _mark_files_on_record(report.valid, members=False)  # put on file since the check?
    valid = report.valid
    created = 0
    for result in valid:
        assert result.cleaned is not None
        registry.open_file(result.cleaned, unit=unit, actor=actor, today=today or date.today())
        created += 1
        if progress is not None and created % 100 == 0:
            progress(created, len(valid), _("Opening the files"))
    record(
        "registry.import",
        actor=actor,
        object_type="import",
        object_id=filename[:64],
        unit_id=unit.id,
        details={
            "rows": len(report.rows),
            "created": created,
            "errors": len(report.errors),
            "skipped": len(report.duplicates),
        },
    )
    return created


def import_file(
    filename: str,
    content: bytes,
    *,
    unit: Unit,
    actor: Actor,
    today: date | None = None,
    progress: Progress | None = None,
) -> tuple[ImportReport, int]:
    """Import the valid rows of the file (in the caller's transaction); skip duplicates.

    Returns the report and how many files were opened.
    """
    report = check_file(filename, content, today=today, progress=progress)
    created = save_checked(report, filename=filename, unit=unit, actor=actor, today=today, progress=progress)
    return report, created


def start_import(filename: str, content: bytes, *, unit_id: int, actor: Actor) -> Job:
    """Import a checked upload as a background job: check it again (reading only, so
    others keep working meanwhile), then open the files all or nothing in one transaction.
    The job holds the bytes in memory only: nothing of the sheet is on disk while it runs,
    so a job killed midway leaves nothing behind."""
    pending_uploads.sweep()
    held = [content]

    def work(progress: jobs.Progress) -> tuple[str, None]:
        try:
            read_only(db.session)
            report = check_file(filename, held[0], progress=progress)
            db.session.rollback()
            unit = db.session.get(Unit, unit_id)
            created = save_checked(report, filename=filename, unit=unit, actor=actor, progress=progress)
            db.session.commit()
        finally:
            held.clear()  # let the sheet's bytes go as soon as the import ends
        message = _(
            "%(created)s files opened; %(skipped)s already on file;"
            " %(errors)s rows with errors not imported.",
            created=created,
            skipped=len(report.duplicates),
            errors=len(report.errors),
        )
        if report.samples:
            message += " " + _("The template's sample row was skipped.")
        return message, None

    return jobs.start("registry_import", user_id=actor.user_id, work=work)  # type: ignore[arg-type]


def template_workbook() -> bytes:
    """The XLSX template caseworkers download (:mod:`app.services.registry_template`)."""
    return registry_template.template_workbook(COLUMNS, REQUIRED)
