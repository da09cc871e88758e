"""One decision, one commitment: the database refuses a second commitment for a case, and
reconciliation finds a commitment that belongs to no approved case (what four
simultaneous approvals left behind before decisions were taken under the case's lock)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Case, Fund
from app.services import cases, ledger, reconciliation
from tests.conftest import ACTOR


@pytest.fixture
def approved(world) -> Case:
    case = db.session.get(Case, 1)
    cases.submit(case, actor=ACTOR)
    cases.approve(case, actor=ACTOR)
    db.session.commit()
    return case


def _problems(check: str) -> list[str]:
    result = reconciliation.reconcile(2015)
    fund = next(f for f in result.funds if f.fund.code == "2015100001")
    return next(c.problems for c in fund.checks if c.key == check)


def test_a_second_commitment_for_one_case_is_refused_by_the_database(approved):
    with pytest.raises(IntegrityError):
        ledger.commit(approved.fund, "1000.00", case_id=approved.id, actor=ACTOR)
    db.session.rollback()
    assert ledger.balance(approved.fund).committed == Decimal("1000.00")


def test_reconciliation_names_a_commitment_that_no_case_holds(approved):
    assert _problems("commitments") == []
    fund = db.session.execute(select(Fund).where(Fund.code == "2015100001")).scalar_one()
    stray = ledger.commit(fund, "1000.00", actor=ACTOR)  # what a lost race used to leave
    db.session.commit()
    problems = _problems("commitments")
    assert any(f"第 {stray.seq} 笔分录" in p and "不属于任何已批准的申请" in p for p in problems), problems
    assert any("已占用 ¥2,000.00" in p and "待发放 ¥1,000.00" in p for p in problems), problems
    assert not reconciliation.reconcile(2015).ok


def test_the_committed_total_follows_payments_reversals_and_closing(approved):
    from datetime import date

    payment = cases.pay(
        approved, amount="400.00", voucher_no="V1", paid_on=date(2015, 3, 1), method="cash", actor=ACTOR
    )
    assert _problems("commitments") == []
    cases.reverse_payment(payment, reason="错付", actor=ACTOR)
    assert _problems("commitments") == []
    cases.close(approved, actor=ACTOR)
    db.session.commit()
    assert _problems("commitments") == []
    assert ledger.balance(approved.fund).committed == Decimal("0.00")
