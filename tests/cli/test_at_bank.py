"""Money sent in a bank batch and not yet answered is shown as at the bank wherever the
balances are read: the command line's funds and reconciliation, the budget execution
table, and the four parts still add up to the budget."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from app.extensions import db
from app.services import batches, budget_report
from tests.batch_helpers import FUND, approved_cases, fund, person


def _sent(world, make_user) -> None:
    maker, checker = person(make_user("finance", "cashier")), person(make_user("finance", "chief"))
    batch = batches.prepare(fund(), [c.id for c in approved_cases(world.budget.unit, 3)], actor=maker)
    db.session.commit()
    batches.approve(batch, actor=checker)
    batches.bank_file(batch, "csv", actor=checker)
    db.session.commit()


def test_the_command_line_shows_what_is_at_the_bank(app, world, make_user):
    _sent(world, make_user)
    runner = app.test_cli_runner()
    funds = runner.invoke(args=["funds", "--year", "2015"])
    line = next(row for row in funds.output.splitlines() if row.startswith(FUND))
    assert "在银行 300.00" in line and "已承诺 0.00" in line
    reconciled = runner.invoke(args=["reconcile", "--year", "2015"])
    assert reconciled.exit_code == 0, reconciled.output
    row = next(r for r in reconciled.output.splitlines() if r.startswith(FUND))
    total, parts = row.split(": ")[1].split(" = ")
    assert Decimal(total) == sum(Decimal(p) for p in parts.split(" + "))
    assert " + 300.00 + " in row


def test_the_budget_execution_table_has_a_column_for_the_bank(app, world, make_user):
    _sent(world, make_user)
    rows = budget_report.execution_rows(2015, None, None)
    row = next(r for r in rows if r.project_code == FUND)
    assert (row.executed, row.committed, row.at_bank) == (Decimal("0"), Decimal("0.00"), Decimal("300.00"))
    workbook = budget_report.execution_workbook(2015, rows, None)
    sheet = load_workbook(io.BytesIO(workbook)).worksheets[0]
    headers = [c.value for row in sheet.iter_rows(max_row=6) for c in row if c.value]
    assert "在银行" in headers


def test_the_nightly_reconcile_checks_every_loaded_year_without_being_told_which(app, world):
    runner = app.test_cli_runner()
    every = runner.invoke(args=["reconcile"])
    assert every.exit_code == 0, every.output
    assert every.output == runner.invoke(args=["reconcile", "--year", "2015"]).output
    assert FUND in every.output


def test_the_nightly_reconcile_on_an_empty_database_says_there_is_nothing_to_check(app):
    nothing = app.test_cli_runner().invoke(args=["reconcile"])
    assert nothing.exit_code == 1 and "尚未载入预算" in nothing.output
