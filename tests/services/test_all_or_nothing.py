"""All or nothing: each money-moving or bulk operation writes in one transaction with its
ledger entries and audit rows. A failure is injected after each of its write steps (an
exception raised from inside the service, right after the step reached the database),
and the database must then be exactly as it was before: every row of every table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Campaign, Case, Fund, ModelWorker, Payment, Unit, User
from app.services import budgets, cases, policy, registry_import
from app.services.audit import Actor
from tests.conftest import ACTOR, BUDGET_FILE
from tests.services.test_registry_import import _csv, _mixed_rows

DAY = date(2015, 3, 2)


class Injected(RuntimeError):
    """The failure a test injects."""


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    db.session.expire_all()
    return {
        table.name: [
            tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in db.metadata.sorted_tables
    }


@contextmanager
def writes(fail_at: int | None = None) -> Iterator[list[int]]:
    """Count the session's write steps (flushes); raise :class:`Injected` right after the
    ``fail_at``-th one has reached the database."""
    seen = [0]

    def after_flush(session: Session, _context: Any) -> None:
        seen[0] += 1
        if seen[0] == fail_at:
            raise Injected(f"failure injected after write step {fail_at}")

    event.listen(Session, "after_flush", after_flush)
    try:
        yield seen
    finally:
        event.remove(Session, "after_flush", after_flush)


def assert_all_or_nothing(operation: Callable[[], object]) -> int:
    """Fail ``operation`` after each of its write steps in turn; the database must be left
    as it was every time. Then let it succeed once. Returns how many steps it has."""
    before = snapshot()
    with writes() as seen:
        operation()
    steps = seen[0]
    db.session.rollback()
    assert snapshot() == before, "a rolled-back run left rows behind"
    assert steps >= 1
    for step in range(1, steps + 1):
        with writes(fail_at=step), pytest.raises(Injected):
            operation()
        db.session.rollback()
        assert snapshot() == before, f"a failure after write step {step} of {steps} left rows behind"
    operation()
    db.session.commit()
    assert snapshot() != before, "the operation changed nothing when it succeeded"
    return steps


@pytest.fixture
def people(world, make_user) -> dict[str, Actor]:
    policy.set_value(2015, "notice_days", "0", actor=ACTOR)
    db.session.commit()
    return {
        role: Actor.of(db.session.get(User, make_user(role, unit="711002").id))
        for role in ("caseworker", "reviewer", "finance")
    }


def _hardship() -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == "2015100001")).scalar_one()


def _submitted_case(people: dict[str, Actor]) -> int:
    case = db.session.get(Case, 1)
    cases.submit(case, actor=people["caseworker"], today=DAY)
    db.session.commit()
    return case.id


def test_an_approval_with_its_commitment_and_audit_row(people):
    case_id = _submitted_case(people)
    steps = assert_all_or_nothing(
        lambda: cases.approve(db.session.get(Case, case_id), actor=people["reviewer"], today=DAY)
    )
    assert steps >= 2  # at least the commitment and the case's new state
    assert db.session.get(Case, case_id).status == "approved"


def test_a_payment_and_its_reversal(people):
    case_id = _submitted_case(people)
    cases.approve(db.session.get(Case, case_id), actor=people["reviewer"], today=DAY)
    db.session.commit()
    assert_all_or_nothing(
        lambda: cases.pay(
            db.session.get(Case, case_id),
            amount="400",
            voucher_no="AON-1",
            paid_on=DAY,
            method="cash",
            actor=people["finance"],
        )
    )
    payment_id = db.session.execute(select(Payment.id)).scalar_one()
    assert_all_or_nothing(
        lambda: cases.reverse_payment(
            db.session.get(Payment, payment_id), reason="错付", actor=people["finance"]
        )
    )


def test_a_check_up_payment(people):
    assert_all_or_nothing(
        lambda: cases.pay_checkup(
            db.session.get(ModelWorker, 1),
            fund=db.session.execute(select(Fund).where(Fund.code == "2015100002")).scalar_one(),
            amount="500",
            voucher_no="AON-TJ",
            paid_on=DAY,
            actor=people["finance"],
        )
    )


def test_a_campaign_batch(people):
    campaign = cases.plan_campaign(
        fund=_hardship(), name="送温暖", amount_each="300", unit_ids=None, actor=people["caseworker"]
    )
    db.session.commit()
    campaign_id = campaign.id
    assert_all_or_nothing(
        lambda: cases.approve_campaign(
            db.session.get(Campaign, campaign_id), actor=people["reviewer"], today=DAY
        )
    )
    assert db.session.get(Campaign, campaign_id).status == "approved"


def test_a_registry_import(people):
    unit_id = db.session.execute(select(Unit.id).where(Unit.code == "711002")).scalar_one()
    content = _csv(_mixed_rows(), "utf-8")
    steps = assert_all_or_nothing(
        lambda: registry_import.import_file(
            "import.csv", content, unit=db.session.get(Unit, unit_id), actor=people["caseworker"]
        )
    )
    assert steps >= 3  # one file per good row, and the import's audit row


def test_a_budget_load(ctx):
    document = budgets.read_budget_file(BUDGET_FILE)
    steps = assert_all_or_nothing(lambda: budgets.load_budget(document, actor=ACTOR))
    assert steps >= 3
