"""The command line's console: who is acting there, and how a refusal ends a command."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import TypeVar

import click
from flask_babel import gettext as _

from app.auth.permissions import Permission, refusal
from app.extensions import db
from app.services import audit, steps
from app.services import users as user_service
from app.services.errors import DomainError

T = TypeVar("T")


def cli_actor() -> audit.Actor:
    """The person at the server's console, as the audit log names them."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return audit.Actor.system(f"cli:{name}", door="cli")


def user_actor(username: str, permission: Permission) -> audit.Actor:
    """A named user of the app acting at the console (``--user``), where a rule needs a
    person and not the operator: four eyes compares them. The user must be active and hold
    ``permission`` (app/auth/permissions.py) like at the other doors; otherwise exit 1."""
    try:
        user = user_service.find_user(username)
    except DomainError as error:
        fail(error)
        raise AssertionError("unreachable") from error
    if not user.active or refusal(user, permission) is not None:
        fail(DomainError(_("%(name)s may not do this.", name=username)))
    return audit.Actor.of(user, None, door="cli")


def step(work: Callable[[], T], *, name: str, actor: audit.Actor | None = None) -> T:
    """Run ``work`` as one step (app/services/steps.py: one commit, retries, a refusal
    rolled back and written to the audit log); on a refusal print it and exit 1."""
    try:
        return steps.run(work, name=name, actor=actor or cli_actor())
    except DomainError as error:
        fail(error)
        raise AssertionError("unreachable") from error  # fail() exits


def fail(error: DomainError) -> None:
    """Roll back, print the rule's message on stderr and exit 1."""
    db.session.rollback()
    click.echo(_("Error: %(message)s", message=error.message), err=True)
    sys.exit(1)
