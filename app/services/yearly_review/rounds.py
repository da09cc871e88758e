"""年审 rounds: a unit starts its yearly review, one task per file on record in the unit and
the units below; each task is done with an outcome through the registry's own steps (a new
category through :func:`registry.update`, so its checks and history hold; an exit through
:func:`registry.exit_household`, so open cases refuse it). Every start and completion is
audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.episodes import EXIT_REASONS
from app.models.org import Unit
from app.models.registry import ON_FILE, Worker
from app.models.reviews import REVIEW_OUTCOMES, ReviewRound, ReviewTask
from app.privacy import vault
from app.services import registry
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput
from app.services.inputs import clean_text
from app.services.registry.episodes import episodes_of
from app.services.scope import subtree_ids

#: The years a round may be started for.
FIRST_YEAR = 2000


class RoundExists(DomainError):
    """The unit already has a review round for the year."""


class TaskDone(DomainError):
    """The review task was done already."""


@dataclass(frozen=True)
class NewFigures:
    """What a caseworker enters when the category changes, as typed."""

    household_size: str = ""
    household_monthly_income: str = ""
    category: str = ""


def _round_details(review_round: ReviewRound, tasks: int) -> dict[str, object]:
    return {
        "new": {
            "year": review_round.year,
            "starts_on": review_round.starts_on.isoformat(),
            "deadline": review_round.deadline.isoformat(),
            "tasks": tasks,
        }
    }


def start_round(
    *, year: int, deadline: date | None, unit: Unit, actor: Actor, today: date | None = None
) -> ReviewRound:
    """Start ``unit``'s review round of ``year`` today, with a task for every file on record
    in the unit and the units below it (a file already in another round of the year stays
    there). Refused with :class:`InvalidInput` for a bad year or deadline and with
    :class:`RoundExists` for a second round of the unit and year."""
    today = today or date.today()
    if not FIRST_YEAR <= year <= today.year + 1:
        message = _("Choose a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=today.year + 1)
        raise InvalidInput(message, field="year")
    if deadline is None:
        raise InvalidInput(_("Enter the deadline of the review."), field="deadline")
    if deadline < today:
        raise InvalidInput(_("The deadline cannot be before today."), field="deadline")
    if not actor.scope.allows(unit.id):
        raise InvalidInput(_("Unit %(code)s is not among your units.", code=unit.code), field="unit")
    existing = db.session.execute(
        select(ReviewRound).where(ReviewRound.unit_id == unit.id, ReviewRound.year == year)
    ).scalar_one_or_none()
    if existing is not None:
        raise RoundExists(
            _(
                "%(unit)s already has the yearly review of %(year)s (started on %(on)s).",
                unit=unit.name,
                year=year,
                on=existing.starts_on.isoformat(),
            ),
            field="year",
        )
    review_round = ReviewRound(
        unit_id=unit.id, year=year, starts_on=today, deadline=deadline, started_by_id=actor.user_id
    )
    db.session.add(review_round)
    db.session.flush()
    reviewed = select(ReviewTask.worker_id).where(ReviewTask.year == year)
    workers = db.session.execute(
        select(Worker)
        .where(
            Worker.status == ON_FILE,
            Worker.unit_id.in_(subtree_ids(unit.id)),
            Worker.id.not_in(reviewed),
        )
        .order_by(Worker.id)
    ).scalars()
    count = 0
    for worker in workers:
        db.session.add(
            ReviewTask(
                round_id=review_round.id,
                worker_id=worker.id,
                unit_id=worker.unit_id,
                year=year,
                category_before=worker.category,
                size_before=worker.household_size,
                income_before=worker.household_monthly_income,
                note="",
            )
        )
        count += 1
    db.session.flush()
    record(
        "review_round.start",
        actor=actor,
        object_type="review_round",
        object_id=review_round.id,
        unit_id=unit.id,
        details=_round_details(review_round, count),
    )
    return review_round


def is_overdue(task: ReviewTask, today: date) -> bool:
    return task.done_on is None and task.round.deadline < today


def _change(worker: Worker, figures: NewFigures, *, actor: Actor, today: date) -> None:
    """The new figures and category, through the registry's correction of the file."""
    if figures.category.strip() == str(worker.category):
        raise InvalidInput(
            _("The category is the same as on file: choose that the category stands."), field="category"
        )
    data = registry.WorkerInput(
        name=worker.name,
        id_number="",  # kept as on file
        phone=worker.phone,
        employer=worker.employer,
        address=worker.address,
        household_size=figures.household_size,
        household_monthly_income=figures.household_monthly_income,
        category=figures.category,
        category_reason=worker.category_reason,
        main_cause=worker.main_cause,
        secondary_cause=worker.secondary_cause or "",
        disaster_event=worker.disaster_event or "",
        disaster_date=worker.disaster_date.isoformat() if worker.disaster_date else "",
        rights_case_ref=worker.rights_case_ref or "",
        bank_name=worker.bank_name or "",
        bank_account="",  # kept as on file
        members=[
            registry.MemberInput(
                name=m.name,
                relation=m.relation,
                id_number=vault().reveal(m.id_number_protected) if m.id_number_protected else "",
            )
            for m in worker.members
        ],
    )
    registry.update(worker, data, actor=actor, today=today)


