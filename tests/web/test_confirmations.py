"""A confirmation before every money or irreversible step: the form carries the server's
words for the script's dialog; without the script a POST with no ``confirmed`` answers a
page stating the same facts, the typed values carried along, and changes nothing; its
确认 button sends the form once more and the step is done once."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Campaign, Case, Fund, Payment, User, Worker
from app.services import cases, ledger, registry
from app.services.audit import Actor
from tests.conftest import ACTOR
from tests.registry_helpers import worker_input

OTHER_REVIEWER = Actor.system("another reviewer")


def _hardship() -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == "2015100001")).scalar_one()


def _approved(amount: str = "1800") -> Case:
    case = cases.open_case(
        db.session.get(Worker, 1),
        fund=_hardship(),
        aid_type="medical",
        amount=amount,
        reason="住院",
        actor=ACTOR,
    )
    cases.submit(case, actor=ACTOR)
    cases.approve(case, actor=OTHER_REVIEWER)
    db.session.commit()
    return case


def _audit_entries() -> int:
    return db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def _hidden(page: str) -> dict[str, str]:
    """The typed values the confirmation page carries (its own form, not the log-out's)."""
    section = re.search(r'<section class="card confirm-page".*?</section>', page, re.S)
    assert section is not None, "no confirmation page"
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', section.group(0)
        )
    }


