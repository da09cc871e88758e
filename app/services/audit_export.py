"""The audit package: one ZIP with the year's ledger, cases, payments, reversals, the
registry (ID numbers masked), the budget, the reconciliation and the audit log, each
as CSV (UTF-8 with BOM) and together as one XLSX workbook, plus a manifest with each
file's row count, money totals and SHA-256, and the audit chain's head.

Rows are read in batches and written straight into the ZIP, so memory stays flat
however long the ledger is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select

from app.database import read_only
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.budget import Budget, BudgetLine
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import Fund, Transfer
from app.models.types import utcnow
from app.money import ZERO
from app.services import audit, exports, reconciliation
from app.services.audit import Actor, record
from app.services.exports import safe_cell

XLSX_MAX_ROWS = 1_048_575  # a sheet's rows less the header


@dataclass
class FileEntry:
    name: str
    rows: int = 0
    sha256: str = ""
    totals: dict[str, str] = field(default_factory=dict)


def _batched(query: Any, key: Any, batch: int = 2000) -> Iterator[Any]:
    """Plain rows (no ORM objects kept in the session), a batch at a time by ``key``."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = list(db.session.execute(page.order_by(key).limit(batch)))
        if not rows:
            return
        yield from rows
        last = getattr(rows[-1], key.key)


def _year_funds(year: int) -> dict[int, str]:
    return {f.id: f.code for f in db.session.execute(select(Fund).where(Fund.year == year)).scalars()}


def _ledger(
    year: int,
) -> tuple[list[str], Callable[[], Iterator[list[object]]], Callable[[list[object]], dict]]:
    funds = _year_funds(year)
    header = [
        "资金编号",
        "序号",
        "ID",
        "类型",
        "金额",
        "承诺ID",
        "冲销ID",
        "时间(UTC)",
        "经办人ID",
        "摘要",
        "可用余额",
        "已承诺",
        "已支付",
    ]

    def rows() -> Iterator[list[object]]:
        for t in _batched(
            select(*Transfer.__table__.columns).where(Transfer.fund_id.in_(list(funds))), Transfer.id
        ):
            yield [
                funds[t.fund_id],
                t.seq,
                t.id,
                t.kind,
                f"{t.amount:.2f}",
                t.pending_id or "",
                t.reverses_id or "",
                t.created_at.isoformat(),
                t.created_by_id or "",
                t.memo,
                f"{t.available_after:.2f}",
                f"{t.committed_after:.2f}",
                f"{t.paid_after:.2f}",
            ]

    return header, rows, lambda row: {f"amount:{row[3]}": Decimal(str(row[4]))}


def _cases(year: int):  # type: ignore[no-untyped-def]
    header = [
        "申请号",
        "档案号",
        "资金编号",
        "帮扶方式",
        "申请金额",
        "批准金额",
        "状态",
        "送温暖活动",
        "创建时间(UTC)",
        "经办人ID",
        "审批人ID",
        "审批时间(UTC)",
    ]
    funds = _year_funds(year)

    def rows() -> Iterator[list[object]]:
        for c in _batched(select(*Case.__table__.columns).where(Case.year == year), Case.id):
            yield [
                c.id,
                c.worker_id,
                funds.get(c.fund_id, ""),
                c.aid_type,
                f"{c.requested_amount:.2f}",
                "" if c.approved_amount is None else f"{c.approved_amount:.2f}",
                c.status,
                c.campaign_id or "",
                c.created_at.isoformat(),
                c.created_by_id or "",
                c.decided_by_id or "",
                c.decided_at.isoformat() if c.decided_at else "",
            ]

    return (
        header,
        rows,
        lambda row: {"requested": Decimal(str(row[4])), "approved": Decimal(str(row[5] or "0"))},
    )


