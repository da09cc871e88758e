"""年审: a unit's yearly review round (年审轮次) and the review task (年审任务) of each active
file in it, done with an outcome: the category stands, the category changes with the new
household figures, or the household leaves the file."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Unit
from app.models.registry import Worker
from app.models.types import Money, UTCDateTime, utcnow

#: How a review task is done (POST /review-tasks/{id}/complete: ``outcome``).
REVIEW_OUTCOMES = {
    "keep": _l("Category stands, figures confirmed"),
    "change": _l("Category changed with new figures"),
    "exit": _l("Household leaves the file"),
}
#: Which tasks of a round a page lists.
TASK_FILTERS = {
    "all": _l("Every review task"),
    "open": _l("Review tasks not done"),
    "done": _l("Review tasks done"),
    "overdue": _l("Review tasks overdue"),
}


def _in(column: str, values: object) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"  # type: ignore[attr-defined]


class ReviewRound(db.Model):
    """年审轮次: one unit's yearly review of the files of the unit and the units below it."""

    __tablename__ = "review_rounds"
    __table_args__ = (
        # One round per unit and year: the database refuses a second one.
        UniqueConstraint("unit_id", "year"),
        CheckConstraint("deadline >= starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    tasks: Mapped[list[ReviewTask]] = relationship(back_populates="round", order_by="ReviewTask.id")


class ReviewTask(db.Model):
    """年审任务: one file's review in a round; the figures before and after are kept."""

    __tablename__ = "review_tasks"
    __table_args__ = (
        # A file is reviewed once a year, in one round.
        UniqueConstraint("year", "worker_id"),
        CheckConstraint(_in("outcome", REVIEW_OUTCOMES), name="outcome"),
        CheckConstraint("(done_on IS NULL) = (outcome IS NULL)", name="done_with_outcome"),
        Index("ix_review_tasks_round_done", "round_id", "done_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    #: The file's unit when the round started: whose caseworkers do the task.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int]
    category_before: Mapped[int]
    size_before: Mapped[int]
    income_before: Mapped[Decimal] = mapped_column(Money())
    outcome: Mapped[str | None] = mapped_column(String(10))
    done_on: Mapped[date | None] = mapped_column(Date)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    category_after: Mapped[int | None]
    size_after: Mapped[int | None]
    income_after: Mapped[Decimal | None] = mapped_column(Money())
    exit_reason: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[ReviewRound] = relationship(back_populates="tasks")
    worker: Mapped[Worker] = relationship()
