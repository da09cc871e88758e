"""Households on file by year (在档变动): how many came on file, came back (返困), left (by
reason), and how many follow-up calls fell due and were done on time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import extract, func, select

from app.extensions import db
from app.models.episodes import EXIT_REASONS, FollowUp, HouseholdEpisode
from app.models.registry import Worker
from app.xlsx import Column, PageSetup, today_in_beijing, workbook

#: A follow-up call is on time when it is done no later than this many days after its date.
ON_TIME_DAYS = 30


@dataclass
class YearRow:
    year: int
    entering: int = 0
    returning: int = 0
    exits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXIT_REASONS, 0))
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0

    @property
    def exiting(self) -> int:
        return sum(self.exits.values())


def _scoped(query, unit_ids: list[int] | None):  # type: ignore[no-untyped-def]
    return query if unit_ids is None else query.where(Worker.unit_id.in_(unit_ids))


def yearly_rows(unit_ids: list[int] | None, *, today: date | None = None) -> list[YearRow]:
    """One row per year with any movement, newest first, for the households of ``unit_ids``
    (every unit with None). Follow-ups count in the year they fall due, once that date is past."""
    today = today or date.today()
    rows: dict[int, YearRow] = {}

    def row(year: int) -> YearRow:
        return rows.setdefault(int(year), YearRow(int(year)))

    opened_year = extract("year", HouseholdEpisode.opened_on)
    opened = _scoped(
        select(opened_year, HouseholdEpisode.reentry_reason.is_not(None), func.count())
        .join(Worker, Worker.id == HouseholdEpisode.worker_id)
        .group_by(opened_year, HouseholdEpisode.reentry_reason.is_not(None)),
        unit_ids,
    )
    for year, returned, count in db.session.execute(opened):
        if returned:
            row(year).returning += count
        else:
            row(year).entering += count
    closed_year = extract("year", HouseholdEpisode.closed_on)
    closed = _scoped(
        select(closed_year, HouseholdEpisode.exit_reason, func.count())
        .join(Worker, Worker.id == HouseholdEpisode.worker_id)
        .where(HouseholdEpisode.closed_on.is_not(None))
        .group_by(closed_year, HouseholdEpisode.exit_reason),
        unit_ids,
    )
    for year, reason, count in db.session.execute(closed):
        row(year).exits[reason] += count
    due = _scoped(
        select(FollowUp.due_on, FollowUp.done_on)
        .join(Worker, Worker.id == FollowUp.worker_id)
        .where(FollowUp.due_on < today),
        unit_ids,
    )
    for due_on, done_on in db.session.execute(due):
        target = row(due_on.year)
        target.follow_ups_due += 1
        if done_on is not None and done_on <= due_on + timedelta(days=ON_TIME_DAYS):
            target.follow_ups_on_time += 1
    return [rows[year] for year in sorted(rows, reverse=True)]


def columns() -> list[Column]:
    return [
        Column(_("Year"), "int", total=False),
        Column(_("Came on file"), "int"),
        Column(_("Came back (return to hardship)"), "int"),
        Column(_("Left the file"), "int"),
        *(Column(str(label), "int") for label in EXIT_REASONS.values()),
        Column(_("Follow-up calls due"), "int"),
        Column(_("Done on time"), "int"),
    ]


def values(row: YearRow) -> list[object]:
    return [
        row.year,
        row.entering,
        row.returning,
        row.exiting,
        *(row.exits[reason] for reason in EXIT_REASONS),
        row.follow_ups_due,
        row.follow_ups_on_time,
    ]


def workbook_of(rows: list[YearRow]) -> bytes:
    title = _("Households on file by year")
    setup = PageSetup(printed_on=today_in_beijing(), signatures=(_("Head of unit"), _("Prepared by")))
    return workbook(title, columns(), (values(r) for r in rows), setup=setup)
