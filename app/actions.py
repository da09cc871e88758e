"""One step a page asks of a service: run it, commit once, and say how it went.

A refused step changes nothing (the transaction is rolled back) and its message is
flashed; a four-eyes refusal is itself written to the audit log, in a transaction
of its own, so the attempt stays on record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from app.auth.actor import current_actor
from app.database import with_retries
from app.extensions import db
from app.services.errors import DomainError, ValidationFailed
from app.services.four_eyes import FourEyesViolation, record_refusal


def flash_error(error: DomainError) -> None:
    messages = (
        [m for ms in error.errors.values() for m in ms]
        if isinstance(error, ValidationFailed)
        else [error.message]
    )
    for message in messages:
        flash(message, "danger")


def show_on_form(form: Any, error: DomainError, default_field: str, *, flashed: tuple[str, ...] = ()) -> None:
    """Put a refused step's messages next to the fields they name; a message for no field
    of the form (or for one of ``flashed``) is flashed instead."""
    errors = (
        error.errors
        if isinstance(error, ValidationFailed)
        else {error.field or default_field: [error.message]}
    )
    for field_name, messages in errors.items():
        target = getattr(form, field_name, None)
        if target is None or field_name in flashed:
            flash(" ".join(messages), "danger")
        else:
            target.errors = [*list(target.errors), *messages]


def perform(
    action: Callable[[], object], success: str, *, unit_id: int | None, object_type: str, object_id: object
) -> bool:
    """Run ``action`` and commit (again if the database asks for a retry, see
    app/database.py); on a broken rule roll back and flash why. True if done."""

    def step() -> None:
        action()
        db.session.commit()

    try:
        with_retries(step, rollback=db.session.rollback)
    except FourEyesViolation as violation:
        db.session.rollback()
        record_refusal(
            violation, actor=current_actor(), unit_id=unit_id, object_type=object_type, object_id=object_id
        )
        db.session.commit()
        flash(violation.message, "danger")
        return False
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return False
    flash(success, "success")
    return True
