"""Lost connections and conflicts the database asks us to retry: the user gets a clear
"please retry" page, nothing is half-written, and the next request works."""

from __future__ import annotations

from typing import Any

import psycopg.errors
import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Case
from app.services import cases, policy
from tests.conftest import ACTOR
from tests.services.test_all_or_nothing import snapshot


@pytest.fixture
def submitted(world, auth, client) -> int:
    """Case 1, submitted with no notice period, and a reviewer signed in to decide it."""
    policy.set_value(2015, "notice_days", "0", actor=ACTOR)
    cases.submit(db.session.get(Case, 1), actor=ACTOR)
    db.session.commit()
    auth.login("reviewer")
    return 1


def test_a_connection_killed_mid_request_writes_nothing_and_asks_to_retry(
    app, client, submitted, database_url, is_postgres
):
    if not is_postgres:
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    before = snapshot()
    killer = create_engine(database_url)
    killed: list[int] = []

    def kill_after_first_write(session: Session, _context: Any) -> None:
        if killed:
            return
        pid = session.connection().execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.begin() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killed.append(pid)

    event.listen(Session, "after_flush", kill_after_first_write)
    try:
        response = client.post(f"/cases/{submitted}/approve", data={"amount": "", "note": ""})
    finally:
        event.remove(Session, "after_flush", kill_after_first_write)
        killer.dispose()
    assert killed
    assert response.status_code == 503 and response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "请重试" in page and "没有保存" in page
    assert snapshot() == before
    again = client.post(f"/cases/{submitted}/approve", data={"amount": "", "note": ""}, follow_redirects=True)
    assert again.status_code == 200 and "已批准" in again.get_data(as_text=True)
    assert db.session.execute(select(Case.status).where(Case.id == submitted)).scalar_one() == "approved"


def _refusing(monkeypatch, times: int) -> list[int]:
    """Make the approval service fail ``times`` times with a real serialization failure
    (SQLSTATE 40001) before it runs for real."""
    real = cases.approve
    calls: list[int] = []

    def approve(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) <= times:
            real(*args, **kwargs)  # write first, so a retry must undo it
            db.session.flush()
            raise OperationalError(
                "COMMIT", {}, psycopg.errors.SerializationFailure("could not serialize access")
            )
        real(*args, **kwargs)

    monkeypatch.setattr(cases, "approve", approve)
    return calls


def test_a_serialization_failure_is_retried_and_succeeds(client, submitted, monkeypatch):
    calls = _refusing(monkeypatch, times=2)
    response = client.post(
        f"/cases/{submitted}/approve", data={"amount": "", "note": ""}, follow_redirects=True
    )
    assert response.status_code == 200 and "已批准" in response.get_data(as_text=True)
    assert len(calls) == 3
    case = db.session.get(Case, submitted)
    db.session.refresh(case)
    assert case.status == "approved" and case.commitment_id is not None


def test_retries_stop_after_three_and_nothing_is_saved(client, submitted, monkeypatch):
    before = snapshot()
    calls = _refusing(monkeypatch, times=99)
    response = client.post(f"/cases/{submitted}/approve", data={"amount": "", "note": ""})
    assert len(calls) == 4  # the first attempt and three retries
    assert response.status_code == 503 and "请重试" in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_api_retries_too_and_answers_503_problem(client, submitted, monkeypatch, make_user):
    from app.models import User
    from app.services import users as user_service

    reviewer = db.session.get(User, make_user("reviewer", unit="711002").id)
    token = user_service.issue_token(reviewer, actor=ACTOR)
    db.session.commit()
    calls = _refusing(monkeypatch, times=99)
    response = client.post(f"/api/v1/cases/{submitted}/approve", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert len(calls) == 4
