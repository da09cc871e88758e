"""A batch's state machine, its refusals, and the loader that locks a batch in scope."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.batches import BATCH_STATUSES, PaymentBatch
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.steps import note_subject

#: (from status, action) -> new status. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "approve"): "approved",
    ("draft", "cancel"): "cancelled",
    ("approved", "send"): "sent",
    ("sent", "answer"): "answered",  # "done" once every line is answered
    ("answered", "answer"): "answered",
}
ACTION_LABELS = {
    "approve": _l("be approved"),
    "cancel": _l("be cancelled"),
    "send": _l("be sent to the bank"),
    "answer": _l("take the bank's answer"),
}


class BatchWrongState(DomainError):
    """The batch is not in a state that allows this step."""


class NoBankAccount(InvalidInput):
    """A case's payee has no registered bank account."""


class CaseInOpenBatch(DomainError):
    """A case is already in a batch that is not finished."""


class LineNotInBatch(InvalidInput):
    """The bank's answer names a line the batch does not have."""


class AnswerMismatch(InvalidInput):
    """The bank's answer for a line says another amount, payee, card or batch than was sent."""


class AnswerConflict(DomainError):
    """The bank's answer contradicts an earlier answer for a line."""


def require_step(batch: PaymentBatch, action: str) -> str:
    target = TRANSITIONS.get((batch.status, action))
    if target is None:
        raise BatchWrongState(
            _(
                "A payment batch that is “%(status)s” cannot %(action)s.",
                status=BATCH_STATUSES[batch.status],
                action=ACTION_LABELS[action],
            )
        )
    return target


def advance(
    batch: PaymentBatch, action: str, *, actor: Actor, to: str | None = None, **details: object
) -> None:
    """Move the (locked) batch by ``action``; the audit log says so."""
    target = require_step(batch, action)
    previous = batch.status
    batch.status = to or target
    db.session.flush()
    record(
        f"batch.{action}",
        actor=actor,
        object_type="payment_batch",
        object_id=batch.id,
        unit_id=batch.unit_id,
        details={"old": {"status": previous}, "new": {"status": batch.status}, **details},
    )


def load(batch_id: object, actor: Actor, *, lock: bool = False) -> PaymentBatch:
    """The batch within the actor's units (another unit's is :class:`NotFound`), under
    its row lock and with fresh values when ``lock``."""
    message = _("No such payment batch.")
    if not isinstance(batch_id, int) or isinstance(batch_id, bool):
        raise NotFound(message)
    query = select(PaymentBatch).where(PaymentBatch.id == batch_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    batch = db.session.execute(query).scalar_one_or_none()
    if batch is None or not actor.scope.allows(batch.unit_id):
        raise NotFound(message)
    note_subject("payment_batch", batch.id, batch.unit_id)
    return batch
