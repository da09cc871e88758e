"""``flask books``: 结账 at the server's console — close a month or a year of a unit, list
the closes, and verify (nightly) that no closed period's money moved."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.auth.permissions import Permission
from app.cli.console import cli_actor, step, user_actor
from app.models.periods import PERIOD_STATUSES
from app.services import periods, units

books_cli = AppGroup(
    "books", help="Close the books (结账) of a month or a year, reopen them, and check closed periods."
)


@books_cli.command("close")
@click.option("--year", type=int, required=True)
@click.option(
    "--month", type=click.IntRange(1, 12), default=None, help="A month; the whole year if not given"
)
@click.option("--unit", "unit_code", required=True, help="The unit's code")
def books_close(year: int, month: int | None, unit_code: str) -> None:
    """Close a unit's books for a month or the year; nothing moves money in it afterwards."""
    closing = step(
        lambda: periods.close(units.find_unit(unit_code, field="unit"), year, month=month, actor=cli_actor()),
        name="books.close",
    )
    click.echo(
        _(
            "The books of %(period)s of %(unit)s are closed (No. %(id)s, digest %(digest)s).",
            period=periods.period_name(year, closing.month),
            unit=unit_code,
            id=closing.id,
            digest=closing.digest[:16],
        )
    )


@books_cli.command("list")
@click.option("--year", type=int, required=True)
def books_list(year: int) -> None:
    """Every close of the year, newest first."""
    for closing in periods.closes(year, None):
        click.echo(
            f"{closing.id}  {closing.unit_id}  {periods.period_name(closing.year, closing.month)}  "
            f"{PERIOD_STATUSES[closing.status]}  {closing.closed_at:%Y-%m-%d %H:%M}  {closing.closed_by_name}"
        )


@books_cli.command("verify")
def books_verify() -> None:
    """Recompute each closed period's digest; exit 1 naming every period whose money moved."""
    problems = periods.verify()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(_("Every closed period is as it was closed."))


@books_cli.command("reopen-request")
@click.argument("close_id", type=int)
@click.option("--reason", required=True, help="Why the books are to be reopened")
@click.option("--user", "username", required=True, help="The administrator who asks (a user of the app)")
def books_reopen_request(close_id: int, reason: str, username: str) -> None:
    """Ask for closed books to be reopened; they stay closed until a second person reopens them."""
    who = user_actor(username, Permission.BOOKS_REOPEN)
    closing = step(
        lambda: periods.request_reopen(periods.load(close_id, who, lock=True), reason=reason, actor=who),
        name="books.reopen_request",
        actor=who,
    )
    click.echo(
        _(
            "Reopening of the books of %(period)s (No. %(id)s) is asked for; a second person reopens them.",
            period=periods.period_name(closing.year, closing.month),
            id=closing.id,
        )
    )


@books_cli.command("reopen")
@click.argument("close_id", type=int)
@click.option("--user", "username", required=True, help="The second person, not the one who asked")
def books_reopen(close_id: int, username: str) -> None:
    """Reopen closed books whose reopening was asked for, as a second person."""
    who = user_actor(username, Permission.BOOKS_REOPEN_APPROVE)
    closing = step(
        lambda: periods.approve_reopen(periods.load(close_id, who, lock=True), actor=who),
        name="books.reopen",
        actor=who,
    )
    click.echo(
        _(
            "The books of %(period)s (No. %(id)s) are reopened.",
            period=periods.period_name(closing.year, closing.month),
            id=closing.id,
        )
    )
