"""Requests racing for the last yuan: one wins, the rest are refused, nothing half-written."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Fund, Transfer
from app.services import ledger
from app.services.errors import FundOverdrawn
from tests.conftest import ACTOR


def _race(app, fund_id: int, workers: int, amount: str, operation) -> tuple[int, int, list]:
    barrier = threading.Barrier(workers)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        with app.app_context():
            try:
                barrier.wait()
                fund = db.session.get(Fund, fund_id)
                operation(fund, amount, actor=ACTOR)
                db.session.commit()
                outcome = "ok"
            except FundOverdrawn:
                db.session.rollback()
                outcome = "refused"
            except BaseException as exc:  # a crash is a failure of the test
                db.session.rollback()
                with lock:
                    errors.append(exc)
                return
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results.count("ok"), results.count("refused"), errors


@pytest.mark.parametrize(
    ("operation", "kind"),
    [(ledger.pay_direct, "direct_payment"), (ledger.commit, "commitment")],
    ids=["pay", "commit"],
)
def test_many_threads_racing_for_one_fund_never_overdraw_it(app, budget_2015, operation, kind):
    fund_id = next(f.id for f in budget_2015.funds if f.code == "2015100001")
    db.session.remove()
    # 14 requests of 30,000.00 against 300,000.00: exactly ten fit.
    succeeded, refused, errors = _race(app, fund_id, 14, "30000.00", operation)
    assert errors == []
    assert (succeeded, refused) == (10, 4)
    with app.app_context():
        fund = db.session.get(Fund, fund_id)
        figures = ledger.balance(fund)
        assert figures.available == Decimal("0.00")
        assert figures.paid + figures.committed == Decimal("300000.00")
        moved = db.session.execute(
            select(func.sum(Transfer.amount)).where(
                Transfer.fund_id == fund_id,
                Transfer.kind == kind,
            )
        ).scalar_one()
        assert moved == Decimal("300000.00")
        seqs = (
            db.session.execute(select(Transfer.seq).where(Transfer.fund_id == fund_id).order_by(Transfer.seq))
            .scalars()
            .all()
        )
        assert seqs == list(range(1, 12))


def test_two_requests_for_the_last_fen(app, budget_2015):
    fund_id = next(f.id for f in budget_2015.funds if f.code == "2015100002")
    ledger.pay_direct(db.session.get(Fund, fund_id), "22999.99", actor=ACTOR)
    db.session.commit()
    db.session.remove()
    succeeded, refused, errors = _race(app, fund_id, 2, "0.01", ledger.pay_direct)
    assert errors == []
    assert (succeeded, refused) == (1, 1)
