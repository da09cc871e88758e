"""One runner for a step, whichever door it comes through (page, API, command line, job).

A step is a function that changes the database through the services. :func:`run`
runs it and commits once. When the database asks for the step to be run again (a
serialization failure or a deadlock, see app/database.py) it is rolled back and run
again. When a rule refuses it, everything is rolled back and the refusal itself is
written to the audit log in a transaction of its own, so the attempt stays on record
whatever door it came through; an unknown or out-of-scope id (:class:`NotFound`) is
not recorded, as nothing was touched. A constraint of the database that refuses the
step (two requests racing to do the same thing) becomes a named :class:`Conflict`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.database import MAX_RETRIES, is_retryable
from app.extensions import db
from app.services.audit import Actor, record
from app.services.errors import DomainError, NotFound, ValidationFailed
from app.services.four_eyes import FourEyesViolation

T = TypeVar("T")
_SUBJECT_KEY = "step_subject"


class Conflict(DomainError):
    """The database refused the step: someone else did the same thing at the same moment."""


@dataclass(frozen=True)
class Subject:
    """The object a step acts on, as the audit log names it."""

    object_type: str
    object_id: object
    unit_id: int | None


def note_subject(object_type: str, object_id: object, unit_id: int | None) -> None:
    """Called by the loaders: the first object a step loads is the one it acts on."""
    db.session.info.setdefault(_SUBJECT_KEY, Subject(object_type, object_id, unit_id))


def _take_subject() -> Subject | None:
    return db.session.info.pop(_SUBJECT_KEY, None)  # type: ignore[no-any-return]


def record_refusal(error: DomainError, *, step: str, actor: Actor, subject: Subject | None) -> None:
    """Write a refused step to the audit log and commit (the step itself was rolled back)."""
    details: dict[str, object] = {"step": step, "door": actor.door, "rule": type(error).__name__}
    if isinstance(error, FourEyesViolation):
        details["rule"] = error.rule
    if isinstance(error, ValidationFailed):
        details["fields"] = sorted(error.errors)
    elif error.field:
        details["fields"] = [error.field]
    details["message"] = error.message[:500]
    record(
        "four_eyes.refused" if isinstance(error, FourEyesViolation) else "step.refused",
        actor=actor,
        object_type=subject.object_type if subject else None,
        object_id=subject.object_id if subject else None,
        unit_id=subject.unit_id if subject else None,
        details=details,
    )
    db.session.commit()


def run(
    step: Callable[[], T],
    *,
    name: str,
    actor: Actor,
    subject: Subject | None = None,
    retries: int = MAX_RETRIES,
) -> T:
    """Run ``step`` and commit; retry what the database asks to retry; roll back and
    record a refusal, then raise it (a :class:`DomainError` the door translates).
    ``subject`` names the object for the audit log when the step loads none itself."""
    for attempt in range(retries + 1):
        _take_subject()
        try:
            result = step()
            db.session.commit()
            return result
        except DomainError as refusal:
            subject = _take_subject() or subject
            db.session.rollback()
            if not isinstance(refusal, NotFound):
                record_refusal(refusal, step=name, actor=actor, subject=subject)
            raise
        except IntegrityError as error:
            subject = _take_subject() or subject
            db.session.rollback()
            if is_retryable(error) and attempt < retries:
                continue
            conflict = Conflict(
                _(
                    "Someone else did the same at the same moment, or the value is already taken."
                    " Reload and check."
                )
            )
            record_refusal(conflict, step=name, actor=actor, subject=subject)
            raise conflict from error
        except DBAPIError as error:
            _take_subject()
            db.session.rollback()
            if attempt == retries or not is_retryable(error):
                raise
            time.sleep(0.02 * 2**attempt)  # back off a little: the other transaction finishes
    raise AssertionError("unreachable")  # pragma: no cover
