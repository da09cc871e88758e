"""``flask backup``: consistent backups with checksums, and their restore."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor, fail
from app.extensions import db
from app.services import audit, backup
from app.services.errors import DomainError

backup_cli = AppGroup("backup", help="Consistent backups with checksums, and their restore.")


@backup_cli.command("create")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), required=True)
def backup_create(out_path: str) -> None:
    """Write a consistent backup of the database (while the app is in use) with its checksum."""
    try:
        manifest = backup.create(db.engine, Path(out_path))
    except DomainError as error:
        fail(error)
        return
    audit.record(
        "backup.create",
        actor=cli_actor(),
        object_type="backup",
        object_id=Path(out_path).name,
        details={"sha256": manifest["sha256"], "revision": manifest["revision"]},
    )
    db.session.commit()
    click.echo(
        f"{out_path}: sha256 {manifest['sha256']} ({manifest['size']} bytes, revision {manifest['revision']})"
    )


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
def backup_restore(path: str, yes: bool) -> None:
    """Check a backup's checksum and restore it, replacing the current database."""
    if not yes:
        click.confirm(_("Replace the current database with this backup?"), abort=True)
    db.session.remove()
    try:
        manifest = backup.restore(db.engine, Path(path))
    except DomainError as error:
        fail(error)
        return
    click.echo(
        f"{path}: restored ({manifest['database']}, revision {manifest['revision']},"
        f" {manifest['created_at']})"
    )
