"""What a decision rests on, through the API: home investigations (入户调查), democratic
reviews (民主评议), objections to the public notice (公示异议) and their settling, and the
out-of-pocket amount (自付) that caps medical aid. Each refusal changes nothing; another
unit's case or objection is a 404."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, CaseObjection, DemocraticReview, HomeInvestigation, User
from app.services import policy, units
from app.services import users as user_service
from tests.api.test_api import API
from tests.conftest import ACTOR

TODAY = date.today()
INVESTIGATION = {
    "date": TODAY.isoformat(),
    "investigators": ["张三", "李四"],
    "findings": "家中无稳定收入，妻子长期患病",
    "authorisation_signed": True,
}
REVIEW = {"date": TODAY.isoformat(), "participants": 9, "result": "agree", "note": "一致同意"}
OBJECTION = {"date": TODAY.isoformat(), "raised_by": "", "content": "群众反映其家庭另有收入"}
MEDICAL = {
    "applicant_id": 1,
    "fund_code": "2015100001",
    "aid_type": "medical",
    "amount": "800.00",
    "reason": "住院自付部分",
    "year": 2015,
}


def _counts() -> tuple[int, ...]:
    db.session.expire_all()
    changes = select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "step.refused")
    models = (HomeInvestigation, DemocraticReview, CaseObjection, Case)
    rows = [select(func.count()).select_from(m) for m in models]
    return tuple(db.session.execute(query).scalar_one() for query in [*rows, changes])


def _on_notice(client, headers) -> int:
    """Case No. 1 submitted in a year with a seven-day public notice."""
    policy.set_value(2015, "notice_days", "7", actor=ACTOR)
    db.session.commit()
    response = client.post(f"{API}/cases/1/submit", headers=headers)
    assert response.get_json()["status"] == "notice"
    return 1


def _notice_over(case_id: int) -> None:
    """A week passes: the notice period ends (the case stays on notice until decided)."""
    case = db.session.get(Case, case_id)
    case.notice_start = TODAY - timedelta(days=8)
    case.notice_end = TODAY - timedelta(days=1)
    db.session.commit()


def test_investigation_and_review_are_recorded_and_the_case_says_what_is_missing(client, world, token):
    caseworker = token("caseworker")
    policy.set_value(2015, "require_home_investigation", "是", actor=ACTOR)
    policy.set_value(2015, "require_democratic_review", "是", actor=ACTOR)
    db.session.commit()
    shown = client.get(f"{API}/cases/1", headers=caseworker).get_json()
    assert shown["required"] == {"investigation": True, "review": True}
    assert shown["missing"] == ["尚未登记入户调查。", "尚未登记民主评议。"]

    made = client.post(f"{API}/cases/1/investigations", json=INVESTIGATION, headers=caseworker)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["investigators"] == ["张三", "李四"]
    assert made.get_json()["authorisation_signed"] is True
    reviewed = client.post(f"{API}/cases/1/reviews", json=REVIEW, headers=caseworker)
    assert reviewed.status_code == 201, reviewed.get_json()
    assert reviewed.get_json()["result"] == "agree"

    shown = client.get(f"{API}/cases/1", headers=caseworker).get_json()
    assert shown["missing"] == []
    assert [i["findings"] for i in shown["investigations"]] == ["家中无稳定收入，妻子长期患病"]
    assert [(r["participants"], r["note"]) for r in shown["reviews"]] == [(9, "一致同意")]
    assert client.post(f"{API}/cases/1/submit", headers=caseworker).status_code == 200
    approved = client.post(f"{API}/cases/1/approve", json={}, headers=token("reviewer"))
    assert approved.status_code == 200, approved.get_json()


def test_an_investigation_with_one_investigator_is_a_422_at_the_field(client, world, token):
    caseworker = token("caseworker")
    before = _counts()
    for names in (["张三"], ["张三", "张三"], []):
        response = client.post(
            f"{API}/cases/1/investigations",
            json={**INVESTIGATION, "investigators": names},
            headers=caseworker,
        )
        assert response.status_code == 422, names
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["errors"]["investigators"] == ["请填写至少两名调查人，每行一名。"]
    future = {**INVESTIGATION, "date": (TODAY + timedelta(days=1)).isoformat()}
    response = client.post(f"{API}/cases/1/investigations", json=future, headers=caseworker)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["date"]
    assert _counts() == before


def test_a_review_without_a_result_or_participants_is_a_422(client, world, token):
    caseworker = token("caseworker")
    before = _counts()
    for bad in ({"result": "maybe"}, {"participants": 0}, {"participants": "9"}):
        response = client.post(f"{API}/cases/1/reviews", json={**REVIEW, **bad}, headers=caseworker)
        assert response.status_code == 422, bad
    assert _counts() == before


def test_an_unsettled_objection_holds_up_the_decision_until_dismissed(client, world, token):
    caseworker, reviewer = token("caseworker"), token("reviewer")
    case_id = _on_notice(client, caseworker)
    made = client.post(f"{API}/cases/{case_id}/objections", json=OBJECTION, headers=caseworker)
    assert made.status_code == 201, made.get_json()
    objection = made.get_json()
    assert (objection["raised_by"], objection["outcome"]) == (None, None)  # anonymous, open
    _notice_over(case_id)

    before = _counts()
    refused = client.post(f"{API}/cases/{case_id}/approve", json={}, headers=reviewer)
    assert refused.status_code == 409
    assert f"异议尚未处理：第 {objection['id']} 号" in refused.get_json()["detail"]
    assert (
        client.post(f"{API}/cases/{case_id}/reject", json={"reason": "不符"}, headers=reviewer).status_code
        == 409
    )
    assert _counts() == before
    assert db.session.get(Case, case_id).status == "notice"
    shown = client.get(f"{API}/cases/{case_id}", headers=reviewer).get_json()
    assert shown["missing"] == [refused.get_json()["detail"]]

    settled = client.post(
        f"{API}/objections/{objection['id']}/settle",
        json={"outcome": "dismissed", "reason": "经入户核实，无其他收入"},
        headers=reviewer,
    )
    assert settled.status_code == 200, settled.get_json()
    assert settled.get_json()["outcome"] == "dismissed"
    assert settled.get_json()["settlement_reason"] == "经入户核实，无其他收入"
    again = client.post(
        f"{API}/objections/{objection['id']}/settle",
        json={"outcome": "upheld", "reason": "改判"},
        headers=reviewer,
    )
    assert again.status_code == 409  # settled once
    approved = client.post(f"{API}/cases/{case_id}/approve", json={}, headers=reviewer)
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "approved"
    actions = db.session.execute(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "case", AuditEntry.object_id == str(case_id)
        )
    ).scalars()
    assert {"case.object", "case.settle"} <= set(actions)


def test_an_upheld_objection_leaves_only_rejection(client, world, token):
    caseworker, reviewer = token("caseworker"), token("reviewer")
    case_id = _on_notice(client, caseworker)
    objection = client.post(
        f"{API}/cases/{case_id}/objections",
        json={**OBJECTION, "raised_by": "同车间职工王某"},
        headers=caseworker,
    ).get_json()
    assert objection["raised_by"] == "同车间职工王某"
    settled = client.post(
        f"{API}/objections/{objection['id']}/settle",
        json={"outcome": "upheld", "reason": "核实其配偶有经营收入"},
        headers=reviewer,
    )
    assert settled.status_code == 200
    _notice_over(case_id)
    before = _counts()
    refused = client.post(f"{API}/cases/{case_id}/approve", json={}, headers=reviewer)
    assert refused.status_code == 409
    assert "异议成立" in refused.get_json()["detail"]
    assert _counts() == before
    rejected = client.post(f"{API}/cases/{case_id}/reject", json={"reason": "异议成立"}, headers=reviewer)
    assert rejected.status_code == 200, rejected.get_json()
    assert rejected.get_json()["status"] == "rejected"


def test_an_objection_is_recorded_only_during_the_notice_and_settled_with_a_reason(client, world, token):
    caseworker, reviewer = token("caseworker"), token("reviewer")
    before = _counts()
    not_on_notice = client.post(f"{API}/cases/1/objections", json=OBJECTION, headers=caseworker)
    assert not_on_notice.status_code == 409  # a draft is not on notice
    case_id = _on_notice(client, caseworker)
    before = _counts()
    early = {**OBJECTION, "date": (TODAY - timedelta(days=1)).isoformat()}
    response = client.post(f"{API}/cases/{case_id}/objections", json=early, headers=caseworker)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["date"]
    blank = client.post(
        f"{API}/cases/{case_id}/objections", json={**OBJECTION, "content": " "}, headers=caseworker
    )
    assert blank.status_code == 422
    assert _counts() == before
    objection = client.post(
        f"{API}/cases/{case_id}/objections", json=OBJECTION, headers=caseworker
    ).get_json()
    for bad in ({"outcome": "upheld", "reason": " "}, {"outcome": "maybe", "reason": "理由"}):
        response = client.post(f"{API}/objections/{objection['id']}/settle", json=bad, headers=reviewer)
        assert response.status_code == 422, bad
    forbidden = client.post(
        f"{API}/objections/{objection['id']}/settle",
        json={"outcome": "dismissed", "reason": "理由"},
        headers=caseworker,
    )
    assert forbidden.status_code == 403
    assert db.session.get(CaseObjection, objection["id"]).outcome is None


def test_out_of_pocket_caps_medical_aid_at_the_fen(client, world, token):
    caseworker = token("caseworker")
    before = _counts()
    over = client.post(f"{API}/cases", json={**MEDICAL, "out_of_pocket": "799.99"}, headers=caseworker)
    assert over.status_code == 409, over.get_json()
    assert list(over.get_json()["errors"]) == ["amount"]
    assert "0.01" in over.get_json()["detail"]
    assert _counts() == before
    for bad in ("0", "0.00", "1e3", "-5", "12.345", " 100", "1,000", 799.99):
        response = client.post(f"{API}/cases", json={**MEDICAL, "out_of_pocket": bad}, headers=caseworker)
        assert response.status_code == 422, bad
        assert list(response.get_json()["errors"]) == ["out_of_pocket"], bad
    assert _counts() == before
    equal = client.post(f"{API}/cases", json={**MEDICAL, "out_of_pocket": "800.00"}, headers=caseworker)
    assert equal.status_code == 201, equal.get_json()
    shown = client.get(f"{API}/cases/{equal.get_json()['id']}", headers=caseworker).get_json()
    assert shown["out_of_pocket"] == "800.00"
    assert db.session.get(Case, equal.get_json()["id"]).out_of_pocket == 800


def test_another_units_case_and_objection_are_404_and_nothing_changes(client, world, token):
    caseworker = token("caseworker")
    case_id = _on_notice(client, caseworker)
    objection = client.post(
        f"{API}/cases/{case_id}/objections", json=OBJECTION, headers=caseworker
    ).get_json()
    units.create_unit("130702", "桥东区总工会", None, actor=ACTOR)
    db.session.commit()
    other = {}
    for role in ("caseworker", "reviewer"):
        user, _password = user_service.create_user(f"east-{role}", role, "130702", actor=ACTOR)
        db.session.commit()
        other[role] = {
            "Authorization": f"Bearer {user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)}"
        }
        db.session.commit()
    before = _counts()
    for path, payload, role in (
        (f"/cases/{case_id}/investigations", INVESTIGATION, "caseworker"),
        (f"/cases/{case_id}/reviews", REVIEW, "caseworker"),
        (f"/cases/{case_id}/objections", OBJECTION, "caseworker"),
        (f"/objections/{objection['id']}/settle", {"outcome": "upheld", "reason": "成立"}, "reviewer"),
        ("/objections/999999/settle", {"outcome": "upheld", "reason": "成立"}, "reviewer"),
    ):
        response = client.post(f"{API}{path}", json=payload, headers=other[role])
        assert response.status_code == 404, path
    assert client.get(f"{API}/cases/{case_id}", headers=other["caseworker"]).status_code == 404
    assert _counts() == before
    assert db.session.get(CaseObjection, objection["id"]).outcome is None
