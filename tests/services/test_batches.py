"""Payment batches (代发批次): prepared by one person, approved by another, sent to the bank
(the money then at the bank), answered line by line; the budget identity and every
reconciliation check hold at each step, and a case is never paid twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Case, Payment, PaymentBatchLine
from app.services import batches, cases, ledger, reconciliation, registry
from app.services.batches import AnswerLine
from app.services.cases.workflow import WrongState
from app.services.errors import InvalidInput
from app.services.four_eyes import FourEyesViolation
from tests.batch_helpers import approved_cases, fund, person
from tests.registry_helpers import worker_input


@pytest.fixture
def people(world, make_user):
    return person(make_user("finance", "cashier")), person(make_user("finance", "chief"))


def _holds(*, paid: str, committed: str, at_bank: str) -> None:
    b = ledger.balance(fund())
    assert b.budget == b.paid + b.committed + b.at_bank + b.available
    assert (b.paid, b.committed, b.at_bank) == (Decimal(paid), Decimal(committed), Decimal(at_bank))
    result = reconciliation.reconcile(2015)
    assert result.ok, [(c.key, c.problems) for f in result.funds for c in f.checks if not c.ok]


def _sent(cases_, people):
    maker, checker = people
    batch = batches.prepare(fund(), [c.id for c in cases_], actor=maker)
    db.session.commit()
    batches.approve(batch, actor=checker)
    data, _name, _mimetype = batches.bank_file(batch, "csv", actor=checker)
    db.session.commit()
    return batch, data


def test_500_lines_paid_with_three_failures_then_the_three_paid_again(world, people):
    unit = world.budget.unit
    many = approved_cases(unit, 500)
    # Case 1 of the world is not approved; only the 500 are committed.
    _holds(paid="0", committed="50000.00", at_bank="0")
    batch, data = _sent(many, people)
    assert batch.status == "sent" and batch.total == Decimal("50000.00") and len(batch.lines) == 500
    assert "6222020400000000010" in data.decode("gb18030")  # the whole account, for the bank
    _holds(paid="0", committed="0.00", at_bank="50000.00")

    failed = {batch.lines[i].id for i in (7, 250, 499)}
    answer = [
        AnswerLine(line.id, "failed" if line.id in failed else "paid", "户名不符") for line in batch.lines
    ]
    batches.answer(batch, answer, actor=people[0], paid_on=date(2015, 6, 1))
    db.session.commit()
    assert batch.status == "done"
    _holds(paid="49700.00", committed="300.00", at_bank="0.00")
    assert {line.reason for line in batch.lines if line.status == "failed"} == {"户名不符"}
    payment = db.session.get(Payment, batch.lines[0].payment_id)
    assert payment.voucher_no == f"{batch.batch_no}-0001" and payment.paid_on == date(2015, 6, 1)
    assert payment.method == "bank_transfer"

    # The same answer again changes nothing.
    before = db.session.execute(select(func.count()).select_from(Payment)).scalar_one()
    batches.answer(batch, answer, actor=people[0])
    db.session.commit()
    assert db.session.execute(select(func.count()).select_from(Payment)).scalar_one() == before
    _holds(paid="49700.00", committed="300.00", at_bank="0.00")

    # A paid line cannot become failed.
    with pytest.raises(batches.AnswerConflict):
        batches.answer(batch, [AnswerLine(batch.lines[0].id, "failed", "x")], actor=people[0])
    db.session.rollback()

    # The paid cases cannot be batched again; the three failed ones can, once corrected.
    again_ids = sorted(line.case_id for line in batch.lines if line.id in failed)
    with pytest.raises(InvalidInput):
        batches.prepare(fund(), [batch.lines[0].case_id], actor=people[0])
    db.session.rollback()
    for case_id in again_ids:
        worker = db.session.get(Case, case_id).worker
        data_in = worker_input(
            0, name=worker.name, bank_name="中国建设银行", bank_account="6217000010001234567"
        )
        data_in.id_number = ""
        registry.update(worker, data_in, actor=people[0])
    db.session.commit()
    second, _data = _sent([db.session.get(Case, i) for i in again_ids], people)
    _holds(paid="49700.00", committed="0.00", at_bank="300.00")
    batches.answer(second, [AnswerLine(line.id, "paid") for line in second.lines], actor=people[0])
    db.session.commit()
    _holds(paid="50000.00", committed="0.00", at_bank="0.00")
    paid_per_case = db.session.execute(
        select(Payment.case_id, func.count()).where(Payment.case_id.in_(again_ids)).group_by(Payment.case_id)
    ).all()
    assert sorted(paid_per_case) == [(i, 1) for i in again_ids]
    assert all(db.session.get(Case, i).status == "paid" for i in again_ids)


def test_an_answer_naming_a_line_not_in_the_batch_is_refused_whole(world, people):
    batch, _ = _sent(approved_cases(world.budget.unit, 3), people)
    answer = [AnswerLine(batch.lines[0].id, "paid"), AnswerLine(999999, "paid")]
    with pytest.raises(batches.LineNotInBatch, match="999999"):
        batches.answer(batch, answer, actor=people[0])
    db.session.rollback()
    assert [line.status for line in batches.load(batch.id, people[0]).lines] == ["pending"] * 3
    _holds(paid="0", committed="0.00", at_bank="300.00")


def test_a_case_without_a_bank_account_is_refused_by_its_id(world, people):
    with_card = approved_cases(world.budget.unit, 2)
    without = approved_cases(world.budget.unit, 1, first=40, card=False)
    with pytest.raises(batches.NoBankAccount, match=str(without[0].id)):
        batches.prepare(fund(), [c.id for c in with_card + without], actor=people[0])


def test_a_case_in_an_open_batch_cannot_be_in_another_nor_paid_by_hand(world, people):
    made = approved_cases(world.budget.unit, 2)
    first = batches.prepare(fund(), [made[0].id], actor=people[0])
    db.session.commit()
    with pytest.raises(batches.CaseInOpenBatch, match=str(made[0].id)):
        batches.prepare(fund(), [c.id for c in made], actor=people[0])
    db.session.rollback()
    with pytest.raises(WrongState):
        cases.pay(
            made[0], amount="100", voucher_no="V9", paid_on=date(2015, 5, 1), method="cash", actor=people[1]
        )
    db.session.rollback()
    # The database refuses a second open line too, whatever the application checked.
    db.session.add(
        PaymentBatchLine(
            batch_id=first.id, line_no=2, case_id=made[0].id, amount=Decimal("1"), status="pending"
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    batches.cancel(first, actor=people[0])
    db.session.commit()
    assert batches.prepare(fund(), [made[0].id], actor=people[0]).status == "draft"


def test_who_prepared_cannot_approve_and_no_file_before_approval(world, people):
    batch = batches.prepare(fund(), [c.id for c in approved_cases(world.budget.unit, 1)], actor=people[0])
    db.session.commit()
    with pytest.raises(batches.BatchWrongState):
        batches.bank_file(batch, "xlsx", actor=people[1])
    with pytest.raises(FourEyesViolation):
        batches.approve(batch, actor=people[0])
    db.session.rollback()
    batches.approve(batch, actor=people[1])
    data, name, _mimetype = batches.bank_file(batch, "xlsx", actor=people[1])
    assert data[:2] == b"PK" and name.endswith(".xlsx")
    # A second fetch gives the file again and moves no money again.
    batches.bank_file(batch, "csv", actor=people[0])
    db.session.commit()
    _holds(paid="0", committed="0.00", at_bank="100.00")
