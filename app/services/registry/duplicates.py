"""查重 across the tree: two active files that share a person (the head of one is a member
of the other, or both list the same member) are queued for the lowest unit whose subtree
holds both — their common parent — whose reviewer settles the pair: not a double
registration, or a double registration (one file is then closed through its exit, by the
unit that holds it). A district sees the pairs within its own units; a pair across two
districts only the city above them (and who is above the city)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.file_transfers import DUPLICATE_STATUSES, DuplicateFlag
from app.models.org import Unit
from app.models.registry import Worker
from app.models.types import utcnow
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.inputs import clean_text
from app.services.scope import ancestors
from app.services.steps import note_subject


@dataclass(frozen=True)
class SharedPerson:
    """A person on both files of a pair: their name, and what they are on each file."""

    name: str
    on_low: str  # "head" or a relation code (RELATION_LABELS)
    on_high: str


def _people(worker: Worker) -> dict[str, tuple[str, str]]:
    found = {worker.id_number_index: (worker.name, "head")}
    for member in worker.members:
        if member.id_number_index:
            found.setdefault(member.id_number_index, (member.name, member.relation))
    return found


def shared_people(flag: DuplicateFlag) -> list[SharedPerson]:
    """Who the two files have in common (by the ID number's blind index, never the number)."""
    low, high = _people(flag.low), _people(flag.high)
    return [SharedPerson(low[i][0], low[i][1], high[i][1]) for i in low if i in high]


class FlagDecided(DomainError):
    """The pair is settled already (409)."""


def common_parent(a: Unit, b: Unit) -> Unit | None:
    """The lowest unit that holds both in its subtree (``None``: two separate trees)."""
    above_b = {u.id for u in ancestors(b)}
    return next((u for u in ancestors(a) if u.id in above_b), None)


def flag_pairs(worker: Worker, others: list[Worker], *, actor: Actor) -> list[DuplicateFlag]:
    """Queue each pair of ``worker`` and a file sharing a person with it, once per pair."""
    made = []
    for other in others:
        low, high = sorted((worker.id, other.id))
        known = db.session.execute(
            select(DuplicateFlag.id).where(
                DuplicateFlag.worker_low_id == low, DuplicateFlag.worker_high_id == high
            )
        ).first()
        if known is not None:
            continue
        parent = common_parent(worker.unit, other.unit)
        flag = DuplicateFlag(
            worker_low_id=low, worker_high_id=high, parent_unit_id=parent.id if parent else None
        )
        db.session.add(flag)
        db.session.flush()
        record(
            "registry.duplicate_flag",
            actor=actor,
            object_type="duplicate_flag",
            object_id=flag.id,
            unit_id=flag.parent_unit_id,
            details={"pair": [low, high]},
        )
        made.append(flag)
    return made


def queue(actor: Actor, *, status: str | None = "open") -> list[DuplicateFlag]:
    """The pairs for the actor's units to settle (their common parent among them)."""
    query = select(DuplicateFlag).where(actor.scope.where(DuplicateFlag.parent_unit_id))
    if status is not None:
        query = query.where(DuplicateFlag.status == status)
    return list(db.session.execute(query.order_by(DuplicateFlag.id.desc())).scalars())


def load(flag_id: object, actor: Actor, *, lock: bool = False) -> DuplicateFlag:
    if not isinstance(flag_id, int) or isinstance(flag_id, bool):
        raise NotFound(_("No such pair of files."))
    query = select(DuplicateFlag).where(DuplicateFlag.id == flag_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    flag = db.session.execute(query).scalar_one_or_none()
    if flag is None or not actor.scope.allows(flag.parent_unit_id):
        raise NotFound(_("No such pair of files."))
    note_subject("duplicate_flag", flag.id, flag.parent_unit_id)
    return flag


def decide(flag: DuplicateFlag, *, outcome: str, note: str, actor: Actor) -> DuplicateFlag:
    """Settle a pair: ``distinct`` (two households) or ``double`` (one person twice), with a note."""
    if outcome not in DUPLICATE_STATUSES or outcome == "open":
        raise InvalidInput(
            _("Choose whether the two files are one household registered twice."), field="outcome"
        )
    note = clean_text(note, 2000, multiline=True)
    if not note:
        raise InvalidInput(_("Write what the check found."), field="note")
    if flag.status != "open":
        raise FlagDecided(_("This pair of files is settled already."))
    flag.status = outcome
    flag.decision_note = note
    flag.decided_by_id = actor.user_id
    flag.decided_at = utcnow()
    db.session.flush()
    record(
        "registry.duplicate_decide",
        actor=actor,
        object_type="duplicate_flag",
        object_id=flag.id,
        unit_id=flag.parent_unit_id,
        details={"finding": outcome, "note": note, "pair": [flag.worker_low_id, flag.worker_high_id]},
    )
    return flag
