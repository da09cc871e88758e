"""结账: a unit's books closed for a month or a whole fiscal year. While a close holds,
no money moves with a date in its period; reopening takes an administrator's request
and a second person's approval."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

#: ``month`` of a close of the whole fiscal year.
WHOLE_YEAR = 0

PERIOD_STATUSES = {
    "closed": _l("Books closed for the period"),
    "reopen_requested": _l("Reopening asked for"),
    "reopened": _l("Reopened"),
}
#: A close in one of these holds its period shut.
HOLDING = ("closed", "reopen_requested")


class PeriodClose(db.Model):
    """One close (结账) of a unit's month (1-12) or whole year (``month`` 0)."""

    __tablename__ = "period_closes"
    __table_args__ = (
        CheckConstraint("month BETWEEN 0 AND 12", name="month_range"),
        CheckConstraint("status IN ('closed', 'reopen_requested', 'reopened')", name="status"),
        # One close holds a period at a time, whatever races in the application.
        Index(
            "uq_period_closes_holding",
            "unit_id",
            "year",
            "month",
            unique=True,
            sqlite_where=text("status <> 'reopened'"),
            postgresql_where=text("status <> 'reopened'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(ForeignKey("fiscal_years.year"))
    month: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="closed")
    #: SHA-256 of the period's money as it was closed (app/services/periods.py digest).
    digest: Mapped[str] = mapped_column(String(64))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_name: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    reopen_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopen_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_whole_year(self) -> bool:
        return self.month == WHOLE_YEAR
