"""One step a page asks of a service: run it, commit once, and say how it went.

A refused step changes nothing (the transaction is rolled back) and its message is
flashed; the refusal itself is written to the audit log by the runner, whatever door
the step came through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from app.auth.actor import current_actor
from app.services import steps
from app.services.errors import DomainError, ValidationFailed


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
    action: Callable[[], object],
    success: str,
    *,
    unit_id: int | None,
    object_type: str,
    object_id: object,
    name: str | None = None,
) -> bool:
    """Run ``action`` as one step (app/services/steps.py: one commit, retries, a refusal
    rolled back and recorded in the audit log); flash how it went. True if done."""
    try:
        steps.run(
            action,
            name=name or f"{object_type}.change",
            actor=current_actor(),
            subject=steps.Subject(object_type, object_id, unit_id),
        )
    except DomainError as error:
        flash_error(error)
        return False
    flash(success, "success")
    return True
