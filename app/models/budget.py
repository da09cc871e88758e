"""The department budget (部门预算) as loaded from its file."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
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


#: How a revision came in: a revised budget file, or one fund's change entered by hand.
REVISION_FILE = "file"
REVISION_ENTRY = "entry"
REVISION_SOURCES = (REVISION_FILE, REVISION_ENTRY)


class BudgetRevision(db.Model):
    """预算调整: a revision of a loaded budget, under the finance bureau's document (文号).

    The original budget's rows are never edited: each fund's change is a ledger entry
    (kind ``adjustment``) named by a :class:`BudgetRevisionLine`; the department's totals
    after the revision are kept here, so the current budget is the newest revision's."""

    __tablename__ = "budget_revisions"
    __table_args__ = (CheckConstraint("source IN ('file', 'entry')", name="source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(ForeignKey("fiscal_years.year"))
    source: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(100))  # 文号, e.g. 桥财预〔2015〕12号
    revised_on: Mapped[date] = mapped_column(Date())
    reason: Mapped[str] = mapped_column(String(500), default="")
    # The department's totals after this revision (the current budget's).
    total_income: Mapped[Decimal] = mapped_column(Money())
    total_expenditure: Mapped[Decimal] = mapped_column(Money())
    # A revised file: the SHA-256 of its canonical content and the content itself.
    digest: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[str | None] = mapped_column(Text())
    # An API request's Idempotency-Key and the digest of its body: a replay answers this one.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    request_digest: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    budget: Mapped[Budget] = relationship()
    lines: Mapped[list[BudgetRevisionLine]] = relationship(
        back_populates="revision", order_by="BudgetRevisionLine.id"
    )


class BudgetRevisionLine(db.Model):
    """One fund's change in a revision: its budget before and after, and the ledger entry."""

    __tablename__ = "budget_revision_lines"
    __table_args__ = (
        UniqueConstraint("revision_id", "fund_id"),
        CheckConstraint("change <> 0", name="change_not_zero"),
        CheckConstraint(
            "budget_before >= 0 AND budget_after >= 0 AND budget_after - budget_before = change",
            name="figures",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("budget_revisions.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    budget_before: Mapped[Decimal] = mapped_column(Money())
    budget_after: Mapped[Decimal] = mapped_column(Money())
    change: Mapped[Decimal] = mapped_column(Money())  # signed: a decrease is negative
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfers.id"), unique=True)

    revision: Mapped[BudgetRevision] = relationship(back_populates="lines")
