"""A whole ID number on the pages: shown only for a stated purpose (at the field when
missing), the purpose in the audit log in words, at most the policy's number a day per
person (then a message, and the auditor's home page names the person), and every page
with personal data answered ``Cache-Control: no-store``."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry
from app.models.types import utcnow
from app.services import policy
from app.services.registry.reveals import LIMIT_REACHED, REVEAL
from app.xlsx import beijing
from tests.conftest import ACTOR
from tests.registry_helpers import make_id


def _reveals() -> int:
    db.session.rollback()
    return db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == REVEAL)
    ).scalar_one()


def test_a_reveal_without_a_purpose_is_refused_at_the_field(client, auth, world):
    auth.login("caseworker")
    page = client.post("/workers/1/reveal", data={"purpose": ""}).get_data(as_text=True)
    assert make_id(1) not in page
    assert 'aria-describedby="purpose-error"' in page and "请选择查看完整号码的用途" in page
    page = client.post("/workers/1/reveal", data={"purpose": "other", "note": " "}).get_data(as_text=True)
    assert make_id(1) not in page and "请说明查看完整号码的用途" in page
    page = client.post("/workers/1/reveal", data={"purpose": "made-up"}).get_data(as_text=True)
    assert make_id(1) not in page
    assert _reveals() == 0


def test_the_purpose_is_in_the_audit_log_in_words(client, auth, world):
    auth.login("caseworker", "cw-purpose")
    page = client.post("/workers/1/reveal", data={"purpose": "bank"}).get_data(as_text=True)
    assert make_id(1) in page and "银行发放" in page
    client.post("/workers/1/reveal", data={"purpose": "other", "note": "法院协查"})
    auth.logout()
    auth.login("auditor")
    log = client.get("/audit/?actions=worker.reveal_id").get_data(as_text=True)
    assert "用途：银行发放" in log and "法院协查" in log


def test_the_limit_stops_the_next_reveal_and_the_auditor_is_told_once(client, auth, world):
    policy.set_value(beijing(utcnow()).year, "reveal_daily_limit", "3", actor=ACTOR)
    db.session.commit()
    user = auth.login("caseworker", "cw-many")
    for _ in range(3):
        assert make_id(1) in client.post("/workers/1/reveal", data={"purpose": "identity"}).get_data(
            as_text=True
        )
    for _ in range(2):
        response = client.post("/workers/1/reveal", data={"purpose": "identity"}, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert make_id(1) not in page
        assert "24小时内已查看 3 个完整身份证号，已达上限" in page and "审计员已收到通知" in page
    assert _reveals() == 3
    told = db.session.execute(select(AuditEntry).where(AuditEntry.action == LIMIT_REACHED)).scalars().all()
    assert len(told) == 1 and told[0].actor_id == user.id  # once per crossing, not per refusal
    auth.logout()
    auth.login("auditor")
    home = client.get("/").get_data(as_text=True)
    assert "查看完整身份证号达到每日上限" in home
    assert "cw-many" in home and "24小时内查看 3 个完整身份证号" in home
    log = client.get("/audit/").get_data(as_text=True)
    assert "查看完整身份证号达到每日上限" in log


def test_the_default_limit_is_thirty(client, auth, world):
    auth.login("caseworker", "cw-thirty")
    answers = [client.post("/workers/1/reveal", data={"purpose": "audit"}) for _ in range(31)]
    assert all(make_id(1) in a.get_data(as_text=True) for a in answers[:30])
    assert answers[30].status_code == 302 and _reveals() == 30


def test_the_limit_is_a_policy_value_on_the_policy_page(client, auth, world):
    auth.login("admin")
    page = client.get(f"/admin/policy?year={beijing(utcnow()).year}").get_data(as_text=True)
    assert "每人24小时内可查看的完整身份证号数" in page


def test_every_page_with_personal_data_is_no_store(client, auth, world):
    auth.login("caseworker")
    pages = [
        client.get("/workers/1"),
        client.post("/workers/1/reveal", data={"purpose": "identity"}),
        client.get("/workers"),
        client.get("/workers?q=zh"),
        client.get("/workers/export.xlsx"),
        client.get("/workers/export.csv"),
        client.get("/cases.xlsx?year=2015"),
        client.get("/cases/1/print"),
    ]
    auth.logout()
    auth.login("auditor")
    pages += [
        client.get("/audit/"),
        client.get("/audit/log.xlsx"),
        client.get("/audit/log.csv"),
        client.get("/audit/export?year=2015"),
    ]
    assert make_id(1) in pages[1].get_data(as_text=True)
    for response in pages:
        response.close()  # the downloads are files: let go of them
        assert response.status_code == 200, (response.request.path, response.status_code)
        assert response.headers["Cache-Control"] == "no-store", response.request.path
