"""Forty reveals asked for at once by one person with a limit of thirty: exactly thirty
whole numbers are shown, the others are 429, never a 500; the count is taken under a row
lock in the reveal's own transaction. On PostgreSQL these requests really run at the same
time (threads, each its own connection)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, User
from app.services import users as user_service
from app.services.registry.reveals import LIMIT_REACHED, REVEAL
from tests.conftest import ACTOR

AT_ONCE = 40


def test_forty_parallel_reveals_with_a_limit_of_thirty_show_thirty(app, world, make_user):
    user = make_user("caseworker", "race-reveal", unit="711002")
    token = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    db.session.rollback()  # the test's own session holds no transaction (on SQLite: no write lock)
    barrier = threading.Barrier(AT_ONCE)
    statuses: list[int] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            with app.test_client() as client:
                response = client.get(
                    "/api/v1/applicants/1?reveal=id_number", headers={"Authorization": f"Bearer {token}"}
                )
            with guard:
                statuses.append(response.status_code)
        except BaseException as error:  # a crash fails the test
            with guard:
                errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []
    assert Counter(statuses) == Counter({200: 30, 429: 10})
    db.session.rollback()
    counted = db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == REVEAL)
    ).scalar_one()
    told = db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == LIMIT_REACHED)
    ).scalar_one()
    assert (counted, told) == (30, 1)
