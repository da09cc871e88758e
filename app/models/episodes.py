"""A household's periods on file (在档期), its exits (脱困/退出) and returns (返困), and the
follow-up calls (回访) scheduled after an exit."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

#: Why a household leaves the file (API.md: POST /applicants/{id}/exit).
EXIT_REASONS = {
    "recovered": _l("Out of hardship"),
    "retired": _l("Retired"),
    "moved": _l("Moved away"),
    "deceased": _l("Deceased"),
    "other": _l("Other reason"),
}
#: A visit's kind (API.md: POST /applicants/{id}/visits).
VISIT_KINDS = {"home": _l("Home visit"), "phone": _l("Phone call")}


def _in(column: str, values: object) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"  # type: ignore[attr-defined]


class HouseholdEpisode(db.Model):
    """在档期: one period of a household on file, from opening (or return) to exit."""

    __tablename__ = "household_episodes"
    __table_args__ = (
        CheckConstraint(_in("exit_reason", EXIT_REASONS), name="exit_reason"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="dates"),
        CheckConstraint("(closed_on IS NULL) = (exit_reason IS NULL)", name="closed_with_reason"),
        # At most one open period per household: the database refuses a second one.
        Index(
            "uq_household_episodes_open",
            "worker_id",
            unique=True,
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    # 返困: why the household came back (empty for the first period).
    reentry_reason: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(20))
    exit_note: Mapped[str] = mapped_column(Text, default="")
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    follow_ups: Mapped[list[FollowUp]] = relationship(order_by="FollowUp.due_on")


class FollowUp(db.Model):
    """回访: a call or visit due after an exit, done by the first visit after it falls due
    (or before it, once the earlier ones are done)."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_open", "done_on", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("household_episodes.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    months_after: Mapped[int]
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
