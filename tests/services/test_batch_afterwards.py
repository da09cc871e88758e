"""What happens to a case around its bank batch: it cannot be closed while its money is
on its way (its commitment would be released under the bank's feet), and a payment the
bank made can be reversed (红冲, e.g. the money came back weeks later): the amount goes
back to the case's commitment, not to the bank, and a new batch pays it once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Payment
from app.services import batches, cases, ledger, reconciliation
from app.services.cases.workflow import WrongState
from tests.batch_helpers import approved_cases, fund, person


@pytest.fixture
def people(world, make_user):
    return person(make_user("finance", "cashier")), person(make_user("finance", "chief"))


def _holds(*, paid: str, committed: str, at_bank: str) -> None:
    b = ledger.balance(fund())
    assert b.budget == b.paid + b.committed + b.at_bank + b.available
    assert (b.paid, b.committed, b.at_bank) == (Decimal(paid), Decimal(committed), Decimal(at_bank))
    result = reconciliation.reconcile(2015)
    assert result.ok, [(c.key, c.problems) for f in result.funds for c in f.checks if not c.ok]


def _sent(made, people):
    batch = batches.prepare(fund(), [c.id for c in made], actor=people[0])
    db.session.commit()
    batches.approve(batch, actor=people[1])
    batches.bank_file(batch, "csv", actor=people[1])
    db.session.commit()
    return batch


@pytest.mark.parametrize("stage", ["draft", "sent"])
def test_a_case_in_an_open_batch_cannot_be_closed(world, people, stage):
    made = approved_cases(world.budget.unit, 2)
    if stage == "draft":
        batches.prepare(fund(), [c.id for c in made], actor=people[0])
        db.session.commit()
        at_bank = "0"
    else:
        _sent(made, people)
        at_bank = "200.00"
    with pytest.raises(WrongState, match="代发批次"):
        cases.close(made[0], actor=people[0])
    db.session.rollback()
    assert db.session.get(Case, made[0].id).status == "approved"
    _holds(paid="0", committed="200.00" if stage == "draft" else "0.00", at_bank=at_bank)


def test_a_payment_the_bank_made_is_reversed_to_its_case_and_paid_again_once(world, people):
    made = approved_cases(world.budget.unit, 2)
    batch = _sent(made, people)
    batches.answer(batch, [batches.AnswerLine(line.id, "paid") for line in batch.lines], actor=people[0])
    db.session.commit()
    _holds(paid="200.00", committed="0.00", at_bank="0.00")

    payment = db.session.get(Payment, batch.lines[0].payment_id)
    cases.reverse_payment(payment, reason="银行退汇：账户冻结", actor=people[1])
    db.session.commit()
    case = db.session.get(Case, made[0].id)
    assert case.status == "approved"
    _holds(paid="100.00", committed="100.00", at_bank="0.00")

    # The case is paid again in a new batch, its outstanding 100.00, and once only.
    again = _sent([case], people)
    assert again.total == Decimal("100.00")
    _holds(paid="100.00", committed="0.00", at_bank="100.00")
    batches.answer(again, [batches.AnswerLine(again.lines[0].id, "paid")], actor=people[0])
    db.session.commit()
    _holds(paid="200.00", committed="0.00", at_bank="0.00")
    assert db.session.get(Case, made[0].id).status == "paid"
    with pytest.raises(WrongState, match="已红冲"):
        cases.reverse_payment(payment, reason="再冲一次", actor=people[1])
    db.session.rollback()
    count = db.session.execute(
        select(func.count()).select_from(Payment).where(Payment.case_id == made[0].id)
    ).scalar_one()
    assert count == 2
