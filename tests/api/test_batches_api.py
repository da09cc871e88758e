"""The payment batch endpoints as an outside caller uses them (../shared/API.md)."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.services import ledger
from tests.batch_helpers import FUND, approved_cases, fund

API = "/api/v1"


def test_a_batch_through_the_api_from_draft_to_done(client, world, token):
    made = approved_cases(world.budget.unit, 3)
    maker, checker = token("finance", "cashier"), token("finance", "chief")
    body = {"fund_code": FUND, "year": 2015, "case_ids": [c.id for c in made]}
    created = client.post(f"{API}/payment-batches", json=body, headers={**maker, "Idempotency-Key": "b1"})
    assert created.status_code == 201, created.get_json()
    batch = created.get_json()
    assert batch["status"] == "draft" and batch["total"] == "300.00"
    assert [(line["case_id"], line["amount"], line["status"]) for line in batch["lines"]] == [
        (c.id, "100.00", "pending") for c in made
    ]
    again = client.post(f"{API}/payment-batches", json=body, headers={**maker, "Idempotency-Key": "b1"})
    assert again.status_code == 200 and again.get_json()["id"] == batch["id"]
    url = f"{API}/payment-batches/{batch['id']}"
    assert client.get(f"{url}/file?format=csv", headers=maker).status_code == 409  # not approved yet
    assert client.post(f"{url}/approve", headers=maker).status_code == 409  # four eyes
    assert client.post(f"{url}/approve", headers=checker).get_json()["status"] == "approved"

    sent = client.get(f"{url}/file?format=xlsx", headers=checker)
    assert sent.status_code == 200 and sent.data[:2] == b"PK"
    assert "attachment" in sent.headers["Content-Disposition"]
    funds = client.get(f"{API}/funds?year=2015", headers=checker).get_json()["funds"]
    row = next(f for f in funds if f["code"] == FUND)
    assert row["at_bank"] == "300.00"
    assert Decimal(row["budget"]) == sum(
        Decimal(row[k]) for k in ("paid", "committed", "at_bank", "available")
    )

    lines = client.get(url, headers=maker).get_json()["lines"]
    answer = {
        "lines": [
            {"line_id": lines[0]["id"], "result": "paid", "reason": ""},
            {"line_id": lines[1]["id"], "result": "failed", "reason": "账户已销户"},
        ],
        "paid_on": "2015-07-01",
    }
    first = client.post(f"{url}/returns", json=answer, headers=maker)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "answered"
    assert client.post(f"{url}/returns", json=answer, headers=maker).get_json() == first.get_json()
    wrong = {"lines": [{"line_id": lines[2]["id"], "result": "paid"}, {"line_id": 987654, "result": "paid"}]}
    refused = client.post(f"{url}/returns", json=wrong, headers=maker)
    assert refused.status_code == 422 and "987654" in refused.get_json()["detail"]
    other = {"lines": [{"line_id": lines[2]["id"], "result": "paid", "amount": "100.01"}]}
    mismatch = client.post(f"{url}/returns", json=other, headers=maker)
    assert mismatch.status_code == 422 and "100.01" in mismatch.get_json()["detail"]
    stranger = {"lines": [{"line_id": lines[2]["id"], "result": "paid", "payee_name": "王五"}]}
    assert client.post(f"{url}/returns", json=stranger, headers=maker).status_code == 422
    flip = {"lines": [{"line_id": lines[0]["id"], "result": "failed", "reason": "x"}]}
    assert client.post(f"{url}/returns", json=flip, headers=maker).status_code == 409
    rest = {
        "lines": [{"line_id": lines[2]["id"], "result": "paid", "amount": "100.00", "payee_name": "职工12"}]
    }
    done = client.post(f"{url}/returns", json=rest, headers=maker).get_json()
    assert done["status"] == "done"
    assert [line["status"] for line in done["lines"]] == ["paid", "failed", "paid"]
    assert done["lines"][1]["reason"] == "账户已销户"
    b = ledger.balance(fund())
    assert (b.paid, b.committed, b.at_bank) == (Decimal("200.00"), Decimal("100.00"), Decimal("0.00"))


def test_refusals_name_the_cases(client, world, token):
    finance = token("finance")
    no_card = approved_cases(world.budget.unit, 1, first=50, card=False)
    body = {"fund_code": FUND, "year": 2015, "case_ids": [no_card[0].id]}
    refused = client.post(f"{API}/payment-batches", json=body, headers=finance)
    assert refused.status_code == 422 and str(no_card[0].id) in refused.get_json()["detail"]
    assert client.get(f"{API}/payment-batches/9999", headers=finance).status_code == 404
    db.session.rollback()
