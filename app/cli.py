"""Command-line interface: ``flask --app app <command>`` (see ../shared/API.md)."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from app.money import money_str
from app.services import budgets, ledger
from app.services import users as user_service
from app.services.errors import DomainError

budget_cli = AppGroup("budget", help="Department budgets.")
users_cli = AppGroup("users", help="Users and API tokens.")


def _fail(error: DomainError) -> None:
    db.session.rollback()
    click.echo(f"错误: {error.message}", err=True)
    sys.exit(1)


@budget_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def budget_load(path: str) -> None:
    """Check and load a department budget file; a file that does not add up is refused."""
    try:
        result = budgets.load_budget(budgets.read_budget_file(path))
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    budget = result.budget
    if result.created:
        click.echo(f"已载入 {budget.title}: {budget.unit.code} {budget.year}")
    else:
        click.echo(f"预算已载入，未作更改: {budget.unit.code} {budget.year}")
    for fund in result.funds:
        figures = ledger.balance(fund)
        click.echo(
            f"  {fund.code} {fund.name} 预算 {money_str(figures.budget)} 可用 {money_str(figures.available)}"
        )


def fund_json(balance: ledger.FundBalance) -> dict[str, object]:
    """The wire shape of a fund, shared by the CLI and the API."""
    fund = balance.fund
    return {
        "code": fund.code,
        "name": fund.name,
        "year": fund.year,
        "unit": fund.unit.code,
        "budget": money_str(balance.budget),
        "committed": money_str(balance.committed),
        "paid": money_str(balance.paid),
        "available": money_str(balance.available),
    }


@click.command("funds")
@click.option("--year", type=int, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the objects of GET /api/v1/funds.")
def funds_command(year: int, as_json: bool) -> None:
    """Every fund of the year with budget, committed, paid and available."""
    balances = ledger.fund_balances(year)
    if as_json:
        click.echo(
            json.dumps(
                {"year": year, "funds": [fund_json(b) for b in balances]}, ensure_ascii=False, indent=2
            )
        )
        return
    for b in balances:
        click.echo(
            f"{b.fund.code}  {b.fund.name}  预算 {money_str(b.budget)}  已付 {money_str(b.paid)}"
            f"  已承诺 {money_str(b.committed)}  可用 {money_str(b.available)}"
        )


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="caseworker, reviewer, finance, auditor or admin")
@click.option("--unit", "unit_code", default=None, help="Union unit code, e.g. 711002")
def users_create(username: str, role: str, unit_code: str | None) -> None:
    """Create a user and print a one-time password."""
    try:
        user, password = user_service.create_user(username, role, unit_code)
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(f"已创建用户 {user.username}（{user.role}）。一次性密码（首次登录后须修改）:")
    click.echo(password)


@users_cli.command("ensure-admin")
@click.option("--username", default="admin", show_default=True)
def users_ensure_admin(username: str) -> None:
    """Create the administrator on a new installation and print its one-time password."""
    try:
        user_service.find_user(username)
    except DomainError:
        user, password = user_service.create_user(username, "admin", None)
        db.session.commit()
        click.echo(f"管理员 {user.username} 的一次性密码（首次登录后须修改）: {password}")
        return
    click.echo(f"管理员 {username} 已存在。忘记密码时: flask --app app users reset-password {username}")


@users_cli.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Give a user a new one-time password; all of the user's sessions end."""
    try:
        user = user_service.find_user(username)
        password = user_service.reset_password(user)
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(f"用户 {user.username} 的新一次性密码（首次登录后须修改）:")
    click.echo(password)


@users_cli.command("token")
@click.argument("username")
def users_token(username: str) -> None:
    """Print a new API token for the user (the token alone on the last line)."""
    try:
        user = user_service.find_user(username)
        token = user_service.issue_token(user)
        db.session.commit()
    except DomainError as error:
        _fail(error)
        return
    click.echo(f"API 令牌（只显示这一次）, 用户 {user.username}:")
    click.echo(token)


def register_cli(app: Flask) -> None:
    app.cli.add_command(budget_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(funds_command)
