"""``flask policy``: yearly policy values."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.console import cli_actor, step
from app.extensions import db
from app.models.org import Unit
from app.models.registry import PolicyValue
from app.services import policy, units

policy_cli = AppGroup("policy", help="Yearly policy values.")


@policy_cli.command("set")
@click.option("--year", type=int, required=True)
@click.option("--unit", "unit_code", default=None, help="Only for this unit's area (default: all units)")
@click.argument("key")
@click.argument("value")
def policy_set(year: int, unit_code: str | None, key: str, value: str) -> None:
    """Set a yearly policy value, e.g. minimum_living_line 580."""

    def work() -> PolicyValue:
        unit = units.find_unit(unit_code, field="unit") if unit_code is not None else None
        return policy.set_value(year, key, value, unit=unit, actor=cli_actor())

    row = step(work, name="policy.set")
    click.echo(f"{year} {key} = {row.value}" + (f" ({unit_code})" if unit_code else ""))


@policy_cli.command("show")
@click.option("--year", type=int, required=True)
def policy_show(year: int) -> None:
    """List the policy values of a year."""
    for row in policy.values_for(year):
        scope_name = db.session.get(Unit, row.unit_id).code if row.unit_id else "*"
        click.echo(f"{row.key}\t{row.value}\t{scope_name}\t{policy.KEYS[row.key].label}")
