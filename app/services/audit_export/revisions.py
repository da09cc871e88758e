"""The package's table of budget revisions (预算调整): one row per fund's change, with its
document number (文号), date, reason, the budget before and after, and its ledger entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import select

from app.extensions import db
from app.models.budget import BudgetRevision, BudgetRevisionLine
from app.models.ledger import Fund, Transfer
from app.models.org import Unit
from app.services.scope import Scope
from app.xlsx import Column

Section = tuple[list[Column], Callable[[], Iterator[list[object]]], Callable[[list[object]], dict]]


def revisions_section(year: int, scope: Scope) -> Section:
    columns = [
        Column("单位编码", "code", 10),
        Column("调整ID", "int"),
        Column("文号", width=24),
        Column("调整日期", "date"),
        Column("调整原因", width=30),
        Column("资金编号", "code", 12),
        Column("资金名称", width=24),
        Column("调整前预算", "money", total=False),
        Column("调整金额", "money"),
        Column("调整后预算", "money", total=False),
        Column("台账序号", "int"),
        Column("调整后收入合计", "money", total=False),
        Column("调整后支出合计", "money", total=False),
        Column("文件指纹代码", "code", 20),
    ]

    def rows() -> Iterator[list[object]]:
        found = db.session.execute(
            select(BudgetRevision, BudgetRevisionLine, Fund, Transfer.seq, Unit.code)
            .join(BudgetRevisionLine, BudgetRevisionLine.revision_id == BudgetRevision.id)
            .join(Fund, Fund.id == BudgetRevisionLine.fund_id)
            .join(Transfer, Transfer.id == BudgetRevisionLine.transfer_id)
            .join(Unit, Unit.id == BudgetRevision.unit_id)
            .where(BudgetRevision.year == year, scope.where(BudgetRevision.unit_id))
            .order_by(BudgetRevision.id, BudgetRevisionLine.id)
        )
        for revision, line, fund, seq, unit_code in found:
            yield [
                unit_code,
                revision.id,
                revision.reference,
                revision.revised_on,
                revision.reason,
                fund.code,
                fund.name,
                line.budget_before,
                line.change,
                line.budget_after,
                seq,
                revision.total_income,
                revision.total_expenditure,
                revision.digest or "",
            ]

    return columns, rows, lambda row: {"change": row[8]}
