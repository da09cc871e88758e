"""What a decision on a case rests on besides the file: the home investigation (入户调查)
and the democratic review (民主评议)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.cases import Case
from app.models.types import UTCDateTime, utcnow

REVIEW_RESULTS = {"agree": _l("Agreed"), "disagree": _l("Not agreed")}


class HomeInvestigation(db.Model):
    """入户调查: a visit to the household by at least two investigators before a decision."""

    __tablename__ = "case_investigations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    investigators: Mapped[str] = mapped_column(Text)  # names, one a line, at least two
    findings: Mapped[str] = mapped_column(Text)
    # The family's signed authorisation to check its finances (家庭经济状况核对授权书).
    authorisation_signed: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()

    @property
    def names(self) -> list[str]:
        return [name for name in self.investigators.splitlines() if name.strip()]


class DemocraticReview(db.Model):
    """民主评议: the result of the review meeting on a case."""

    __tablename__ = "case_reviews"
    __table_args__ = (
        CheckConstraint("participants > 0", name="participants_positive"),
        CheckConstraint("result IN ('agree', 'disagree')", name="result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[int]
    result: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()


OBJECTION_OUTCOMES = {"upheld": _l("Objection upheld"), "dismissed": _l("Objection dismissed")}


class CaseObjection(db.Model):
    """公示异议: an objection to a case raised while it is on public notice, and how it was
    settled (upheld or dismissed, with the reason, by whom). An unsettled one holds up the
    decision; an upheld one leaves only rejection (app/services/cases/decisions.py)."""

    __tablename__ = "case_objections"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'dismissed')", name="outcome"),
        CheckConstraint(
            "(outcome IS NULL AND settled_at IS NULL) OR (outcome IS NOT NULL AND settled_at IS NOT NULL)",
            name="settled_with_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    raised_by: Mapped[str] = mapped_column(String(100), default="")  # empty: anonymous (匿名)
    content: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(10))
    settlement_reason: Mapped[str | None] = mapped_column(Text)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship()

    @property
    def settled(self) -> bool:
        return self.outcome is not None