def _payments(year: int):  # type: ignore[no-untyped-def]
    header = [
        "发放ID",
        "申请号",
        "劳模ID",
        "资金编号",
        "金额",
        "发放日期",
        "方式",
        "凭证号",
        "台账ID",
        "已红冲",
    ]
    funds = _year_funds(year)

    def rows() -> Iterator[list[object]]:
        reversed_ids = set(db.session.execute(select(PaymentReversal.payment_id)).scalars())
        for p in _batched(select(*Payment.__table__.columns).where(Payment.year == year), Payment.id):
            yield [
                p.id,
                p.case_id or "",
                p.model_worker_id or "",
                funds.get(p.fund_id, ""),
                f"{p.amount:.2f}",
                p.paid_on.isoformat(),
                p.method,
                p.voucher_no,
                p.transfer_id,
                "是" if p.id in reversed_ids else "否",
            ]

    return header, rows, lambda row: {"amount": Decimal(str(row[4]))}


def _reversals(year: int):  # type: ignore[no-untyped-def]
    header = ["红冲ID", "发放ID", "金额", "原因", "台账ID", "时间(UTC)", "经办人ID"]

    def rows() -> Iterator[list[object]]:
        query = (
            select(*PaymentReversal.__table__.columns, Payment.amount)
            .join(Payment, Payment.id == PaymentReversal.payment_id)
            .where(Payment.year == year)
        )
        for r in _batched(query, PaymentReversal.id):
            yield [
                r.id,
                r.payment_id,
                f"{r.amount:.2f}",
                r.reason,
                r.transfer_id,
                r.created_at.isoformat(),
                r.created_by_id or "",
            ]

    return header, rows, lambda row: {"amount": Decimal(str(row[2]))}


def _registry(_year: int):  # type: ignore[no-untyped-def]
    return exports.REGISTRY_HEADER, lambda: exports.registry_rows(None), lambda row: {}


def _budget(year: int):  # type: ignore[no-untyped-def]
    header = [
        "单位编码",
        "表",
        "序号",
        "项目代码",
        "功能分类",
        "经济分类",
        "项目编号",
        "预算支出项目",
        "合计",
        "一般预算拨款",
        "基金预算拨款",
        "财政专户核拨",
        "其他来源收入",
    ]

    def money(value: Decimal | None) -> str:
        return "" if value is None else f"{value:.2f}"

    def rows() -> Iterator[list[object]]:
        for budget in db.session.execute(select(Budget).where(Budget.year == year)).scalars():
            for line in db.session.execute(
                select(BudgetLine).where(BudgetLine.budget_id == budget.id).order_by(BudgetLine.position)
            ).scalars():
                yield [
                    budget.unit.code,
                    line.table,
                    line.position,
                    line.code or "",
                    line.functional_class or "",
                    line.economic_class or "",
                    line.project_code or "",
                    line.name,
                    money(line.amount),
                    money(line.source_general),
                    money(line.source_fund),
                    money(line.source_special_account),
                    money(line.source_other),
                ]

    return header, rows, lambda row: {"projects": Decimal(str(row[8] or "0"))} if row[6] else {}


def _reconciliation(year: int):  # type: ignore[no-untyped-def]
    header = [
        "资金编号",
        "资金名称",
        "预算",
        "已支付",
        "已承诺",
        "可用余额",
        "台账合计",
        "核对项",
        "结果",
        "问题",
    ]

    def rows() -> Iterator[list[object]]:
        result = reconciliation.reconcile(year)
        for item in result.funds:
            b = item.balance
            for check in item.checks:
                yield [
                    item.fund.code,
                    item.fund.name,
                    f"{b.budget:.2f}",
                    f"{b.paid:.2f}",
                    f"{b.committed:.2f}",
                    f"{b.available:.2f}",
                    f"{item.ledger_sum:.2f}",
                    check.label,
                    "通过" if check.ok else "未通过",
                    "；".join(check.problems),
                ]

    return header, rows, lambda row: {}


