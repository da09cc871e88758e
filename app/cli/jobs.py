"""``flask jobs tidy``: interrupted jobs and expired files."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor
from app.services import jobs

jobs_cli = AppGroup("jobs", help="Background jobs and the files they make.")


@jobs_cli.command("tidy")
def jobs_tidy() -> None:
    """Record jobs whose process died as interrupted, and delete the files whose retention
    period has ended (JOB_RESULT_RETENTION_HOURS). Run it daily from a timer."""
    tidied = jobs.tidy(actor=cli_actor())
    click.echo(
        _(
            "%(interrupted)s interrupted jobs recorded; %(removed)s expired files deleted.",
            interrupted=tidied.interrupted,
            removed=tidied.removed,
        )
    )
