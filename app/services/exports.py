"""Exports for Excel users: UTF-8 with BOM (so Excel reads the Chinese), ID numbers
masked, and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.labels import label
from app.models.org import Unit
from app.models.registry import Worker
from app.privacy import mask_id_number, mask_phone, vault
from app.services.audit import Actor, record
from app.xlsx import (
    FORMULA_STARTS,
    Column,
    PageSetup,
    add_sheet,
    csv_rows,
    new_book,
    safe_cell,
    to_bytes,
    today_in_beijing,
)

__all__ = [
    "FORMULA_STARTS",
    "REGISTRY_COLUMNS",
    "csv_stream",
    "log_export",
    "registry_rows",
    "registry_workbook",
    "safe_cell",
]


def csv_stream(columns: Sequence[Column | str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text chunk by chunk, BOM first; memory stays flat however many rows. Values as
    :func:`app.xlsx.csv_value` writes them for each column's kind (money ``1234.50``,
    dates, Beijing times); a plain header is a text column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    typed = [c if isinstance(c, Column) else Column(c) for c in columns]
    for count, row in enumerate(csv_rows(typed, rows)):
        writer.writerow(row)
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


REGISTRY_COLUMNS = [
    Column("档案号", "int"),
    Column("姓名", width=10),
    Column("身份证号", "code", 20),
    Column("性别", width=6),
    Column("手机号", "code", 13),
    Column("工作单位", width=24),
    Column("工会单位", width=20),
    Column("家庭人口", "int"),
    Column("家庭月收入", "money"),
    Column("人均月收入", "money"),
    Column("困难类别", width=30),
    Column("类别代码", "code", 8),
    Column("致困主因", width=14),
    Column("状态", width=8),
    Column("状态日期", "date"),
]


def registry_rows(unit_ids: list[int] | None, batch: int = 1000) -> Iterator[list[object]]:
    """Every file, in file-number order, with the ID and mobile numbers masked; values
    typed for :data:`REGISTRY_COLUMNS`."""
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
                mask_phone(w.phone),
                w.employer,
                w.unit_name,
                w.household_size,
                w.household_monthly_income,
                per_capita,
                label("category", w.category),
                str(w.category),
                label("cause", w.main_cause),
                label("worker_status", w.status),
                w.status_changed_on,
            ]
        last = rows[-1].id


def registry_workbook(unit_ids: list[int] | None, *, unit_name: str = "") -> bytes:
    """The files of ``unit_ids`` as one streaming workbook (:mod:`app.xlsx`): the same
    columns and masking as the CSV, money as numbers, dates as dates, A4."""
    book = new_book(streaming=True)
    setup = PageSetup(unit_name=unit_name, printed_on=today_in_beijing(), signatures=(_("Prepared by"),))
    add_sheet(book, "困难职工档案", REGISTRY_COLUMNS, registry_rows(unit_ids), setup=setup)
    return to_bytes(book)


def log_export(what: str, *, actor: Actor, details: dict[str, object] | None = None) -> None:
    record("export." + what, actor=actor, object_type="export", object_id=what, details=details or {})
