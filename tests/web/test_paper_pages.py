"""Papers to print: the 领款凭证 of a cash payment (figures and 大写, payee, fund, signature
lines), the 公示 list (name, cause, category, supervision phone, period), a campaign's
roster (unit, date, a signature per household and below); all on A4 by print.css."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Case, Worker
from app.services import cases, policy
from app.services.audit import Actor
from tests.conftest import ACTOR

OTHER_REVIEWER = Actor.system("another reviewer")
FINANCE = Actor.system("finance office")


def _hardship(world):
    return next(f for f in world.funds if f.code == "2015100001")


def _paid(world, method: str = "cash"):
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR)
    cases.approve(case, amount="880.50", actor=OTHER_REVIEWER)
    payment = cases.pay(
        case,
        amount="880.50",
        voucher_no="PZ-2015-031",
        paid_on=date(2015, 3, 5),
        method=method,
        actor=FINANCE,
    )
    db.session.commit()
    return payment


def test_the_receipt_voucher_of_a_cash_payment(client, auth, world):
    payment = _paid(world)
    auth.login("finance", "fn")
    page = client.get(f"/payments/{payment.id}/voucher").get_data(as_text=True)
    assert "<h1>领款凭证</h1>" in page
    assert "¥880.50" in page and "捌佰捌拾元伍角" in page  # figures and capitals
    assert "张三" in page and "1101**********" in page  # the payee, the ID masked
    assert "2015100001 困难职工帮扶资金" in page and "PZ-2015-031" in page and "桥西区总工会" in page
    assert "领款人（签字）" in page and "单位负责人" in page and "现金" in page
    assert 'href="/static/css/print.css"' in page and 'media="print"' in page
    assert "已红冲" not in page


def test_a_reversed_payment_says_so_on_its_voucher(client, auth, world):
    payment = _paid(world)
    cases.reverse_payment(payment, reason="金额有误", actor=FINANCE)
    db.session.commit()
    auth.login("finance", "fn")
    assert "已红冲" in client.get(f"/payments/{payment.id}/voucher").get_data(as_text=True)


def test_a_bank_transfer_has_no_receipt_voucher(client, auth, world):
    payment = _paid(world, method="bank_transfer")
    auth.login("finance", "fn")
    assert client.get(f"/payments/{payment.id}/voucher").status_code == 404
    assert client.get("/payments/9999/voucher").status_code == 404


def test_the_home_page_links_a_cash_payment_to_its_voucher(client, auth, world):
    payment = _paid(world)
    auth.login("finance", "fn")
    assert f'href="/payments/{payment.id}/voucher"' in client.get("/").get_data(as_text=True)


def test_the_public_notice_list(client, auth, world):
    policy.set_value(2015, "notice_days", "7", actor=ACTOR)
    policy.set_value(2015, "supervision_phone", "0313-8011234", actor=ACTOR)
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR, today=date(2015, 3, 2))
    db.session.commit()
    auth.login("caseworker", "cw")
    page = client.get("/cases/notice-list?year=2015").get_data(as_text=True)
    assert "2015年困难职工帮扶公示名单" in page
    assert "张三" in page and "桥西区机械厂" in page
    assert "本人患大病" in page and "illness_self" not in page  # the cause, in words
    assert "第一类：家庭人均收入低于最低生活保障线" in page  # the category, in words
    assert "0313-8011234" in page
    assert "2015年3月2日" in page and "2015年3月9日" in page  # the period


def test_without_a_supervision_phone_the_list_says_where_to_set_it(client, auth, world):
    auth.login("caseworker", "cw")
    page = client.get("/cases/notice-list?year=2015").get_data(as_text=True)
    assert "未设置" in page and "暂无公示中的申请" in page
    assert "监督电话由管理员在政策参数中设置" in page
    auth.logout()
    auth.login("admin", "ad")  # the administrator's home lists it among the values not set
    assert "公示监督电话" in client.get("/").get_data(as_text=True)


def test_a_supervision_phone_must_look_like_one(ctx, world):
    import pytest

    from app.services.errors import InvalidInput

    with pytest.raises(InvalidInput):
        policy.set_value(2015, "supervision_phone", "打电话", actor=ACTOR)
    assert (
        policy.set_value(2015, "supervision_phone", "(0313) 801 1234", actor=ACTOR).value == "(0313) 801 1234"
    )


def test_the_campaign_roster_to_print(client, auth, world):
    fund = _hardship(world)
    campaign = cases.plan_campaign(fund=fund, name="2015年元旦春节送温暖", amount_each="300", actor=ACTOR)
    db.session.commit()
    auth.login("caseworker", "cw")
    assert f'href="/campaigns/{campaign.id}/roster"' in client.get(f"/campaigns/{campaign.id}").get_data(
        as_text=True
    )
    page = client.get(f"/campaigns/{campaign.id}/roster").get_data(as_text=True)
    assert "2015年元旦春节送温暖 · 发放花名册" in page
    assert "桥西区总工会" in page and "发放日期" in page
    households = db.session.execute(select(Worker)).scalars().all()
    assert all(w.name in page for w in households)
    assert "¥300.00" in page and "叁佰元整" in page
    assert "制表人" in page and "单位负责人（盖章）" in page and "签字" in page
