"""结账: a unit's month or year closed. Nothing moves money dated in a closed period —
through the services, the API and the command line alike — a correction goes into an
open period and names what it corrects, reopening takes an administrator and a second
person, and a closed period's money is checked against its digest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Case, Payment
from app.services import cases, ledger, periods, units
from app.services.errors import InvalidInput
from app.services.four_eyes import FourEyesViolation
from tests.batch_helpers import approved_cases, fund, person
from tests.services.test_reconciliation import _behind_the_apps_back


@pytest.fixture
def people(world, make_user):
    return {
        "finance": person(make_user("finance", "cashier", unit="711002")),
        "admin": person(make_user("admin", "chief-admin", unit="711002")),
        "admin2": person(make_user("admin", "deputy-admin", unit="711002")),
    }


def _pay(case: Case, day: date, actor, voucher: str) -> Payment:
    return cases.pay(case, amount="40", voucher_no=voucher, paid_on=day, method="cash", actor=actor)


def _unit():
    return units.find_unit("711002")


def test_a_closed_month_takes_no_payment_dated_in_it_and_a_correction_goes_into_an_open_one(world, people):
    made = approved_cases(world.budget.unit, 2)
    march = _pay(made[0], date(2015, 3, 10), people["finance"], "V-0310")
    db.session.commit()
    closing = periods.close(_unit(), 2015, month=3, actor=people["finance"])
    db.session.commit()
    assert closing.status == "closed" and len(closing.digest) == 64

    with pytest.raises(periods.PeriodClosed, match="2015 年 03 月"):
        _pay(made[1], date(2015, 3, 31), people["finance"], "V-0331")
    db.session.rollback()
    with pytest.raises(periods.PeriodClosed):
        cases.reverse_payment(
            march, reason="金额有误", reversed_on=date(2015, 3, 20), actor=people["finance"]
        )
    db.session.rollback()
    # The same corrections dated in April, an open month, go through; the reversal names March's.
    _pay(made[1], date(2015, 4, 1), people["finance"], "V-0401")
    reversal = cases.reverse_payment(
        march, reason="金额有误", reversed_on=date(2015, 4, 2), actor=people["finance"]
    )
    db.session.commit()
    assert reversal.payment_id == march.id and reversal.reversed_on == date(2015, 4, 2)
    assert periods.verify() == []
    balance = ledger.balance(fund())
    assert balance.budget == balance.paid + balance.committed + balance.at_bank + balance.available


def test_a_closed_month_is_closed_once_and_a_month_not_over_cannot_be_closed(world, people):
    periods.close(_unit(), 2015, month=5, actor=people["finance"])
    db.session.commit()
    with pytest.raises(periods.PeriodClosed, match="已经结账"):
        periods.close(_unit(), 2015, month=5, actor=people["finance"])
    db.session.rollback()
    today = periods.today()
    from app.models import FiscalYear

    if db.session.get(FiscalYear, today.year) is None:
        db.session.add(FiscalYear(year=today.year))
        db.session.commit()
    with pytest.raises(periods.CloseRefused):
        periods.close(_unit(), today.year, month=today.month, actor=people["finance"])
    db.session.rollback()


def test_reopening_takes_an_administrator_and_a_second_person(world, people):
    made = approved_cases(world.budget.unit, 1)
    closing = periods.close(_unit(), 2015, month=6, actor=people["finance"])
    db.session.commit()
    with pytest.raises(InvalidInput, match="重新开账的原因"):
        periods.request_reopen(closing, reason="  ", actor=people["admin"])
    db.session.rollback()
    periods.request_reopen(closing, reason="漏记一笔6月发放", actor=people["admin"])
    db.session.commit()
    # Still closed while the reopening waits.
    with pytest.raises(periods.PeriodClosed):
        _pay(made[0], date(2015, 6, 15), people["finance"], "V-0615")
    db.session.rollback()
    with pytest.raises(FourEyesViolation):
        periods.approve_reopen(closing, actor=people["admin"])
    db.session.rollback()
    periods.approve_reopen(closing, actor=people["admin2"])
    db.session.commit()
    assert _pay(made[0], date(2015, 6, 15), people["finance"], "V-0615").amount == Decimal("40.00")
    db.session.commit()


def test_the_year_closes_only_when_no_case_holds_money_and_then_nothing_moves(world, people):
    made = approved_cases(world.budget.unit, 1)
    with pytest.raises(periods.CloseRefused, match=str(made[0].id)):
        periods.close(_unit(), 2015, actor=people["finance"])
    db.session.rollback()
    cases.pay(
        made[0],
        amount="100",
        voucher_no="V-Y",
        paid_on=date(2015, 12, 1),
        method="cash",
        actor=people["finance"],
    )
    db.session.commit()
    periods.close(_unit(), 2015, actor=people["finance"])
    db.session.commit()
    # A commitment today for a 2015 case is money of the closed year.
    case = db.session.get(Case, 1)  # the world's draft case
    cases.submit(case, actor=people["finance"])
    db.session.commit()
    from tests.conftest import ACTOR

    with pytest.raises(periods.PeriodClosed, match="2015"):
        cases.approve(case, actor=ACTOR)
    db.session.rollback()
    assert periods.verify() == []


def test_a_closed_periods_money_changed_behind_the_books_is_found(app, world, people, is_postgres):
    made = approved_cases(world.budget.unit, 1)
    payment = _pay(made[0], date(2015, 7, 3), people["finance"], "V-0703")
    db.session.commit()
    periods.close(_unit(), 2015, month=7, actor=people["finance"])
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["books", "verify"]).exit_code == 0
    _behind_the_apps_back(is_postgres, f"UPDATE payments SET voucher_no = 'V-FORGED' WHERE id = {payment.id}")
    assert len(periods.verify()) == 1
    result = app.test_cli_runner().invoke(args=["books", "verify"])
    assert result.exit_code == 1 and "2015 年 07 月" in result.output
