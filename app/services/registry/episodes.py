"""A household's life on file: its periods (episodes), its exit with a reason once its
cases are settled, the follow-up calls scheduled after an exit, and its return (返困)
with a new period, the earlier ones kept. An exited file is read-only: :func:`require_on_file`
is the one check every change to a file (correction, evidence, a new case) goes through."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.extensions import db
from app.models.batches import OPEN_BATCH_STATUSES, PaymentBatch, PaymentBatchLine
from app.models.cases import Case
from app.models.episodes import EXIT_REASONS, VISIT_KINDS, FollowUp, HouseholdEpisode
from app.models.registry import CLOSED, ON_FILE, OUT_OF_HARDSHIP, Visit, Worker
from app.services import policy
from app.services.audit import Actor
from app.services.errors import DomainError, InvalidInput
from app.services.inputs import clean_text

#: A case in one of these states is not settled: the household cannot leave the file.
OPEN_CASE_STATUSES = ("draft", "submitted", "notice", "approved")
DEFAULT_FOLLOW_UP_MONTHS = (3, 6, 12)
#: Files are kept at least this many years after an exit (nothing deletes one before).
RETENTION_YEARS = 10


class FileExited(DomainError):
    """The household has left the file: its file is read-only until it returns."""


class BeforeOnFile(DomainError):
    """A date before the household's period on file began: it conflicts with the file (409),
    not with how a date is written."""


class CasesNotSettled(DomainError):
    """The household still has cases open or money on its way through the bank."""


def episodes_of(worker: Worker) -> list[HouseholdEpisode]:
    """The household's periods on file, oldest first."""
    return list(
        db.session.execute(
            select(HouseholdEpisode)
            .where(HouseholdEpisode.worker_id == worker.id)
            .order_by(HouseholdEpisode.opened_on, HouseholdEpisode.id)
        ).scalars()
    )


@dataclass(frozen=True)
class Life:
    """What the household's page shows of its life on file."""

    episodes: list[HouseholdEpisode]
    follow_ups: list[FollowUp]


def life_of(worker: Worker) -> Life:
    """The household's periods, oldest first, and the follow-up calls of its latest exit."""
    episodes = episodes_of(worker)
    last = episodes[-1] if episodes else None
    follow_ups = list(last.follow_ups) if last is not None and last.closed_on is not None else []
    return Life(episodes=episodes, follow_ups=follow_ups)


def _last_episode(worker: Worker) -> HouseholdEpisode | None:
    episodes = episodes_of(worker)
    return episodes[-1] if episodes else None


def start_first_episode(worker: Worker, *, on: date, actor: Actor) -> HouseholdEpisode:
    """The period a new file opens with."""
    episode = HouseholdEpisode(worker_id=worker.id, opened_on=on, exit_note="", opened_by_id=actor.user_id)
    db.session.add(episode)
    db.session.flush()
    return episode


def require_on_file(worker: Worker) -> None:
    """Refuse any change to a file whose household has left it (raises :class:`FileExited`)."""
    if worker.status == ON_FILE:
        return
    episode = _last_episode(worker)
    if episode is not None and episode.closed_on is not None and episode.exit_reason is not None:
        message = _(
            "File No. %(id)s is closed: the household left the file on %(on)s (%(reason)s). The file"
            " is kept and read-only; record a return to hardship (返困) first.",
            id=worker.id,
            on=episode.closed_on.isoformat(),
            reason=EXIT_REASONS[episode.exit_reason],
        )
    else:
        message = _("File No. %(id)s is closed and read-only.", id=worker.id)
    raise FileExited(message)


def unsettled_cases(worker: Worker) -> list[Case]:
    """The household's cases not yet settled: open, or with a line in an open bank batch."""
    in_open_batch = (
        select(PaymentBatchLine.case_id)
        .join(PaymentBatch, PaymentBatch.id == PaymentBatchLine.batch_id)
        .where(PaymentBatchLine.status == "pending", PaymentBatch.status.in_(OPEN_BATCH_STATUSES))
    )
    return list(
        db.session.execute(
            select(Case)
            .where(
                Case.worker_id == worker.id,
                or_(Case.status.in_(OPEN_CASE_STATUSES), Case.id.in_(in_open_batch)),
            )
            .order_by(Case.id)
        ).scalars()
    )


def _check_date(on: date | None, *, today: date, not_before: date, field: str) -> date:
    if on is None:
        raise InvalidInput(_("Enter the date."), field=field)
    if on > today:
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    if on < not_before:
        raise BeforeOnFile(_("The date cannot be before %(on)s.", on=not_before.isoformat()), field=field)
    return on


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def follow_up_months(worker: Worker, year: int) -> tuple[int, ...]:
    value = policy.get_value(year, "follow_up_months", worker.unit)
    return value if isinstance(value, tuple) else DEFAULT_FOLLOW_UP_MONTHS


