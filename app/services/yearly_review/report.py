"""A year of households' life on file (点7): households entering (new files and returns to
hardship), leaving by reason, the yearly review's completion by unit (done, on time), and
the follow-up calls fallen due that were done by their date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.extensions import db
from app.models.episodes import EXIT_REASONS, FollowUp
from app.models.org import Unit
from app.models.registry import Worker
from app.models.reviews import ReviewRound, ReviewTask
from app.services import household_report
from app.xlsx import Column, PageSetup, add_sheet, new_book, to_bytes, today_in_beijing


@dataclass(frozen=True)
class UnitReview:
    unit: str
    total: int
    done: int
    on_time: int

    @property
    def rate(self) -> float:
        """Done as a share of all tasks, in per cent (0 for none)."""
        return round(100 * self.done / self.total, 1) if self.total else 0.0


@dataclass
class FileLife:
    year: int
    new_files: int = 0
    returning: int = 0
    exits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXIT_REASONS, 0))
    reviews: list[UnitReview] = field(default_factory=list)
    follow_ups_due: int = 0
    follow_ups_by_date: int = 0
    follow_ups_later: int = 0

    @property
    def entering(self) -> int:
        return self.new_files + self.returning

    @property
    def exiting(self) -> int:
        return sum(self.exits.values())

    @property
    def follow_ups_not_done(self) -> int:
        return self.follow_ups_due - self.follow_ups_by_date - self.follow_ups_later


def file_life(year: int, unit_ids: list[int] | None, *, today: date | None = None) -> FileLife:
    """The year's figures for the files of ``unit_ids`` (every unit with None). A follow-up
    call counts in the year it falls due, once that date has come."""
    today = today or date.today()
    report = FileLife(year)
    for row in household_report.yearly_rows(unit_ids, today=today):
        if row.year == year:
            report.new_files, report.returning = row.entering, row.returning
            report.exits = dict(row.exits)
    done_on_time = func.sum(case((ReviewTask.done_on <= ReviewRound.deadline, 1), else_=0))
    reviews = (
        select(Unit.name, Unit.code, func.count(), func.count(ReviewTask.done_on), done_on_time)
        .select_from(ReviewTask)
        .join(ReviewRound, ReviewRound.id == ReviewTask.round_id)
        .join(Unit, Unit.id == ReviewTask.unit_id)
        .where(ReviewTask.year == year)
        .group_by(Unit.id, Unit.name, Unit.code)
        .order_by(Unit.code)
    )
    if unit_ids is not None:
        reviews = reviews.where(ReviewTask.unit_id.in_(unit_ids))
    report.reviews = [
        UnitReview(name, total, done, int(on_time or 0))
        for name, _code, total, done, on_time in db.session.execute(reviews)
    ]
    due = (
        select(FollowUp.due_on, FollowUp.done_on)
        .join(Worker, Worker.id == FollowUp.worker_id)
        .where(FollowUp.due_on <= min(today, date(year, 12, 31)), FollowUp.due_on >= date(year, 1, 1))
    )
    if unit_ids is not None:
        due = due.where(Worker.unit_id.in_(unit_ids))
    for due_on, done_on in db.session.execute(due):
        report.follow_ups_due += 1
        if done_on is not None and done_on <= due_on:
            report.follow_ups_by_date += 1
        elif done_on is not None:
            report.follow_ups_later += 1
    return report


def movement_rows(report: FileLife) -> list[tuple[str, int]]:
    """The year's movement as (words, count), every reason through its label."""
    return [
        (_("Households entering"), report.entering),
        (_("of which new files"), report.new_files),
        (_("of which back on file (return to hardship)"), report.returning),
        (_("Households leaving the file"), report.exiting),
        *((_("of which: %(reason)s", reason=w), report.exits[c]) for c, w in EXIT_REASONS.items()),
        (_("Follow-up calls fallen due"), report.follow_ups_due),
        (_("of which done by their date"), report.follow_ups_by_date),
        (_("of which done after their date"), report.follow_ups_later),
        (_("of which not done"), report.follow_ups_not_done),
    ]


def review_columns() -> list[Column]:
    return [
        Column(_("Union unit"), "text"),
        Column(_("Review tasks"), "int"),
        Column(_("Review tasks done"), "int"),
        Column(_("Done by the deadline"), "int"),
        Column(_("Completion rate"), "percent", total=False),
    ]


def review_values(row: UnitReview) -> list[object]:
    return [row.unit, row.total, row.done, row.on_time, row.rate]


def workbook_of(report: FileLife) -> bytes:
    setup = PageSetup(printed_on=today_in_beijing(), signatures=(_("Head of unit"), _("Prepared by")))
    book = new_book()
    title = _("Life on file in %(year)s", year=report.year)
    add_sheet(
        book,
        _("Households entering and leaving the file"),
        [Column(_("Figure of the year"), "text"), Column(_("Households or calls"), "int", total=False)],
        movement_rows(report),
        setup=setup,
        heading=title,
    )
    add_sheet(
        book,
        _("Yearly review"),
        review_columns(),
        (review_values(r) for r in report.reviews),
        setup=setup,
        heading=title,
    )
    return to_bytes(book)
