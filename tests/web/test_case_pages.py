"""The case journey in the pages: open, submit, a refused self-approval, approve, pay
(a double submit pays once), reverse; and a check-up payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Campaign, Case, Fund, Payment, User, Worker
from app.services import cases, ledger
from app.services.audit import Actor
from tests.conftest import ACTOR as ACTOR_TEST


def _hardship(world):
    return next(f for f in world.funds if f.code == "2015100001")


def test_the_case_journey(client, auth, world):
    fund = _hardship(world)
    auth.login("caseworker", "cw")
    response = client.post(
        "/workers/1/cases/new",
        data={
            "fund_code": str(fund.id),
            "aid_type": "medical",
            "amount": "2000",
            "out_of_pocket": "2600.00",
            "reason": "住院",
        },
    )
    case = db.session.execute(select(Case).where(Case.aid_type == "medical")).scalar_one()
    assert response.headers["Location"] == f"/cases/{case.id}"
    client.post(f"/cases/{case.id}/submit")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已提交" in page and "贰仟元整" in page
    auth.logout()

    auth.login("reviewer", "rv")
    client.post(f"/cases/{case.id}/approve", data={"amount": "1800.00", "note": "核减"})
    db.session.refresh(case)
    assert case.status == "approved" and case.approved_amount == Decimal("1800.00")
    assert ledger.balance(fund).committed == Decimal("1800.00")
    auth.logout()

    auth.login("finance", "fin")
    payment = {
        "amount": "1800.00",
        "voucher_no": "PZ-2015-001",
        "paid_on": "2015-03-05",
        "method": "bank_transfer",
        "token": "tok-1",
        "confirmed": "1",
    }
    client.post(f"/cases/{case.id}/payments", data=payment)
    client.post(f"/cases/{case.id}/payments", data=payment)  # the double click
    assert (
        db.session.execute(select(Payment).where(Payment.case_id == case.id)).scalars().all().__len__() == 1
    )
    db.session.refresh(case)
    assert case.status == "paid"
    b = ledger.balance(fund)
    assert (b.paid, b.committed, b.available) == (Decimal("1800.00"), Decimal("0.00"), Decimal("298200.00"))
    home = client.get("/?year=2015").get_data(as_text=True)
    assert "¥298,200.00" in home

    paid = db.session.execute(select(Payment).where(Payment.case_id == case.id)).scalar_one()
    client.post(f"/payments/{paid.id}/reversal", data={"reason": "账号错误", "confirmed": "1"})
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已红冲：账号错误" in page
    assert ledger.balance(fund).paid == Decimal("0.00")


def test_finance_reverses_a_wrong_payment_of_a_closed_case_and_the_case_opens_again(
    client, auth, make_user, world
):
    fund = _hardship(world)
    people = {role: make_user(role, f"{role}-x") for role in ("caseworker", "reviewer", "finance")}
    actors = {role: Actor.of(db.session.get(User, user.id)) for role, user in people.items()}
    case = cases.open_case(
        db.session.get(Worker, 1),
        fund=fund,
        aid_type="living",
        amount="1000",
        reason="生活困难",
        actor=actors["caseworker"],
    )
    cases.submit(case, actor=actors["caseworker"], today=date(2015, 3, 1))
    cases.approve(case, actor=actors["reviewer"], today=date(2015, 3, 1))
    wrong = cases.pay(
        case,
        amount="1000.00",
        voucher_no="PZ-77",
        paid_on=date(2015, 3, 2),
        method="cash",
        actor=actors["finance"],
    )
    cases.close(case, actor=actors["reviewer"])
    db.session.commit()
    case_id, payment_id = case.id, wrong.id

    auth.login("finance", "finance-y")
    response = client.post(
        f"/payments/{payment_id}/reversal",
        data={"reason": "付错了人", "confirmed": "1"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "已红冲：付错了人" in page
    assert "案件已重新打开" in page  # the flash says what happens next
    db.session.rollback()
    assert db.session.get(Case, case_id).status == "approved"
    b = ledger.balance(fund)
    assert (b.paid, b.committed) == (Decimal("0.00"), Decimal("1000.00"))


def test_a_creator_cannot_approve_and_the_refusal_is_logged(client, auth, make_user, world):
    fund = _hardship(world)
    make_user("reviewer", "both")  # a reviewer who also opened the case (e.g. stood in for a caseworker)
    user = db.session.execute(select(User).where(User.username == "both")).scalar_one()
    case = cases.open_case(
        db.session.get(Worker, 1),
        fund=fund,
        aid_type="living",
        amount="500",
        reason="x",
        actor=Actor.of(user),
    )
    cases.submit(case, actor=Actor.of(user))
    db.session.commit()
    client.post("/login", data={"username": "both", "password": "Kunnan-Bangfu-2015"})
    page = client.post(f"/cases/{case.id}/approve", data={"amount": "500"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "四眼原则" in page
    db.session.refresh(case)
    assert case.status == "submitted"
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "four_eyes.refused")).scalar_one()


def test_a_case_form_error_is_shown_and_nothing_is_saved(client, auth, world):
    fund = _hardship(world)
    auth.login("caseworker", "cw")
    before = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
    page = client.post(
        "/workers/1/cases/new",
        data={"fund_code": str(fund.id), "aid_type": "living", "amount": "12.345", "reason": ""},
    ).get_data(as_text=True)
    assert "最多两位小数" in page and "请填写申请理由" in page
    assert 'value="12.345"' in page  # what was typed stays
    assert db.session.execute(select(func.count()).select_from(Case)).scalar_one() == before


def test_checkup_payment_from_the_page(client, auth, world):
    checkup = db.session.execute(select(Fund).where(Fund.code == "2015100002")).scalar_one()
    auth.login("finance")
    page = client.get("/checkups").get_data(as_text=True)
    assert "预算可覆盖 46 人" in page
    client.post(
        f"/checkups/{checkup.id}/1",
        data={"amount": "501.00", "voucher_no": "TJ-1", "paid_on": "2015-04-01", "confirmed": "1"},
    )
    assert ledger.balance(checkup).paid == Decimal("0.00")
    client.post(
        f"/checkups/{checkup.id}/1",
        data={"amount": "500.00", "voucher_no": "TJ-1", "paid_on": "2015-04-01", "confirmed": "1"},
    )
    assert ledger.balance(checkup).paid == Decimal("500.00")
    assert "已于" in client.get("/checkups").get_data(as_text=True)


def test_a_campaign_from_plan_to_roster(client, auth, make_user, world):
    from tests.registry_helpers import worker_input

    fund = _hardship(world)
    for seq in (701, 702):
        from app.services import registry

        registry.register(worker_input(seq, name=f"户{seq}"), unit=world.budget.unit, actor=ACTOR_TEST)
    db.session.commit()
    auth.login("caseworker", "cw")
    client.post(
        "/campaigns",
        data={
            "fund_code": str(fund.id),
            "name": "2015年元旦春节送温暖",
            "amount_each": "500",
            "category": "1",
        },
    )
    campaign = db.session.execute(select(Campaign)).scalar_one()
    assert len(campaign.cases) == 3
    auth.logout()
    auth.login("reviewer", "rv")
    client.post(f"/campaigns/{campaign.id}/approve", data={"confirmed": "1"})
    assert ledger.balance(fund).committed == Decimal("1500.00")
    auth.logout()
    auth.login("finance", "fin")
    roster = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert (
        "发放花名册" in roster
        and "伍佰元整" in roster
        and "壹仟伍佰元整" in roster
        and "领款人签字" in roster
    )
    assert "1101**********" in roster
    line = campaign.cases[0]
    response = client.post(
        f"/cases/{line.id}/payments",
        data={
            "amount": "500.00",
            "method": "cash",
            "voucher_no": "SNW-1",
            "paid_on": "2015-01-20",
            "token": "r1",
            "return_to": f"/campaigns/{campaign.id}",
            "confirmed": "1",
        },
    )
    assert response.headers["Location"] == f"/campaigns/{campaign.id}"
    assert ledger.balance(fund).paid == Decimal("500.00")


def test_the_home_page_draws_payments_per_month(client, auth, world):
    fund = _hardship(world)
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR_TEST)
    cases.approve(case, actor=Actor.system("another reviewer"))
    cases.pay(case, amount="400", voucher_no="M3", paid_on=date(2015, 3, 9), method="cash", actor=ACTOR_TEST)
    db.session.commit()
    auth.login("finance")
    page = client.get("/?year=2015").get_data(as_text=True)
    assert "<svg" in page and "3月 ¥400.00" in page and "1月 ¥0.00" in page
    assert ledger.balance(fund).paid == Decimal("400.00")


def test_a_ledger_entry_links_to_its_case(client, auth, world):
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR_TEST)
    cases.approve(case, actor=Actor.system("another reviewer"))
    db.session.commit()
    auth.login("auditor")
    page = client.get("/funds/2015100001/ledger?year=2015").get_data(as_text=True)
    assert f'href="/cases/{case.id}"' in page and "审批承诺" in page


def test_the_approval_form_prints_amounts_in_figures_and_capitals(client, auth, world):
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR_TEST)
    cases.approve(case, amount="880.50", actor=Actor.system("another reviewer"))
    db.session.commit()
    auth.login("caseworker")
    page = client.get(f"/cases/{case.id}/print").get_data(as_text=True)
    assert "困难职工帮扶审批表" in page and "¥880.50" in page and "捌佰捌拾元伍角" in page
    assert "壹仟元整" in page and "1101**********" in page and "单位负责人意见" in page


def test_the_home_page_lists_what_waits_for_me_and_recent_payments(client, auth, world):
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR_TEST)
    db.session.commit()
    auth.login("reviewer")
    page = client.get("/").get_data(as_text=True)
    assert "待我办理" in page and f"第 {case.id} 号帮扶申请" in page
    auth.logout()
    auth.login("finance")
    assert "暂无待办事项" in client.get("/").get_data(as_text=True)
