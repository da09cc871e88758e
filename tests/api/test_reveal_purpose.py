"""A reveal through the API as the contract writes it (``?reveal=id_number``, no purpose)
still works and is recorded as made by the API with no purpose given; a purpose, when
given, is recorded; past the person's daily limit the answer is 429 with Retry-After."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.models.types import utcnow
from app.services import policy
from app.services.registry.reveals import LIMIT_REACHED, REVEAL
from app.xlsx import beijing
from tests.conftest import ACTOR
from tests.registry_helpers import make_id

API = "/api/v1"


def _purposes() -> list[dict]:
    db.session.rollback()
    rows = db.session.execute(select(AuditEntry).where(AuditEntry.action == REVEAL).order_by(AuditEntry.seq))
    return [json.loads(entry.details) for entry in rows.scalars()]


def test_a_reveal_without_a_purpose_works_and_is_recorded_so(client, auth, world, token):
    who = token("caseworker", "api-reveal")
    plain = client.get(f"{API}/applicants/1?reveal=id_number", headers=who)
    assert plain.status_code == 200 and plain.get_json()["id_number"] == make_id(1)
    assert plain.headers["Cache-Control"] == "no-store"
    stated = client.get(f"{API}/applicants/1?reveal=id_number&purpose=bank", headers=who)
    worded = client.get(f"{API}/applicants/1?reveal=id_number&purpose=法院协查", headers=who)
    assert stated.status_code == worded.status_code == 200
    assert _purposes() == [
        {"reveal_purpose": "api_unstated"},
        {"reveal_purpose": "bank"},
        {"reveal_purpose": "other", "note": "法院协查"},
    ]
    auth.login("auditor")
    log = client.get("/audit/?actions=worker.reveal_id").get_data(as_text=True)
    assert "经接口调用，未说明用途" in log and "银行发放" in log and "法院协查" in log


def test_the_thirty_first_reveal_is_429_with_retry_after(client, world, token):
    who = token("caseworker", "api-many")
    answers = [client.get(f"{API}/applicants/1?reveal=id_number", headers=who) for _ in range(31)]
    assert [a.status_code for a in answers[:30]] == [200] * 30
    refused = answers[30]
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert "已达上限" in refused.get_json()["detail"] and make_id(1) not in refused.get_data(as_text=True)
    masked = client.get(f"{API}/applicants/1", headers=who)  # the masked file still answers
    assert masked.status_code == 200 and make_id(1) not in masked.get_data(as_text=True)
    db.session.rollback()
    told = db.session.execute(select(AuditEntry).where(AuditEntry.action == LIMIT_REACHED)).scalars().all()
    assert len(told) == 1


def test_the_limit_is_the_years_policy_value(client, world, token):
    policy.set_value(beijing(utcnow()).year, "reveal_daily_limit", "2", actor=ACTOR)
    db.session.commit()
    who = token("caseworker", "api-two")
    codes = [client.get(f"{API}/applicants/1?reveal=id_number", headers=who).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
