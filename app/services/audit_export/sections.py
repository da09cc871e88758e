"""The package's tables: for each, its header, its rows (read in batches, as plain rows,
so memory stays flat however long the ledger is) and the money totals the manifest
gives of a row. Values go out as text: amounts with two decimals, times in UTC. Each
table holds only what the exporting actor's units hold (``scope``): a district's auditor
gets the district's books, the city's auditor the city's and its districts'."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.budget import Budget, BudgetLine
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import Fund, Transfer
from app.models.registry import ModelWorker
from app.services import exports, reconciliation
from app.services.scope import Scope

EVERYWHERE = Scope.everywhere()


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


def _year_funds(year: int, scope: Scope) -> dict[int, str]:
    query = select(Fund).where(Fund.year == year, scope.where(Fund.unit_id))
    return {f.id: f.code for f in db.session.execute(query).scalars()}


def _payment_unit() -> Any:
    """A payment's unit: its case's, or its model worker's (as loaders.payment_unit)."""
    return func.coalesce(
        select(Case.unit_id).where(Case.id == Payment.case_id).scalar_subquery(),
        select(ModelWorker.unit_id).where(ModelWorker.id == Payment.model_worker_id).scalar_subquery(),
    )


def _ledger(
    year: int, scope: Scope = EVERYWHERE
) -> tuple[list[str], Callable[[], Iterator[list[object]]], Callable[[list[object]], dict]]:
    funds = _year_funds(year, scope)
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


def _cases(year: int, scope: Scope):  # type: ignore[no-untyped-def]
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
    funds = _year_funds(year, scope)

    def rows() -> Iterator[list[object]]:
        for c in _batched(
            select(*Case.__table__.columns).where(Case.year == year, scope.where(Case.unit_id)), Case.id
        ):
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


def _payments(year: int, scope: Scope):  # type: ignore[no-untyped-def]
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
    funds = _year_funds(year, scope)

    def rows() -> Iterator[list[object]]:
        reversed_ids = set(db.session.execute(select(PaymentReversal.payment_id)).scalars())
        for p in _batched(
            select(*Payment.__table__.columns).where(Payment.year == year, scope.where(_payment_unit())),
            Payment.id,
        ):
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


def _reversals(year: int, scope: Scope):  # type: ignore[no-untyped-def]
    header = ["红冲ID", "发放ID", "金额", "原因", "台账ID", "时间(UTC)", "经办人ID"]

    def rows() -> Iterator[list[object]]:
        query = (
            select(*PaymentReversal.__table__.columns, Payment.amount)
            .join(Payment, Payment.id == PaymentReversal.payment_id)
            .where(Payment.year == year, scope.where(_payment_unit()))
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


def _registry(_year: int, scope: Scope):  # type: ignore[no-untyped-def]
    return exports.REGISTRY_HEADER, lambda: exports.registry_rows(scope.ids), lambda row: {}


def _budget(year: int, scope: Scope):  # type: ignore[no-untyped-def]
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
        for budget in db.session.execute(
            select(Budget).where(Budget.year == year, scope.where(Budget.unit_id))
        ).scalars():
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


def _reconciliation(year: int, scope: Scope):  # type: ignore[no-untyped-def]
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
        result = reconciliation.reconcile(year, scope.ids)
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


def _audit_log(_year: int, scope: Scope):  # type: ignore[no-untyped-def]
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
        for e in _batched(
            select(*AuditEntry.__table__.columns).where(scope.where(AuditEntry.unit_id)), AuditEntry.seq
        ):
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
