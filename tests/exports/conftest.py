"""The seeded year every export test reads: payments (one by bank transfer, one of
1,234.50), a reversal, a closed case, a campaign and a check-up, done by people with
real names."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import User
from app.services import cases, policy, registry
from app.services.audit import Actor
from tests.conftest import ACTOR
from tests.registry_helpers import make_id, worker_input

DAY = date(2015, 1, 20)


@pytest.fixture
def world(ctx, budget_2015, make_user):
    """A year with payments, a reversal, a closed case, a campaign and check-ups, done
    by people with real names."""
    unit = budget_2015.budget.unit
    people = {}
    for role, name in (
        ("caseworker", "王经办"),
        ("reviewer", "李审核"),
        ("finance", "赵财务"),
        ("auditor", "钱审计"),
    ):
        user = make_user(role, unit=unit.code)
        user.full_name = name
        people[role] = Actor.of(db.session.get(User, user.id))
    db.session.commit()
    cw, rv, fin = people["caseworker"], people["reviewer"], people["finance"]
    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    funds = {f.code: f for f in budget_2015.funds}
    workers = [
        registry.register(worker_input(seq, name=f"户{seq}"), unit=unit, actor=cw, today=DAY).worker
        for seq in range(1, 5)
    ]
    first = cases.open_case(
        workers[0], fund=funds["2015100001"], aid_type="medical", amount="5000", reason="病", actor=cw
    )
    cases.submit(first, actor=cw, today=DAY)
    cases.approve(first, amount="4000", actor=rv, today=DAY)
    wrong = cases.pay(first, amount="1000", voucher_no="V1", paid_on=DAY, method="cash", actor=fin)
    cases.reverse_payment(wrong, reason="金额有误", actor=fin)
    cases.pay(first, amount="1234.5", voucher_no="V2", paid_on=DAY, method="bank_transfer", actor=fin)
    second = cases.open_case(
        workers[1], fund=funds["2015100001"], aid_type="living", amount="800", reason="生活", actor=cw
    )
    cases.submit(second, actor=cw, today=DAY)
    cases.approve(second, actor=rv, today=DAY)
    cases.pay(second, amount="300", voucher_no="V3", paid_on=DAY, method="cash", actor=fin)
    cases.close(second, actor=rv)
    campaign = cases.plan_campaign(
        fund=funds["2015100001"], name="送温暖", amount_each="500", unit_ids=None, actor=cw
    )
    cases.approve_campaign(campaign, actor=rv, today=DAY)
    cases.pay(campaign.cases[0], amount="500", voucher_no="SN1", paid_on=DAY, method="cash", actor=fin)
    mw = registry.register_model_worker(
        name="劳模甲",
        id_number=make_id(50),
        level="national",
        employer="厂",
        title_year="2000",
        unit=unit,
        actor=cw,
    )
    cases.pay_checkup(mw, fund=funds["2015100002"], amount="500", voucher_no="TJ1", paid_on=DAY, actor=fin)
    db.session.commit()
    return SimpleNamespace(auditor=people["auditor"], unit=unit)
