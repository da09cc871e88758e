"""A worker process killed (SIGKILL) in the middle of a campaign approval or an import:
after a restart every row is either fully there or absent — here, absent — and every
reconciliation check and the audit chain still hold; the operation then runs whole."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from app.models import Campaign, Unit
from app.services import audit, cases, reconciliation, registry, registry_import
from app.services.audit import Actor
from app.services.scope import Scope
from tests.conftest import ACTOR
from tests.registry_helpers import worker_input
from tests.services.test_all_or_nothing import _csv, _hardship, _mixed_rows, people, snapshot, writes

pytestmark = pytest.mark.slow
__all__ = ["people"]  # the fixture, shared with test_all_or_nothing


def _operation(what: str, ids: dict[str, int]) -> Any:
    reviewer = Actor(user_id=ids["reviewer"], name="reviewer", scope=Scope.everywhere())
    if what == "campaign":
        return lambda: cases.approve_campaign(db.session.get(Campaign, ids["campaign"]), actor=reviewer)
    content = _csv(_mixed_rows(), "utf-8")
    return lambda: registry_import.import_file(
        "import.csv", content, unit=db.session.get(Unit, ids["unit"]), actor=reviewer
    )


def _run_until_killed(url: str, what: str, ids: dict[str, int], marker: str, pause_at: int) -> None:
    """The worker process: start the operation and stop in the middle of its
    transaction (after write step ``pause_at``), where the test kills it."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        seen = [0]

        def pause(_session: Session, _context: Any) -> None:
            seen[0] += 1
            if seen[0] == pause_at:
                Path(marker).write_text(f"paused after write step {pause_at}")
                time.sleep(600)

        event.listen(Session, "after_flush", pause)
        _operation(what, ids)()
        db.session.commit()


def _healthy() -> None:
    result = reconciliation.reconcile(2015)
    assert result.ok, [c.problems for f in result.funds for c in f.checks if not c.ok]
    assert audit.verify_chain() == []


@pytest.mark.parametrize("what", ["campaign", "import"])
def test_a_worker_killed_mid_transaction_leaves_nothing_half_written(app, database, people, tmp_path, what):
    unit = db.session.execute(select(Unit).where(Unit.code == "711002")).scalar_one()
    for seq in range(2, 30):
        registry.register(worker_input(seq, name=f"户{seq}"), unit=unit, actor=ACTOR)
    campaign = cases.plan_campaign(
        fund=_hardship(), name="送温暖", amount_each="300", unit_ids=None, actor=people["caseworker"]
    )
    db.session.commit()
    ids = {"campaign": campaign.id, "unit": unit.id, "reviewer": people["reviewer"].user_id}
    before = snapshot()
    with writes() as seen:
        _operation(what, ids)()
    db.session.rollback()
    steps = seen[0]
    assert steps >= 1
    db.session.remove()

    marker = tmp_path / "paused"
    context = multiprocessing.get_context("spawn")
    worker = context.Process(
        target=_run_until_killed, args=(database, what, ids, str(marker), max(1, steps // 2))
    )
    worker.start()
    # A spawned process imports the whole app first: on a busy two-core machine that alone
    # has taken over two minutes. The test is about what a kill leaves, not about speed.
    deadline = time.monotonic() + 600
    while not marker.exists():
        assert worker.is_alive() and time.monotonic() < deadline, "the worker never reached the middle"
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(timeout=60)
    assert worker.exitcode == -signal.SIGKILL

    restarted = create_app("testing", SQLALCHEMY_DATABASE_URI=database)
    with restarted.app_context():
        assert snapshot() == before
        _healthy()
        _operation(what, ids)()
        db.session.commit()
        _healthy()
        if what == "campaign":
            assert db.session.get(Campaign, ids["campaign"]).status == "approved"
        db.session.remove()
        db.engine.dispose()
