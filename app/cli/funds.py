"""``flask budget load``, ``flask funds`` and ``flask reconcile``: the budgets and the
books of their funds."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from app.api.support import fund_json
from app.cli.console import cli_actor, fail
from app.extensions import db
from app.money import money_str
from app.services import budgets, ledger, reconciliation
from app.services.errors import DomainError

budget_cli = AppGroup("budget", help="Department budgets.")


@budget_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
def budget_load(path: str) -> None:
    """Check and load a department budget file; a file that does not add up is refused."""
    try:
        result = budgets.load_budget(budgets.read_budget_file(path), actor=cli_actor())
        db.session.commit()
    except DomainError as error:
        fail(error)
        return
    budget = result.budget
    if result.created:
        click.echo(
            _(
                "Loaded %(title)s: unit %(unit)s, %(year)s.",
                title=budget.title,
                unit=budget.unit.code,
                year=budget.year,
            )
        )
    else:
        click.echo(
            _(
                "This budget is already loaded; nothing changed: unit %(unit)s, %(year)s.",
                unit=budget.unit.code,
                year=budget.year,
            )
        )
    for fund in result.funds:
        figures = ledger.balance(fund)
        click.echo("  " + _fund_line(figures))


@click.command("funds")
@with_appcontext
@click.option("--year", type=int, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the objects of GET /api/v1/funds.")
def funds_command(year: int, as_json: bool) -> None:
    """Every fund of the year with budget, paid, committed, at the bank and available."""
    balances = ledger.fund_balances(year)
    if as_json:
        click.echo(
            json.dumps(
                {"year": year, "funds": [fund_json(b) for b in balances]}, ensure_ascii=False, indent=2
            )
        )
        return
    for b in balances:
        click.echo(_fund_line(b))


def _fund_line(b: ledger.FundBalance) -> str:
    return _(
        "%(code)s %(name)s  budget %(budget)s  paid %(paid)s  committed %(committed)s"
        "  at the bank %(at_bank)s  available %(available)s",
        code=b.fund.code,
        name=b.fund.name,
        budget=money_str(b.budget),
        paid=money_str(b.paid),
        committed=money_str(b.committed),
        at_bank=money_str(b.at_bank),
        available=money_str(b.available),
    )


@click.command("reconcile")
@click.option("--year", type=int, default=None, help="Default: every loaded year.")
@with_appcontext
def reconcile_command(year: int | None) -> None:
    """Run every reconciliation check for the year (every loaded year without --year); exit 1
    naming what fails. The result is kept: the reconciliation page shows it where the books are
    too long to check per request (run it nightly: deploy/bangfutong-nightly.service)."""
    years = [year] if year is not None else budgets.loaded_years()
    if not years:
        click.echo(_("No budget has been loaded yet."), err=True)
        sys.exit(1)
    failed = False
    for chosen in years:
        if len(years) > 1:
            click.echo(f"== {chosen} ==")
        failed |= not _reconcile_year(chosen)
    if failed:
        sys.exit(1)


def _reconcile_year(year: int) -> bool:
    stored = reconciliation.run(year, None, actor=cli_actor())
    report = json.loads(stored.report)
    for fund in report["funds"]:
        click.echo(
            f"{fund['code']} {fund['name']}: {fund['budget']} = {fund['paid']} + "
            f"{fund['committed']} + {fund.get('at_bank', '0.00')} + {fund['available']}"
        )
        for check in fund["checks"]:
            click.echo(
                f"  {'BAD' if check['problems'] else 'OK '} {reconciliation.check_label(check['key'])}"
            )
            for problem in check["problems"]:
                click.echo(f"      {problem}")
    for check in report["department"]:
        click.echo(f"{'BAD' if check['problems'] else 'OK '} {reconciliation.check_label(check['key'])}")
        for problem in check["problems"]:
            click.echo(f"    {problem}")
    return bool(stored.ok)
