"""``flask keys rotate``: re-seal every protected value under a new key."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor, fail
from app.extensions import db
from app.services.errors import DomainError

keys_cli = AppGroup("keys", help="The key that protects ID numbers at rest (DATA_KEY).")


@keys_cli.command("rotate")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def keys_rotate(yes: bool) -> None:
    """Re-seal every protected value under NEW_DATA_KEY (read from the environment, never
    from the command line). Stop the app first; afterwards set DATA_KEY to the new key."""
    from flask import current_app

    from app.privacy import Vault
    from app.services import keys

    new_key = os.environ.get("NEW_DATA_KEY", "")
    if len(new_key) < 16:
        click.echo(
            _("Set NEW_DATA_KEY in the environment to the new key (at least 16 characters)."), err=True
        )
        sys.exit(1)
    if not yes:
        click.confirm(_("Is the app stopped, and the new key stored safely?"), abort=True)
    try:
        rotated = keys.rotate(
            Vault(current_app.config["DATA_KEY"]),
            Vault(new_key),
            actor=cli_actor(),
            progress=lambda done: click.echo(_("%(done)s values sealed again…", done=done)),
        )
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(
        _(
            "%(values)s values are now under the new key. Set DATA_KEY to it before starting the app;"
            " backups made before now still need the old key.",
            values=rotated.values,
        )
    )
