"""The package's tables: for each, its columns (:class:`app.xlsx.Column`: words in the
header, typed values), its rows (read in batches, as plain rows, so memory stays flat
however long the ledger is) and the money totals the manifest gives of a row. Codes are
shown as words, with the code in its own column headed ``…代码`` for machines; people by
name; times in Beijing time. Each table holds only what the exporting actor's units hold
(``scope``): a district's auditor gets the district's books, the city's auditor the
city's and its districts'."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.labels import label
from app.models.audit import AuditEntry
from app.models.budget import Budget, BudgetLine
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import Fund, Transfer
from app.models.org import Unit
from app.models.registry import ModelWorker, Worker
from app.models.users import User
from app.services import exports, reconciliation
from app.services.audit_export.revisions import revisions_section
from app.services.scope import Scope
from app.xlsx import Column

EVERYWHERE = Scope.everywhere()
#: What a section gives: its columns, its rows (raw values), the manifest totals of a row.
Section = tuple[list[Column], Callable[[], Iterator[list[object]]], Callable[[list[object]], dict]]
TIME = "时间（北京时间）"


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


def _people() -> dict[int, str]:
    """Every user's name as people see it (``User.display_name``), by id."""
    return {u.id: u.display_name for u in db.session.execute(select(User)).scalars()}


def _payment_unit() -> Any:
    """A payment's unit: its case's, or its model worker's (as loaders.payment_unit)."""
    return func.coalesce(
        select(Case.unit_id).where(Case.id == Payment.case_id).scalar_subquery(),
        select(ModelWorker.unit_id).where(ModelWorker.id == Payment.model_worker_id).scalar_subquery(),
    )


def _payee() -> Any:
    """A payment's payee: the name on its case's file, or the model worker's name."""
    return func.coalesce(
        select(Worker.name)
        .join(Case, Case.worker_id == Worker.id)
        .where(Case.id == Payment.case_id)
        .scalar_subquery(),
        select(ModelWorker.name).where(ModelWorker.id == Payment.model_worker_id).scalar_subquery(),
    ).label("payee")


def _ledger(year: int, scope: Scope = EVERYWHERE) -> Section:
    funds = _year_funds(year, scope)
    columns = [
        Column("资金编号", "code", 12),
        Column("序号", "int"),
        Column("ID", "int"),
        Column("类型", width=10),
        Column("类型代码", "code"),
        Column("金额", "money"),
        Column("承诺ID", "int"),
        Column("冲销ID", "int"),
        Column(TIME, "datetime"),
        Column("经办人", width=10),
        Column("摘要", width=30),
        Column("可用余额", "money", total=False),
        Column("已承诺", "money", total=False),
        Column("已支付", "money", total=False),
    ]

    def rows() -> Iterator[list[object]]:
        people = _people()
        for t in _batched(
            select(*Transfer.__table__.columns).where(Transfer.fund_id.in_(list(funds))), Transfer.id
        ):
            yield [
                funds[t.fund_id],
                t.seq,
                t.id,
                label("transfer_kind", t.kind),
                t.kind,
                t.amount,
                t.pending_id,
                t.reverses_id,
                t.created_at,
                people.get(t.created_by_id, ""),
                t.memo,
                t.available_after,
                t.committed_after,
                t.paid_after,
            ]

    return columns, rows, lambda row: {f"amount:{row[4]}": row[5]}


def _cases(year: int, scope: Scope) -> Section:
    columns = [
        Column("申请号", "int"),
        Column("档案号", "int"),
        Column("姓名", width=10),
        Column("资金编号", "code", 12),
        Column("帮扶方式", width=10),
        Column("帮扶方式代码", "code"),
        Column("申请金额", "money"),
        Column("批准金额", "money"),
        Column("状态", width=8),
        Column("状态代码", "code"),
        Column("送温暖活动", "int"),
        Column("创建时间（北京时间）", "datetime"),
        Column("经办人", width=10),
        Column("审批人", width=10),
        Column("审批时间（北京时间）", "datetime"),
    ]
    funds = _year_funds(year, scope)

    def rows() -> Iterator[list[object]]:
        people = _people()
        query = (
            select(*Case.__table__.columns, Worker.name.label("worker_name"))
            .join(Worker, Worker.id == Case.worker_id)
            .where(Case.year == year, scope.where(Case.unit_id))
        )
        for c in _batched(query, Case.id):
            yield [
                c.id,
                c.worker_id,
                c.worker_name,
                funds.get(c.fund_id, ""),
                label("aid_type", c.aid_type),
                c.aid_type,
                c.requested_amount,
                c.approved_amount,
                label("case_status", c.status),
                c.status,
                c.campaign_id,
                c.created_at,
                people.get(c.created_by_id, ""),
                people.get(c.decided_by_id, ""),
                c.decided_at,
            ]

    return columns, rows, lambda row: {"requested": row[6], "approved": row[7] or Decimal("0.00")}


