"""``flask year-end``: 年终结转 at the server's console — list a year's open cases, carry
them over into the next year's funds or release them, and write the year-end report."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.cli.console import cli_actor, step
from app.labels import label
from app.money import format_yuan
from app.services import year_end

year_end_cli = AppGroup(
    "year-end", help="The year end (年终结转): carry open cases over into the next year, or release them."
)


@year_end_cli.command("open")
@click.option("--year", type=int, required=True)
def year_end_open(year: int) -> None:
    """The year's cases that still hold money, with what each holds."""
    for row in year_end.open_cases(cli_actor(), year):
        where = (
            f"{row.next_fund.year} {row.next_fund.code} ({format_yuan(row.next_available or 0)})"
            if row.next_fund
            else _("no fund in %(year)s", year=year + 1)
        )
        click.echo(
            f"{row.case.id}  {row.case.fund.code}  {row.case.worker.name}"
            f"  {format_yuan(row.outstanding)}  {where}"
        )


@year_end_cli.command("carry")
@click.option("--year", type=int, required=True, help="The year that is closing")
@click.option("--case", "case_ids", type=int, multiple=True, help="A case (several allowed)")
@click.option("--all", "every", is_flag=True, help="Every open case of the year")
@click.option(
    "--action",
    type=click.Choice(year_end.ACTIONS),
    default="carry",
    show_default=True,
    help="carry over into the next year, or release",
)
@click.option("--reason", default="", help="Why (required to release)")
def year_end_carry(year: int, case_ids: tuple[int, ...], every: bool, action: str, reason: str) -> None:
    """Carry over (or release) open cases of the year, all or nothing."""
    actor = cli_actor()
    chosen = [row.case.id for row in year_end.open_cases(actor, year)] if every else list(case_ids)
    if not chosen and every:
        click.echo(_("No case holds money of %(year)s: the year can be closed.", year=year))
        return
    if not chosen:
        raise click.UsageError(_("Name a case with --case, or use --all."))
    made = step(
        lambda: year_end.choose(year, chosen, action, reason=reason, actor=actor), name=f"year_end.{action}"
    )
    for choice in made:
        click.echo(
            f"{choice.case_id}  {label('year_end_action', choice.action)}  {format_yuan(choice.amount)}"
            + (f"  → {choice.next_case_id}" if choice.next_case_id else "")
        )


@year_end_cli.command("report")
@click.option("--year", type=int, required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def year_end_report(year: int, out: Path) -> None:
    """Write the year-end report (carried over and released, per fund) as a workbook."""
    out.write_bytes(year_end.report_workbook(year_end.report(cli_actor(), year)))
    click.echo(_("Written %(path)s.", path=str(out)))