def _audit_log(_year: int):  # type: ignore[no-untyped-def]
    header = [
        "序号",
        "时间(UTC)",
        "用户ID",
        "用户",
        "地址",
        "操作",
        "对象类型",
        "对象ID",
        "单位ID",
        "详情",
        "前一哈希",
        "哈希",
    ]

    def rows() -> Iterator[list[object]]:
        for e in _batched(select(*AuditEntry.__table__.columns), AuditEntry.seq):
            yield [
                e.seq,
                e.occurred_at.isoformat(),
                e.actor_id or "",
                e.actor_name,
                e.remote_addr or "",
                e.action,
                e.object_type or "",
                e.object_id or "",
                e.unit_id or "",
                e.details,
                e.prev_hash,
                e.hash,
            ]

    return header, rows, lambda row: {}


SECTIONS = [
    ("ledger", "台账", _ledger),
    ("cases", "帮扶申请", _cases),
    ("payments", "发放", _payments),
    ("reversals", "红冲", _reversals),
    ("registry", "困难职工档案", _registry),
    ("budget", "部门预算", _budget),
    ("reconciliation", "对账", _reconciliation),
    ("audit_log", "审计日志", _audit_log),
]


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


def _write_csv(
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


def _write_xlsx(archive: zipfile.ZipFile, year: int) -> FileEntry:
    book = Workbook(write_only=True)
    rows_total = 0
    for _key, title, section in SECTIONS:
        header, rows, _totals = section(year)
        part, sheet, count = 1, None, 0
        for row in rows():
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
        with archive.open("audit.xlsx", "w", force_zip64=True) as member:
            while chunk := scratch.read(1 << 20):
                digest.update(chunk)
                member.write(chunk)
    return FileEntry(name="audit.xlsx", rows=rows_total, sha256=digest.hexdigest())


def log_export(year: int, *, actor: Actor) -> None:
    """Record the export in the audit log. Callers commit this before writing the package,
    so the package's chain head includes it and no write lock is held while it is written."""
    record(
        "export.audit_package",
        actor=actor,
        object_type="export",
        object_id=f"audit:{year}",
        details={"year": year},
    )


def open_archive(out: IO[bytes]) -> zipfile.ZipFile:
    """The package's ZIP: DEFLATE at level 1, which halves the time of the default level
    for a few per cent more bytes (bench/RESULTS.md, figure 5)."""
    return zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)


def write_package(
    year: int, out: IO[bytes], *, actor: Actor, progress: Callable[[int, int, str], None] | None = None
) -> dict[str, Any]:
    """Write the audit package for ``year`` to ``out`` (reading only); return the manifest.
    ``progress(done, total, phase)`` hears of each part as it starts."""
    read_only(db.session)
    steps = len(SECTIONS) + 2  # the checks, each CSV, the workbook
    report = progress or (lambda _done, _total, _phase: None)
    report(0, steps, _("Reconciling"))
    result = reconciliation.reconcile(year)
    files = []
    with open_archive(out) as archive:
        for number, (key, title, section) in enumerate(SECTIONS, start=1):
            report(number, steps, f"{title} ({key}.csv)")
            header, rows, totals_of = section(year)
            files.append(_write_csv(archive, f"{key}.csv", header, rows(), totals_of))
        report(steps - 1, steps, _("The workbook (audit.xlsx)"))
        files.append(_write_xlsx(archive, year))
        head_seq, head_hash = audit.chain_head()
        manifest = {
            "format": "bangfutong/audit-package@1",
            "year": year,
            "generated_at": utcnow().isoformat(),
            "generated_by": actor.name,
            "files": [vars(f) for f in files],
            "audit_chain_head": {"seq": head_seq, "hash": head_hash},
            "reconciliation": {
                "ok": result.ok,
                "funds": [
                    {
                        "code": f.fund.code,
                        "name": f.fund.name,
                        "budget": f"{f.balance.budget:.2f}",
                        "paid": f"{f.balance.paid:.2f}",
                        "committed": f"{f.balance.committed:.2f}",
                        "available": f"{f.balance.available:.2f}",
                        "ledger_sum": f"{f.ledger_sum:.2f}",
                        "ok": f.ok,
                    }
                    for f in result.funds
                ],
                "special_public_total": f"{result.special_public_total or ZERO:.2f}",
                "budget_total": f"{result.budget_total or ZERO:.2f}",
            },
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest
