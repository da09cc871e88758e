"""The case pages as a person sees them: the caps of the rules at the amount field, the
home investigation and democratic review required before a decision, refused at the
field with nothing typed lost."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Case, DemocraticReview, HomeInvestigation
from app.services import cases, policy
from tests.conftest import ACTOR


def _fund(world):
    return next(f for f in world.funds if f.code == "2015100001")


def _error(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', page)
    assert found, field_id
    return found.group(1)


def _new(client, world, **typed):
    data = {"fund_code": str(_fund(world).id), "aid_type": "living", "amount": "100", "reason": "生活困难"}
    return client.post("/workers/1/cases/new", data={**data, **typed})


def test_the_new_case_form_refuses_one_fen_over_the_living_cap_at_the_amount(client, auth, world):
    auth.login("caseworker", "cw")
    response = _new(client, world, amount="20880.01")
    page = response.get_data(as_text=True)
    message = _error(page, "amount")
    assert "¥20,880.00" in message and "最低生活保障线 ¥580.00 × 12 个月 × 3 人" in message
    assert "尚余 ¥20,880.00" in message
    assert 'value="20880.01"' in page  # what was typed is kept
    assert db.session.execute(select(Case).where(Case.requested_amount > 20000)).first() is None
    assert _new(client, world, amount="20880.00").status_code == 302  # exactly the cap


def test_medical_aid_asks_for_the_out_of_pocket_amount_and_is_capped_by_it(client, auth, world):
    auth.login("caseworker", "cw")
    page = _new(client, world, aid_type="medical", amount="1200.01").get_data(as_text=True)
    assert "请按证明材料填写患者个人自付金额" in _error(page, "out_of_pocket")
    page = _new(client, world, aid_type="medical", amount="1200.01", out_of_pocket="1,200.00").get_data(
        as_text=True
    )
    message = _error(page, "amount")
    assert "¥1,200.00" in message and "超出 ¥0.01" in message
    response = _new(client, world, aid_type="medical", amount="1200.00", out_of_pocket="1,200.00")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "个人自付金额" in page and "¥1,200.00" in page


def test_approval_past_the_cap_is_refused_at_the_amount_naming_what_is_left(client, auth, world):
    fund = _fund(world)
    case = db.session.get(Case, 1)
    cases.submit(case, actor=ACTOR)
    other = cases.open_case(
        case.worker, fund=fund, aid_type="living", amount="20000", reason="生活", actor=ACTOR
    )
    cases.submit(other, actor=ACTOR)
    db.session.commit()
    auth.login("reviewer", "rv")
    client.post(f"/cases/{other.id}/approve", data={"amount": "20000.00"})
    response = client.post("/cases/1/approve", data={"amount": "1000.00"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = _error(page, "amount")
    assert "已批 ¥20,000.00" in message and "尚余 ¥880.00" in message
    assert "本年生活救助上限" in page  # the panel says the cap and what is left
    assert client.post("/cases/1/approve", data={"amount": "880.00"}).status_code == 302
    db.session.refresh(case)
    assert case.status == "approved" and case.approved_amount == Decimal("880.00")


def test_a_required_investigation_and_review_block_the_decision_until_recorded(client, auth, world):
    policy.set_value(2015, "require_home_investigation", "是", actor=ACTOR)
    policy.set_value(2015, "require_democratic_review", "是", actor=ACTOR)
    cases.submit(db.session.get(Case, 1), actor=ACTOR)
    db.session.commit()

    auth.login("reviewer", "rv")
    response = client.post("/cases/1/approve", data={"amount": "1000.00"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "该申请暂不能审批" in page and "尚未登记入户调查。" in page and "尚未登记民主评议。" in page
    assert client.post("/cases/1/reject", data={"note": "不符合"}).status_code == 422
    assert db.session.get(Case, 1).status == "submitted"
    auth.logout()

    auth.login("caseworker", "cw")
    page = client.get("/cases/1").get_data(as_text=True)
    assert "登记入户调查" in page and "登记民主评议" in page
    typed = {"visited_on": "2015-03-01", "investigators": "张三", "findings": "家中无稳定收入"}
    response = client.post("/cases/1/investigations", data=typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写至少两名调查人，每行一名。" in _error(page, "investigators")
    assert "家中无稳定收入" in page and 'value="2015-03-01"' in page  # nothing typed is lost
    response = client.post("/cases/1/investigations", data={**typed, "visited_on": "2015-02-30"})
    assert "请填写日期" in _error(response.get_data(as_text=True), "investigation-date")
    assert db.session.execute(select(HomeInvestigation)).first() is None

    signed = {**typed, "investigators": "张三\n李四", "authorisation_signed": "y"}
    assert client.post("/cases/1/investigations", data=signed).status_code == 302
    response = client.post(
        "/cases/1/reviews", data={"held_on": "2015-03-02", "participants": "九", "result": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写参加人数" in _error(page, "participants") and "请选择评议结果" in _error(page, "result")
    assert 'value="九"' in page
    assert db.session.execute(select(DemocraticReview)).first() is None
    review = {"held_on": "2015-03-02", "participants": "9", "result": "agree", "note": "一致同意"}
    assert client.post("/cases/1/reviews", data=review).status_code == 302
    page = client.get("/cases/1").get_data(as_text=True)
    assert "张三、李四" in page and "已签授权书" in page and "9 人参加" in page and "同意" in page
    assert "该申请暂不能审批" not in page
    auth.logout()

    auth.login("reviewer", "rv2")
    assert client.post("/cases/1/approve", data={"amount": "1000.00"}).status_code == 302
    assert db.session.get(Case, 1).status == "approved"
    page = client.get("/cases/1").get_data(as_text=True)
    assert "登记入户调查" not in page  # a decided case takes no more
