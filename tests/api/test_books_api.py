"""结账 through the API (../shared/API.md: POST /years/{year}/close): the caller's unit's
year or month closed, money dated in it refused with 409, another unit's books out of reach."""

from __future__ import annotations

from app.extensions import db
from app.services import periods, units
from tests.batch_helpers import approved_cases

API = "/api/v1"


def test_the_api_closes_the_callers_year_and_refuses_money_in_it(client, world, token):
    finance = token("finance")
    made = approved_cases(world.budget.unit, 1)
    march = {"amount": "40.00", "voucher_no": "API-0301", "paid_on": "2015-03-01", "method": "cash"}
    closed = client.post(f"{API}/years/2015/months/3/close", headers=finance)
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["month"] == 3 and closed.get_json()["unit"] == "711002"
    refused = client.post(f"{API}/cases/{made[0].id}/payments", json=march, headers=finance)
    assert refused.status_code == 409 and "2015 年 03 月" in refused.get_json()["detail"]
    assert client.post(f"{API}/years/2015/months/3/close", headers=finance).status_code == 409
    held = client.post(f"{API}/years/2015/close", json={"unit": "711002"}, headers=finance)
    assert held.status_code == 409 and str(made[0].id) in held.get_json()["detail"]
    paid = client.post(
        f"{API}/cases/{made[0].id}/payments",
        json={**march, "paid_on": "2015-04-01", "amount": "100.00"},
        headers=finance,
    )
    assert paid.status_code == 201, paid.get_json()
    year = client.post(f"{API}/years/2015/close", headers=finance)
    assert year.status_code == 200 and year.get_json()["month"] is None
    # A caseworker may not close the books.
    assert client.post(f"{API}/years/2015/months/4/close", headers=token("caseworker")).status_code == 403


def test_another_units_books_cannot_be_closed(client, world, app, make_user):
    from app.models import User
    from app.services import users as user_service
    from tests.conftest import ACTOR

    units.create_unit("711003", "桥东区总工会", actor=ACTOR)
    db.session.commit()
    other = make_user("finance", "other-finance", unit="711003")
    value = user_service.issue_token(db.session.get(User, other.id), actor=ACTOR)
    db.session.commit()
    headers = {"Authorization": f"Bearer {value}"}
    refused = client.post(f"{API}/years/2015/close", json={"unit": "711002"}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["errors"]["unit"]
    assert periods.closes(2015, None) == []
