"""上报 through the API as a city's systems would call it: a district's finance sends its
year, the city's reviewer sees it with its frozen figures, returns it with a reason, the
district sends it again, the city accepts. Nobody in the district decides on its own report;
a sibling district sees nothing of it."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import UnitReport, User
from app.services import users as user_service
from tests.conftest import ACTOR
from tests.units.test_two_districts import city  # noqa: F401  (the two districts' fixture)


def _bearer(make_user, role: str, name: str, unit: str | None) -> dict[str, str]:
    user = make_user(role, name, unit=unit)
    value = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    return {"Authorization": f"Bearer {value}"}


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(UnitReport)).scalar_one()


def test_a_report_goes_up_comes_back_with_a_reason_and_is_accepted_as_version_two(client, city, make_user):  # noqa: F811
    district = _bearer(make_user, "finance", "cashier-02", "711002")
    city_reviewer = _bearer(make_user, "reviewer", "city-reviewer", "7110")

    sent = client.post("/api/v1/unit-reports", json={"year": 2015, "note": "年报"}, headers=district)
    assert sent.status_code == 201, sent.get_json()
    first = sent.get_json()
    assert first["unit"] == "711002" and first["month"] is None and first["version"] == 1
    assert first["status"] == "submitted" and first["intact"] is True

    # The same period again while it stands: a conflict, nothing new.
    again = client.post("/api/v1/unit-reports", json={"year": 2015}, headers=district)
    assert again.status_code == 409 and _count() == 1

    # The district may not decide on its own report.
    own = client.post(f"/api/v1/unit-reports/{first['id']}/accept", headers=district)
    assert own.status_code == 409
    assert db.session.get(UnitReport, first["id"]).status == "submitted"

    seen = client.get(f"/api/v1/unit-reports/{first['id']}", headers=city_reviewer).get_json()
    figures = seen["figures"]
    assert figures["unit"]["code"] == "711002" and figures["households"] == 1
    canonical = json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == seen["digest"]

    no_reason = client.post(f"/api/v1/unit-reports/{first['id']}/return", json={}, headers=city_reviewer)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    returned = client.post(
        f"/api/v1/unit-reports/{first['id']}/return",
        json={"reason": "困难职工人数与台账不符"},
        headers=city_reviewer,
    )
    assert returned.status_code == 200
    assert returned.get_json()["status"] == "returned"
    assert returned.get_json()["return_reason"] == "困难职工人数与台账不符"

    second = client.post("/api/v1/unit-reports", json={"year": 2015}, headers=district)
    assert second.status_code == 201 and second.get_json()["version"] == 2
    accepted = client.post(f"/api/v1/unit-reports/{second.get_json()['id']}/accept", headers=city_reviewer)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert accepted.get_json()["reviewed_by"]

    listed = client.get("/api/v1/unit-reports?year=2015", headers=city_reviewer).get_json()["items"]
    assert [(r["version"], r["status"]) for r in listed] == [(2, "accepted"), (1, "returned")]


def test_a_sibling_district_sees_nothing_and_a_malformed_period_is_refused(client, city, make_user):  # noqa: F811
    district = _bearer(make_user, "finance", "cashier-02", "711002")
    sibling = _bearer(make_user, "reviewer", "reviewer-03", "711003")
    sent = client.post("/api/v1/unit-reports", json={"year": 2015, "month": 3}, headers=district).get_json()
    assert sent["month"] == 3
    for method, path in (
        ("get", f"/api/v1/unit-reports/{sent['id']}"),
        ("post", f"/api/v1/unit-reports/{sent['id']}/accept"),
    ):
        assert getattr(client, method)(path, headers=sibling).status_code == 404
    assert client.get("/api/v1/unit-reports", headers=sibling).get_json()["items"] == []
    assert db.session.get(UnitReport, sent["id"]).status == "submitted"

    for wrong in ({"year": 2015, "month": 13}, {"year": 2015, "month": "3"}, {"month": 3}):
        answer = client.post("/api/v1/unit-reports", json=wrong, headers=district)
        assert answer.status_code == 422, wrong
    # A caseworker may read reports but not send one.
    caseworker = _bearer(make_user, "caseworker", "cw-02", "711002")
    refused = client.post("/api/v1/unit-reports", json={"year": 2015, "month": 4}, headers=caseworker)
    assert refused.status_code == 403
    assert _count() == 1
