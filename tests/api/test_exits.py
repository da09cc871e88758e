"""Exit, follow-up calls and return to hardship (返困) through the API, as ../shared/API.md
writes them: 409 while cases are open, 404 across units, 422 at the field, and the file
read-only between an exit and a return, its history kept."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, FollowUp, HouseholdEpisode, User, Worker
from app.services import policy, registry, units
from app.services import users as user_service
from app.services.registry.episodes import add_months
from tests.api.test_api import API
from tests.conftest import ACTOR

TODAY = date.today()
EXIT = {"reason": "recovered", "date": TODAY.isoformat(), "note": "子女就业，收入稳定"}
CASE = {
    "applicant_id": 1,
    "fund_code": "2015100001",
    "aid_type": "medical",
    "amount": "800.00",
    "reason": "住院",
}


def _settle(client, headers) -> None:
    assert client.post(f"{API}/cases/1/cancel", json={"reason": "撤回"}, headers=headers).status_code == 200


def _state() -> tuple:
    db.session.expire_all()
    worker = db.session.get(Worker, 1)
    episodes = db.session.execute(select(func.count()).select_from(HouseholdEpisode)).scalar_one()
    open_ = db.session.execute(
        select(func.count()).select_from(HouseholdEpisode).where(HouseholdEpisode.closed_on.is_(None))
    ).scalar_one()
    follow = db.session.execute(select(func.count()).select_from(FollowUp)).scalar_one()
    return worker.status, episodes, open_, follow


def test_an_exit_waits_for_the_cases_then_closes_the_period_and_schedules_calls(client, world, token):
    caseworker = token("caseworker")
    before = _state()
    refused = client.post(f"{API}/applicants/1/exit", json=EXIT, headers=caseworker)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["errors"] == {"reason": [refused.get_json()["detail"]]}
    assert _state() == before == ("on_file", 1, 1, 0)

    _settle(client, caseworker)
    done = client.post(f"{API}/applicants/1/exit", json=EXIT, headers=caseworker)
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["id"] == 1 and body["status"] == "out_of_hardship"
    assert [(e["closed_on"], e["exit_reason"], e["exit_note"]) for e in body["episodes"]] == [
        (TODAY.isoformat(), "recovered", "子女就业，收入稳定")
    ]
    assert [(f["months_after"], f["due_on"], f["done_on"]) for f in body["follow_ups"]] == [
        (m, add_months(TODAY, m).isoformat(), None) for m in (3, 6, 12)
    ]
    again = client.post(f"{API}/applicants/1/exit", json=EXIT, headers=caseworker)
    assert again.status_code == 409
    assert _state() == ("out_of_hardship", 1, 0, 3)


def test_exit_reasons_other_than_recovery_close_the_file(client, world, token):
    caseworker = token("caseworker")
    _settle(client, caseworker)
    response = client.post(f"{API}/applicants/1/exit", json={**EXIT, "reason": "moved"}, headers=caseworker)
    assert response.status_code == 200
    assert response.get_json()["status"] == "closed"


def test_a_bad_reason_or_date_is_a_422_at_the_field_and_changes_nothing(client, world, token):
    caseworker = token("caseworker")
    _settle(client, caseworker)
    before = _state()
    for payload, field in (
        ({**EXIT, "reason": "bored"}, "reason"),
        ({**EXIT, "reason": None}, "reason"),
        ({**EXIT, "date": (TODAY + timedelta(days=1)).isoformat()}, "date"),
        ({**EXIT, "date": "2015-02-30"}, "date"),
    ):
        refused = client.post(f"{API}/applicants/1/exit", json=payload, headers=caseworker)
        assert refused.status_code == 422, payload
        assert field in refused.get_json()["errors"], refused.get_json()
    # A date before the file opened is well written but conflicts with the file: 409.
    early = (TODAY - timedelta(days=1)).isoformat()
    refused = client.post(f"{API}/applicants/1/exit", json={**EXIT, "date": early}, headers=caseworker)
    assert refused.status_code == 409 and TODAY.isoformat() in refused.get_json()["detail"]
    assert _state() == before


def test_an_exited_file_is_read_only_until_the_household_returns(client, world, token):
    caseworker = token("caseworker")
    _settle(client, caseworker)
    assert client.post(f"{API}/applicants/1/exit", json=EXIT, headers=caseworker).status_code == 200
    cases_before = client.get(f"{API}/cases", headers=token("auditor")).get_json()["items"]

    refused = client.post(f"{API}/cases", json={**CASE, "year": 2015}, headers=caseworker)
    assert refused.status_code == 409
    assert "返困" in refused.get_json()["detail"]
    worker = db.session.get(Worker, 1)
    for attempt in (
        lambda: registry.add_evidence(worker, "income_proof", reference="x", received_on=TODAY, actor=ACTOR),
    ):
        try:
            attempt()
        except registry.FileExited:
            db.session.rollback()
        else:  # pragma: no cover - the refusal is the point
            raise AssertionError("evidence on an exited file")

    back = client.post(
        f"{API}/applicants/1/reentry",
        json={"reason": "再次失业", "date": TODAY.isoformat()},
        headers=caseworker,
    )
    assert back.status_code == 200, back.get_json()
    body = back.get_json()
    assert body["status"] == "on_file"
    assert [(e["exit_reason"], e["reentry_reason"], e["closed_on"]) for e in body["episodes"]] == [
        ("recovered", None, TODAY.isoformat()),
        (None, "再次失业", None),
    ]
    # Its earlier case is kept, and a new one may be opened.
    assert client.get(f"{API}/cases/1", headers=caseworker).status_code == 200
    assert client.post(f"{API}/cases", json={**CASE, "year": 2015}, headers=caseworker).status_code == 201
    assert (
        len(client.get(f"{API}/cases", headers=token("auditor")).get_json()["items"]) == len(cases_before) + 1
    )
    assert (
        client.post(
            f"{API}/applicants/1/reentry", json={"reason": "x", "date": TODAY.isoformat()}, headers=caseworker
        ).status_code
        == 409
    )


def test_reentry_needs_a_reason_and_a_date_not_in_the_future(client, world, token):
    caseworker = token("caseworker")
    _settle(client, caseworker)
    client.post(f"{API}/applicants/1/exit", json=EXIT, headers=caseworker)
    before = _state()
    for payload, field in (
        ({"reason": "", "date": TODAY.isoformat()}, "reason"),
        ({"reason": "再次失业", "date": (TODAY + timedelta(days=3)).isoformat()}, "date"),
        ({"reason": "再次失业"}, "date"),
    ):
        refused = client.post(f"{API}/applicants/1/reentry", json=payload, headers=caseworker)
        assert refused.status_code == 422, payload
        assert field in refused.get_json()["errors"]
    assert _state() == before


def test_calls_after_an_exit_do_the_follow_ups_in_turn(client, world, token):
    caseworker = token("caseworker")
    policy.set_value(TODAY.year, "follow_up_months", "1,2", unit=world.budget.unit, actor=ACTOR)
    db.session.commit()
    before_exit = client.post(
        f"{API}/applicants/1/visits",
        json={"date": TODAY.isoformat(), "kind": "home", "note": "入户走访"},
        headers=caseworker,
    )
    assert before_exit.status_code == 201
    assert before_exit.get_json()["follow_up"] is None
    _settle(client, caseworker)
    exited = client.post(f"{API}/applicants/1/exit", json=EXIT, headers=caseworker).get_json()
    assert [f["months_after"] for f in exited["follow_ups"]] == [1, 2]

    assert registry.follow_ups_due([world.budget.unit.id], today=TODAY) == []
    due = registry.follow_ups_due([world.budget.unit.id], today=add_months(TODAY, 1))
    assert [f.months_after for f in due] == [1]
    assert registry.follow_ups_due([9999], today=add_months(TODAY, 1)) == []

    call = {"date": TODAY.isoformat(), "kind": "phone", "note": "电话回访，生活稳定"}
    first = client.post(f"{API}/applicants/1/visits", json=call, headers=caseworker)
    assert first.status_code == 201
    assert first.get_json()["kind"] == "phone"
    assert first.get_json()["follow_up"]["months_after"] == 1
    assert first.get_json()["follow_up"]["done_on"] == TODAY.isoformat()
    second = client.post(f"{API}/applicants/1/visits", json=call, headers=caseworker).get_json()
    assert second["follow_up"]["months_after"] == 2
    third = client.post(f"{API}/applicants/1/visits", json=call, headers=caseworker).get_json()
    assert third["follow_up"] is None
    assert registry.follow_ups_due(None, today=add_months(TODAY, 5)) == []

    for payload, field in (
        ({**call, "kind": "letter"}, "kind"),
        ({**call, "note": ""}, "note"),
        ({**call, "date": (TODAY + timedelta(days=1)).isoformat()}, "date"),
    ):
        refused = client.post(f"{API}/applicants/1/visits", json=payload, headers=caseworker)
        assert refused.status_code == 422, payload
        assert field in refused.get_json()["errors"], refused.get_json()


def test_another_units_household_is_404_and_nothing_changes(client, world, token):
    units.create_unit("130702", "桥东区总工会", None, actor=ACTOR)
    db.session.commit()
    user, _password = user_service.create_user("east-caseworker", "caseworker", "130702", actor=ACTOR)
    db.session.commit()
    value = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    other = {"Authorization": f"Bearer {value}"}
    _settle(client, token("caseworker"))
    changes = select(func.count()).where(AuditEntry.action != "step.refused")
    before = (_state(), db.session.execute(changes).scalar_one())
    for path, payload in (
        ("exit", EXIT),
        ("visits", {"date": TODAY.isoformat(), "kind": "phone", "note": "回访"}),
        ("reentry", {"reason": "再次失业", "date": TODAY.isoformat()}),
    ):
        response = client.post(f"{API}/applicants/1/{path}", json=payload, headers=other)
        assert response.status_code == 404, path
    assert (_state(), db.session.execute(changes).scalar_one()) == before


def test_the_follow_up_months_are_a_policy_value_kept_in_rising_order(client, world, token):
    admin = token("admin")
    set_ = client.put(
        f"{API}/policy/2015/follow_up_months", json={"value": "12,3,6,3", "unit": "711002"}, headers=admin
    )
    assert set_.status_code == 200 and set_.get_json()["value"] == "3,6,12"
    for bad in ("0", "121", "3;6", ""):
        refused = client.put(
            f"{API}/policy/2015/follow_up_months", json={"value": bad, "unit": "711002"}, headers=admin
        )
        assert refused.status_code == 422, bad
