"""``flask four-eyes grant``: a logged, time-limited exception for a one-person office."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import fail
from app.extensions import db
from app.services import audit, four_eyes, units
from app.services import users as user_service
from app.services.errors import DomainError

four_eyes_cli = AppGroup("four-eyes", help="Exceptions to the four-eyes rule for one-person offices.")


@four_eyes_cli.command("grant")
@click.option("--unit", "unit_code", required=True, help="The one-person office's unit code")
@click.option("--days", type=int, required=True, help="How long the exception lasts (1-366)")
@click.option("--reason", required=True)
@click.option("--by", "admin_name", required=True, help="The administrator recording it")
def four_eyes_grant(unit_code: str, days: int, reason: str, admin_name: str) -> None:
    """Let one person both decide and pay in a one-person office, for a time; logged."""
    try:
        admin = user_service.find_user(admin_name)
        if admin.role != "admin" or not admin.active:
            raise DomainError(_("Only an active administrator can grant an exception."))
        unit = units.find_unit(unit_code, field="unit")
        exception = four_eyes.grant_exception(
            unit, reason=reason, days=days, actor=audit.Actor.of(admin, "cli", door="cli")
        )
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(
        _(
            "Exception No. %(id)s for %(unit)s until %(until)s.",
            id=exception.id,
            unit=unit_code,
            until=exception.valid_until.date().isoformat(),
        )
    )
