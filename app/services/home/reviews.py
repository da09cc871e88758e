"""The caseworker's yearly review (年审) tasks whose round's deadline has passed."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.models.registry import Worker
from app.models.reviews import ReviewRound, ReviewTask
from app.services.home.sections import Item, Section, listed
from app.services.yearly_review import overdue_tasks


def reviews_overdue_section(unit_ids: list[int] | None, today: date) -> Section:
    """Review tasks not done after their round's deadline, the oldest deadline first."""

    def item(row: tuple[ReviewTask, Worker, ReviewRound]) -> Item:
        task, worker, review_round = row
        return Item(
            title=worker.name,
            detail=_(
                "Yearly review of %(year)s overdue since %(day)s.",
                year=review_round.year,
                day=review_round.deadline.isoformat(),
            ),
            endpoint="review.task",
            values={"task_id": task.id},
        )

    return listed(
        "reviews_overdue",
        _("Yearly review tasks overdue"),
        overdue_tasks(unit_ids, today),
        item,
        _("No yearly review task is overdue."),
        rows="tuples",
    )
