"""The command line's console: who is acting there, and how a refusal ends a command."""

from __future__ import annotations

import getpass
import sys

import click
from flask_babel import gettext as _

from app.extensions import db
from app.services import audit
from app.services.errors import DomainError


def cli_actor() -> audit.Actor:
    """The person at the server's console, as the audit log names them."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return audit.Actor.system(f"cli:{name}")


def fail(error: DomainError) -> None:
    """Roll back, print the rule's message on stderr and exit 1."""
    db.session.rollback()
    click.echo(_("Error: %(message)s", message=error.message), err=True)
    sys.exit(1)
