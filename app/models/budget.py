"""The department budget (部门预算) as loaded from its file."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Unit
from app.models.types import Money, UTCDateTime, utcnow

SECTION_INCOME = "income"
SECTION_EXPENDITURE = "expenditure"


class Budget(db.Model):
    """部门预算: one unit's approved budget for one fiscal year."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(ForeignKey("fiscal_years.year"))
    title: Mapped[str] = mapped_column(String(200))
    total_income: Mapped[Decimal] = mapped_column(Money())
    total_expenditure: Mapped[Decimal] = mapped_column(Money())
    # SHA-256 of the canonical content: the same file loaded again is recognised.
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    lines: Mapped[list[BudgetLine]] = relationship(back_populates="budget", order_by="BudgetLine.position")


class BudgetLine(db.Model):
    """预算行: one line of the budget's tables, nested under its subtotal."""

    __tablename__ = "budget_lines"
    __table_args__ = (UniqueConstraint("budget_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("budget_lines.id"), index=True)
    position: Mapped[int]
    section: Mapped[str] = mapped_column(String(20))  # income | expenditure
    table: Mapped[str] = mapped_column(String(100))  # the document's table it comes from
    code: Mapped[str | None] = mapped_column(String(20))  # 项目代码
    name: Mapped[str] = mapped_column(String(200))
    functional_class: Mapped[str | None] = mapped_column(String(20))  # 功能分类
    economic_class: Mapped[str | None] = mapped_column(String(20))  # 经济分类
    project_code: Mapped[str | None] = mapped_column(String(20))  # 专项项目编号
    amount: Mapped[Decimal | None] = mapped_column(Money())
    # 经费来源: the sources of the amount, as the document's columns.
    source_general: Mapped[Decimal | None] = mapped_column(Money())  # 一般预算拨款
    source_fund: Mapped[Decimal | None] = mapped_column(Money())  # 基金预算拨款
    source_special_account: Mapped[Decimal | None] = mapped_column(Money())  # 财政专户核拨
    source_other: Mapped[Decimal | None] = mapped_column(Money())  # 其他来源收入

    budget: Mapped[Budget] = relationship(back_populates="lines")
    parent: Mapped[BudgetLine | None] = relationship(remote_side=[id])
