"""Approved cases whose payees have bank cards, many at once, for the batch tests."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Case, Fund, User
from app.services import cases, registry
from app.services.audit import Actor
from tests.conftest import ACTOR
from tests.registry_helpers import worker_input

FUND = "2015100001"


def fund() -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == FUND, Fund.year == 2015)).scalar_one()


def approved_cases(
    unit, count: int, *, first: int = 10, amount: str = "100", card: bool = True
) -> list[Case]:
    """``count`` approved cases of the 2015 fund, each paying ``amount`` to a card."""
    made = []
    for seq in range(first, first + count):
        extra = {"bank_name": "中国工商银行张家口分行", "bank_account": f"62220204{seq:011d}"} if card else {}
        worker = registry.register(
            worker_input(seq, name=f"职工{seq}", **extra), unit=unit, actor=ACTOR
        ).worker
        case = cases.open_case(
            worker, fund=fund(), aid_type="living", amount=amount, reason="困难", actor=ACTOR
        )
        cases.submit(case, actor=ACTOR)
        cases.approve(case, actor=ACTOR)
        made.append(case)
    db.session.commit()
    return made


def person(user: User) -> Actor:
    return Actor.of(user, door="api")
