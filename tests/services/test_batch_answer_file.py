"""The bank's answer as a file (回盘): read with the batch's template, held against every
line (amount, payee, card, batch), checked before it is taken, refused whole naming the
row, and taken once however often it is uploaded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Payment
from app.services import bank_files, batches, ledger, reconciliation
from app.services.errors import InvalidInput
from tests.bank_file_helpers import answer as answer_file_from
from tests.bank_file_helpers import file_rows
from tests.batch_helpers import approved_cases, fund, person

AMOUNT_COLUMN, NAME_COLUMN, ACCOUNT_COLUMN = 6, 3, 4  # the generic template's columns


@pytest.fixture
def people(world, make_user):
    return person(make_user("finance", "cashier")), person(make_user("finance", "chief"))


@pytest.fixture
def sent(world, people):
    maker, checker = people
    batch = batches.prepare(fund(), [c.id for c in approved_cases(world.budget.unit, 3)], actor=maker)
    db.session.commit()
    batches.approve(batch, actor=checker)
    data, _name, _mimetype = batches.bank_file(batch, "xlsx", actor=checker)
    db.session.commit()
    return batch, data


def _first_row(data: bytes) -> int:
    """The file's row (1-based) of the batch's first line."""
    rows = file_rows("xlsx", data)
    return next(i for i, row in enumerate(rows) if row and row[0] == "序号") + 2


def _answer(data: bytes, edits=None) -> bytes:
    results = [("成功", "", "2015-06-02"), ("失败", "账户已销户", ""), ("成功", "", "2015-06-03")]
    return answer_file_from(bank_files.template("generic"), "xlsx", data, results, edits)


def _payments() -> int:
    return db.session.execute(select(func.count()).select_from(Payment)).scalar_one()


def _reconciled(*, paid: str, committed: str, at_bank: str) -> None:
    b = ledger.balance(fund())
    assert b.budget == b.paid + b.committed + b.at_bank + b.available
    assert (b.paid, b.committed, b.at_bank) == (Decimal(paid), Decimal(committed), Decimal(at_bank))
    assert reconciliation.reconcile(2015).ok


def test_the_check_reports_and_changes_nothing_then_the_answer_is_taken_once(sent, people):
    batch, data = sent
    content = _answer(data)
    report = batches.answer_file(batch, "回盘.xlsx", content, actor=people[0], check_only=True)
    db.session.commit()
    assert (report.rows, report.paid, report.failed, report.already, report.applied) == (3, 2, 1, 0, False)
    assert report.paid_total == Decimal("200.00") and report.failed_total == Decimal("100.00")
    assert _payments() == 0 and batches.load(batch.id, people[0]).status == "sent"
    _reconciled(paid="0", committed="0.00", at_bank="300.00")

    report = batches.answer_file(batch, "回盘.xlsx", content, actor=people[0])
    db.session.commit()
    assert report.applied and (report.paid, report.failed) == (2, 1)
    batch = batches.load(batch.id, people[0])
    assert batch.status == "done"
    assert [line.status for line in batch.lines] == ["paid", "failed", "paid"]
    assert batch.lines[1].reason == "账户已销户"
    # Each payment carries the bank's own date from its row.
    assert [db.session.get(Payment, line.payment_id).paid_on.isoformat() for line in batch.lines[::2]] == [
        "2015-06-02",
        "2015-06-03",
    ]
    _reconciled(paid="200.00", committed="100.00", at_bank="0.00")

    again = batches.answer_file(batch, "回盘.xlsx", content, actor=people[0])
    db.session.commit()
    assert (again.already, again.paid, again.failed, again.applied) == (3, 0, 0, False)
    assert _payments() == 2
    _reconciled(paid="200.00", committed="100.00", at_bank="0.00")


@pytest.mark.parametrize(
    ("edits", "says"),
    [
        # Two amounts changed so that the file's own total still adds up.
        ({(1, AMOUNT_COLUMN): 150, (2, AMOUNT_COLUMN): 50}, "150.00"),
        ({(1, NAME_COLUMN): "王五"}, "王五"),
        ({(1, ACCOUNT_COLUMN): "6222020400000009999"}, "9999"),
    ],
)
def test_a_row_that_is_not_what_the_batch_sent_refuses_the_whole_answer(sent, people, edits, says):
    batch, data = sent
    second = _first_row(data) + 1
    content = _answer(data, {(second - 1 + line, column): v for (line, column), v in edits.items()})
    with pytest.raises(batches.AnswerMismatch) as refused:
        batches.answer_file(batch, "回盘.xlsx", content, actor=people[0])
    db.session.rollback()
    assert f"第 {second} 行" in refused.value.message
    assert says in refused.value.message
    assert [line.status for line in batches.load(batch.id, people[0]).lines] == ["pending"] * 3
    assert _payments() == 0
    _reconciled(paid="0", committed="0.00", at_bank="300.00")


def test_an_amount_that_breaks_the_files_total_refuses_it_naming_the_total_row(sent, people):
    batch, data = sent
    content = _answer(data, {(_first_row(data), AMOUNT_COLUMN): 150})
    with pytest.raises(bank_files.BankFileRefused, match=r"350\.00"):
        batches.answer_file(batch, "回盘.xlsx", content, actor=people[0], check_only=True)
    db.session.rollback()
    assert _payments() == 0


def test_a_bank_date_outside_the_fiscal_year_names_its_row(sent, people):
    batch, data = sent
    first = _first_row(data)
    content = _answer(data, {(first, 11): "2016-01-05"})  # 处理日期 of the first line
    with pytest.raises(InvalidInput) as refused:
        batches.answer_file(batch, "回盘.xlsx", content, actor=people[0])
    db.session.rollback()
    assert str(first) in refused.value.message and "2015" in refused.value.message
    assert _payments() == 0


def test_an_answer_through_the_api_with_another_amount_is_refused_naming_the_line(sent, people):
    batch, _data = sent
    line = batch.lines[0]
    with pytest.raises(batches.AnswerMismatch, match=str(line.id)):
        batches.answer(batch, [batches.AnswerLine(line.id, "paid", amount=Decimal("99.99"))], actor=people[0])
    db.session.rollback()
    assert _payments() == 0
