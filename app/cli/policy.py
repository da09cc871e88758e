"""``flask policy``: yearly policy values."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor, step
from app.extensions import db
from app.models.org import Unit
from app.models.registry import PolicyValue
from app.services import policy, policy_copy, units

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


@policy_cli.command("copy")
@click.option("--from", "from_year", type=int, required=True, help="The year whose values are copied")
@click.option("--to", "to_year", type=int, required=True, help="The later year they are copied into")
@click.option("--unit", "unit_code", default=None, help="Only this unit's own values (default: all)")
@click.option("--key", "keys", multiple=True, help="Only this key (may be given more than once)")
@click.option("--replace", is_flag=True, help="Also overwrite values already set in the later year")
def policy_copy_command(
    from_year: int, to_year: int, unit_code: str | None, keys: tuple[str, ...], replace: bool
) -> None:
    """Copy a year's policy values forward into the next, for review (values already set
    there are kept unless --replace); then list both years side by side."""

    def work() -> list[PolicyValue]:
        unit = units.find_unit(unit_code, field="unit") if unit_code is not None else None
        return policy_copy.copy_forward(
            from_year, to_year, actor=cli_actor(), unit=unit, keys=keys or None, replace=replace
        )

    written = step(work, name="policy.copy")
    click.echo(
        _(
            "%(count)s policy values copied from %(earlier)s to %(later)s.",
            count=len(written),
            earlier=from_year,
            later=to_year,
        )
    )
    unit = units.find_unit(unit_code, field="unit") if unit_code is not None else None
    for pair in policy_copy.side_by_side(from_year, to_year, actor=cli_actor(), unit=unit):
        scope_name = db.session.get(Unit, pair.unit_id).code if pair.unit_id else "*"
        click.echo(f"{pair.key}\t{pair.earlier or '-'}\t{pair.later or '-'}\t{scope_name}")
