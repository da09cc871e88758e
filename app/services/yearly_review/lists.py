"""What the yearly review looks at: a round's tasks (open, done, overdue), the rounds a
person sees, files whose data has not been updated for twelve months, and files never
helped (no case ever approved or paid)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, false, func, select

from app.extensions import db
from app.models.cases import Case
from app.models.registry import ON_FILE, Worker
from app.models.reviews import ReviewRound, ReviewTask
from app.services.registry.episodes import add_months
from app.xlsx import Column, PageSetup, today_in_beijing, workbook

#: A case in one of these states helped the household (approved, paid, or paid and closed).
HELPED_STATUSES = ("approved", "paid", "closed")
#: The lists of files the review pages offer.
FILE_LISTS = {
    "unchanged": _l("Files not updated for twelve months"),
    "never_helped": _l("Files never helped"),
}
#: Rows a list page shows (the XLSX has them all).
PAGE_ROWS = 500


@dataclass(frozen=True)
class RoundProgress:
    total: int
    done: int
    overdue: int


def rounds_in(unit_ids: list[int] | None) -> list[ReviewRound]:
    query = select(ReviewRound).order_by(ReviewRound.year.desc(), ReviewRound.id)
    if unit_ids is not None:
        query = query.where(ReviewRound.unit_id.in_(unit_ids))
    return list(db.session.execute(query).scalars())


def tasks_of(
    review_round: ReviewRound, *, show: str, unit_ids: list[int] | None, today: date
) -> list[ReviewTask]:
    """The round's tasks within ``unit_ids``, filtered by ``show`` (TASK_FILTERS)."""
    query = (
        select(ReviewTask)
        .join(Worker, Worker.id == ReviewTask.worker_id)
        .where(ReviewTask.round_id == review_round.id)
        .order_by(Worker.name_pinyin, ReviewTask.id)
    )
    if unit_ids is not None:
        query = query.where(ReviewTask.unit_id.in_(unit_ids))
    if show == "open":
        query = query.where(ReviewTask.done_on.is_(None))
    elif show == "done":
        query = query.where(ReviewTask.done_on.is_not(None))
    elif show == "overdue":
        late = review_round.deadline < today
        query = query.where(ReviewTask.done_on.is_(None)) if late else query.where(false())
    return list(db.session.execute(query).scalars())


def progress(review_round: ReviewRound, unit_ids: list[int] | None, today: date) -> RoundProgress:
    query = select(func.count(), func.count(ReviewTask.done_on)).where(ReviewTask.round_id == review_round.id)
    if unit_ids is not None:
        query = query.where(ReviewTask.unit_id.in_(unit_ids))
    total, done = db.session.execute(query).one()
    return RoundProgress(total, done, total - done if review_round.deadline < today else 0)


def overdue_tasks(unit_ids: list[int] | None, today: date) -> Select[tuple[ReviewTask, Worker, ReviewRound]]:
    """Tasks not done whose round's deadline has passed, the oldest deadline first."""
    query = (
        select(ReviewTask, Worker, ReviewRound)
        .join(ReviewRound, ReviewRound.id == ReviewTask.round_id)
        .join(Worker, Worker.id == ReviewTask.worker_id)
        .where(ReviewTask.done_on.is_(None), ReviewRound.deadline < today)
        .order_by(ReviewRound.deadline, Worker.name_pinyin, ReviewTask.id)
    )
    return query if unit_ids is None else query.where(ReviewTask.unit_id.in_(unit_ids))


def _files(unit_ids: list[int] | None) -> Select[tuple[Worker]]:
    query = select(Worker).where(Worker.status == ON_FILE)
    return query if unit_ids is None else query.where(Worker.unit_id.in_(unit_ids))


def unchanged_files(unit_ids: list[int] | None, today: date) -> Select[tuple[Worker]]:
    """Files on record whose data was last updated or confirmed twelve months ago or more."""
    return (
        _files(unit_ids)
        .where(Worker.data_checked_on <= add_months(today, -12))
        .order_by(Worker.data_checked_on, Worker.id)
    )


def never_helped(unit_ids: list[int] | None) -> Select[tuple[Worker]]:
    """Files on record with no case ever approved or paid."""
    helped = exists().where(Case.worker_id == Worker.id, Case.status.in_(HELPED_STATUSES))
    return _files(unit_ids).where(~helped).order_by(Worker.created_at, Worker.id)


def file_list(which: str, unit_ids: list[int] | None, today: date) -> Select[tuple[Worker]]:
    return unchanged_files(unit_ids, today) if which == "unchanged" else never_helped(unit_ids)


def list_title(which: str) -> str:
    return str(FILE_LISTS.get(which, FILE_LISTS["unchanged"]))


def list_columns() -> list[Column]:
    return [
        Column(_("File No."), "code"),
        Column(_("Name"), "text"),
        Column(_("Union unit"), "text"),
        Column(_("Category"), "text"),
        Column(_("Data last checked on"), "date"),
        Column(_("File opened on"), "date"),
    ]


def list_values(worker: Worker) -> list[object]:
    from app.labels import label

    return [
        str(worker.id),
        worker.name,
        worker.unit.name,
        label("category", worker.category),
        worker.data_checked_on,
        worker.created_at.date(),
    ]


def list_workbook(which: str, unit_ids: list[int] | None, today: date) -> bytes:
    rows = (list_values(w) for w in db.session.execute(file_list(which, unit_ids, today)).scalars())
    setup = PageSetup(printed_on=today_in_beijing(), signatures=(_("Head of unit"), _("Prepared by")))
    return workbook(list_title(which), list_columns(), rows, setup=setup)
