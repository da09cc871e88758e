"""The same step asked for by several requests at once, through the API and the pages, as
a script retrying or a person double-clicking would: exactly one succeeds, the others are
clear refusals (409, or the page's message), never a 500; the money moves once and the
books still reconcile. On PostgreSQL these requests really run at the same time."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Fund, Payment, PaymentReversal, Transfer, User
from app.services import cases, ledger, reconciliation
from app.services import users as user_service
from tests.conftest import ACTOR, PASSWORD
from tests.registry_helpers import worker_input

API = "/api/v1"
AT_ONCE = 4


def _burst(calls: list[Callable[[], int]]) -> Counter[int]:
    """Run the calls in threads released together; the status codes they answered."""
    # The test's own session holds no transaction meanwhile (on SQLite: no write lock).
    db.session.rollback()
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def work(call: Callable[[], int]) -> None:
        try:
            barrier.wait(timeout=30)
            status = call()
        except BaseException as error:  # a crash fails the test
            with guard:
                errors.append(error)
            return
        with guard:
            statuses.append(status)

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return Counter(statuses)


@pytest.fixture
def people(app, make_user):
    """A reviewer and a finance officer of 711002, each with an API token."""
    tokens = {}
    for role in ("reviewer", "finance"):
        user = make_user(role, f"race-{role}", unit="711002")
        tokens[role] = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    return tokens


def _api(app, token: str, method: str, path: str, payload: dict | None = None) -> Callable[[], int]:
    def call() -> int:
        with app.test_client() as client:
            response = client.open(
                API + path, method=method, json=payload or {}, headers={"Authorization": f"Bearer {token}"}
            )
            return response.status_code

    return call


def _submitted_cases(world, count: int, amount: str = "1000.00") -> list[int]:
    from app.services import registry

    fund = next(f for f in world.funds if f.code == "2015100001")
    ids = []
    for n in range(count):
        worker = registry.register(worker_input(100 + n), unit=world.budget.unit, actor=ACTOR).worker
        case = cases.open_case(
            worker, fund=fund, aid_type="living", amount=amount, reason="生活困难", actor=ACTOR
        )
        cases.submit(case, actor=ACTOR)
        ids.append(case.id)
    db.session.commit()
    return ids


def _books_hold(year: int = 2015) -> None:
    db.session.rollback()
    result = reconciliation.reconcile(year)
    assert result.ok, [(f.fund.code, [c.problems for c in f.checks if not c.ok]) for f in result.funds]


def test_four_simultaneous_approvals_of_each_of_twelve_cases_commit_twelve_times(app, world, people):
    ids = _submitted_cases(world, 12)
    for case_id in ids:
        answered = _burst([_api(app, people["reviewer"], "POST", f"/cases/{case_id}/approve")] * AT_ONCE)
        assert answered == Counter({200: 1, 409: AT_ONCE - 1}), (case_id, answered)
    db.session.rollback()
    commitments = db.session.execute(
        select(func.count(), func.sum(Transfer.amount)).where(Transfer.kind == "commitment")
    ).one()
    assert tuple(commitments) == (12, Decimal("12000.00"))
    fund = db.session.execute(select(Fund).where(Fund.code == "2015100001")).scalar_one()
    assert ledger.balance(fund).committed == Decimal("12000.00")
    _books_hold()


def _approved(world, count: int, amount: str = "1000.00") -> list[int]:
    ids = _submitted_cases(world, count, amount)
    for case_id in ids:
        cases.approve(db.session.get(Case, case_id), actor=ACTOR)
    db.session.commit()
    return ids


def test_simultaneous_payments_of_one_case_pay_it_once(app, world, people):
    (case_id,) = _approved(world, 1)
    calls = [
        _api(
            app,
            people["finance"],
            "POST",
            f"/cases/{case_id}/payments",
            {"amount": "1000.00", "voucher_no": f"V-{n}", "paid_on": "2015-03-02", "method": "cash"},
        )
        for n in range(AT_ONCE)
    ]
    assert _burst(calls) == Counter({201: 1, 409: AT_ONCE - 1})
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Payment)).scalar_one() == 1
    assert db.session.get(Case, case_id).status == "paid"
    _books_hold()


def test_simultaneous_reversals_of_one_payment_reverse_it_once(app, world, people):
    (case_id,) = _approved(world, 1)
    payment = cases.pay(
        db.session.get(Case, case_id),
        amount="1000.00",
        voucher_no="V-1",
        paid_on=date(2015, 3, 2),
        method="cash",
        actor=ACTOR,
    ).id
    db.session.commit()  # and hold no transaction (on SQLite: no write lock) meanwhile
    calls = [
        _api(app, people["finance"], "POST", f"/payments/{payment}/reversal", {"reason": "金额有误"})
    ] * AT_ONCE
    assert _burst(calls) == Counter({200: 1, 409: AT_ONCE - 1})
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(PaymentReversal)).scalar_one() == 1
    assert db.session.execute(select(func.count()).where(Transfer.kind == "reversal")).scalar_one() == 1
    _books_hold()


def _page_client(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _page(client, path: str, data: dict | None = None) -> Callable[[], int]:
    def call() -> int:
        return client.post(path, data={**(data or {}), "confirmed": "1"}).status_code

    return call


def test_simultaneous_closes_release_once(app, world, make_user):
    (case_id,) = _approved(world, 1)
    make_user("reviewer", "closer", unit="711002")
    clients = [_page_client(app, "closer") for _ in range(AT_ONCE)]
    answered = _burst([_page(client, f"/cases/{case_id}/close", {"note": "结案"}) for client in clients])
    assert answered == Counter({302: AT_ONCE})  # back to the case page, with a message
    db.session.rollback()
    assert db.session.get(Case, case_id).status == "closed"
    assert db.session.execute(select(func.count()).where(Transfer.kind == "release")).scalar_one() == 1
    _books_hold()


def test_simultaneous_approvals_of_one_campaign_commit_each_line_once(app, world, make_user):
    fund = next(f for f in world.funds if f.code == "2015100001")
    from app.services import registry

    for n in range(3):
        registry.register(worker_input(200 + n), unit=world.budget.unit, actor=ACTOR)
    campaign = cases.plan_campaign(fund=fund, name="2015年元旦春节送温暖", amount_each="30.00", actor=ACTOR)
    campaign_id, lines = campaign.id, len(campaign.cases)
    db.session.commit()
    make_user("reviewer", "campaign-reviewer", unit="711002")
    clients = [_page_client(app, "campaign-reviewer") for _ in range(AT_ONCE)]
    assert _burst([_page(c, f"/campaigns/{campaign_id}/approve") for c in clients]) == Counter({302: AT_ONCE})
    db.session.rollback()
    committed = db.session.execute(
        select(func.count(), func.sum(Transfer.amount)).where(Transfer.kind == "commitment")
    ).one()
    assert tuple(committed) == (lines, Decimal("30.00") * lines)
    _books_hold()


def test_a_double_submitted_payment_form_pays_once(app, world, make_user):
    (case_id,) = _approved(world, 1)
    make_user("finance", "double-clicker", unit="711002")
    clients = [_page_client(app, "double-clicker") for _ in range(2)]
    form = {
        "amount": "1000.00",
        "voucher_no": "V-77",
        "paid_on": "2015-03-02",
        "method": "cash",
        "token": "one-form-one-token",
    }
    # The same person's two tabs send the same form at once: one token, one payment.
    clients[1] = clients[0]
    assert _burst([_page(c, f"/cases/{case_id}/payments", form) for c in clients]) == Counter({302: 2})
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Payment)).scalar_one() == 1
    _books_hold()
