"""The command line's console: who is acting there, and how a refusal ends a command."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import TypeVar

import click
from flask_babel import gettext as _

from app.extensions import db
from app.services import audit, steps
from app.services.errors import DomainError

T = TypeVar("T")


def cli_actor() -> audit.Actor:
    """The person at the server's console, as the audit log names them."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return audit.Actor.system(f"cli:{name}", door="cli")


def step(work: Callable[[], T], *, name: str) -> T:
    """Run ``work`` as one step (app/services/steps.py: one commit, retries, a refusal
    rolled back and written to the audit log); on a refusal print it and exit 1."""
    try:
        return steps.run(work, name=name, actor=cli_actor())
    except DomainError as error:
        fail(error)
        raise AssertionError("unreachable") from error  # fail() exits


def fail(error: DomainError) -> None:
    """Roll back, print the rule's message on stderr and exit 1."""
    db.session.rollback()
    click.echo(_("Error: %(message)s", message=error.message), err=True)
    sys.exit(1)
