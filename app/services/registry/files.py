"""A household's file: opened once per person (one active file per ID number), corrected,
its members, documents and visits recorded, its status changed, its ID number revealed to
those allowed; every change and reveal audited, never with an ID or card number in clear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.org import Unit
from app.models.registry import (
    CLOSED,
    ON_FILE,
    OUT_OF_HARDSHIP,
    STATUS_LABELS,
    WORKER_STATUSES,
    Evidence,
    HouseholdMember,
    ModelWorker,
    Visit,
    Worker,
)
from app.privacy import mask_id_number, vault
from app.services import eligibility
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput
from app.services.inputs import clean_text
from app.services.registry import attachments, episodes
from app.services.registry.finding import pinyin_keys
from app.services.registry.input import CleanWorker, WorkerInput, clean


class DuplicateWorker(DomainError):
    """The person already has an active file."""


def record_on_file(action: str, worker: Worker, *, actor: Actor, details: dict[str, object]) -> None:
    """Audit a change to a household's file, filed under the file and its unit."""
    record(
        action,
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=worker.unit_id,
        details=details,
    )


def store_id_number(row: Worker | HouseholdMember | ModelWorker, number: str) -> None:
    """Keep an ID number the one way it is kept: sealed, its blind index for look-ups, and
    its last four characters for masking."""
    protected = vault().protect(number)
    row.id_number_protected = protected.ciphertext
    row.id_number_index = protected.index
    row.id_last4 = protected.last4


def find_active_by_id_number(id_number: str) -> Worker | None:
    return db.session.execute(
        select(Worker).where(Worker.id_number_index == vault().index(id_number), Worker.status != CLOSED)
    ).scalar_one_or_none()


def active_files_by_index(indexes: list[str]) -> dict[str, int]:
    """{blind index: active file number} for the heads of households among ``indexes``."""
    if not indexes:
        return {}
    rows = db.session.execute(
        select(Worker.id_number_index, Worker.id).where(
            Worker.id_number_index.in_(indexes), Worker.status != CLOSED
        )
    )
    return {index: worker_id for index, worker_id in rows}


def duplicate_of(worker: Worker, actor: Actor | None = None) -> str | None:
    """Why a closed file may not become active again: another active file of the person."""
    if worker.status != CLOSED:
        return None
    existing = find_active_by_id_number(vault().reveal(worker.id_number_protected))
    return _duplicate_message(existing, actor) if existing is not None and existing.id != worker.id else None


def _duplicate_message(existing: Worker, actor: Actor | None) -> str:
    """The refusal names the file to those who may open it; to anyone else only the unit
    that holds it (nothing else about the person), whom to ask for a transfer (调转)."""
    if actor is None or actor.scope.allows(existing.unit_id):
        return _(
            "This ID number already has an active file: No. %(id)s, %(name)s, %(unit)s.",
            id=existing.id,
            name=existing.name,
            unit=existing.unit.name,
        )
    return _(
        "This ID number already has an active file at %(unit)s. Ask that unit to transfer the file"
        " (调转) to yours.",
        unit=existing.unit.name,
    )


def sharing_files(worker_id: int | None, id_numbers: list[str]) -> list[Worker]:
    """The other active files on which a person of this household is head or member."""
    if not id_numbers:
        return []
    indexes = [vault().index(n) for n in id_numbers]
    other_heads = db.session.execute(
        select(Worker).where(Worker.id_number_index.in_(indexes), Worker.status != CLOSED)
    ).scalars()
    other_members = db.session.execute(
        select(Worker)
        .join(HouseholdMember)
        .where(HouseholdMember.id_number_index.in_(indexes), Worker.status != CLOSED)
    ).scalars()
    return list({w.id: w for w in [*other_heads, *other_members] if w.id != worker_id}.values())


def household_flags(worker_id: int | None, id_numbers: list[str], actor: Actor | None = None) -> list[str]:
    """Warnings when a person of this household is already on another active file."""
    return _warnings(sharing_files(worker_id, id_numbers), actor)


def _warnings(others: list[Worker], actor: Actor | None) -> list[str]:
    """A file outside the actor's units is named by its unit alone."""
    warnings = []
    for w in others:
        if actor is None or actor.scope.allows(w.unit_id):
            warnings.append(
                _(
                    "A person of this household is also on active file No. %(id)s (%(name)s):"
                    " check for a double registration.",
                    id=w.id,
                    name=w.name,
                )
            )
        else:
            warnings.append(
                _(
                    "A person of this household is also on an active file at %(unit)s: the pair is"
                    " in the duplicate review of the units above.",
                    unit=w.unit.name,
                )
            )
    return warnings


