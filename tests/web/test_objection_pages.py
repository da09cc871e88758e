"""Objections to the public notice (公示异议) on the case's page: recorded by the caseworker,
listed with what they hold up, settled by the reviewer with a reason, refused at the
field with nothing typed lost; and the campaign page naming the households whose required
steps are missing."""

from __future__ import annotations

import re
from datetime import date, timedelta

from app.extensions import db
from app.models import Case, CaseObjection
from app.services import cases, policy
from tests.conftest import ACTOR

TODAY = date.today()


def _error(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', page)
    assert found, field_id
    return found.group(1)


def _on_notice() -> Case:
    policy.set_value(2015, "notice_days", "7", actor=ACTOR)
    case = db.session.get(Case, 1)
    cases.submit(case, actor=ACTOR)
    db.session.commit()
    return case


def test_an_objection_is_recorded_listed_and_holds_up_the_decision_until_settled(client, auth, world):
    case = _on_notice()
    auth.login("caseworker")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "公示异议" in page and "尚未收到异议。" in page
    made = client.post(
        f"/cases/{case.id}/objection",
        data={"received_on": TODAY.isoformat(), "raised_by": "", "content": "群众反映其家庭另有收入"},
        follow_redirects=True,
    )
    page = made.get_data(as_text=True)
    assert "异议已登记" in page
    objection = db.session.query(CaseObjection).one()
    assert "匿名" in page and "群众反映其家庭另有收入" in page and "尚未处理" in page
    assert f"公示期间收到的异议尚未处理：第 {objection.id} 号。" in page  # what holds the decision

    auth.logout()
    auth.login("reviewer")
    refused = client.post(f"/objections/{objection.id}/settle", data={"outcome": "dismissed", "reason": " "})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert _error(page, f"reason-{objection.id}") == "请填写异议成立或不成立的理由。"
    assert '<option selected value="dismissed">' in page  # the outcome chosen is kept
    db.session.expire_all()
    assert db.session.get(CaseObjection, objection.id).outcome is None

    done = client.post(
        f"/objections/{objection.id}/settle",
        data={"outcome": "dismissed", "reason": "经入户核实，无其他收入"},
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert "异议已处理。" in page and "异议不成立" in page and "经入户核实，无其他收入" in page
    assert "异议尚未处理" not in page
    assert f"第 {objection.id} 号异议：异议不成立。" in page  # on the timeline


def test_an_objection_dated_outside_the_notice_is_refused_at_its_date_keeping_the_text(client, auth, world):
    case = _on_notice()
    auth.login("caseworker")
    early = (TODAY - timedelta(days=3)).isoformat()
    refused = client.post(
        f"/cases/{case.id}/objection",
        data={"received_on": early, "raised_by": "王某", "content": "反映其有房出租"},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert _error(page, "objection-date").startswith("异议须在公示期内收到")
    assert "反映其有房出租" in page and 'value="王某"' in page
    assert db.session.query(CaseObjection).count() == 0


def test_an_upheld_objection_refuses_approval_on_the_page(client, auth, world):
    case = _on_notice()
    objection = cases.record_objection(case, received_on=TODAY, raised_by="", content="另有收入", actor=ACTOR)
    cases.settle_objection(objection, outcome="upheld", reason="核实属实", actor=ACTOR)
    case.notice_start, case.notice_end = TODAY - timedelta(days=8), TODAY - timedelta(days=1)  # a week on
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "公示期间的异议成立：本申请不能批准" in page
    refused = client.post(f"/cases/{case.id}/approve", data={"amount": "1000.00", "note": ""})
    assert refused.status_code == 422
    assert "公示期间的异议成立" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "notice"
    rejected = client.post(f"/cases/{case.id}/reject", data={"note": "公示异议成立"})
    assert rejected.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "rejected"


def test_the_campaign_page_names_the_households_missing_a_required_step(client, auth, world):
    fund = next(f for f in world.funds if f.code == "2015100001")
    campaign = cases.plan_campaign(fund=fund, name="2015年元旦春节送温暖", amount_each="500", actor=ACTOR)
    policy.set_value(2015, "require_home_investigation", "是", actor=ACTOR)
    db.session.commit()
    auth.login("reviewer")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "送温暖活动整体一次审批" in page and "尚未登记入户调查。" in page
    refused = client.post(f"/campaigns/{campaign.id}/approve", data={"confirmed": "1"}, follow_redirects=True)
    assert "送温暖活动不能审批：有 1 户缺少审批前必经的环节" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert {c.status for c in db.session.get(type(campaign), campaign.id).cases} == {"submitted"}


def test_the_printed_notice_list_counts_the_objections_received(client, auth, world):
    case = _on_notice()
    for content in ("另有收入", "有房出租"):
        cases.record_objection(case, received_on=TODAY, raised_by="", content=content, actor=ACTOR)
    db.session.commit()
    auth.login("caseworker")
    page = client.get("/cases/notice-list?year=2015").get_data(as_text=True)
    assert "已收异议（件）" in page
    row = re.search(r"<tr><td>1</td>.*?</tr>", page, re.S)
    assert row and '<td class="num">2</td>' in row.group(0)
    assert "另有收入" not in page  # what an objection says stays in the office
