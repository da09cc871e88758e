"""Money at the API's door (API.md, Conventions: money): a request amount is a string
matching ^[0-9]+(\\.[0-9]{1,2})?$ and more than zero; anything else is a 422 on the field
that carried it and changes nothing, never a reinterpretation. The one exception: a
service-only case may ask for "0" or "0.00"; a household's income may be 0."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, CaseEvent, Fund, Payment, Transfer, Worker
from app.services import ledger, policy
from tests.conftest import ACTOR
from tests.registry_helpers import make_id

API = "/api/v1"

#: Refused everywhere: not the wire's pattern, or not a string.
MALFORMED = [
    "1e3",
    "-5",
    "12.345",
    12.5,
    12,
    True,
    "NaN",
    "Infinity",
    " 100",
    "100 ",
    "100\n",
    "1,000",
    "100,00",
    "1_000",
    "+5",
    "100.",
    ".5",
    "0x10",
    "１００",
    "¥100",
    "100元",
    "",
    "9" * 13,
]
#: Refused where the amount must be more than zero.
ZEROS = ["0", "0.00", "0.0", "000"]


def _counts() -> tuple[object, ...]:
    """Rows that money or a file would add, and each fund's balance."""
    db.session.rollback()
    rows = tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Case, CaseEvent, Payment, Transfer, Worker)
    )
    balances = tuple(
        ledger.balance(fund) for fund in db.session.execute(select(Fund).order_by(Fund.id)).scalars()
    )
    return rows, balances


def _post(client, path, body, headers):
    return client.post(f"{API}{path}", json=body, headers=headers)


@pytest.fixture
def stage(client, world, token):
    """Tokens by role; case 1 approved (1000.00, to pay), case 2 submitted (3000.00, to decide)."""
    policy.set_value(2015, "notice_days", "0", actor=ACTOR)
    db.session.commit()
    people = {role: token(role) for role in ("caseworker", "reviewer", "finance")}
    caseworker, reviewer = people["caseworker"], people["reviewer"]
    assert _post(client, "/cases/1/submit", {}, caseworker).status_code == 200
    assert _post(client, "/cases/1/approve", {}, reviewer).status_code == 200
    second = _post(client, "/cases", _case_body("3000.00", "medical"), caseworker)
    assert second.status_code == 201, second.get_json()
    assert _post(client, f"/cases/{second.get_json()['id']}/submit", {}, caseworker).status_code == 200
    return people


def _case_body(amount, aid_type="living"):
    return {
        "applicant_id": 1,
        "fund_code": "2015100001",
        "aid_type": aid_type,
        "amount": amount,
        "reason": "生活困难",
    }


def _applicant_body(income):
    return {
        "name": "赵六",
        "id_number": make_id(850),
        "phone": "13800138000",
        "employer": "桥西区电厂",
        "household_size": 3,
        "household_monthly_income": income,
        "category": 1,
        "category_reason": "低于低保线",
    }


def _checkup_body(amount):
    return {"model_worker_id": 1, "amount": amount, "voucher_no": "TJ-M1", "paid_on": "2015-04-01"}


#: door -> (role, path, body for an amount, field, refused zeros)
DOORS = {
    "open a case": ("caseworker", "/cases", _case_body, "amount", True),
    "approve": ("reviewer", "/cases/2/approve", lambda amount: {"amount": amount}, "amount", True),
    "pay": (
        "finance",
        "/cases/1/payments",
        lambda amount: {"amount": amount, "voucher_no": "PZ-M1", "paid_on": "2015-04-01", "method": "cash"},
        "amount",
        True,
    ),
    "health check": (
        "finance",
        "/health-checks",
        _checkup_body,
        "amount",
        True,
    ),
    "register a household": ("caseworker", "/applicants", _applicant_body, "household_monthly_income", False),
}


