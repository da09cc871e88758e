"""The fund ledger: a worked year of the hardship fund, and every way to break it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.extensions import db
from app.models import LedgerAccount, Transfer
from app.money import InvalidAmount
from app.services import ledger
from app.services.errors import CommitmentExceeded, FundOverdrawn, NotReversible
from tests.conftest import ACTOR

D = Decimal


def _fund(result, code="2015100001"):
    return next(fund for fund in result.funds if fund.code == code)


def _figures(fund) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    b = ledger.balance(fund)
    assert b.budget == b.paid + b.committed + b.available
    return b.budget, b.paid, b.committed, b.available


def test_a_year_of_the_hardship_fund_step_by_step(budget_2015):
    fund = _fund(budget_2015)
    assert _figures(fund) == (D("300000.00"), D("0.00"), D("0.00"), D("300000.00"))

    # 1 March: a living-assistance case for 3,000.00 is approved.
    living = ledger.commit(fund, "3000.00", memo="生活救助", actor=ACTOR)
    assert _figures(fund) == (D("300000.00"), D("0.00"), D("3000.00"), D("297000.00"))

    # 5 March: finance pays it in two parts.
    first = ledger.pay(living, "1000.00", actor=ACTOR)
    assert _figures(fund) == (D("300000.00"), D("1000.00"), D("2000.00"), D("297000.00"))
    ledger.pay(living, "2000.00", actor=ACTOR)
    assert _figures(fund) == (D("300000.00"), D("3000.00"), D("0.00"), D("297000.00"))
    assert ledger.outstanding_on(living) == D("0.00")

    # The first part went to the wrong account: reversed (红冲), the original stays.
    reversal = ledger.reverse(first, memo="账号错误", actor=ACTOR)
    assert reversal.reverses_id == first.id
    assert _figures(fund) == (D("300000.00"), D("2000.00"), D("1000.00"), D("297000.00"))
    assert ledger.outstanding_on(living) == D("1000.00")
    ledger.pay(living, "1000.00", memo="重新发放", actor=ACTOR)
    assert _figures(fund) == (D("300000.00"), D("3000.00"), D("0.00"), D("297000.00"))

    # A medical case approved for 8,000.00, of which only 5,000.00 is paid; the rest voided.
    medical = ledger.commit(fund, "8000.00", actor=ACTOR)
    ledger.pay(medical, "5000.00", actor=ACTOR)
    released = ledger.release(medical, actor=ACTOR)
    assert released is not None and released.amount == D("3000.00")
    assert _figures(fund) == (D("300000.00"), D("8000.00"), D("0.00"), D("292000.00"))
    assert ledger.release(medical, actor=ACTOR) is None  # nothing left to void

    # Spring Festival: the rest of the fund goes out as direct payments.
    ledger.pay_direct(fund, "292000.00", memo="送温暖", actor=ACTOR)
    assert _figures(fund) == (D("300000.00"), D("300000.00"), D("0.00"), D("0.00"))

    # Nothing left: any further commitment or payment is refused.
    with pytest.raises(FundOverdrawn):
        ledger.commit(fund, "0.01", actor=ACTOR)
    with pytest.raises(FundOverdrawn):
        ledger.pay_direct(fund, "0.01", actor=ACTOR)
    db.session.commit()

    entries = ledger.ledger_entries(fund)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[-1].available_after == D("0.00")
    assert entries[-1].paid_after == D("300000.00")


def test_overdraw_is_refused_with_the_available_amount_named(budget_2015):
    fund = _fund(budget_2015, "2015100002")
    ledger.pay_direct(fund, "22800.00", actor=ACTOR)
    with pytest.raises(FundOverdrawn) as refused:
        ledger.commit(fund, "500.00", actor=ACTOR)
    assert "¥200.00" in refused.value.message
    assert _figures(fund) == (D("23000.00"), D("22800.00"), D("0.00"), D("200.00"))


def test_a_commitment_cannot_be_overpaid_or_over_released(budget_2015):
    fund = _fund(budget_2015)
    case = ledger.commit(fund, "1000.00", actor=ACTOR)
    ledger.pay(case, "600.00", actor=ACTOR)
    with pytest.raises(CommitmentExceeded):
        ledger.pay(case, "400.01", actor=ACTOR)
    with pytest.raises(CommitmentExceeded):
        ledger.release(case, "500.00", actor=ACTOR)
    # Another case's commitment does not make this one payable beyond its own.
    ledger.commit(fund, "5000.00", actor=ACTOR)
    with pytest.raises(CommitmentExceeded):
        ledger.pay(case, "500.00", actor=ACTOR)
    assert ledger.outstanding_on(case) == D("400.00")


def test_reversal_rules(budget_2015):
    fund = _fund(budget_2015)
    allocation = ledger.ledger_entries(fund)[0]
    with pytest.raises(NotReversible):
        ledger.reverse(allocation, memo="x", actor=ACTOR)
    payment = ledger.pay_direct(fund, "100.00", actor=ACTOR)
    reversal = ledger.reverse(payment, memo="误付", actor=ACTOR)
    with pytest.raises(NotReversible):
        ledger.reverse(payment, memo="again", actor=ACTOR)
    with pytest.raises(NotReversible):
        ledger.reverse(reversal, memo="reverse the reversal", actor=ACTOR)
    commitment = ledger.commit(fund, "50.00", actor=ACTOR)
    with pytest.raises(NotReversible):
        ledger.reverse(commitment, memo="use a release", actor=ACTOR)
    assert _figures(fund) == (D("300000.00"), D("0.00"), D("50.00"), D("299950.00"))


@pytest.mark.parametrize("amount", [12.5, 0.1, "0", "-5", "12.345", "1e3", "NaN", True])
def test_no_float_or_non_positive_amount_reaches_the_ledger(budget_2015, amount):
    fund = _fund(budget_2015)
    before = db.session.execute(select(func.count()).select_from(Transfer)).scalar_one()
    with pytest.raises(InvalidAmount):
        ledger.pay_direct(fund, amount, actor=ACTOR)
    after = db.session.execute(select(func.count()).select_from(Transfer)).scalar_one()
    assert before == after


def test_the_column_type_refuses_a_float(budget_2015):
    account = db.session.execute(select(LedgerAccount)).scalars().first()
    account.balance = 1.5  # a float, smuggled past the services
    with pytest.raises(Exception, match="exact"):
        db.session.flush()


def test_the_database_refuses_an_overdrawn_account(budget_2015):
    fund = _fund(budget_2015)
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(LedgerAccount)
            .where(LedgerAccount.fund_id == fund.id, LedgerAccount.kind == "available")
            .values(balance=D("-0.01"))
        )


@pytest.mark.parametrize(
    "statement", ["UPDATE ledger_transfers SET amount = 1", "DELETE FROM ledger_transfers"]
)
def test_ledger_entries_cannot_be_edited_or_deleted(budget_2015, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Transfer)).scalar_one() == 2


def test_all_accounts_sum_to_zero_and_match_the_entries(budget_2015):
    fund = _fund(budget_2015)
    case = ledger.commit(fund, "700.00", actor=ACTOR)
    ledger.pay(case, "300.00", actor=ACTOR)
    ledger.reverse(ledger.pay_direct(fund, "99.99", actor=ACTOR), memo="x", actor=ACTOR)
    accounts = db.session.execute(select(LedgerAccount)).scalars().all()
    assert sum(a.balance for a in accounts) == D("0.00")
    for account in accounts:
        debits = db.session.execute(
            select(func.sum(Transfer.amount)).where(Transfer.debit_account_id == account.id)
        ).scalar_one() or D(0)
        credits = db.session.execute(
            select(func.sum(Transfer.amount)).where(Transfer.credit_account_id == account.id)
        ).scalar_one() or D(0)
        assert account.balance == debits - credits
