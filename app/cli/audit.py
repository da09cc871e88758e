"""``flask audit verify`` and ``flask export audit``: the audit log and its package."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor
from app.extensions import db
from app.services import audit, audit_export

audit_cli = AppGroup("audit", help="The audit log.")
export_cli = AppGroup("export", help="Exports for the auditors.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 naming the first bad entry."""
    problems = audit.verify_chain()
    seq, head = audit.chain_head()
    if problems:
        click.echo(_("The audit chain is broken at entry %(problem)s", problem=str(problems[0])), err=True)
        for problem in problems[1:10]:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(_("The audit chain holds: %(count)s entries, head %(head)s.", count=seq, head=head))


@export_cli.command("audit")
@click.option("--year", type=int, required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
def export_audit(year: int, out_path: str) -> None:
    """Write the audit package (ZIP) of a year."""
    actor = cli_actor()
    audit_export.log_export(year, actor=actor)
    db.session.commit()
    with open(out_path, "wb") as out:
        manifest = audit_export.write_package(year, out, actor=actor)
    click.echo(
        _(
            "Audit package written: %(path)s (%(files)s files, chain head %(seq)s).",
            path=out_path,
            files=len(manifest["files"]),
            seq=manifest["audit_chain_head"]["seq"],
        )
    )
