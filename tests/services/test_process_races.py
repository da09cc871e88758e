"""Separate processes racing for one fund, as several app workers (gunicorn, uwsgi) would:
each has its own interpreter, engine and connection, and only the database keeps order."""

from __future__ import annotations

import multiprocessing
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Fund, Payment
from app.services import reconciliation

pytestmark = pytest.mark.slow


def _approve_and_pay(url: str, case_id: int, people: dict[str, int], barrier: Any, results: Any) -> None:
    """One worker process: connect, wait for the others, approve its case of 7,000.00
    (the commitment is where the fund can run out), then pay it in full."""
    from datetime import date

    from sqlalchemy import text

    from app import create_app
    from app.models import Case
    from app.services import cases
    from app.services.audit import Actor
    from app.services.errors import FundOverdrawn
    from app.services.scope import Scope

    # Fifty writers queue for SQLite's one write lock, on two cores shared with the other
    # test workers: the last in line can wait longer than the app's 30 s. How long the
    # queue takes is not what this test is about; who gets the money is.
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, SQLITE_BUSY_TIMEOUT=600)
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
            db.session.commit()
        except BaseException as exc:  # e.g. the server's connection limit: fail now, not hang
            barrier.abort()
            results.put(f"error before the race: {exc!r}")
            return
        reviewer = Actor(user_id=people["reviewer"], name="reviewer", scope=Scope.everywhere())
        finance = Actor(user_id=people["finance"], name="finance", scope=Scope.everywhere())
        try:
            barrier.wait(timeout=300)
            cases.approve(db.session.get(Case, case_id), actor=reviewer, today=date(2015, 3, 2))
            db.session.commit()
            cases.pay(
                db.session.get(Case, case_id),
                amount="7000.00",
                voucher_no=f"RACE-{case_id}",
                paid_on=date(2015, 3, 2),
                method="bank_transfer",
                actor=finance,
            )
            db.session.commit()
            results.put("ok")
        except FundOverdrawn:
            db.session.rollback()
            results.put("refused")
        except BaseException as exc:  # reported, and the test fails on it
            db.session.rollback()
            results.put(f"error: {exc!r}")
        finally:
            db.session.remove()
            db.engine.dispose()


def _race(url: str, case_ids: list[int], people: dict[str, int]) -> list[str]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(case_ids))
    results = context.Queue()
    workers = [
        context.Process(target=_approve_and_pay, args=(url, case_id, people, barrier, results))
        for case_id in case_ids
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("round_", [1, 2], ids=["first", "again"])
def test_fifty_processes_paying_7000_from_300000(app, database, budget_2015, make_user, round_):
    from app.services import cases, ledger, policy, registry
    from tests.conftest import ACTOR
    from tests.registry_helpers import worker_input

    policy.set_value(2015, "notice_days", "0", actor=ACTOR)
    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    fund = next(f for f in budget_2015.funds if f.code == "2015100001")
    case_ids = []
    for seq in range(50):
        worker = registry.register(worker_input(100 + seq), unit=fund.unit, actor=ACTOR).worker
        case = cases.open_case(
            worker, fund=fund, aid_type="medical", amount="7000.00", reason="大病", actor=ACTOR
        )
        cases.submit(case, actor=ACTOR, today=date(2015, 3, 1))
        case_ids.append(case.id)
    db.session.commit()
    people = {role: make_user(role, unit="711002").id for role in ("reviewer", "finance")}
    fund_id = fund.id
    db.session.remove()
    outcomes = _race(database, case_ids, people)
    assert sorted(outcomes) == ["ok"] * 42 + ["refused"] * 8, outcomes
    with app.app_context():
        balance = ledger.balance(db.session.get(Fund, fund_id))
        assert (balance.available, balance.committed, balance.paid) == (
            Decimal("6000.00"),
            Decimal("0.00"),
            Decimal("294000.00"),
        )
        payments = db.session.execute(
            select(func.count()).select_from(Payment).where(Payment.fund_id == fund_id)
        ).scalar_one()
        assert payments == 42
        result = reconciliation.reconcile(2015)
        assert result.ok, [c.problems for f in result.funds for c in f.checks if not c.ok]
