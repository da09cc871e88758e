"""A case waits for the home investigation (入户调查) and the democratic review (民主评议)
when the year's policy asks for them; both switches are off unless set."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Case, DemocraticReview, HomeInvestigation, User
from app.services import cases, policy, registry
from app.services.audit import Actor
from app.services.cases.decisions import (
    AlreadyDecided,
    StepMissing,
    missing,
    record_investigation,
    record_review,
)
from app.services.errors import InvalidInput, ValidationFailed
from tests.conftest import ACTOR
from tests.registry_helpers import worker_input

DAY = date(2015, 3, 1)


@pytest.fixture
def office(budget_2015, make_user):
    unit = budget_2015.budget.unit
    people = {
        role: db.session.get(User, make_user(role, unit=unit.code).id) for role in ("caseworker", "reviewer")
    }
    actors = {role: Actor.of(user, "10.0.0.5") for role, user in people.items()}
    worker = registry.register(worker_input(1), unit=unit, actor=actors["caseworker"], today=DAY).worker
    fund = next(f for f in budget_2015.funds if f.code == "2015100001")
    case = cases.open_case(
        worker,
        fund=fund,
        aid_type="education",
        amount="1500.00",
        reason="子女上学",
        actor=actors["caseworker"],
    )
    cases.submit(case, actor=actors["caseworker"], today=DAY)
    db.session.commit()
    return {"unit": unit, "actors": actors, "case": case}


def _investigate(office, signed=True, **kw):
    values = {
        "visited_on": DAY,
        "investigators": "张三\n李四",
        "findings": "家中无稳定收入",
        "authorisation_signed": signed,
    }
    values.update(kw)
    item = record_investigation(office["case"], actor=office["actors"]["caseworker"], today=DAY, **values)
    db.session.commit()
    return item


def _review(office, result="agree", **kw):
    values = {"held_on": DAY, "participants": "9", "result": result, "note": ""}
    values.update(kw)
    item = record_review(office["case"], actor=office["actors"]["caseworker"], today=DAY, **values)
    db.session.commit()
    return item


def _approve(office):
    cases.approve(office["case"], actor=office["actors"]["reviewer"], today=DAY)
    db.session.commit()


def test_without_the_switches_a_case_is_decided_as_before(office):
    assert missing(office["case"]) == []
    _approve(office)
    assert office["case"].status == "approved"


def test_a_required_investigation_missing_blocks_approval_and_rejection(office):
    policy.set_value(2015, "require_home_investigation", "是", actor=ACTOR)
    db.session.commit()
    with pytest.raises(StepMissing) as refused:
        cases.approve(office["case"], actor=office["actors"]["reviewer"], today=DAY)
    assert "入户调查" in refused.value.message
    db.session.rollback()
    with pytest.raises(StepMissing):
        cases.reject(office["case"], reason="不符合", actor=office["actors"]["reviewer"], today=DAY)
    db.session.rollback()
    assert db.session.get(Case, office["case"].id).status == "submitted"
    _investigate(office, signed=False)
    with pytest.raises(StepMissing) as refused:
        cases.approve(office["case"], actor=office["actors"]["reviewer"], today=DAY)
    assert "授权书" in refused.value.message
    db.session.rollback()
    _investigate(office, signed=True)
    _approve(office)
    assert office["case"].status == "approved"


def test_a_required_review_must_be_recorded_and_agree_for_approval(office):
    policy.set_value(2015, "require_democratic_review", "是", actor=ACTOR, unit=office["unit"])
    db.session.commit()
    with pytest.raises(StepMissing) as refused:
        _approve(office)
    assert "民主评议" in refused.value.message
    db.session.rollback()
    _review(office, result="disagree")
    with pytest.raises(StepMissing) as refused:
        _approve(office)
    assert "未同意" in refused.value.message
    db.session.rollback()
    cases.reject(office["case"], reason="评议未通过", actor=office["actors"]["reviewer"], today=DAY)
    db.session.commit()
    assert office["case"].status == "rejected"


def test_both_required_the_refusal_names_both_and_then_the_case_is_approved(office):
    policy.set_value(2015, "require_home_investigation", "是", actor=ACTOR)
    policy.set_value(2015, "require_democratic_review", "是", actor=ACTOR)
    db.session.commit()
    with pytest.raises(StepMissing) as refused:
        _approve(office)
    assert "入户调查" in refused.value.message and "民主评议" in refused.value.message
    db.session.rollback()
    _investigate(office)
    _review(office)
    _approve(office)
    assert office["case"].status == "approved"
    actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert {"case.investigation", "case.review"} <= actions


def test_a_switch_set_off_for_a_unit_overrides_the_general_one(office):
    policy.set_value(2015, "require_home_investigation", "是", actor=ACTOR)
    policy.set_value(2015, "require_home_investigation", "否", actor=ACTOR, unit=office["unit"])
    db.session.commit()
    _approve(office)


def test_a_switch_that_is_not_yes_or_no_is_refused():
    with pytest.raises(InvalidInput) as refused:
        policy.set_value(2015, "require_home_investigation", "maybe", actor=ACTOR)
    assert refused.value.field == "value"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"investigators": "张三"}, "investigators"),
        ({"investigators": "张三\n张三"}, "investigators"),
        ({"findings": "  "}, "findings"),
        ({"visited_on": None}, "visited_on"),
        ({"visited_on": date(2015, 3, 2)}, "visited_on"),
        ({"findings": "\x00"}, "findings"),
    ],
)
def test_an_investigation_refused_at_its_field_records_nothing(office, change, field):
    with pytest.raises(ValidationFailed) as refused:
        _investigate(office, **change)
    assert field in refused.value.errors
    db.session.rollback()
    assert db.session.execute(select(HomeInvestigation)).first() is None


def test_investigators_may_be_separated_by_commas(office):
    item = _investigate(office, investigators="张三、李四，王五")
    assert item.names == ["张三", "李四", "王五"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"participants": "0"}, "participants"),
        ({"participants": "九"}, "participants"),
        ({"participants": ""}, "participants"),
        ({"result": "maybe"}, "result"),
        ({"held_on": None}, "held_on"),
    ],
)
def test_a_review_refused_at_its_field_records_nothing(office, change, field):
    with pytest.raises(ValidationFailed) as refused:
        _review(office, **change)
    assert field in refused.value.errors
    db.session.rollback()
    assert db.session.execute(select(DemocraticReview)).first() is None


def test_nothing_is_added_to_a_decided_case(office):
    _approve(office)
    with pytest.raises(AlreadyDecided):
        _investigate(office)
    db.session.rollback()
    with pytest.raises(AlreadyDecided):
        _review(office)