def _payments(year: int, scope: Scope) -> Section:
    columns = [
        Column("发放ID", "int"),
        Column("申请号", "int"),
        Column("劳模ID", "int"),
        Column("资金编号", "code", 12),
        Column("金额", "money"),
        Column("发放日期", "date"),
        Column("收款人", width=10),
        Column("方式", width=10),
        Column("方式代码", "code"),
        Column("凭证号", "code"),
        Column("台账ID", "int"),
        Column("已红冲", width=8),
        Column("经办人", width=10),
    ]
    funds = _year_funds(year, scope)

    def rows() -> Iterator[list[object]]:
        people = _people()
        reversed_ids = set(db.session.execute(select(PaymentReversal.payment_id)).scalars())
        query = select(*Payment.__table__.columns, _payee()).where(
            Payment.year == year, scope.where(_payment_unit())
        )
        for p in _batched(query, Payment.id):
            yield [
                p.id,
                p.case_id,
                p.model_worker_id,
                funds.get(p.fund_id, ""),
                p.amount,
                p.paid_on,
                p.payee or "",
                label("payment_method", p.method),
                p.method,
                p.voucher_no,
                p.transfer_id,
                "是" if p.id in reversed_ids else "否",
                people.get(p.created_by_id, ""),
            ]

    return columns, rows, lambda row: {"amount": row[4]}


def _reversals(year: int, scope: Scope) -> Section:
    columns = [
        Column("红冲ID", "int"),
        Column("发放ID", "int"),
        Column("红冲金额", "money"),
        Column("收款人", width=10),
        Column("原因", width=30),
        Column("台账ID", "int"),
        Column(TIME, "datetime"),
        Column("经办人", width=10),
    ]

    def rows() -> Iterator[list[object]]:
        people = _people()
        query = (
            select(*PaymentReversal.__table__.columns, Payment.amount, _payee())
            .join(Payment, Payment.id == PaymentReversal.payment_id)
            .where(Payment.year == year, scope.where(_payment_unit()))
        )
        for r in _batched(query, PaymentReversal.id):
            yield [
                r.id,
                r.payment_id,
                r.amount,
                r.payee or "",
                r.reason,
                r.transfer_id,
                r.created_at,
                people.get(r.created_by_id, ""),
            ]

    return columns, rows, lambda row: {"amount": row[2]}


def _registry(_year: int, scope: Scope) -> Section:
    return exports.REGISTRY_COLUMNS, lambda: exports.registry_rows(scope.ids), lambda row: {}


def _budget(year: int, scope: Scope) -> Section:
    columns = [
        Column("单位编码", "code", 10),
        Column("表", width=24),
        Column("序号", "int"),
        Column("项目代码", "code"),
        Column("功能分类", "code", 10),
        Column("经济分类", "code", 10),
        Column("项目编号", "code", 12),
        Column("预算支出项目", width=30),
        Column("合计", "money"),
        Column("一般预算拨款", "money"),
        Column("基金预算拨款", "money"),
        Column("财政专户核拨", "money"),
        Column("其他来源收入", "money"),
    ]

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
                    line.amount,
                    line.source_general,
                    line.source_fund,
                    line.source_special_account,
                    line.source_other,
                ]

    return columns, rows, lambda row: {"projects": row[8] or Decimal("0.00")} if row[6] else {}


def _reconciliation(year: int, scope: Scope) -> Section:
    columns = [
        Column("资金编号", "code", 12),
        Column("资金名称", width=24),
        Column("预算", "money"),
        Column("已支付", "money"),
        Column("已承诺", "money"),
        Column("在银行", "money"),
        Column("可用余额", "money"),
        Column("台账合计", "money"),
        Column("核对项", width=36),
        Column("结果", width=8),
        Column("问题", width=40),
    ]

    def rows() -> Iterator[list[object]]:
        result = reconciliation.reconcile(year, scope.ids)
        for item in result.funds:
            b = item.balance
            for check in item.checks:
                yield [
                    item.fund.code,
                    item.fund.name,
                    b.budget,
                    b.paid,
                    b.committed,
                    b.at_bank,
                    b.available,
                    item.ledger_sum,
                    check.label,
                    "通过" if check.ok else "未通过",
                    "；".join(check.problems),
                ]

    return columns, rows, lambda row: {}


def _audit_log(_year: int, scope: Scope) -> Section:
    columns = [
        Column("序号", "int"),
        Column(TIME, "datetime"),
        Column("用户", width=10),
        Column("地址", "code"),
        Column("操作", width=20),
        Column("操作代码", "code", 20),
        Column("对象类型", width=10),
        Column("对象类型代码", "code"),
        Column("对象ID", "code", 10),
        Column("单位", width=20),
        # the details exactly as stored and hashed: an auditor re-computes the chain from them
        Column("原始详情代码", "code", 40),
        Column("前一哈希", "code", 20),
        Column("哈希", "code", 20),
    ]

    def rows() -> Iterator[list[object]]:
        people = _people()
        units = {u.id: u.name for u in db.session.execute(select(Unit)).scalars()}
        for e in _batched(
            select(*AuditEntry.__table__.columns).where(scope.where(AuditEntry.unit_id)), AuditEntry.seq
        ):
            yield [
                e.seq,
                e.occurred_at,
                people.get(e.actor_id) or e.actor_name,
                e.remote_addr or "",
                label("audit_action", e.action),
                e.action,
                label("object_type", e.object_type),
                e.object_type or "",
                e.object_id or "",
                units.get(e.unit_id, ""),
                e.details,
                e.prev_hash,
                e.hash,
            ]

    return columns, rows, lambda row: {}


SECTIONS = [
    ("ledger", "台账", _ledger),
    ("cases", "帮扶申请", _cases),
    ("payments", "发放", _payments),
    ("reversals", "红冲", _reversals),
    ("registry", "困难职工档案", _registry),
    ("budget", "部门预算", _budget),
    ("budget_revisions", "预算调整", revisions_section),
    ("reconciliation", "对账", _reconciliation),
    ("audit_log", "审计日志", _audit_log),
]