def _facts(page: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", page))


def test_a_payment_without_the_script_is_confirmed_on_a_page_and_then_paid_once(client, auth, world):
    case = _approved()
    auth.login("finance")
    typed = {
        "amount": "1,800",
        "voucher_no": "PZ-2015-041",
        "paid_on": "2015-03-05",
        "method": "bank_transfer",
        "token": "tok-41",
    }
    before = _audit_entries()
    asked = client.post(f"/cases/{case.id}/payments", data=typed)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "确认发放" in page
    facts = _facts(page)
    assert facts["金额"] == "¥1,800.00（壹仟捌佰元整）"
    assert facts["领款人"] == case.worker.name
    assert "2015100001" in facts["资金项目"]
    assert facts["凭证号"] == "PZ-2015-041" and facts["发放方式"] == "银行转账"
    assert _hidden(page) == typed  # every typed value is carried, as typed
    assert '<button type="submit" name="confirmed" value="1"' in page
    assert f'href="/cases/{case.id}"' in page  # 返回
    assert _audit_entries() == before and ledger.balance(_hardship()).paid == Decimal("0.00")

    again = {**_hidden(page), "confirmed": "1"}
    assert client.post(f"/cases/{case.id}/payments", data=again).status_code == 302
    assert client.post(f"/cases/{case.id}/payments", data=again).status_code == 302  # a double click
    assert db.session.execute(select(func.count()).select_from(Payment)).scalar_one() == 1
    assert ledger.balance(_hardship()).paid == Decimal("1800.00")


def test_the_payment_form_carries_the_dialog_in_the_servers_words(client, auth, world):
    case = _approved()
    auth.login("finance")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    form = re.search(rf'<form[^>]*action="/cases/{case.id}/payments"[^>]*>', page).group(0)
    attributes = {
        name: html.unescape(value) for name, value in re.findall(r'(data-confirm-[a-z]+)="([^"]*)"', form)
    }
    assert attributes["data-confirm-title"] == "确认发放"
    assert attributes["data-confirm-button"] == "确认发放" and attributes["data-confirm-cancel"] == "返回"
    facts = json.loads(attributes["data-confirm-facts"])
    assert {"label": "领款人", "value": case.worker.name, "field": None, "money": False} in facts
    assert {"label": "金额", "value": "", "field": "amount", "money": True} in facts
    assert attributes["data-confirm-words"] == "/amounts/words"
    assert '<script src="/static/js/confirm.js" defer></script>' in page
    assert "<script>" not in page  # no inline script (strict CSP)


def test_the_dialog_reads_a_typed_amount_in_the_servers_words(client, auth, world):
    auth.login("finance")
    answer = client.get("/amounts/words?amount=１，８００．５")
    assert answer.status_code == 200 and answer.json == {"text": "¥1,800.50（壹仟捌佰元伍角）"}
    refused = client.get("/amounts/words?amount=100,00")
    assert refused.status_code == 422 and refused.json["error"]


def _campaign() -> Campaign:
    for seq in (811, 812):
        registry.register(worker_input(seq, name=f"户{seq}"), unit=_hardship().unit, actor=ACTOR)
    campaign = cases.plan_campaign(
        fund=_hardship(), name="2015年元旦春节送温暖", amount_each="500", actor=ACTOR
    )
    db.session.commit()
    return campaign


def _paid(world) -> tuple[Case, Payment]:
    case = _approved("600")
    paid = cases.pay(
        case, amount="600", voucher_no="PZ-9", paid_on=date(2015, 3, 1), method="cash", actor=ACTOR
    )
    db.session.commit()
    return case, paid


# (role, what to set up, the request, the title asked, a fact that must be stated)
STEPS = {
    "reversal": (
        "finance",
        lambda w: f"/payments/{_paid(w)[1].id}/reversal",
        {"reason": "金额录错"},
        "确认红冲",
        ("红冲金额", "¥600.00（陆佰元整）"),
    ),
    "close": (
        "reviewer",
        lambda w: f"/cases/{_approved('700').id}/close",
        {"note": ""},
        "确认结案",
        ("退回资金可用余额", "¥700.00（柒佰元整）"),
    ),
    "cancel": (
        "caseworker",
        lambda w: "/cases/1/cancel",
        {"note": "申请人撤回"},
        "确认撤销申请",
        ("撤销理由", "申请人撤回"),
    ),
    "check-up": (
        "finance",
        lambda w: (
            f"/checkups/{db.session.execute(select(Fund).where(Fund.code == '2015100002')).scalar_one().id}/1"
        ),
        {"amount": "500", "voucher_no": "TJ-1", "paid_on": "2015-04-01", "token": "c"},
        "确认发放劳模体检费",
        ("金额", "¥500.00（伍佰元整）"),
    ),
    "campaign approval": (
        "reviewer",
        lambda w: f"/campaigns/{_campaign().id}/approve",
        {},
        "确认整批审批",
        ("合计", "¥1,500.00（壹仟伍佰元整）"),
    ),
    "campaign cancel": (
        "caseworker",
        lambda w: f"/campaigns/{_campaign().id}/cancel",
        {},
        "确认撤销活动",
        ("户数", "3"),
    ),
    "status": (
        "caseworker",
        lambda w: _settled("/workers/1/status"),
        {"status": "out_of_hardship", "on": date.today().isoformat(), "reason": "再就业"},
        "确认变更状态",
        ("新状态", "已脱困"),
    ),
    "exit": (
        "caseworker",
        lambda w: _settled("/workers/1/exit"),
        {"reason": "recovered", "date": date.today().isoformat(), "note": "再就业"},
        "确认该户退出档案",
        ("退出原因", "已脱困"),
    ),
}


def _settled(url: str) -> str:
    """File No. 1 with its one case cancelled: a household that may leave the file."""
    from app.services import cases as case_service

    case_service.cancel(db.session.get(Case, 1), reason="撤回", actor=ACTOR)
    db.session.commit()
    return url


@pytest.mark.parametrize("step", list(STEPS))
def test_every_money_or_irreversible_step_asks_first_and_changes_nothing(client, auth, world, step):
    role, url_of, data, title, (label, value) = STEPS[step]
    url = url_of(world)
    auth.login(role)
    before = _audit_entries()
    asked = client.post(url, data=data)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert f'<h1 id="confirm-title">{title}</h1>' in page
    assert _facts(page)[label] == value
    assert _audit_entries() == before  # nothing done, nothing recorded
    done = client.post(url, data={**_hidden(page), "confirmed": "1"})
    assert done.status_code == 302
    assert _audit_entries() > before


def test_a_roster_payment_asks_with_the_households_name_and_sum(client, auth, world):
    campaign = _campaign()
    cases.approve_campaign(campaign, actor=OTHER_REVIEWER)
    db.session.commit()
    line = campaign.cases[1]
    auth.login("finance")
    asked = client.post(
        f"/cases/{line.id}/payments",
        data={
            "amount": "500.00",
            "method": "cash",
            "token": "r",
            "voucher_no": "SNW-3",
            "paid_on": "2015-01-20",
            "return_to": f"/campaigns/{campaign.id}",
        },
    )
    facts = _facts(asked.get_data(as_text=True))
    assert facts["领款人"] == line.worker.name and facts["金额"] == "¥500.00（伍佰元整）"
    assert facts["活动名称"] == "2015年元旦春节送温暖"
    assert f'href="/campaigns/{campaign.id}"' in asked.get_data(as_text=True)  # 返回 to the roster


def test_disabling_a_user_asks_first_and_looks_like_a_danger(client, auth, world, make_user):
    clerk = make_user("caseworker", "clerk")
    auth.login("admin", "root")
    users = client.get("/admin/users").get_data(as_text=True)
    row = re.search(rf'action="/admin/users/{clerk.id}/disable".*?</form>', users, re.S).group(0)
    assert 'class="small danger"' in row and 'data-confirm-title="确认停用用户"' in users
    reset = re.search(rf'action="/admin/users/{clerk.id}/reset-password".*?</form>', users, re.S).group(0)
    assert "danger" not in reset
    asked = client.post(f"/admin/users/{clerk.id}/disable")
    assert asked.status_code == 200 and _facts(asked.get_data(as_text=True))["用户名"] == "clerk"
    db.session.rollback()
    assert db.session.get(User, clerk.id).active is True
    client.post(f"/admin/users/{clerk.id}/disable", data={"confirmed": "1"})
    db.session.rollback()
    assert db.session.get(User, clerk.id).active is False


def test_the_confirmation_page_shows_typed_text_escaped(client, auth, world):
    _case, paid = _paid(world)
    auth.login("finance")
    page = client.post(
        f"/payments/{paid.id}/reversal", data={"reason": '<script>alert(1)</script>"'}
    ).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_api_asks_no_confirmation(client, auth, world, make_user):
    from app.services import users as user_service

    case = _approved()
    user = make_user("finance", "api-finance")
    token = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    answer = client.post(
        f"/api/v1/cases/{case.id}/payments",
        json={"amount": "100.00", "voucher_no": "API-1", "paid_on": "2015-03-01", "method": "cash"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    assert ledger.balance(_hardship()).paid == Decimal("100.00")
