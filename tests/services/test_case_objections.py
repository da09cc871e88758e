"""Objections to a case on public notice (公示异议): recorded during the notice, settled
upheld or dismissed with a reason by a person; an unsettled one holds the decision, an
upheld one leaves only rejection. And a send-warmth campaign is not approved while a
household in it misses a step its year requires before a decision."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, CaseObjection, Transfer, User
from app.services import cases, policy, registry
from app.services.audit import Actor
from app.services.cases import WrongState
from app.services.cases.decisions import AlreadyDecided, StepMissing, missing, record_investigation
from app.services.cases.objections import AlreadySettled
from app.services.errors import ValidationFailed
from tests.conftest import ACTOR
from tests.registry_helpers import worker_input

DAY = date(2015, 3, 2)
AFTER = DAY + timedelta(days=8)  # the seven days' notice is over


@pytest.fixture
def office(budget_2015, make_user):
    unit = budget_2015.budget.unit
    people = {
        role: db.session.get(User, make_user(role, unit=unit.code).id) for role in ("caseworker", "reviewer")
    }
    actors = {role: Actor.of(user, "10.0.0.5") for role, user in people.items()}
    worker = registry.register(worker_input(1), unit=unit, actor=actors["caseworker"], today=DAY).worker
    fund = next(f for f in budget_2015.funds if f.code == "2015100001")
    policy.set_value(2015, "notice_days", "7", actor=ACTOR)
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
    assert case.status == "notice"
    return {"unit": unit, "actors": actors, "case": case, "fund": fund, "worker": worker}


def _object(office, raised_by="", on=DAY + timedelta(days=1)):
    item = cases.record_objection(
        office["case"],
        received_on=on,
        raised_by=raised_by,
        content="群众反映其家庭另有收入",
        actor=office["actors"]["caseworker"],
        today=on,
    )
    db.session.commit()
    return item


def _settle(office, item, outcome, reason="经入户核实"):
    cases.settle_objection(item, outcome=outcome, reason=reason, actor=office["actors"]["reviewer"])
    db.session.commit()


def _committed() -> int:
    return db.session.execute(select(func.count()).select_from(Transfer)).scalar_one()


def test_an_unsettled_objection_holds_both_approval_and_rejection(office):
    item = _object(office)
    assert office["case"].status == "notice"
    assert missing(office["case"]) == [f"公示期间收到的异议尚未处理：第 {item.id} 号。"]
    before = _committed()
    for decide in (
        lambda: cases.approve(office["case"], actor=office["actors"]["reviewer"], today=AFTER),
        lambda: cases.reject(office["case"], reason="不符", actor=office["actors"]["reviewer"], today=AFTER),
    ):
        with pytest.raises(StepMissing):
            decide()
        db.session.rollback()
    assert (db.session.get(Case, office["case"].id).status, _committed()) == ("notice", before)


def test_a_dismissed_objection_lets_the_case_be_approved(office):
    item = _object(office, raised_by="同车间职工王某")
    _settle(office, item, "dismissed", "经入户核实，无其他收入")
    assert missing(office["case"]) == []
    cases.approve(office["case"], actor=office["actors"]["reviewer"], today=AFTER)
    db.session.commit()
    assert office["case"].status == "approved"
    saved = db.session.get(CaseObjection, item.id)
    assert (saved.raised_by, saved.outcome, saved.settlement_reason) == (
        "同车间职工王某",
        "dismissed",
        "经入户核实，无其他收入",
    )
    assert saved.settled_by_id == office["actors"]["reviewer"].user_id and saved.settled_at is not None
    settle_entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "case.settle")
    ).scalar_one()
    assert settle_entry.actor_id == office["actors"]["reviewer"].user_id
    assert json.loads(settle_entry.details)["new"] == {"objection": item.id, "objection_outcome": "dismissed"}


def test_an_upheld_objection_refuses_approval_but_allows_rejection(office):
    item = _object(office)
    _settle(office, item, "upheld", "核实其配偶有经营收入")
    before = _committed()
    with pytest.raises(StepMissing) as refused:
        cases.approve(office["case"], actor=office["actors"]["reviewer"], today=AFTER)
    assert "异议成立" in refused.value.message
    db.session.rollback()
    assert (db.session.get(Case, office["case"].id).status, _committed()) == ("notice", before)
    cases.reject(office["case"], reason="公示异议成立", actor=office["actors"]["reviewer"], today=AFTER)
    db.session.commit()
    assert office["case"].status == "rejected"
    with pytest.raises(WrongState):  # a decided case is not on notice
        _object(office)
    db.session.rollback()
    with pytest.raises(AlreadyDecided):  # nor are its objections settled again
        cases.settle_objection(item, outcome="dismissed", reason="改判", actor=office["actors"]["reviewer"])
    db.session.rollback()


def test_an_objection_is_recorded_on_notice_within_its_days_and_settled_once(office):
    with pytest.raises(ValidationFailed) as refused:
        _object(office, on=DAY + timedelta(days=8))  # after the notice ended
    assert list(refused.value.errors) == ["received_on"]
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        cases.record_objection(
            office["case"], received_on=None, raised_by="", content=" ", actor=office["actors"]["caseworker"]
        )
    assert set(refused.value.errors) == {"received_on", "content"}
    db.session.rollback()
    item = _object(office)
    with pytest.raises(ValidationFailed) as refused:
        cases.settle_objection(item, outcome="", reason=" ", actor=office["actors"]["reviewer"])
    assert set(refused.value.errors) == {"outcome", "reason"}
    db.session.rollback()
    _settle(office, item, "dismissed")
    with pytest.raises(AlreadySettled):
        _settle(office, item, "upheld")
    db.session.rollback()
    assert db.session.get(CaseObjection, item.id).outcome == "dismissed"


def test_an_objection_to_a_case_not_on_notice_is_refused(office):
    draft = cases.open_case(
        office["worker"], fund=office["fund"], aid_type="education", amount="100", reason="学费", actor=ACTOR
    )
    db.session.commit()
    with pytest.raises(WrongState):
        cases.record_objection(
            draft,
            received_on=DAY,
            raised_by="",
            content="有异议",
            actor=office["actors"]["caseworker"],
            today=DAY,
        )
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(CaseObjection)).scalar_one() == 0


def test_a_campaign_with_a_household_missing_its_investigation_is_not_approved(office):
    policy.set_value(2015, "notice_days", "0", actor=ACTOR)
    second = registry.register(
        worker_input(2, name="李二"), unit=office["unit"], actor=ACTOR, today=DAY
    ).worker
    db.session.commit()
    campaign = cases.plan_campaign(
        fund=office["fund"],
        name="2015年元旦春节送温暖",
        amount_each="500",
        actor=office["actors"]["caseworker"],
    )
    db.session.commit()
    policy.set_value(2015, "require_home_investigation", "是", actor=ACTOR)
    db.session.commit()
    lines = {case.worker.name: case for case in campaign.cases}
    assert set(cases.campaign_blocked_lines(campaign)) == {case.id for case in lines.values()}
    record_investigation(
        lines[second.name],
        visited_on=DAY,
        investigators="张三\n李四",
        findings="属实",
        authorisation_signed=True,
        actor=office["actors"]["caseworker"],
        today=DAY,
    )
    db.session.commit()
    before = _committed()
    with pytest.raises(StepMissing) as refused:
        cases.approve_campaign(campaign, actor=office["actors"]["reviewer"])
    message = refused.value.message
    assert "1 户" in message and office["worker"].name in message and second.name not in message
    db.session.rollback()
    assert _committed() == before
    assert {c.status for c in db.session.get(type(campaign), campaign.id).cases} == {"submitted"}

    # The office cancels the household it cannot investigate in time; the rest is approved.
    cases.cancel(lines[office["worker"].name], reason="未能入户调查", actor=office["actors"]["caseworker"])
    db.session.commit()
    assert cases.campaign_blocked_lines(campaign) == {}
    cases.approve_campaign(campaign, actor=office["actors"]["reviewer"])
    db.session.commit()
    assert campaign.status == "approved"
    assert lines[second.name].status == "approved"