@pytest.mark.parametrize("door", sorted(DOORS))
def test_malformed_amounts_are_a_422_on_their_field_and_change_nothing(client, stage, door):
    role, path, body, field, zero_refused = DOORS[door]
    refused = MALFORMED + (ZEROS if zero_refused else [])
    before = _counts()
    for amount in refused:
        response = _post(client, path, body(amount), stage[role])
        assert response.status_code == 422, (door, amount, response.get_json())
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert list(problem["errors"]) == [field], (door, amount, problem)
        assert _counts() == before, (door, amount)


def test_the_refusals_say_what_an_amount_is(client, stage):
    cash = _post(client, "/cases", _case_body("0.00"), stage["caseworker"]).get_json()
    assert cash["errors"]["amount"][0].startswith("现金帮扶的金额须大于零；只有法律援助、职业培训和职业介绍")
    comma = _post(client, "/cases", _case_body("1,000"), stage["caseworker"]).get_json()
    assert comma["errors"]["amount"] == ["须为不小于零、最多两位小数的金额字符串。"]
    pay = _post(client, "/health-checks", _checkup_body("0"), stage["finance"]).get_json()
    assert pay["errors"]["amount"] == ["须为大于零、最多两位小数的金额字符串。"]


@pytest.mark.parametrize("aid_type", ["legal", "training", "employment"])
@pytest.mark.parametrize("amount", ["0", "0.00"])
def test_a_service_only_case_may_ask_for_nothing_and_commits_nothing(client, stage, aid_type, amount):
    before = _counts()[1]
    response = _post(client, "/cases", _case_body(amount, aid_type), stage["caseworker"])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["requested_amount"] == "0.00"
    assert _counts()[1] == before  # no fund moved


@pytest.mark.parametrize("aid_type", ["living", "medical", "education"])
def test_cash_aid_asking_for_nothing_is_refused_on_amount(client, stage, aid_type):
    before = _counts()
    for amount in ZEROS:
        response = _post(client, "/cases", _case_body(amount, aid_type), stage["caseworker"])
        assert response.status_code == 422 and list(response.get_json()["errors"]) == ["amount"], amount
    assert _counts() == before


def test_amounts_on_the_wire_are_read_as_written(client, stage):
    for amount, expected in [
        ("7", "7.00"),
        ("7.5", "7.50"),
        ("007.25", "7.25"),
        ("999999999999.99", "999999999999.99"),
    ]:
        response = _post(client, "/cases", _case_body(amount, "medical"), stage["caseworker"])
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["requested_amount"] == expected
    approved = _post(client, "/cases/2/approve", {"amount": "2000.5"}, stage["reviewer"])
    assert approved.status_code == 200 and approved.get_json()["approved_amount"] == "2000.50"
    paid = _post(client, "/cases/1/payments", DOORS["pay"][2]("250.5"), stage["finance"])
    assert paid.status_code == 201 and paid.get_json()["amount"] == "250.50"
    assert db.session.get(Payment, paid.get_json()["id"]).amount == Decimal("250.50")


@pytest.mark.parametrize("income", ["0", "0.00", "1500", "1500.5"])
def test_a_household_may_have_no_income(client, stage, income):
    response = _post(client, "/applicants", _applicant_body(income), stage["caseworker"])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["household_monthly_income"] == f"{Decimal(income):.2f}"


def test_the_document_publishes_the_parsers_pattern(client):
    from app.money import WIRE_AMOUNT_PATTERN

    spec = client.get(f"{API}/openapi.json").get_json()
    patterns = set()

    def walk(node):
        if isinstance(node, dict):
            if "pattern" in node and "[0-9]" in node["pattern"] and node.get("examples") != ["300000.00"]:
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    from app.api import formats

    others = {  # digits that are not money: days, counts, telephone numbers, months
        formats.DAYS_PATTERN,
        formats.COUNT_PATTERN,
        formats.NOTICE_PHONE_PATTERN,
        formats.MOBILE_PATTERN,
        formats.UNIT_CODE_PATTERN,
        formats.MONTHS_PATTERN,
    }
    assert patterns - others == {WIRE_AMOUNT_PATTERN}
