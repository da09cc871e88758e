"""``flask users``: users, their one-time passwords and API tokens. Every change runs as
one step through the console's runner (app/cli/console.py: one commit, a refusal in the
audit log, exit 1 with its message)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor, step
from app.models.users import User
from app.services import duties, user_names
from app.services import users as user_service
from app.services.errors import DomainError

T = TypeVar("T")
users_cli = AppGroup("users", help="Users and API tokens.")


def _on_user(username: str, name: str, change: Callable[[User], T]) -> tuple[User, T]:
    """Find the user and apply one change to them, as one step."""

    def work() -> tuple[User, T]:
        user = user_service.find_user(username)
        return user, change(user)

    return step(work, name=name)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="caseworker, reviewer, finance, auditor or admin")
@click.option("--unit", "unit_code", default=None, help="Union unit code, e.g. 711002")
@click.option("--name", "full_name", default="", help="The person's real name (姓名), e.g. 张三")
def users_create(username: str, role: str, unit_code: str | None, full_name: str) -> None:
    """Create a user and print a one-time password."""
    user, password = step(
        lambda: user_service.create_user(username, role, unit_code, actor=cli_actor(), full_name=full_name),
        name="user.create",
    )
    click.echo(
        _(
            "Created user %(name)s (%(role)s). One-time password, to be changed at first log-in:",
            name=user.username,
            role=user.role_label,
        )
    )
    click.echo(password)


@users_cli.command("set-role")
@click.argument("username")
@click.option("--role", required=True, help="caseworker, reviewer, finance, auditor or admin")
@click.option("--unit", "unit_code", default=None, help="Union unit code; without it: all units")
def users_set_role(username: str, role: str, unit_code: str | None) -> None:
    """Give a user another role and/or unit, at once (the operator's door). Audited, and
    listed for the auditor like every change of a role."""
    user, _change = _on_user(
        username,
        "user.role_change",
        lambda user: duties.change_role(user, role, unit_code, actor=cli_actor()),
    )
    click.echo(_("The role of %(name)s is now %(role)s.", name=user.username, role=user.role_label))


@users_cli.command("set-name")
@click.argument("username")
@click.argument("full_name")
def users_set_name(username: str, full_name: str) -> None:
    """Change a user's real name (姓名); an empty name ("") removes it. Audited."""
    user, _done = _on_user(
        username, "user.set_name", lambda user: user_names.set_full_name(user, full_name, actor=cli_actor())
    )
    click.echo(
        _("The real name of %(name)s is now %(full_name)s.", name=user.username, full_name=user.display_name)
    )


@users_cli.command("ensure-admin")
@click.option("--username", default="admin", show_default=True)
def users_ensure_admin(username: str) -> None:
    """Create the administrator on a new installation and print its one-time password."""
    try:
        user_service.find_user(username)
    except DomainError:
        user, password = step(
            lambda: user_service.create_user(username, "admin", None, actor=cli_actor()), name="user.create"
        )
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
    user, password = _on_user(
        username, "user.reset_password", lambda user: user_service.reset_password(user, actor=cli_actor())
    )
    click.echo(_("New one-time password of %(name)s, to be changed at first log-in:", name=user.username))
    click.echo(password)


@users_cli.command("token")
@click.argument("username")
def users_token(username: str) -> None:
    """Print a new API token for the user (the token alone on the last line)."""
    user, token = _on_user(
        username,
        "user.token",
        lambda user: user_service.issue_token(
            user, actor=cli_actor(), days=current_app.config["API_TOKEN_DAYS"]
        ),
    )
    ends = date.today() + timedelta(days=current_app.config["API_TOKEN_DAYS"])
    click.echo(
        _(
            "API token of %(name)s, valid until %(date)s (shown only this once):",
            name=user.username,
            date=ends.isoformat(),
        )
    )
    click.echo(token)


@users_cli.command("revoke-tokens")
@click.argument("username")
def users_revoke_tokens(username: str) -> None:
    """Revoke every API token of a user at once."""
    user, count = _on_user(
        username, "user.revoke_tokens", lambda user: user_service.revoke_tokens(user, actor=cli_actor())
    )
    click.echo(_("%(n)s tokens of %(name)s revoked.", n=count, name=user.username))


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable a user: every session and token of the user stops working at once."""
    user, _done = _on_user(
        username, "user.disable", lambda user: user_service.set_active(user, False, actor=cli_actor())
    )
    click.echo(_("User %(name)s is disabled.", name=user.username))


@users_cli.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled user again."""
    user, _done = _on_user(
        username, "user.enable", lambda user: user_service.set_active(user, True, actor=cli_actor())
    )
    click.echo(_("User %(name)s is enabled.", name=user.username))
