"""Every form of the cases keeps what was typed and shows a refusal at its field (422):
the case page's steps, the check-up roster, the campaign forms and the roster's lines;
payment dates default to today only inside the fiscal year; a roster line paid and then
reversed can be paid again from the roster."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.cases.forms import default_day
from app.extensions import db
from app.models import Campaign, Case, Fund, Payment, Worker
from app.services import cases, ledger, policy, registry
from app.services.audit import Actor
from tests.conftest import ACTOR
from tests.registry_helpers import worker_input

OTHER_REVIEWER = Actor.system("another reviewer")


def _hardship() -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == "2015100001")).scalar_one()


def _checkup_fund() -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == "2015100002")).scalar_one()


def _approved(amount: str = "1000") -> Case:
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


def _payments() -> int:
    return db.session.execute(select(func.count()).select_from(Payment)).scalar_one()


def _error(page: str, field_id: str) -> list[str]:
    """The messages shown beside the input with this id."""
    return re.findall(rf'class="error" id="{re.escape(field_id)}-error">([^<]*)<', page)


def _value(page: str, field_id: str) -> str | None:
    """The value an input with this id shows."""
    tag = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def test_a_date_defaults_to_today_only_inside_the_fiscal_year():
    assert default_day(2015, today=date(2015, 6, 1)) == date(2015, 6, 1)
    assert default_day(2015, today=date(2026, 12, 2)) is None


def test_a_refused_payment_keeps_every_typed_value_with_the_message_at_the_date(client, auth, world):
    case = _approved()
    auth.login("finance")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    if date.today().year != 2015:  # a past year: no date that would be refused at once
        assert _value(page, "paid_on") == ""
    assert _value(page, "amount") == "1000.00"  # what is still to pay
    typed = {
        "amount": "800.00",
        "voucher_no": "PZ-2015-031",
        "paid_on": "2016-01-05",
        "method": "bank_transfer",
    }
    for confirmed in ({}, {"confirmed": "1"}):  # asked before the confirmation, and after it
        response = client.post(f"/cases/{case.id}/payments", data={**typed, **confirmed, "token": "t-1"})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert _error(page, "paid_on") == ["发放日期须在 2015 预算年度内。"]
        assert _value(page, "amount") == "800.00" and _value(page, "voucher_no") == "PZ-2015-031"
        assert _value(page, "paid_on") == "2016-01-05"
        assert re.search(
            r'<option selected value="bank_transfer">|<option value="bank_transfer" selected', page
        )
    assert _payments() == 0


def test_each_step_of_a_case_has_its_own_labelled_note(client, auth, world):
    case = db.session.get(Case, 1)  # a draft
    auth.login("caseworker")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert '<label for="submit-note">提交说明（可不填）</label>' in page
    assert '<label for="cancel-note">撤销理由</label>' in page
    client.post(f"/cases/{case.id}/submit", data={"note": "材料齐全，请审核"})
    db.session.refresh(case)
    assert case.status == "submitted"
    assert case.events[-1].note == "材料齐全，请审核"  # the note typed before 提交 is kept
    assert "材料齐全，请审核" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_an_objection_without_its_text_is_refused_at_its_field(client, auth, world):
    policy.set_value(2015, "notice_days", "7", actor=ACTOR)
    case = db.session.get(Case, 1)
    cases.submit(case, actor=ACTOR)
    db.session.commit()
    assert case.status == "notice"
    auth.login("caseworker")
    response = client.post(
        f"/cases/{case.id}/objection",
        data={"received_on": date.today().isoformat(), "raised_by": "王某", "content": "  "},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _error(page, "objection-note") == ["请填写异议内容。"]
    assert 'value="王某"' in page  # who raised it, as typed
    db.session.refresh(case)
    assert case.status == "notice"


def test_a_refused_reversal_is_shown_at_its_own_row(client, auth, world):
    case = _approved()
    paid = cases.pay(
        case, amount="300", voucher_no="PZ-1", paid_on=date(2015, 3, 1), method="cash", actor=ACTOR
    )
    db.session.commit()
    auth.login("finance")
    response = client.post(f"/payments/{paid.id}/reversal", data={"reason": "", "confirmed": "1"})
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), f"reason-{paid.id}") == ["请填写红冲原因。"]
    assert ledger.balance(_hardship()).paid == Decimal("300.00")


def test_a_refused_check_up_payment_keeps_the_row_as_typed(client, auth, world):
    fund = _checkup_fund()
    auth.login("finance")
    page = client.get("/checkups?year=2015").get_data(as_text=True)
    if date.today().year != 2015:
        assert _value(page, "paid_on-1") == ""
    assert _value(page, "amount-1") == "500.00"
    response = client.post(
        f"/checkups/{fund.id}/1",
        data={"amount": "500.00", "voucher_no": "TJ-7", "paid_on": "2014-12-30", "token": "c-1"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _error(page, "paid_on-1") == ["发放日期须在 2015 预算年度内。"]
    assert _value(page, "voucher_no-1") == "TJ-7" and _value(page, "paid_on-1") == "2014-12-30"
    assert ledger.balance(fund).paid == Decimal("0.00")


def test_the_check_up_page_without_model_workers_says_where_to_register_one(client, auth, budget_2015):
    auth.login("caseworker")
    page = client.get("/checkups?year=2015").get_data(as_text=True)
    assert "尚未登记劳模" in page and 'href="/model-workers/new"' in page


def test_a_refused_campaign_plan_keeps_the_form_with_the_message_at_its_field(client, auth, world):
    auth.login("caseworker")
    response = client.post(
        "/campaigns",
        data={
            "fund_code": str(_hardship().id),
            "name": "2015年送温暖",
            "amount_each": "12.345",
            "category": "",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _error(page, "amount_each") and _value(page, "amount_each") == "12.345"
    assert _value(page, "name") == "2015年送温暖"
    assert db.session.execute(select(func.count()).select_from(Campaign)).scalar_one() == 0


def _campaign() -> Campaign:
    for seq in (801, 802):
        registry.register(worker_input(seq, name=f"户{seq}"), unit=_hardship().unit, actor=ACTOR)
    campaign = cases.plan_campaign(
        fund=_hardship(), name="2015年元旦春节送温暖", amount_each="500", actor=ACTOR
    )
    cases.approve_campaign(campaign, actor=OTHER_REVIEWER)
    db.session.commit()
    return campaign


def _line_form(page: str, case_id: int) -> dict[str, str]:
    """The hidden fields of a roster line's payment form, as the page drew them."""
    form = re.search(rf'<form[^>]*action="/cases/{case_id}/payments".*?</form>', page, re.S)
    assert form is not None
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def test_a_refused_roster_payment_keeps_its_line_as_typed(client, auth, world):
    campaign = _campaign()
    line = campaign.cases[0]
    auth.login("finance")
    hidden = _line_form(client.get(f"/campaigns/{campaign.id}").get_data(as_text=True), line.id)
    response = client.post(
        f"/cases/{line.id}/payments",
        data={**hidden, "voucher_no": "SNW-1", "paid_on": "2016-01-20", "confirmed": "1"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "发放花名册" in page  # the roster again, not the case page
    assert _error(page, f"paid_on-{line.id}") == ["发放日期须在 2015 预算年度内。"]
    assert _value(page, f"voucher_no-{line.id}") == "SNW-1"
    assert _payments() == 0


def test_a_roster_line_paid_then_reversed_can_be_paid_again_from_the_roster(client, auth, world):
    campaign = _campaign()
    line = campaign.cases[0]
    auth.login("finance")
    roster = f"/campaigns/{campaign.id}"
    hidden = _line_form(client.get(roster).get_data(as_text=True), line.id)
    first = {**hidden, "voucher_no": "SNW-1", "paid_on": "2015-01-20", "confirmed": "1"}
    assert client.post(f"/cases/{line.id}/payments", data=first).headers["Location"] == roster
    assert client.post(f"/cases/{line.id}/payments", data=first).status_code == 302  # the double click
    assert _payments() == 1
    paid = db.session.execute(select(Payment).where(Payment.case_id == line.id)).scalar_one()
    client.post(f"/payments/{paid.id}/reversal", data={"reason": "领款人不符", "confirmed": "1"})
    db.session.rollback()
    assert db.session.get(Case, line.id).status == "approved"

    again = _line_form(client.get(roster).get_data(as_text=True), line.id)
    assert again["token"] != hidden["token"]  # a new attempt, a new request token
    response = client.post(
        f"/cases/{line.id}/payments",
        data={**again, "voucher_no": "SNW-2", "paid_on": "2015-01-21", "confirmed": "1"},
        follow_redirects=True,
    )
    assert "该请求标识已用于另一笔不同的发放" not in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Case, line.id).status == "paid"
    assert _payments() == 2
    assert ledger.balance(_hardship()).paid == Decimal("500.00")
