"""``flask units``: the union's tree of units (the rules are in app/services/units.py)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor, fail
from app.extensions import db
from app.models.org import Unit
from app.services import units
from app.services.errors import DomainError

units_cli = AppGroup("units", help="The union's tree of units.")


def _where(unit: Unit) -> str:
    if unit.parent is None:
        return _("Unit %(code)s %(name)s is at the top of the tree.", code=unit.code, name=unit.name)
    return _(
        "Unit %(code)s %(name)s is under %(parent)s %(parent_name)s.",
        code=unit.code,
        name=unit.name,
        parent=unit.parent.code,
        parent_name=unit.parent.name,
    )


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", default=None, help="The parent unit's code (default: the top)")
def units_create(code: str, name: str, parent_code: str | None) -> None:
    """Add a union unit under a parent, or at the top of the tree."""
    try:
        unit = units.create_unit(code, name, parent_code, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(_where(unit))


@units_cli.command("list")
def units_list() -> None:
    """The tree of units, indented, with codes and names."""
    rows = units.tree()
    if not rows:
        click.echo(_("No units yet: flask units create CODE NAME"))
    for row in rows:
        click.echo(f"{'  ' * row.depth}{row.unit.code} {row.unit.name}")


@units_cli.command("move")
@click.argument("code")
@click.option("--parent", "parent_code", default=None, help="The new parent unit's code")
@click.option("--top", is_flag=True, help="Put the unit at the top of the tree")
def units_move(code: str, parent_code: str | None, top: bool) -> None:
    """Put a unit under another parent (--parent CODE) or at the top (--top)."""
    if top == (parent_code is not None):
        click.echo(_("Give either --parent CODE or --top."), err=True)
        sys.exit(2)
    try:
        unit = units.move_unit(code, parent_code, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(_where(unit))


@units_cli.command("rename")
@click.argument("code")
@click.argument("name")
def units_rename(code: str, name: str) -> None:
    """Give a unit a new name; its code stays."""
    try:
        unit = units.rename_unit(code, name, actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    click.echo(_where(unit))
