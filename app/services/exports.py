"""Exports for Excel users: UTF-8 with BOM (so Excel reads the Chinese), ID numbers
masked, and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models.org import Unit
from app.models.registry import STATUS_LABELS, Worker
from app.privacy import mask_id_number, vault
from app.services import eligibility
from app.services.audit import Actor, record

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text for a spreadsheet cell: a leading =, +, -, @ is neutralised with a quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_stream(header: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    """CSV text chunk by chunk, BOM first; memory stays flat however many rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([safe_cell(h) for h in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) for v in row])
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


REGISTRY_HEADER = [
    "档案号",
    "姓名",
    "身份证号",
    "性别",
    "手机号",
    "工作单位",
    "工会单位",
    "家庭人口",
    "家庭月收入",
    "人均月收入",
    "困难类别",
    "致困主因",
    "状态",
    "状态日期",
]


def registry_rows(unit_ids: list[int] | None, batch: int = 1000) -> Iterator[list[object]]:
    """Every file, in file-number order, with the ID number masked."""
    protector = vault()
    last = 0
    while True:
        # Plain rows, not ORM objects: the session keeps nothing, memory stays flat.
        query = (
            select(*Worker.__table__.columns, Unit.name.label("unit_name"))
            .join(Unit, Unit.id == Worker.unit_id)
            .where(Worker.id > last)
            .order_by(Worker.id)
            .limit(batch)
        )
        if unit_ids is not None:
            query = query.where(Worker.unit_id.in_(unit_ids))
        rows = list(db.session.execute(query))
        if not rows:
            return
        for w in rows:
            per_capita = (w.household_monthly_income / w.household_size).quantize(Decimal("0.01"))
            yield [
                w.id,
                w.name,
                mask_id_number(protector.reveal(w.id_number_protected)),
                "男" if w.sex == "M" else "女",
                w.phone,
                w.employer,
                w.unit_name,
                w.household_size,
                f"{w.household_monthly_income:.2f}",
                f"{per_capita:.2f}",
                w.category,
                str(eligibility.CAUSES[w.main_cause]),
                str(STATUS_LABELS[w.status]),
                w.status_changed_on.isoformat(),
            ]
        last = rows[-1].id


def log_export(what: str, *, actor: Actor, details: dict[str, object] | None = None) -> None:
    record("export." + what, actor=actor, object_type="export", object_id=what, details=details or {})
