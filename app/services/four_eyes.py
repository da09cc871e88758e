"""The four-eyes rule (四眼原则) wherever money moves.

Who opens a case cannot approve it; who approves cannot pay. A one-person office
may be given a time-limited exception by an administrator; granting, revoking and
every use of an exception are in the audit log, and so is every refusal.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.audit import FourEyesException
from app.models.org import Unit
from app.models.types import utcnow
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput

#: The steps that must be done by different people, and what a refusal says.
RULES = {
    "approve_own_case": _l("Who opened a case cannot approve or reject it."),
    "approve_own_registration": _l("Who registered a worker cannot decide that worker's case."),
    "pay_own_approval": _l("Who approved a case cannot pay it."),
    "approve_own_batch": _l("Who prepared a payment batch cannot approve it."),
    "reopen_own_request": _l("Who asked to reopen closed books cannot approve the reopening."),
}


class FourEyesViolation(DomainError):
    """The same person would do two steps that need two people."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def active_exception(unit_id: int | None, now: datetime | None = None) -> FourEyesException | None:
    if unit_id is None:
        return None
    now = now or utcnow()
    return (
        db.session.execute(
            select(FourEyesException)
            .where(
                FourEyesException.unit_id == unit_id,
                FourEyesException.revoked_at.is_(None),
                FourEyesException.valid_until > now,
            )
            .order_by(FourEyesException.valid_until.desc())
        )
        .scalars()
        .first()
    )


def ensure_different(
    rule: str,
    *,
    actor: Actor,
    earlier_user_id: int | None,
    unit_id: int | None,
    object_type: str,
    object_id: object,
) -> None:
    """Refuse when ``actor`` did the earlier step, unless the unit has an exception.

    The refusal is raised as :class:`FourEyesViolation`; the caller rolls back the
    attempted change and then calls :func:`record_refusal` so the refusal stays logged.
    """
    if earlier_user_id is None or actor.user_id != earlier_user_id:
        return
    exception = active_exception(unit_id)
    if exception is not None:
        record(
            "four_eyes.exception_used",
            actor=actor,
            object_type=object_type,
            object_id=object_id,
            unit_id=unit_id,
            details={"rule": rule, "exception_id": exception.id},
        )
        return
    raise FourEyesViolation(str(RULES[rule]), rule=rule)


def record_refusal(
    violation: FourEyesViolation, *, actor: Actor, unit_id: int | None, object_type: str, object_id: object
) -> None:
    """Log a refused attempt (in a fresh transaction, after the rollback)."""
    record(
        "four_eyes.refused",
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        unit_id=unit_id,
        details={"rule": violation.rule},
    )


def grant_exception(unit: Unit, *, reason: str, days: int, actor: Actor) -> FourEyesException:
    """Let one person do both steps in ``unit`` for ``days`` days (one-person office)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the exception."), field="reason")
    if not 1 <= days <= 366:
        raise InvalidInput(_("An exception lasts 1 to 366 days."), field="days")
    if actor.user_id is None:
        raise InvalidInput(_("Only a signed-in administrator can grant an exception."))
    now = utcnow()
    exception = FourEyesException(
        unit_id=unit.id,
        reason=reason[:500],
        granted_by_id=actor.user_id,
        granted_at=now,
        valid_until=now + timedelta(days=days),
    )
    db.session.add(exception)
    db.session.flush()
    record(
        "four_eyes.exception_grant",
        actor=actor,
        object_type="four_eyes_exception",
        object_id=exception.id,
        unit_id=unit.id,
        details={"new": {"reason": exception.reason, "valid_until": exception.valid_until}},
    )
    return exception


def revoke_exception(exception: FourEyesException, *, actor: Actor) -> None:
    if exception.revoked_at is None:
        exception.revoked_at = utcnow()
        db.session.flush()
        record(
            "four_eyes.exception_revoke",
            actor=actor,
            object_type="four_eyes_exception",
            object_id=exception.id,
            unit_id=exception.unit_id,
        )
