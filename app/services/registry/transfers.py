"""调转: a household moves, and its file goes from the unit that holds it to another unit.
The holding unit asks (with a reason); the receiving unit accepts or declines; the asking
unit may withdraw while it waits. Open cases are settled first (they stay with the unit that
paid them, as do its payments); on acceptance the file, its members, evidence, visits and
periods on file belong to the receiving unit, and the transfer stays in the file's history."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.extensions import db
from app.models.file_transfers import FileTransfer
from app.models.org import Unit
from app.models.registry import Worker
from app.models.types import utcnow
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.inputs import clean_text
from app.services.registry import episodes
from app.services.steps import note_subject


class TransferRefused(DomainError):
    """The file or the transfer's state does not allow the step (409)."""


def _unit_by_code(code: str) -> Unit:
    code = (code or "").strip()
    if not code:
        raise InvalidInput(_("Name the union unit the file goes to by its code."), field="to_unit")
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None:
        raise InvalidInput(
            _("No union unit has the code %(code)s: ask the receiving unit for its code.", code=code[:20]),
            field="to_unit",
        )
    return unit


def _audit(action: str, transfer: FileTransfer, *, actor: Actor, unit_id: int, **details: object) -> None:
    record(
        action,
        actor=actor,
        object_type="file_transfer",
        object_id=transfer.id,
        unit_id=unit_id,
        details={
            "worker": transfer.worker_id,
            "from_unit": transfer.from_unit.code,
            "to_unit": transfer.to_unit.code,
            **details,
        },
    )


def request(worker: Worker, *, to_unit: str, reason: str, actor: Actor) -> FileTransfer:
    """The holding unit asks to move ``worker``'s file to the unit coded ``to_unit``."""
    episodes.require_on_file(worker)
    target = _unit_by_code(to_unit)
    reason = clean_text(reason, 2000, multiline=True)
    if target.id == worker.unit_id:
        raise TransferRefused(_("The file is already with that unit."))
    if not reason:
        raise InvalidInput(_("Write why the file is transferred."), field="reason")
    _require_settled(worker)
    pending = db.session.execute(
        select(FileTransfer).where(FileTransfer.worker_id == worker.id, FileTransfer.status == "requested")
    ).scalar_one_or_none()
    if pending is not None:
        raise TransferRefused(
            _("A transfer of this file to %(unit)s is under way already.", unit=pending.to_unit.name)
        )
    transfer = FileTransfer(
        worker_id=worker.id,
        from_unit_id=worker.unit_id,
        to_unit_id=target.id,
        reason=reason,
        requested_by_id=actor.user_id,
    )
    db.session.add(transfer)
    db.session.flush()
    note_subject("file_transfer", transfer.id, worker.unit_id)
    _audit("file_transfer.request", transfer, actor=actor, unit_id=worker.unit_id, reason=reason)
    return transfer


def _require_settled(worker: Worker) -> None:
    open_cases = episodes.unsettled_cases(worker)
    if open_cases:
        raise TransferRefused(
            _(
                "Settle the household's open cases before its file is transferred: %(cases)s.",
                cases=", ".join(_("No. %(id)s", id=case.id) for case in open_cases),
            )
        )


def load(transfer_id: object, actor: Actor, *, lock: bool = False) -> FileTransfer:
    """A transfer from or to one of the actor's units; any other is :class:`NotFound`."""
    if not isinstance(transfer_id, int) or isinstance(transfer_id, bool):
        raise NotFound(_("No such transfer."))
    query = select(FileTransfer).where(FileTransfer.id == transfer_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    transfer = db.session.execute(query).scalar_one_or_none()
    if transfer is None or not (
        actor.scope.allows(transfer.from_unit_id) or actor.scope.allows(transfer.to_unit_id)
    ):
        raise NotFound(_("No such transfer."))
    note_subject("file_transfer", transfer.id, transfer.from_unit_id)
    return transfer


def _waiting(transfer: FileTransfer) -> None:
    if transfer.status != "requested":
        raise TransferRefused(_("This transfer is decided already."))


def accept(transfer: FileTransfer, *, actor: Actor) -> FileTransfer:
    """The receiving unit takes the file: from now on it is that unit's."""
    if not actor.scope.allows(transfer.to_unit_id) or actor.scope.allows(transfer.from_unit_id):
        raise TransferRefused(_("Only the receiving unit accepts or declines a transfer."))
    _waiting(transfer)
    worker = db.session.execute(
        select(Worker).where(Worker.id == transfer.worker_id).with_for_update()
    ).scalar_one()
    episodes.require_on_file(worker)
    _require_settled(worker)
    if worker.unit_id != transfer.from_unit_id:
        raise TransferRefused(_("The file is no longer with the unit that asked for the transfer."))
    worker.unit_id = transfer.to_unit_id
    transfer.status = "accepted"
    transfer.decided_by_id = actor.user_id
    transfer.decided_at = utcnow()
    db.session.flush()
    db.session.refresh(worker, ["unit"])
    _audit("file_transfer.accept", transfer, actor=actor, unit_id=transfer.to_unit_id)
    record(
        "worker.transfer",
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=worker.unit_id,
        details={"old": {"unit": transfer.from_unit.code}, "new": {"unit": transfer.to_unit.code}},
    )
    return transfer


def decline(transfer: FileTransfer, *, note: str, actor: Actor) -> FileTransfer:
    if not actor.scope.allows(transfer.to_unit_id) or actor.scope.allows(transfer.from_unit_id):
        raise TransferRefused(_("Only the receiving unit accepts or declines a transfer."))
    note = clean_text(note, 2000, multiline=True)
    if not note:
        raise InvalidInput(_("Write why the transfer is declined."), field="note")
    _waiting(transfer)
    transfer.status = "declined"
    transfer.decision_note = note
    transfer.decided_by_id = actor.user_id
    transfer.decided_at = utcnow()
    db.session.flush()
    _audit("file_transfer.decline", transfer, actor=actor, unit_id=transfer.to_unit_id, note=note)
    return transfer


def withdraw(transfer: FileTransfer, *, actor: Actor) -> FileTransfer:
    if not actor.scope.allows(transfer.from_unit_id):
        raise TransferRefused(_("Only the unit that asked for the transfer withdraws it."))
    _waiting(transfer)
    transfer.status = "withdrawn"
    transfer.decided_by_id = actor.user_id
    transfer.decided_at = utcnow()
    db.session.flush()
    _audit("file_transfer.withdraw", transfer, actor=actor, unit_id=transfer.from_unit_id)
    return transfer


def of_worker(worker: Worker) -> list[FileTransfer]:
    """The file's transfers, oldest first: its history of units."""
    query = select(FileTransfer).where(FileTransfer.worker_id == worker.id).order_by(FileTransfer.id)
    return list(db.session.execute(query).scalars())


def listing(actor: Actor, *, status: str | None = None) -> list[FileTransfer]:
    """Transfers from or to the actor's units, newest first."""
    query = select(FileTransfer).where(
        or_(actor.scope.where(FileTransfer.from_unit_id), actor.scope.where(FileTransfer.to_unit_id))
    )
    if status:
        query = query.where(FileTransfer.status == status)
    return list(db.session.execute(query.order_by(FileTransfer.id.desc())).scalars())