def exit_household(
    worker: Worker, *, reason: str, on: date | None, note: str, actor: Actor, today: date | None = None
) -> HouseholdEpisode:
    """Close the household's period on file with ``reason`` (EXIT_REASONS) and date, and
    schedule its follow-up calls. Refused (nothing changed) with :class:`InvalidInput` for
    a bad reason or date, :class:`FileExited` when it has already left, and
    :class:`CasesNotSettled` while a case is open or money is at the bank."""
    from app.services.registry.files import record_on_file

    today = today or date.today()
    if reason not in EXIT_REASONS:
        raise InvalidInput(_("Choose the reason the household leaves the file."), field="reason")
    note = clean_text(note, 2000, multiline=True)
    require_on_file(worker)
    episode = _last_episode(worker)
    if episode is None or episode.closed_on is not None:
        episode = start_first_episode(worker, on=worker.status_changed_on, actor=actor)
    on = _check_date(on, today=today, not_before=episode.opened_on, field="date")
    open_cases = unsettled_cases(worker)
    if open_cases:
        raise CasesNotSettled(
            _(
                "The household still has cases not settled: %(cases)s. Decide, pay, close or cancel"
                " them (and wait for the bank's answer) before it leaves the file.",
                cases=", ".join(_("No. %(id)s", id=case.id) for case in open_cases),
            ),
            field="reason",
        )
    episode.closed_on = on
    episode.exit_reason = reason
    episode.exit_note = note
    episode.closed_by_id = actor.user_id
    old_status = worker.status
    worker.status = OUT_OF_HARDSHIP if reason == "recovered" else CLOSED
    worker.status_changed_on = on
    worker.status_reason = str(EXIT_REASONS[reason])
    months = follow_up_months(worker, on.year)
    for month in months:
        db.session.add(
            FollowUp(
                episode_id=episode.id, worker_id=worker.id, months_after=month, due_on=add_months(on, month)
            )
        )
    db.session.flush()
    record_on_file(
        "worker.exit",
        worker,
        actor=actor,
        details={
            "old": {"status": old_status},
            "new": {
                "status": worker.status,
                "exit_reason": reason,
                "on": on.isoformat(),
                "follow_ups": list(months),
            },
        },
    )
    return episode


def reenter_household(
    worker: Worker, *, reason: str, on: date | None, actor: Actor, today: date | None = None
) -> HouseholdEpisode:
    """返困: the household is on file again with a new period; its earlier periods, cases,
    visits and payments stay. Refused when it is on file, for an empty reason or a bad
    date, and (:class:`DuplicateWorker`) when the person has another active file."""
    from app.services.registry.files import DuplicateWorker, duplicate_of, record_on_file

    today = today or date.today()
    reason = clean_text(reason, 2000, multiline=True)
    if worker.status == ON_FILE:
        raise FileExited(_("The household is on file: there is nothing to return from."), field="reason")
    if not reason:
        raise InvalidInput(_("Write why the household is back in hardship."), field="reason")
    last = _last_episode(worker)
    not_before = (
        last.closed_on if last is not None and last.closed_on is not None else worker.status_changed_on
    )
    on = _check_date(on, today=today, not_before=not_before, field="date")
    duplicate = duplicate_of(worker, actor)
    if duplicate is not None:
        raise DuplicateWorker(duplicate, field="reason")
    episode = HouseholdEpisode(
        worker_id=worker.id, opened_on=on, reentry_reason=reason, exit_note="", opened_by_id=actor.user_id
    )
    db.session.add(episode)
    old_status = worker.status
    worker.status = ON_FILE
    worker.status_changed_on = on
    worker.status_reason = reason[:500]
    db.session.flush()
    record_on_file(
        "worker.reentry",
        worker,
        actor=actor,
        details={
            "old": {"status": old_status},
            "new": {"status": ON_FILE, "reason": reason, "on": on.isoformat()},
        },
    )
    return episode


def record_visit(
    worker: Worker,
    *,
    visited_on: date | None,
    kind: str,
    notes: str,
    actor: Actor,
    today: date | None = None,
) -> tuple[Visit, FollowUp | None]:
    """A home visit or phone call; after an exit it counts as the next follow-up call not yet
    done. Returns the visit and the follow-up it did, if any."""
    from app.services.registry.files import add_visit

    if kind not in VISIT_KINDS:
        raise InvalidInput(_("Choose a home visit or a phone call."), field="kind")
    if visited_on is None:
        raise InvalidInput(_("Enter the date."), field="date")
    if visited_on > (today or date.today()):
        raise InvalidInput(_("The date cannot be in the future."), field="date")
    if not clean_text(notes, 4000, multiline=True):
        raise InvalidInput(_("Write what the visit found."), field="note")
    visit = add_visit(worker, visited_on=visited_on, notes=notes, actor=actor, today=today, kind=kind)
    done = None
    episode = _last_episode(worker)
    exited = worker.status != ON_FILE and episode is not None and episode.closed_on is not None
    if exited and episode is not None and episode.closed_on is not None and visited_on >= episode.closed_on:
        done = next((f for f in episode.follow_ups if f.done_on is None), None)
        if done is not None:
            done.done_on = visited_on
            done.visit_id = visit.id
            db.session.flush()
    return visit, done


def follow_ups_due(unit_ids: list[int] | None, *, today: date, within_days: int = 30) -> list[FollowUp]:
    """Follow-up calls not done whose date has come or comes within ``within_days``, for the
    exited households of these units (all units with None), the most overdue first."""
    from datetime import timedelta

    query = (
        select(FollowUp)
        .join(Worker, Worker.id == FollowUp.worker_id)
        .where(
            FollowUp.done_on.is_(None),
            FollowUp.due_on <= today + timedelta(days=within_days),
            Worker.status != ON_FILE,
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    if unit_ids is not None:
        query = query.where(Worker.unit_id.in_(unit_ids))
    return list(db.session.execute(query.limit(200)).scalars())
