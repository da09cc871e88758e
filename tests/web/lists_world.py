"""Two districts under one city for the list pages' tests: in district 711002 (桥西) two
households, cases in several states, a payment and its reversal; in 711003 (桥东) one
household with a paid case, whose names, numbers and sums must never reach 桥西's lists,
totals or exports (nor the other way round)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from app.extensions import db
from app.models import Fund, User, Worker
from app.services import budgets, cases, policy, registry, units
from app.services.audit import Actor
from tests.conftest import ACTOR, BUDGET_FILE, PASSWORD
from tests.registry_helpers import worker_input

WEST, EAST, CITY = "711002", "711003", "7110"


@dataclass
class Lists:
    west_workers: list[int]
    east_worker: int
    west_cases: dict[str, int]
    east_case: int
    west_payment: int
    reversed_payment: int


def _people(unit: str) -> dict[str, Actor]:
    made = {}
    for role in ("caseworker", "reviewer", "finance"):
        from app.services import users

        user, _pw = users.create_user(f"w-{role}-{unit}", role, unit, actor=ACTOR)
        made[role] = Actor.of(db.session.get(User, user.id))
    return made


def _fund(unit: str) -> Fund:
    return next(
        f
        for f in db.session.query(Fund).all()
        if f.code == "2015100001" and f.unit.code == unit and f.year == 2015
    )


def _approved_case(worker: Worker, people: dict[str, Actor], amount: str, aid: str = "living"):
    case = cases.open_case(
        worker,
        fund=_fund(worker.unit.code),
        aid_type=aid,
        amount=amount,
        reason="生活困难",
        actor=people["caseworker"],
    )
    cases.submit(case, actor=people["caseworker"], today=date(2015, 3, 1))
    cases.approve(case, actor=people["reviewer"], today=date(2015, 3, 1))
    return case


def build() -> Lists:
    document = budgets.read_budget_file(BUDGET_FILE)
    budgets.load_budget(document, actor=ACTOR)
    other = copy.deepcopy(document)
    other["unit"]["code"], other["unit"]["name"] = EAST, "张家口市桥东区总工会"
    budgets.load_budget(other, actor=ACTOR)
    units.create_unit(CITY, "张家口市总工会", None, actor=ACTOR)
    for code in (WEST, EAST):
        units.move_unit(code, CITY, actor=ACTOR)
    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    policy.set_value(2015, "near_line_margin", "200", actor=ACTOR)
    west, east = units.find_unit(WEST), units.find_unit(EAST)
    w1 = registry.register(worker_input(1, name="王桥西", phone="13900001111"), unit=west, actor=ACTOR).worker
    w2 = registry.register(
        worker_input(
            2,
            name="赵西二",
            phone="13900002222",
            category="3",
            disaster_event="洪水",
            disaster_date="2015-01-10",
            main_cause="disaster",
        ),
        unit=west,
        actor=ACTOR,
    ).worker
    e1 = registry.register(worker_input(3, name="李桥东", phone="13700003333"), unit=east, actor=ACTOR).worker
    wp, ep = _people(WEST), _people(EAST)

    draft = cases.open_case(
        w2, fund=_fund(WEST), aid_type="medical", amount="700", reason="住院", actor=wp["caseworker"]
    )
    paid = _approved_case(w1, wp, "1000")
    payment = cases.pay(
        paid,
        amount="1000.00",
        voucher_no="XI-001",
        paid_on=date(2015, 4, 2),
        method="cash",
        actor=wp["finance"],
    )
    wrong = _approved_case(w2, wp, "300", aid="education")
    bad = cases.pay(
        wrong,
        amount="300.00",
        voucher_no="XI-002",
        paid_on=date(2015, 5, 6),
        method="bank_transfer",
        actor=wp["finance"],
    )
    cases.reverse_payment(
        bad, reason="账号错误", actor=wp["finance"], voucher_no="XI-HC-01", reversed_on=date(2015, 5, 9)
    )
    east_case = _approved_case(e1, ep, "8888")
    cases.pay(
        east_case,
        amount="8888.00",
        voucher_no="DONG-777",
        paid_on=date(2015, 4, 3),
        method="cash",
        actor=ep["finance"],
    )
    db.session.commit()
    return Lists(
        west_workers=[w1.id, w2.id],
        east_worker=e1.id,
        west_cases={"draft": draft.id, "paid": paid.id, "reversed": wrong.id},
        east_case=east_case.id,
        west_payment=payment.id,
        reversed_payment=bad.id,
    )


def login(client, role: str, unit: str | None) -> None:
    """Log in as a user of ``role`` in ``unit`` (``None``: every unit)."""
    from app.services import users

    name = f"{role}-{unit or 'all'}-login"
    found = db.session.query(User).filter_by(username=name).one_or_none()
    if found is None:
        user, _pw = users.create_user(name, role, unit, actor=ACTOR)
        users.set_password(user, PASSWORD, actor=ACTOR)
        db.session.commit()
    client.post("/logout")
    response = client.post("/login", data={"username": name, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
