"""Aid cases (帮扶申请), their timeline, payments (发放) and reversals (红冲)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.ledger import Fund, Transfer
from app.models.registry import ModelWorker, Worker
from app.models.types import Money, UTCDateTime, utcnow

AID_TYPES = {
    "living": _l("Living assistance"),
    "medical": _l("Medical assistance"),
    "education": _l("Children's education"),
    "legal": _l("Legal aid"),
    "training": _l("Vocational training"),
    "employment": _l("Job referral"),
}
CASE_STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "notice": _l("Public notice"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "paid": _l("Paid"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}
PAYMENT_METHODS = {"cash": _l("Cash"), "bank_transfer": _l("Bank transfer")}
CAMPAIGN_STATUSES = {"draft": _l("Draft"), "approved": _l("Approved"), "cancelled": _l("Cancelled")}


def _in(column: str, values: object) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"  # type: ignore[attr-defined]


class Case(db.Model):
    """帮扶申请: an application for aid for one household from one fund."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("requested_amount >= 0", name="requested_not_negative"),
        CheckConstraint(
            "approved_amount IS NULL OR (approved_amount >= 0 AND approved_amount <= requested_amount)",
            name="approved_within_requested",
        ),
        CheckConstraint(_in("status", CASE_STATUSES), name="status"),
        CheckConstraint(_in("aid_type", AID_TYPES), name="aid_type"),
        CheckConstraint("out_of_pocket IS NULL OR out_of_pocket > 0", name="out_of_pocket_positive"),
        Index("ix_cases_status_unit", "status", "unit_id"),
        Index("ix_cases_worker_year", "worker_id", "year"),
        # The ledger page links each entry to its case through the commitment.
        Index("ix_cases_commitment_id", "commitment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int]
    aid_type: Mapped[str] = mapped_column(String(20))
    requested_amount: Mapped[Decimal] = mapped_column(Money())
    approved_amount: Mapped[Decimal | None] = mapped_column(Money())
    # 自付: the patient's own share from the evidence, the cap of medical aid.
    out_of_pocket: Mapped[Decimal | None] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    notice_start: Mapped[date | None] = mapped_column(Date)
    notice_end: Mapped[date | None] = mapped_column(Date)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # The figures the decision was made on, frozen at approval.
    frozen_category: Mapped[int | None]
    frozen_household_income: Mapped[Decimal | None] = mapped_column(Money())
    frozen_household_size: Mapped[int | None]
    frozen_line: Mapped[Decimal | None] = mapped_column(Money())
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    worker: Mapped[Worker] = relationship()
    campaign: Mapped[Campaign | None] = relationship(back_populates="cases")
    fund: Mapped[Fund] = relationship()
    commitment: Mapped[Transfer | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="case", order_by="Payment.id")


class Campaign(db.Model):
    """元旦春节送温暖: a batch of households given a fixed sum each, approved at once."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("amount_each > 0", name="amount_positive"),
        CheckConstraint(_in("status", CAMPAIGN_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    amount_each: Mapped[Decimal] = mapped_column(Money())
    criteria: Mapped[str] = mapped_column(Text, default="")  # the filter the households were chosen by
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    fund: Mapped[Fund] = relationship()
    cases: Mapped[list[Case]] = relationship(back_populates="campaign", order_by="Case.id")


class CaseEvent(db.Model):
    """One step in a case's timeline: who moved it, when, from what to what, and why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="events")


class Payment(db.Model):
    """发放: money handed out for a case or a model worker's check-up, as one ledger entry."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("year", "voucher_no"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(_in("method", PAYMENT_METHODS), name="method"),
        CheckConstraint("(case_id IS NULL) <> (model_worker_id IS NULL)", name="case_or_model_worker"),
        Index("ix_payments_model_worker_year", "model_worker_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    model_worker_id: Mapped[int | None] = mapped_column(ForeignKey("model_workers.id"))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    year: Mapped[int]
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfers.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    voucher_no: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    request_digest: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case | None] = relationship(back_populates="payments")
    model_worker: Mapped[ModelWorker | None] = relationship()
    transfer: Mapped[Transfer] = relationship()
    reversal: Mapped[PaymentReversal | None] = relationship(back_populates="payment", uselist=False)


class PaymentReversal(db.Model):
    """红冲: the reversal of a wrong payment, its own ledger entry; the payment stays."""

    __tablename__ = "payment_reversals"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfers.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    # The reversal's own voucher (红冲凭证): its number and its date. Empty on reversals
    # recorded before migration 0015 (the ledger then shows the day it was recorded).
    voucher_no: Mapped[str | None] = mapped_column(String(40))
    reversed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="reversal")


class PaymentMonth(db.Model):
    """Net paid from a fund in one month of its year, by payment date (reversed payments
    left out): a maintained total, updated with each payment and reversal under the
    fund's lock, so the dashboard's month chart reads twelve rows, not the payments."""

    __tablename__ = "payment_months"
    __table_args__ = (CheckConstraint("month BETWEEN 1 AND 12", name="month"),)

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