def _flag_household(worker: Worker, id_numbers: list[str], actor: Actor) -> list[str]:
    """Warn of files sharing a person; queue each pair for review (app/services/registry/duplicates)."""
    from app.services.registry import duplicates

    others = sharing_files(worker.id, id_numbers)
    duplicates.flag_pairs(worker, others, actor=actor)
    return _warnings(others, actor)


def _apply(worker: Worker, data: CleanWorker) -> None:
    worker.name = data.name
    worker.name_pinyin, worker.name_initials = pinyin_keys(data.name)
    store_id_number(worker, data.id_number)
    worker.birth_date = data.birth_date
    worker.sex = data.sex
    worker.phone = data.phone
    worker.employer = data.employer
    worker.address = data.address
    worker.household_size = data.household_size
    worker.household_monthly_income = data.household_monthly_income
    if worker.category != data.category:
        worker.category_accepted_reason = None
        worker.category_accepted_by_id = None
    worker.category = data.category
    worker.category_reason = data.category_reason
    worker.main_cause = data.main_cause
    worker.secondary_cause = data.secondary_cause
    worker.disaster_event = data.disaster_event
    worker.disaster_date = data.disaster_date
    worker.rights_case_ref = data.rights_case_ref
    worker.bank_name = data.bank_name
    if data.bank_account:
        account = vault().protect(data.bank_account)
        worker.bank_account_protected = account.ciphertext
        worker.bank_account_last4 = account.last4
    else:
        worker.bank_account_protected = worker.bank_account_last4 = None


def _snapshot(worker: Worker, members: int | None = None) -> dict[str, object]:
    """What the audit log records of a file: never the ID or card number in clear."""
    return {
        "name": worker.name,
        "id_number": mask_id_number(worker.id_last4.rjust(18, "*")),
        "phone": worker.phone[:3] + "****" + worker.phone[-4:] if worker.phone else "",
        "employer": worker.employer,
        "household_size": worker.household_size,
        "household_monthly_income": str(worker.household_monthly_income),
        "category": worker.category,
        "main_cause": worker.main_cause,
        "secondary_cause": worker.secondary_cause,
        "status": worker.status,
        "members": len(worker.members) if members is None else members,
    }


@dataclass
class Registration:
    worker: Worker
    warnings: list[str]


def register(data: WorkerInput, *, unit: Unit, actor: Actor, today: date | None = None) -> Registration:
    """Open a household's file. Raises :class:`ValidationFailed` or :class:`DuplicateWorker`."""
    today = today or date.today()
    cleaned = clean(data, today=today)
    existing = find_active_by_id_number(cleaned.id_number)
    if existing is not None:
        raise DuplicateWorker(_duplicate_message(existing, actor), field="id_number")
    worker = open_file(cleaned, unit=unit, actor=actor, today=today)
    warnings = cleaned.warnings + _flag_household(
        worker, [cleaned.id_number] + [m[2] for m in cleaned.members if m[2]], actor
    )
    return Registration(worker=worker, warnings=warnings)


def open_file(cleaned: CleanWorker, *, unit: Unit, actor: Actor, today: date) -> Worker:
    """Store a checked household as a new file (the caller has checked for duplicates;
    the database's unique index refuses a second active file all the same)."""
    worker = Worker(
        unit_id=unit.id,
        status=ON_FILE,
        status_changed_on=today,
        data_checked_on=today,
        created_by_id=actor.user_id,
        entered_by_id=actor.user_id,
    )
    worker.category = cleaned.category
    _apply(worker, cleaned)
    db.session.add(worker)
    db.session.flush()
    _add_members(worker, cleaned.members)
    episodes.start_first_episode(worker, on=today, actor=actor)
    record_on_file(
        "worker.create", worker, actor=actor, details={"new": _snapshot(worker, members=len(cleaned.members))}
    )
    return worker


def update(worker: Worker, data: WorkerInput, *, actor: Actor, today: date | None = None) -> Registration:
    """Correct a file; the data counts as checked today. An empty ID or card number
    keeps the one on file (pages never hold the whole number)."""
    today = today or date.today()
    episodes.require_on_file(worker)
    if not data.id_number.strip():
        data.id_number = vault().reveal(worker.id_number_protected)
    keep_card = not data.bank_account.strip() and worker.bank_account_protected is not None
    if keep_card:
        data.bank_account = vault().reveal(worker.bank_account_protected or "")
    cleaned = clean(data, today=today)
    existing = find_active_by_id_number(cleaned.id_number)
    if existing is not None and existing.id != worker.id:
        raise DuplicateWorker(_duplicate_message(existing, actor), field="id_number")
    old = _snapshot(worker)
    _apply(worker, cleaned)
    worker.data_checked_on = today
    worker.entered_by_id = actor.user_id
    _replace_members(worker, cleaned.members)
    db.session.flush()
    warnings = cleaned.warnings + _flag_household(
        worker, [cleaned.id_number] + [m[2] for m in cleaned.members if m[2]], actor
    )
    record_on_file("worker.update", worker, actor=actor, details={"old": old, "new": _snapshot(worker)})
    return Registration(worker=worker, warnings=warnings)


