"""The caseworker's follow-up calls (回访) after an exit: due within a month, or overdue."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.models.episodes import FollowUp
from app.models.registry import ON_FILE, Worker
from app.services.home.sections import Item, Section, listed, scoped

#: A call is listed this many days before it falls due.
AHEAD_DAYS = 30


def follow_ups_section(unit_ids: list[int] | None, today: date) -> Section:
    """Follow-up calls not done of households that left the file, the most overdue first."""
    query = (
        select(FollowUp, Worker)
        .join(Worker, Worker.id == FollowUp.worker_id)
        .where(
            FollowUp.done_on.is_(None),
            FollowUp.due_on <= today + timedelta(days=AHEAD_DAYS),
            Worker.status != ON_FILE,
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    query = scoped(query, Worker.unit_id, unit_ids)

    def item(row: tuple[FollowUp, Worker]) -> Item:
        follow_up, worker = row
        detail = (
            _("Overdue since %(day)s.", day=follow_up.due_on.isoformat())
            if follow_up.due_on < today
            else _("Due on %(day)s.", day=follow_up.due_on.isoformat())
        )
        return Item(
            title=worker.name,
            detail=detail,
            endpoint="registry.follow_up",
            values={"worker_id": worker.id},
        )

    return listed(
        "follow_ups",
        _("Follow-up calls after an exit"),
        query,
        item,
        _("No follow-up call is due."),
        rows="tuples",
    )
