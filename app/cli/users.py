"""``flask users``: users, their one-time passwords and API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor, fail
from app.extensions import db
from app.services import users as user_service
from app.services.errors import DomainError

users_cli = AppGroup("users", help="Users and API tokens.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="caseworker, reviewer, finance, auditor or admin")
@click.option("--unit", "unit_code", default=None, help="Union unit code, e.g. 711002")
def users_create(username: str, role: str, unit_code: str | None) -> None:
    """Create a user and print a one-time password."""
    try:
        user, password = user_service.create_user(username, role, unit_code, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(
        _(
            "Created user %(name)s (%(role)s). One-time password, to be changed at first log-in:",
            name=user.username,
            role=user.role_label,
        )
    )
    click.echo(password)


@users_cli.command("ensure-admin")
@click.option("--username", default="admin", show_default=True)
def users_ensure_admin(username: str) -> None:
    """Create the administrator on a new installation and print its one-time password."""
    try:
        user_service.find_user(username)
    except DomainError:
        user, password = user_service.create_user(username, "admin", None, actor=cli_actor())
        db.session.commit()
        click.echo(
            _(
                "One-time password of administrator %(name)s, to be changed at first log-in: %(password)s",
                name=user.username,
                password=password,
            )
        )
        return
    click.echo(
        _(
            "Administrator %(name)s exists. If the password is lost: "
            "flask --app app users reset-password %(name)s",
            name=username,
        )
    )


@users_cli.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Give a user a new one-time password; all of the user's sessions end."""
    try:
        user = user_service.find_user(username)
        password = user_service.reset_password(user, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(_("New one-time password of %(name)s, to be changed at first log-in:", name=user.username))
    click.echo(password)


@users_cli.command("token")
@click.argument("username")
def users_token(username: str) -> None:
    """Print a new API token for the user (the token alone on the last line)."""
    try:
        user = user_service.find_user(username)
        token = user_service.issue_token(user, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(_("API token of %(name)s (shown only this once):", name=user.username))
    click.echo(token)


@users_cli.command("revoke-tokens")
@click.argument("username")
def users_revoke_tokens(username: str) -> None:
    """Revoke every API token of a user at once."""
    try:
        user = user_service.find_user(username)
        count = user_service.revoke_tokens(user, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(_("%(n)s tokens of %(name)s revoked.", n=count, name=user.username))


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable a user: every session and token of the user stops working at once."""
    try:
        user = user_service.find_user(username)
        user_service.set_active(user, False, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(_("User %(name)s is disabled.", name=user.username))


@users_cli.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled user again."""
    try:
        user = user_service.find_user(username)
        user_service.set_active(user, True, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(_("User %(name)s is enabled.", name=user.username))
