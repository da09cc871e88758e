"""上报: a unit's report for a period, sent up the tree. What it says is frozen when it is
submitted (a JSON snapshot and its SHA-256); the level above accepts it or returns it with a
reason, and a returned report is followed by a new submission (a new row, the old one kept)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Unit
from app.models.types import UTCDateTime, utcnow

REPORT_STATUSES = {
    "submitted": _l("Submitted, waiting for the level above"),
    "accepted": _l("Accepted by the level above"),
    "returned": _l("Returned by the level above"),
}


class UnitReport(db.Model):
    """One submission of a unit's report for a year (``month`` 0) or a month (1-12)."""

    __tablename__ = "unit_reports"
    __table_args__ = (
        CheckConstraint("month BETWEEN 0 AND 12", name="month_range"),
        CheckConstraint("status IN ('submitted', 'accepted', 'returned')", name="status"),
        # One report a period stands at a time (submitted or accepted), whatever races.
        Index(
            "uq_unit_reports_standing",
            "unit_id",
            "year",
            "month",
            unique=True,
            sqlite_where=text("status <> 'returned'"),
            postgresql_where=text("status <> 'returned'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int]
    month: Mapped[int]
    #: 1 for the first submission of the period, one more after each return.
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    #: The figures as submitted, canonical JSON (sorted keys), and their SHA-256.
    snapshot: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_name: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by_name: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit] = relationship()
