"""The caps of the 2015 rules, to the fen: living aid per household and year at most the
minimum living line × 12 × household size (a policy value may lower it), medical aid at
most the out-of-pocket amount entered on the case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import User
from app.services import cases, policy, registry
from app.services.audit import Actor
from app.services.cases.caps import CapExceeded, living_granted
from app.services.errors import ValidationFailed
from tests.conftest import ACTOR
from tests.registry_helpers import worker_input

D = Decimal
DAY = date(2015, 3, 1)
CAP = D("20880.00")  # 580.00 × 12 × 3 people


@pytest.fixture
def office(budget_2015, make_user):
    unit = budget_2015.budget.unit
    people = {
        role: db.session.get(User, make_user(role, unit=unit.code).id) for role in ("caseworker", "reviewer")
    }
    actors = {role: Actor.of(user, "10.0.0.5") for role, user in people.items()}
    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    worker = registry.register(worker_input(1), unit=unit, actor=actors["caseworker"], today=DAY).worker
    fund = next(f for f in budget_2015.funds if f.code == "2015100001")
    db.session.commit()
    return {"worker": worker, "actors": actors, "fund": fund, "unit": unit}


def _open(office, amount, aid_type="living", **kw):
    return cases.open_case(
        office["worker"],
        fund=office["fund"],
        aid_type=aid_type,
        amount=amount,
        reason="生活困难",
        actor=office["actors"]["caseworker"],
        **kw,
    )


def _decide(office, case, amount=None):
    cases.submit(case, actor=office["actors"]["caseworker"], today=DAY)
    cases.approve(case, amount=amount, actor=office["actors"]["reviewer"], today=DAY)
    db.session.commit()


def test_living_aid_reaches_the_cap_exactly_and_one_fen_more_is_refused_at_opening(office):
    _decide(office, _open(office, "20000.00"))
    _decide(office, _open(office, "880.00"))  # exactly 20,880.00: allowed
    assert living_granted(office["worker"].id, 2015) == CAP
    with pytest.raises(CapExceeded) as refused:
        _open(office, "0.01")
    assert refused.value.field == "amount"
    message = refused.value.message
    assert "¥20,880.00" in message and "¥580.00" in message and "3" in message
    assert "¥0.00" in message  # what is left


def test_the_cap_is_checked_again_at_approval_with_what_is_left(office):
    first = _open(office, "20000.00")
    second = _open(office, "880.01")  # fits when opened: nothing is granted yet
    _decide(office, first)
    cases.submit(second, actor=office["actors"]["caseworker"], today=DAY)
    db.session.commit()
    with pytest.raises(CapExceeded) as refused:
        cases.approve(second, actor=office["actors"]["reviewer"], today=DAY)
    assert refused.value.field == "amount"
    assert "¥20,000.00" in refused.value.message and "¥880.00" in refused.value.message
    db.session.rollback()
    assert db.session.get(type(second), second.id).status == "submitted"
    cases.approve(second, amount="880.00", actor=office["actors"]["reviewer"], today=DAY)  # the rest, exactly
    db.session.commit()
    assert living_granted(office["worker"].id, 2015) == CAP


def test_a_policy_value_lowers_the_cap(office):
    policy.set_value(2015, "living_aid_cap_per_household", "10000", actor=ACTOR)
    with pytest.raises(CapExceeded) as refused:
        _open(office, "10000.01")
    assert "¥10,000.00" in refused.value.message
    _decide(office, _open(office, "10000.00"))


def test_a_higher_policy_value_does_not_raise_the_cap(office):
    policy.set_value(2015, "living_aid_cap_per_household", "50000", actor=ACTOR)
    with pytest.raises(CapExceeded):
        _open(office, "20880.01")
    _open(office, "20880.00")


def test_rejected_cancelled_and_undecided_cases_count_nothing_a_closed_one_what_was_paid(office):
    a = office["actors"]
    rejected = _open(office, "20000.00")
    cases.submit(rejected, actor=a["caseworker"], today=DAY)
    cases.reject(rejected, reason="不符合条件", actor=a["reviewer"], today=DAY)
    cancelled = _open(office, "20000.00")
    cases.cancel(cancelled, reason="撤回", actor=a["caseworker"])
    _open(office, "20000.00")  # a draft
    assert living_granted(office["worker"].id, 2015) == D("0.00")
    closed = _open(office, "20000.00")
    _decide(office, closed)
    cases.close(closed, actor=a["reviewer"])  # nothing paid: the commitment is released
    db.session.commit()
    assert living_granted(office["worker"].id, 2015) == D("0.00")
    _open(office, "20880.00")


def test_other_forms_of_aid_do_not_count_towards_the_living_cap(office):
    _decide(office, _open(office, "20880.00"))
    _open(office, "5000.00", aid_type="education")


def test_medical_aid_is_at_most_the_out_of_pocket_amount_to_the_fen(office):
    with pytest.raises(CapExceeded) as refused:
        _open(office, "1200.01", aid_type="medical", out_of_pocket="1200.00")
    assert refused.value.field == "amount"
    assert "¥1,200.00" in refused.value.message and "¥0.01" in refused.value.message
    case = _open(office, "1200.00", aid_type="medical", out_of_pocket="1,200.00")
    assert case.out_of_pocket == D("1200.00")
    _decide(office, case)
    assert case.approved_amount == D("1200.00")


@pytest.mark.parametrize("typed", ["0", "-5", "abc", "1.001"])
def test_an_out_of_pocket_amount_that_is_not_money_is_refused_at_its_field(office, typed):
    with pytest.raises(ValidationFailed) as refused:
        _open(office, "100.00", aid_type="medical", out_of_pocket=typed)
    assert list(refused.value.errors) == ["out_of_pocket"]
