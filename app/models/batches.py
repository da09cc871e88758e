"""代发批次: payment batches paid through the bank's payroll service, and their lines.

A batch pays approved cases of one fund and unit, each line the case's outstanding
approved amount to the payee's registered card. A case is in at most one open batch:
a line is open while ``pending``, and the database refuses a second open line for a
case (a partial unique index), whatever races in the application.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.cases import Case, Payment
from app.models.ledger import Fund, Transfer
from app.models.types import Money, UTCDateTime, utcnow

BATCH_STATUSES = {
    "draft": _l("Draft"),
    "approved": _l("Approved"),
    "sent": _l("Sent to the bank"),
    "answered": _l("Partly answered"),
    "done": _l("Answered"),
    "cancelled": _l("Cancelled"),
}
#: A batch in one of these holds its cases: they cannot be in another batch or paid by hand.
OPEN_BATCH_STATUSES = ("draft", "approved", "sent", "answered")

LINE_STATUSES = {
    "pending": _l("Pending"),
    "paid": _l("Paid"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}


def _in(column: str, values: object) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"  # type: ignore[attr-defined]


class PaymentBatch(db.Model):
    """代发批次: approved cases of one fund paid in one file for the bank."""

    __tablename__ = "payment_batches"
    __table_args__ = (
        CheckConstraint(_in("status", BATCH_STATUSES), name="status"),
        CheckConstraint("total > 0", name="total_positive"),
        Index("ix_payment_batches_unit_status", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    template_code: Mapped[str] = mapped_column(String(40), default="generic")
    total: Mapped[Decimal] = mapped_column(Money())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    request_digest: Mapped[str | None] = mapped_column(String(64))

    fund: Mapped[Fund] = relationship()
    lines: Mapped[list[PaymentBatchLine]] = relationship(
        back_populates="batch", order_by="PaymentBatchLine.line_no"
    )

    @property
    def batch_no(self) -> str:
        """批次号: the batch's number for the bank and the vouchers of its payments."""
        return f"DF{self.year}-{self.id:05d}"


class PaymentBatchLine(db.Model):
    """One payment of a batch: a case, its amount, and the bank's answer."""

    __tablename__ = "payment_batch_lines"
    __table_args__ = (
        UniqueConstraint("batch_id", "case_id"),
        UniqueConstraint("batch_id", "line_no"),
        CheckConstraint(_in("status", LINE_STATUSES), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        # A case is in at most one open batch: refused by the database too.
        Index(
            "uq_payment_batch_lines_open_case",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    line_no: Mapped[int]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # The ledger entry that sent the line to the bank, and the one that answered it.
    sent_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"))
    answer_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)  # the bank's reason for a failed line
    answered_on: Mapped[date | None] = mapped_column(Date)

    batch: Mapped[PaymentBatch] = relationship(back_populates="lines")
    case: Mapped[Case] = relationship()
    payment: Mapped[Payment | None] = relationship()
    sent_transfer: Mapped[Transfer | None] = relationship(foreign_keys=[sent_transfer_id])
