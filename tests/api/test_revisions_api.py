"""预算调整 through the API: POST /funds/{code}/revisions with a strict money string and a
document number; GET /funds shows the new budget; below what is used is a 409 with nothing
changed; another unit's fund is a 404; GET /budget-revisions lists the year's revisions."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services import reconciliation, units
from app.services import users as user_service
from tests.batch_helpers import approved_cases
from tests.conftest import ACTOR
from tests.services.test_all_or_nothing import snapshot

API = "/api/v1"
BODY = {
    "year": 2015,
    "amount": "50000.00",
    "reason": "追加",
    "reference": "桥财预〔2015〕12号",
    "revised_on": "2015-06-30",
}


def _budget(client, headers, code="2015100001") -> dict:
    funds = client.get(f"{API}/funds?year=2015", headers=headers).get_json()["funds"]
    return next(f for f in funds if f["code"] == code)


def test_a_revision_up_and_down_through_the_api(client, world, token):
    finance = token("finance")
    approved_cases(world.budget.unit, 1, amount="1000")
    up = client.post(f"{API}/funds/2015100001/revisions", json=BODY, headers=finance)
    assert up.status_code == 201, up.get_json()
    assert up.get_json()["lines"] == [
        {
            "fund_code": "2015100001",
            "budget_before": "300000.00",
            "change": "50000.00",
            "budget_after": "350000.00",
        }
    ]
    assert up.get_json()["total_expenditure"] == "715604.71"
    fund = _budget(client, finance)
    assert (fund["budget"], fund["committed"], fund["available"]) == ("350000.00", "1000.00", "349000.00")
    down = client.post(
        f"{API}/funds/2015100001/revisions",
        json={**BODY, "how": "decrease", "amount": "100000.00", "reference": "桥财预〔2015〕20号"},
        headers=finance,
    )
    assert down.status_code == 201, down.get_json()
    assert _budget(client, finance)["budget"] == "250000.00"
    checked = client.get(f"{API}/reconciliation?year=2015", headers=finance).get_json()
    assert checked["ok"] is True, checked
    listed = client.get(f"{API}/budget-revisions?year=2015", headers=token("auditor")).get_json()
    assert [r["reference"] for r in listed["revisions"]] == ["桥财预〔2015〕12号", "桥财预〔2015〕20号"]
    assert listed["revisions"][1]["lines"][0]["change"] == "-100000.00"


def test_a_revision_below_what_is_used_is_a_409_and_changes_nothing(client, world, token):
    finance = token("finance")
    approved_cases(world.budget.unit, 1, amount="1000")
    before = snapshot()
    refused = client.post(
        f"{API}/funds/2015100001/revisions", json={**BODY, "how": "set", "amount": "999.99"}, headers=finance
    )
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    seen = {t: rows for t, rows in snapshot().items() if t not in ("audit_log", "audit_head", "api_tokens")}
    assert seen == {
        t: rows for t, rows in before.items() if t not in ("audit_log", "audit_head", "api_tokens")
    }
    assert reconciliation.reconcile(2015).ok


def test_amounts_are_strict_and_roles_and_units_are_kept(client, world, token, make_user):
    finance = token("finance")
    for amount in ("1e3", "-5", "0", "12.345", 12.5, " 100", "1,000"):
        answer = client.post(
            f"{API}/funds/2015100001/revisions", json={**BODY, "amount": amount}, headers=finance
        )
        assert answer.status_code == 422 and "amount" in answer.get_json()["errors"], amount
    missing = client.post(
        f"{API}/funds/2015100001/revisions", json={**BODY, "reference": ""}, headers=finance
    )
    assert missing.status_code == 422 and "reference" in missing.get_json()["errors"]
    assert (
        client.post(f"{API}/funds/2015100001/revisions", json=BODY, headers=token("caseworker")).status_code
        == 403
    )
    assert (
        client.post(f"{API}/funds/2015100001/revisions", json=BODY, headers=token("admin")).status_code == 403
    )
    units.create_unit("711003", "桥东区总工会", actor=ACTOR)
    db.session.commit()
    other = make_user("finance", "east-finance", unit="711003")
    value = user_service.issue_token(db.session.get(User, other.id), actor=ACTOR)
    db.session.commit()
    east = {"Authorization": f"Bearer {value}"}
    assert client.post(f"{API}/funds/2015100001/revisions", json=BODY, headers=east).status_code == 404
    assert client.get(f"{API}/budget-revisions?year=2015", headers=east).get_json()["revisions"] == []
    assert _budget(client, finance)["budget"] == "300000.00"


def test_the_same_idempotency_key_revises_once(client, world, token):
    finance = token("finance")
    headers = {**finance, "Idempotency-Key": "rev-2015-12"}
    first = client.post(f"{API}/funds/2015100001/revisions", json=BODY, headers=headers)
    again = client.post(f"{API}/funds/2015100001/revisions", json=BODY, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert _budget(client, finance)["budget"] == "350000.00"
    other = client.post(f"{API}/funds/2015100001/revisions", json={**BODY, "amount": "1.00"}, headers=headers)
    assert other.status_code == 422
