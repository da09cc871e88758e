"""``flask budget load``, ``flask funds`` and ``flask reconcile``: the budgets and the
books of their funds."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime

import click
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from app.api.support import fund_json
from app.cli.console import cli_actor, fail, step
from app.extensions import db
from app.models.ledger import Fund
from app.money import money_str
from app.services import budget_revisions, budgets, funds, ledger, reconciliation
from app.services.errors import DomainError, InvalidInput

budget_cli = AppGroup("budget", help="Department budgets.")


@budget_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--revision", "reference", default=None, help="A revised budget: its document number (文号)")
@click.option(
    "--date", "revised_on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The revision's date"
)
@click.option("--reason", default="", help="Why the budget is revised")
def budget_load(path: str, reference: str | None, revised_on: datetime | None, reason: str) -> None:
    """Check and load a department budget file; a file that does not add up is refused.

    With --revision (and --date) the file revises the budget already loaded for its unit
    and year (预算调整): each fund moves to the file's figure by a ledger adjustment."""
    if reference is not None:
        _load_revision(path, reference, revised_on.date() if revised_on else None, reason)
        return
    if revised_on is not None:
        fail(InvalidInput(_("--date is the date of a revision: give --revision too.")))
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


def _load_revision(path: str, reference: str, revised_on: date | None, reason: str) -> None:
    document = step(lambda: budgets.read_budget_file(path), name="budget.revise")
    result = step(
        lambda: budget_revisions.load_revision(
            document, reference=reference, revised_on=revised_on, reason=reason, actor=cli_actor()
        ),
        name="budget.revise",
    )
    revision = result.revision
    if revision is None:
        click.echo(_("This file is the budget as loaded; nothing changed."))
        return
    if not result.created:
        click.echo(
            _(
                "This revision is already loaded (%(reference)s); nothing changed.",
                reference=revision.reference,
            )
        )
        return
    click.echo(
        _(
            "Budget revised by %(reference)s on %(date)s: %(n)s funds changed.",
            reference=revision.reference,
            date=revision.revised_on.isoformat(),
            n=len(revision.lines),
        )
    )
    for line in revision.lines:
        click.echo("  " + _fund_line(ledger.balance(db.session.get(Fund, line.fund_id))))


@budget_cli.command("revise")
@click.argument("code")
@click.option("--year", type=int, required=True)
@click.option("--unit", "unit_code", default=None, help="The unit's code, when several units have the fund")
@click.option("--increase", "increase", default=None, help="Raise the budget by this amount")
@click.option("--decrease", "decrease", default=None, help="Lower the budget by this amount")
@click.option("--set", "set_to", default=None, help="Set the budget to this amount")
@click.option("--reference", required=True, help="The document number (文号)")
@click.option("--reason", required=True)
@click.option("--date", "revised_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
def budget_revise(
    code: str,
    year: int,
    unit_code: str | None,
    increase: str | None,
    decrease: str | None,
    set_to: str | None,
    reference: str,
    reason: str,
    revised_on: datetime,
) -> None:
    """预算调整 of one fund: up, down or to an amount, under its document number."""
    given = [
        (how, value)
        for how, value in (("increase", increase), ("decrease", decrease), ("set", set_to))
        if value is not None
    ]
    if len(given) != 1:
        fail(InvalidInput(_("Give one of --increase, --decrease or --set.")))
    how, amount = given[0]
    actor = cli_actor()
    revision = step(
        lambda: budget_revisions.revise_fund(
            funds.find(actor, code, year, unit_code),
            how=how,
            amount=amount,
            reason=reason,
            reference=reference,
            revised_on=revised_on.date(),
            actor=actor,
        ),
        name="budget.revise",
    )
    click.echo(_("Budget revised by %(reference)s.", reference=revision.reference))
    click.echo("  " + _fund_line(ledger.balance(db.session.get(Fund, revision.lines[0].fund_id))))


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
