"""The JSON API of ../shared/API.md, with bearer tokens, problem+json and idempotency."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Payment
from app.services import policy
from tests.registry_helpers import make_id

API = "/api/v1"
#: endpoint -> (method, path, permission role examples: (allowed role, refused role))
ENDPOINTS = {
    "api.funds": ("GET", "/funds?year=2015", "auditor", None),
    "api.fund_ledger": ("GET", "/funds/2015100001/ledger?year=2015", "finance", None),
    "api.create_applicant": ("POST", "/applicants", "caseworker", "finance"),
    "api.search_applicants": ("GET", "/applicants?q=zs", "reviewer", "admin"),
    "api.create_model_worker": ("POST", "/model-workers", "caseworker", "reviewer"),
    "api.create_case": ("POST", "/cases", "caseworker", "reviewer"),
    "api.submit_case": ("POST", "/cases/1/submit", "caseworker", "finance"),
    "api.cancel_case": ("POST", "/cases/1/cancel", "caseworker", "auditor"),
    "api.approve_case": ("POST", "/cases/1/approve", "reviewer", "caseworker"),
    "api.reject_case": ("POST", "/cases/1/reject", "reviewer", "finance"),
    "api.pay_case": ("POST", "/cases/1/payments", "finance", "reviewer"),
    "api.reverse_payment": ("POST", "/payments/1/reversal", "finance", "caseworker"),
    "api.pay_health_check": ("POST", "/health-checks", "finance", "admin"),
    "api.reconciliation_report": ("GET", "/reconciliation?year=2015", "auditor", None),
    "api.audit_package": ("GET", "/audit/export?year=2015", "auditor", "finance"),
    "api.get_applicant": ("GET", "/applicants/1", "reviewer", "admin"),
    "api.list_cases": ("GET", "/cases?status=draft", "auditor", "admin"),
    "api.get_case": ("GET", "/cases/1", "finance", "admin"),
    "api.get_payment": ("GET", "/payments/1", "auditor", "admin"),
    "api.set_policy_value": ("PUT", "/policy/2015/notice_days", "admin", "reviewer"),
    "api.list_units": ("GET", "/units", "auditor", None),
    "api.create_batch": ("POST", "/payment-batches", "finance", "reviewer"),
    "api.get_batch": ("GET", "/payment-batches/1", "finance", "auditor"),
    "api.approve_batch": ("POST", "/payment-batches/1/approve", "finance", "reviewer"),
    "api.cancel_batch": ("POST", "/payment-batches/1/cancel", "finance", "caseworker"),
    "api.batch_file": ("GET", "/payment-batches/1/file?format=csv", "finance", "auditor"),
    "api.batch_returns": ("POST", "/payment-batches/1/returns", "finance", "admin"),
    "api.close_year": ("POST", "/years/2015/close", "finance", "caseworker"),
    "api.close_month": ("POST", "/years/2015/months/3/close", "finance", "auditor"),
    "api.list_closes": ("GET", "/period-closes?year=2015", "auditor", "caseworker"),
    "api.request_books_reopen": ("POST", "/period-closes/1/reopen-request", "admin", "finance"),
    "api.reopen_books": ("POST", "/period-closes/1/reopen", "admin", "auditor"),
    "api.carry_over": ("POST", "/years/2015/carry-over", "finance", "caseworker"),
    "api.exit_applicant": ("POST", "/applicants/1/exit", "caseworker", "finance"),
    "api.add_applicant_visit": ("POST", "/applicants/1/visits", "caseworker", "finance"),
    "api.reenter_applicant": ("POST", "/applicants/1/reentry", "caseworker", "finance"),
    "api.send_report": ("POST", "/unit-reports", "finance", "caseworker"),
    "api.request_transfer": ("POST", "/applicants/1/transfer", "caseworker", "finance"),
    "api.list_transfers": ("GET", "/file-transfers", "caseworker", "auditor"),
    "api.accept_transfer": ("POST", "/file-transfers/1/accept", "caseworker", "reviewer"),
    "api.decline_transfer": ("POST", "/file-transfers/1/decline", "caseworker", "finance"),
    "api.withdraw_transfer": ("POST", "/file-transfers/1/withdraw", "caseworker", "admin"),
    "api.list_flags": ("GET", "/duplicate-flags", "reviewer", "caseworker"),
    "api.decide_flag": ("POST", "/duplicate-flags/1/decide", "reviewer", "finance"),
    "api.list_reports": ("GET", "/unit-reports?year=2015", "auditor", None),
    "api.get_report": ("GET", "/unit-reports/1", "auditor", None),
    "api.accept_report": ("POST", "/unit-reports/1/accept", "reviewer", "caseworker"),
    "api.return_report": ("POST", "/unit-reports/1/return", "reviewer", "auditor"),
    "api.revise_fund": ("POST", "/funds/2015100001/revisions", "finance", "admin"),
    "api.list_revisions": ("GET", "/budget-revisions?year=2015", "auditor", None),
    "api.add_investigation": ("POST", "/cases/1/investigations", "caseworker", "finance"),
    "api.add_review": ("POST", "/cases/1/reviews", "caseworker", "auditor"),
    "api.add_objection": ("POST", "/cases/1/objections", "caseworker", "finance"),
    "api.settle_objection": ("POST", "/objections/1/settle", "reviewer", "caseworker"),
    "api.start_review_round": ("POST", "/review-rounds", "reviewer", "caseworker"),
    "api.review_round": ("GET", "/review-rounds/1", "caseworker", "admin"),
    "api.complete_review_task": ("POST", "/review-tasks/1/complete", "caseworker", "reviewer"),
}


def test_every_api_route_is_in_the_table_and_in_the_openapi_document(app, client):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert endpoints - {"api.openapi"} == set(ENDPOINTS)
    spec = client.get(f"{API}/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = {path for path in spec["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = (
                rule.rule.removeprefix(API)
                .replace("<int:case_id>", "{id}")
                .replace("<int:payment_id>", "{id}")
                .replace("<int:batch_id>", "{id}")
                .replace("<int:applicant_id>", "{id}")
                .replace("<int:report_id>", "{id}")
                .replace("<int:transfer_id>", "{id}")
                .replace("<int:flag_id>", "{id}")
                .replace("<int:close_id>", "{id}")
                .replace("<int:objection_id>", "{id}")
                .replace("<int:round_id>", "{id}")
                .replace("<int:task_id>", "{id}")
                .replace("<int:year>", "{year}")
                .replace("<int:month>", "{month}")
                .replace("<key>", "{key}")
                .replace("<code>", "{code}")
            )
            if path == "/policy/{year}/{key}":  # documented one operation per policy key
                assert {f"/policy/{{year}}/{key}" for key in policy.KEYS} <= documented
                continue
            assert path in documented, path


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_no_token_or_a_bad_one_is_401_and_a_wrong_role_is_403(client, world, token, endpoint):
    method, path, _allowed, refused = ENDPOINTS[endpoint]
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        with client.open(API + path, method=method, headers=headers, json={}) as response:
            assert response.status_code == 401
            assert response.mimetype == "application/problem+json"
    if refused:
        with client.open(API + path, method=method, headers=token(refused), json={}) as response:
            assert response.status_code == 403
            assert response.get_json()["status"] == 403


def test_funds_and_ledger(client, world, token):
    headers = token("auditor")
    data = client.get(f"{API}/funds?year=2015", headers=headers).get_json()
    assert data["year"] == 2015
    assert {f["code"]: f["available"] for f in data["funds"]} == {
        "2015100001": "300000.00",
        "2015100002": "23000.00",
    }
    ledger = client.get(f"{API}/funds/2015100001/ledger?year=2015", headers=headers).get_json()
    assert ledger["items"][0]["kind"] == "allocation" and ledger["items"][0]["available"] == "300000.00"
    missing = client.get(f"{API}/funds/9999/ledger?year=2015", headers=headers)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def _applicant(**changes):
    data = {
        "name": "张三",
        "id_number": make_id(801),
        "phone": "13800138000",
        "employer": "桥西区电厂",
        "household_size": 3,
        "household_monthly_income": "1500.00",
        "category": 1,
        "category_reason": "低于低保线",
    }
    data.update(changes)
    return data


def test_register_search_and_reveal_applicants(client, world, token):
    caseworker = token("caseworker")
    created = client.post(f"{API}/applicants", json=_applicant(), headers=caseworker)
    assert created.status_code == 201
    body = created.get_json()
    assert body["id"] and body["suggested_category"] == 1 and body["id_number"].startswith("1101****")
    duplicate = client.post(f"{API}/applicants", json=_applicant(name="张三丰"), headers=caseworker)
    assert duplicate.status_code == 409
    for bad in (
        {"household_monthly_income": 1500.0},
        {"id_number": "110105198001010014"},
        {"category": "1"},
        {"household_size": 3.5},
        {"phone": "123"},
    ):
        refused = client.post(
            f"{API}/applicants", json=_applicant(**{"id_number": make_id(802), **bad}), headers=caseworker
        )
        assert refused.status_code == 422, bad
        assert refused.get_json()["errors"]
    assert client.post(f"{API}/applicants", data="not json", headers=caseworker).status_code == 422
    found = client.get(f"{API}/applicants?q=zs", headers=token("reviewer")).get_json()
    assert [i["name"] for i in found["items"]] == ["张三", "张三"][: len(found["items"])]
    assert all("*" in i["id_number"] for i in found["items"])
    # Whole numbers one household at a time: a page of them is refused, whoever asks.
    for who in (token("reviewer"), caseworker):
        bulk = client.get(f"{API}/applicants?q=zs&reveal=id_number", headers=who)
        assert bulk.status_code == 422 and "一次只显示一户" in bulk.get_json()["errors"]["reveal"][0]
    ids = [i["id"] for i in found["items"]]
    refused = client.get(f"{API}/applicants/{ids[0]}?reveal=id_number", headers=token("reviewer"))
    assert refused.status_code == 403
    revealed = [client.get(f"{API}/applicants/{i}?reveal=id_number", headers=caseworker) for i in ids]
    assert make_id(801) in [r.get_json()["id_number"] for r in revealed]
    # Personal data is never kept in a cache on the way.
    assert all(r.headers["Cache-Control"] == "no-store" for r in revealed)
    assert (
        db.session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "worker.reveal_id")
        ).scalar_one()
        >= 1
    )


def _approved_case(client, token, amount="2000.00"):
    caseworker, reviewer = token("caseworker"), token("reviewer")
    case = client.post(
        f"{API}/cases",
        json={
            "applicant_id": 1,
            "fund_code": "2015100001",
            "aid_type": "medical",
            "amount": amount,
            "reason": "住院",
            "year": 2015,
        },
        headers=caseworker,
    )
    assert case.status_code == 201, case.get_json()
    case_id = case.get_json()["id"]
    assert (
        client.post(f"{API}/cases/{case_id}/submit", headers=caseworker).get_json()["status"] == "submitted"
    )
    approved = client.post(f"{API}/cases/{case_id}/approve", json={"amount": amount}, headers=reviewer)
    assert approved.status_code == 200 and approved.get_json()["approved_amount"] == amount
    return case_id


def test_the_case_flow_with_idempotent_payment_and_reversal(client, world, token):
    case_id = _approved_case(client, token)
    finance = token("finance")
    body = {"amount": "500.00", "voucher_no": "API-1", "paid_on": "2015-03-01", "method": "cash"}
    first = client.post(
        f"{API}/cases/{case_id}/payments", json=body, headers={**finance, "Idempotency-Key": "k1"}
    )
    again = client.post(
        f"{API}/cases/{case_id}/payments", json=body, headers={**finance, "Idempotency-Key": "k1"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    other = client.post(
        f"{API}/cases/{case_id}/payments",
        json={**body, "amount": "600.00"},
        headers={**finance, "Idempotency-Key": "k1"},
    )
    assert other.status_code == 422
    for bad in ("1e3", "-5", "0", "12.345", 12.5, "NaN"):
        refused = client.post(
            f"{API}/cases/{case_id}/payments",
            json={**body, "amount": bad, "voucher_no": "X"},
            headers=finance,
        )
        assert refused.status_code == 422, bad
    too_much = client.post(
        f"{API}/cases/{case_id}/payments",
        json={**body, "amount": "1500.01", "voucher_no": "X2"},
        headers=finance,
    )
    assert too_much.status_code == 409
    funds = client.get(f"{API}/funds?year=2015", headers=finance).get_json()["funds"]
    hardship = next(f for f in funds if f["code"] == "2015100001")
    assert (hardship["paid"], hardship["committed"]) == ("500.00", "1500.00")
    payment_id = first.get_json()["id"]
    reversed_ = client.post(f"{API}/payments/{payment_id}/reversal", json={"reason": "错付"}, headers=finance)
    assert reversed_.status_code == 200 and reversed_.get_json()["reversed"] is True
    assert (
        client.post(
            f"{API}/payments/{payment_id}/reversal", json={"reason": "x"}, headers=finance
        ).status_code
        == 409
    )
    assert (
        client.post(f"{API}/payments/9999/reversal", json={"reason": "x"}, headers=finance).status_code == 404
    )
    assert client.post(f"{API}/cases/9999/submit", headers=token("caseworker")).status_code == 404
    wrong_state = client.post(f"{API}/cases/{case_id}/submit", headers=token("caseworker"))
    assert wrong_state.status_code == 409 and "不能" in wrong_state.get_json()["detail"]
    recon = client.get(f"{API}/reconciliation?year=2015", headers=token("auditor")).get_json()
    assert recon["ok"] is True and recon["department"]["special_public_total"] == "323000.00"


def test_ten_concurrent_requests_with_one_key_pay_once(app, client, world, token):
    case_id = _approved_case(client, token)
    finance = token("finance")
    body = {"amount": "100.00", "voucher_no": "CONC-1", "paid_on": "2015-03-01", "method": "cash"}
    db.session.remove()
    barrier = threading.Barrier(10)
    codes: list[int] = []

    def send():
        with app.test_client() as own:
            barrier.wait()
            codes.append(
                own.post(
                    f"{API}/cases/{case_id}/payments",
                    json=body,
                    headers={**finance, "Idempotency-Key": "same"},
                ).status_code
            )

    threads = [threading.Thread(target=send) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(codes) == 10 and set(codes) <= {200, 201, 409} and codes.count(201) == 1
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Payment)).scalar_one() == 1


def test_health_checks_and_the_audit_package(client, world, token):
    finance = token("finance")
    body = {"model_worker_id": 1, "amount": "500.00", "voucher_no": "TJ-API", "paid_on": "2015-04-01"}
    assert (
        client.post(f"{API}/health-checks", json={**body, "amount": "501.00"}, headers=finance).status_code
        == 409
    )
    paid = client.post(f"{API}/health-checks", json=body, headers={**finance, "Idempotency-Key": "h1"})
    assert paid.status_code == 201
    second = client.post(f"{API}/health-checks", json={**body, "voucher_no": "TJ-2"}, headers=finance)
    assert second.status_code == 409
    with client.get(f"{API}/audit/export?year=2015", headers=token("auditor")) as package:
        assert package.status_code == 200 and package.data.startswith(b"PK")


def test_a_revoked_token_stops_working_and_last_use_is_recorded(app, client, world, token):
    from app.models import ApiToken

    headers = token("auditor", "aud")
    assert client.get(f"{API}/funds", headers=headers).status_code == 200
    assert db.session.execute(select(ApiToken)).scalars().first().last_used_at is not None
    result = app.test_cli_runner().invoke(args=["users", "revoke-tokens", "aud"])
    assert result.exit_code == 0 and "1" in result.output
    assert client.get(f"{API}/funds", headers=headers).status_code == 401