def _replace_members(worker: Worker, members: list[tuple[str, str, str | None]]) -> None:
    for member in list(worker.members):
        db.session.delete(member)
    db.session.flush()
    _add_members(worker, members)
    db.session.refresh(worker, ["members"])


def _add_members(worker: Worker, members: list[tuple[str, str, str | None]]) -> None:
    for name, relation, id_number in members:
        row = HouseholdMember(worker_id=worker.id, name=name, relation=relation)
        if id_number:
            store_id_number(row, id_number)
        db.session.add(row)
    if members:
        db.session.flush()


def masked_id(worker: Worker | ModelWorker) -> str:
    return mask_id_number(vault().reveal(worker.id_number_protected))


def change_status(worker: Worker, status: str, *, reason: str, on: date, actor: Actor) -> None:
    """在档 / 已脱困 / 已注销, with the date and reason; re-opening checks for duplicates."""
    if status not in WORKER_STATUSES:
        raise InvalidInput(_("Unknown status."), field="status")
    reason = clean_text(reason, 500)
    if status != ON_FILE and not reason:
        raise InvalidInput(_("Give the reason for the change of status."), field="reason")
    if status == worker.status:
        return
    # Leaving the file and coming back are an exit and a return: their rules are one place's.
    if worker.status == ON_FILE:
        reason_code = "recovered" if status == OUT_OF_HARDSHIP else "other"
        episodes.exit_household(worker, reason=reason_code, on=on, note=reason, actor=actor)
        return
    if status == ON_FILE:
        episodes.reenter_household(worker, reason=reason or str(STATUS_LABELS[ON_FILE]), on=on, actor=actor)
        return
    duplicate = duplicate_of(worker, actor)
    if duplicate is not None:
        raise DuplicateWorker(duplicate, field="status")
    old = worker.status
    worker.status = status
    worker.status_changed_on = on
    worker.status_reason = reason
    db.session.flush()
    record_on_file(
        "worker.status",
        worker,
        actor=actor,
        details={"old": {"status": old}, "new": {"status": status, "reason": reason, "on": on.isoformat()}},
    )


def add_evidence(
    worker: Worker,
    kind: str,
    *,
    reference: str,
    received_on: date,
    actor: Actor,
    upload: attachments.Upload | None = None,
) -> Evidence:
    """Record a document on file; with ``upload`` (a checked scan), its scan attached."""
    episodes.require_on_file(worker)
    if kind not in eligibility.EVIDENCE_KINDS:
        raise InvalidInput(_("Choose the kind of document."), field="kind")
    item = Evidence(
        worker_id=worker.id,
        kind=kind,
        reference=clean_text(reference, 200),
        received_on=received_on,
        recorded_by_id=actor.user_id,
    )
    db.session.add(item)
    db.session.flush()
    record_on_file(
        "worker.evidence",
        worker,
        actor=actor,
        details={"new": {"kind": kind, "reference": item.reference, "received_on": received_on.isoformat()}},
    )
    if upload is not None:
        item.worker = worker
        attachments.attach(item, upload, actor=actor)
    return item


def add_visit(
    worker: Worker,
    *,
    visited_on: date,
    notes: str,
    actor: Actor,
    today: date | None = None,
    kind: str | None = None,
) -> Visit:
    """A visit or call; kept on an exited file too (follow-up calls are made after an exit)."""
    notes = clean_text(notes, 4000)
    if not notes:
        raise InvalidInput(_("Write what the visit found."), field="notes")
    if visited_on > (today or date.today()):
        raise InvalidInput(_("The date cannot be in the future."), field="visited_on")
    visit = Visit(
        worker_id=worker.id, visited_on=visited_on, visitor_id=actor.user_id, notes=notes, kind=kind
    )
    db.session.add(visit)
    db.session.flush()
    record_on_file(
        "worker.visit",
        worker,
        actor=actor,
        details={"new": {"visited_on": visited_on.isoformat(), **({"visit_kind": kind} if kind else {})}},
    )
    return visit