def complete_task(
    task: ReviewTask,
    worker: Worker,
    *,
    outcome: str,
    figures: NewFigures | None = None,
    exit_reason: str = "",
    note: str = "",
    actor: Actor,
    today: date | None = None,
) -> ReviewTask:
    """Do a review task today with ``outcome`` (REVIEW_OUTCOMES): ``keep`` confirms the
    figures on file; ``change`` records the new ones and category through the registry;
    ``exit`` closes the file with ``exit_reason`` (a household that already left counts as
    exited). Refused with :class:`TaskDone`, :class:`InvalidInput` (or the registry's
    :class:`ValidationFailed`), :class:`FileExited`, or :class:`CasesNotSettled`."""
    today = today or date.today()
    if task.done_on is not None:
        raise TaskDone(
            _("This review task was done on %(on)s.", on=task.done_on.isoformat()), field="outcome"
        )
    if outcome not in REVIEW_OUTCOMES:
        raise InvalidInput(_("Choose the outcome of the review."), field="outcome")
    note = clean_text(note, 2000, multiline=True)
    if outcome == "keep":
        registry.require_on_file(worker)
        worker.data_checked_on = today
    elif outcome == "change":
        registry.require_on_file(worker)
        _change(worker, figures or NewFigures(), actor=actor, today=today)
    elif worker.status == ON_FILE:
        if exit_reason not in EXIT_REASONS:
            raise InvalidInput(_("Choose the reason the household leaves the file."), field="exit_reason")
        registry.exit_household(worker, reason=exit_reason, on=today, note=note, actor=actor, today=today)
    else:
        last = episodes_of(worker)[-1:] or [None]
        exit_reason = (last[0].exit_reason if last[0] is not None else None) or "other"
    task.outcome = outcome
    task.done_on = today
    task.done_by_id = actor.user_id
    task.note = note
    task.category_after = worker.category
    task.size_after = worker.household_size
    task.income_after = worker.household_monthly_income
    task.exit_reason = exit_reason if outcome == "exit" else None
    db.session.flush()
    record(
        "review_task.complete",
        actor=actor,
        object_type="review_task",
        object_id=task.id,
        unit_id=task.unit_id,
        details={
            "worker_id": worker.id,
            "old": {
                "category": task.category_before,
                "household_size": task.size_before,
                "household_monthly_income": str(task.income_before),
            },
            "new": {
                "outcome": outcome,
                "category": worker.category,
                "household_size": worker.household_size,
                "household_monthly_income": str(Decimal(worker.household_monthly_income)),
                **({"exit_reason": exit_reason} if outcome == "exit" else {}),
            },
        },
    )
    return task
