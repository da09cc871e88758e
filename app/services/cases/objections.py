"""Objections to a case on public notice (公示异议): recorded while the case is on notice
(the date received, who raised it or anonymous, what it says) and each settled by a
person as upheld or dismissed, with the reason. The decision waits for every objection
to be settled, and an upheld one leaves only rejection: the rule is
:func:`app.services.cases.decisions.missing`, which every door asks before deciding.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.extensions import db
from app.models.cases import Case, CaseEvent
from app.models.decisions import OBJECTION_OUTCOMES, CaseObjection
from app.models.types import utcnow
from app.services import loaders
from app.services.audit import Actor, record
from app.services.cases.decisions import UNDECIDED, AlreadyDecided, objections
from app.services.cases.workflow import advance, locked, require_step
from app.services.errors import DomainError, ValidationFailed
from app.services.inputs import clean_text

__all__ = ["AlreadySettled", "objections", "record_objection", "settle_objection"]


class AlreadySettled(DomainError):
    """The objection was settled already; its outcome is not changed."""


def record_objection(
    case: Case,
    *,
    received_on: date | None,
    raised_by: str,
    content: str,
    actor: Actor,
    today: date | None = None,
) -> CaseObjection:
    """Record an objection received during the case's public notice; the case stays on
    notice and cannot be decided until the objection is settled. ``raised_by`` empty is an
    anonymous objection. Raises WrongState (not on notice), ValidationFailed, NotFound."""
    case = locked(case, actor)
    require_step(case, "object")
    today = today or date.today()
    errors: dict[str, list[str]] = {}
    if received_on is None:
        errors["received_on"] = [_("Enter the date the objection was received, such as 2015-03-01.")]
    elif received_on > today:
        errors["received_on"] = [_("The date cannot be in the future.")]
    elif (
        case.notice_start is not None
        and case.notice_end is not None
        and not (case.notice_start <= received_on <= case.notice_end)
    ):
        errors["received_on"] = [
            _(
                "An objection is received during the public notice, from %(start)s to %(end)s.",
                start=case.notice_start.isoformat(),
                end=case.notice_end.isoformat(),
            )
        ]
    raised_by = clean_text(raised_by, 100)
    content = clean_text(content, 4000, multiline=True)
    if not content:
        errors["content"] = [_("Write what the objection is.")]
    if errors:
        raise ValidationFailed(errors)
    item = CaseObjection(
        case_id=case.id,
        received_on=received_on,
        raised_by=raised_by,
        content=content,
        recorded_by_id=actor.user_id,
    )
    db.session.add(item)
    db.session.flush()
    advance(case, "object", actor=actor, note=content)
    return item


def settle_objection(objection: CaseObjection, *, outcome: str, reason: str, actor: Actor) -> CaseObjection:
    """Settle an objection as upheld or dismissed, with the written reason, while its case
    is undecided. Raises AlreadySettled, AlreadyDecided, ValidationFailed, NotFound."""
    objection = loaders.objection(objection.id, actor, lock=True)
    case = locked(objection.case, actor)
    if case.status not in UNDECIDED:
        raise AlreadyDecided(_("The case is decided; its objections can no longer be settled."))
    if objection.settled:
        raise AlreadySettled(
            _(
                "This objection is already settled: %(outcome)s.",
                outcome=OBJECTION_OUTCOMES[objection.outcome or ""],
            )
        )
    errors: dict[str, list[str]] = {}
    if outcome not in OBJECTION_OUTCOMES:
        errors["outcome"] = [_("Choose whether the objection is upheld or dismissed.")]
    reason = clean_text(reason, 2000, multiline=True)
    if not reason:
        errors["reason"] = [_("Write why the objection is upheld or dismissed.")]
    if errors:
        raise ValidationFailed(errors)
    objection.outcome = outcome
    objection.settlement_reason = reason
    objection.settled_by_id = actor.user_id
    objection.settled_at = utcnow()
    note = _(
        "Objection No. %(id)s: %(outcome)s. %(reason)s",
        id=objection.id,
        outcome=OBJECTION_OUTCOMES[outcome],
        reason=reason,
    )
    db.session.add(
        CaseEvent(
            case_id=case.id,
            actor_id=actor.user_id,
            actor_name=actor.name,
            action="settle",
            from_status=case.status,
            to_status=case.status,
            note=note[:2000],
        )
    )
    db.session.flush()
    record(
        "case.settle",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_id=case.unit_id,
        details={"new": {"objection": objection.id, "objection_outcome": outcome}, "note": reason[:500]},
    )
    return objection
