"""结账 through every door (issue 19, Done means): a payment dated in a closed month is
refused through the page (at the date, the typed values kept), the API (409) and the
command line (exit 1), and nothing is paid; reopening takes two people — an administrator
asks with a reason, the same person is refused, a second one reopens — on the page, the
API and the command line alike; another unit's close is 404 everywhere."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Payment, User
from app.models.periods import PeriodClose
from app.services import periods, units
from app.services import users as user_service
from tests.batch_helpers import approved_cases, person
from tests.conftest import ACTOR, PASSWORD

API = "/api/v1"
MONTH_CLOSED = "2015 年 03 月 已结账"


def _login(client, user) -> None:
    client.post("/logout")
    name = user if isinstance(user, str) else user.username
    response = client.post("/login", data={"username": name, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def _bearer(user) -> dict[str, str]:
    value = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    return {"Authorization": f"Bearer {value}"}


def _payments() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(Payment.id))).scalar_one()


def _pay_args(case_id: int, voucher: str, day: str) -> list[str]:
    typed = ["--amount", "40", "--voucher", voucher, "--paid-on", day]
    return ["payments", "pay", str(case_id), *typed, "--user", "cashier"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def people(world, make_user):
    return {
        "finance": make_user("finance", "cashier", unit="711002"),
        "admin": make_user("admin", "chief-admin", unit="711002"),
        "admin2": make_user("admin", "deputy-admin", unit="711002"),
        "caseworker": make_user("caseworker", "clerk", unit="711002"),
    }


def test_finance_closes_march_on_the_page_and_a_payment_dated_in_it_is_refused_at_every_door(
    app, client, world, people
):
    case = approved_cases(world.budget.unit, 1)[0]
    _login(client, people["finance"])
    page = client.get("/books?year=2015")
    assert page.status_code == 200 and "结账" in page.get_data(as_text=True)
    closed = client.post("/books/close", data={"unit": "711002", "year": "2015", "month": "3"})
    assert closed.status_code == 302
    listing = _text(client.get("/books?year=2015").get_data(as_text=True))
    assert "2015 年 03 月" in listing and "已结账" in listing and "结账后未变动" in listing
    before = _payments()

    # The page: the message at the date, what was typed kept.
    typed = {"amount": "40", "voucher_no": "P-0315", "paid_on": "2015-03-15", "method": "cash"}
    refused = client.post(f"/cases/{case.id}/payments", data={**typed, "confirmed": "1", "token": "t-1"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    field = re.search(r'<p class="error" id="paid_on-error">([^<]*)</p>', html)
    assert field is not None and "2015 年 03 月 已结账" in field.group(1), html
    assert 'value="P-0315"' in html and 'value="2015-03-15"' in html and 'value="40"' in html

    # The API: 409, the date named.
    answer = client.post(
        f"{API}/cases/{case.id}/payments",
        json={**typed, "amount": "40.00", "voucher_no": "A-0315"},
        headers=_bearer(people["finance"]),
    )
    assert answer.status_code == 409 and "2015 年 03 月" in answer.get_json()["detail"]
    assert answer.get_json()["errors"]["paid_on"]

    # The command line: exit 1, the message on stderr.
    result = app.test_cli_runner().invoke(args=[*_pay_args(case.id, "C-0315", "2015-03-15")])
    assert result.exit_code == 1 and "2015 年 03 月 已结账" in result.output
    assert _payments() == before
    # Dated in April, an open month, it is paid (the command line too).
    paid = app.test_cli_runner().invoke(args=[*_pay_args(case.id, "C-0401", "2015-04-01")])
    assert paid.exit_code == 0, paid.output
    assert _payments() == before + 1


def test_a_health_check_dated_in_a_closed_month_is_refused_at_its_date(client, world, people):
    from app.models import ModelWorker

    periods.close(units.find_unit("711002"), 2015, month=5, actor=person(people["finance"]))
    db.session.commit()
    worker = db.session.execute(select(ModelWorker)).scalars().first()
    answer = client.post(
        f"{API}/health-checks",
        json={
            "model_worker_id": worker.id,
            "amount": "500.00",
            "voucher_no": "HC-1",
            "paid_on": "2015-05-20",
        },
        headers=_bearer(people["finance"]),
    )
    assert answer.status_code == 409 and answer.get_json()["errors"]["paid_on"]
    assert _payments() == 0


def test_reopening_on_the_pages_takes_an_administrator_who_asks_and_a_second_one(client, world, people):
    case = approved_cases(world.budget.unit, 1)[0]
    closing = periods.close(units.find_unit("711002"), 2015, month=3, actor=person(people["finance"]))
    db.session.commit()
    close_id = closing.id
    _login(client, people["admin"])
    detail = client.get(f"/books/{close_id}").get_data(as_text=True)
    assert "申请重新开账" in detail and "已结账" in detail
    empty = client.post(f"/books/{close_id}/reopen-request", data={"reason": "  "})
    assert empty.status_code == 422 and "请填写重新开账的原因" in empty.get_data(as_text=True)
    asked = client.post(f"/books/{close_id}/reopen-request", data={"reason": "漏记一笔3月发放"})
    assert asked.status_code == 302
    page = _text(client.get(f"/books/{close_id}").get_data(as_text=True))
    assert "已申请重新开账" in page and "漏记一笔3月发放" in page
    # The one who asked may not reopen.
    own = client.post(f"/books/{close_id}/reopen")
    assert own.status_code == 422 and "申请重新开账的人不能批准该申请" in own.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PeriodClose, close_id).status == "reopen_requested"
    # A caseworker may not even look.
    _login(client, people["caseworker"])
    assert client.get(f"/books/{close_id}").status_code == 403
    _login(client, people["admin2"])
    assert client.post(f"/books/{close_id}/reopen").status_code == 302
    page = _text(client.get(f"/books/{close_id}").get_data(as_text=True))
    assert "已重新开账" in page and "批准重新开账人" in page
    db.session.expire_all()
    assert db.session.get(PeriodClose, close_id).status == "reopened"
    # March is open again: a payment dated in it goes through.
    _login(client, people["finance"])
    paid = client.post(
        f"/cases/{case.id}/payments",
        data={
            "amount": "40",
            "voucher_no": "P-0320",
            "paid_on": "2015-03-20",
            "method": "cash",
            "confirmed": "1",
        },
    )
    assert paid.status_code == 302 and _payments() == 1
    actions = db.session.execute(
        select(AuditEntry.action, AuditEntry.actor_name).where(AuditEntry.action.like("books.%"))
    ).all()
    assert ("books.reopen_request", "chief-admin") in actions and ("books.reopen", "deputy-admin") in actions


def test_reopening_through_the_api_lists_and_reopens_with_two_people(client, world, people):
    closing = periods.close(units.find_unit("711002"), 2015, month=4, actor=person(people["finance"]))
    db.session.commit()
    close_id = closing.id
    admin, admin2 = _bearer(people["admin"]), _bearer(people["admin2"])
    listed = client.get(f"{API}/period-closes?year=2015", headers=_bearer(people["finance"]))
    assert listed.status_code == 200
    (only,) = listed.get_json()["closes"]
    assert only["id"] == close_id and only["month"] == 4 and only["status"] == "closed" and only["intact"]
    assert (
        client.get(f"{API}/period-closes?year=2015", headers=_bearer(people["caseworker"])).status_code == 403
    )
    url = f"{API}/period-closes/{close_id}"
    assert client.post(f"{url}/reopen-request", json={"reason": ""}, headers=admin).status_code == 422
    finance = _bearer(people["finance"])
    assert client.post(f"{url}/reopen-request", json={"reason": "补记"}, headers=finance).status_code == 403
    asked = client.post(f"{url}/reopen-request", json={"reason": "补记4月凭证"}, headers=admin)
    assert asked.status_code == 200 and asked.get_json()["status"] == "reopen_requested"
    assert asked.get_json()["reopen_reason"] == "补记4月凭证"
    again = client.post(f"{url}/reopen-request", json={"reason": "再次"}, headers=admin)
    assert again.status_code == 409
    same = client.post(f"{url}/reopen", headers=admin)
    assert same.status_code == 409 and "申请重新开账的人不能批准" in same.get_json()["detail"]
    done = client.post(f"{url}/reopen", headers=admin2)
    assert done.status_code == 200 and done.get_json()["status"] == "reopened"
    assert done.get_json()["reopened_at"] is not None
    assert client.post(f"{url}/reopen", headers=admin2).status_code == 409
    assert client.post(f"{API}/period-closes/99999/reopen", headers=admin2).status_code == 404


def test_reopening_at_the_command_line_names_the_people(app, world, people):
    closing = periods.close(units.find_unit("711002"), 2015, month=6, actor=person(people["finance"]))
    db.session.commit()
    close_id = str(closing.id)
    run = app.test_cli_runner().invoke
    not_admin = run(args=["books", "reopen-request", close_id, "--reason", "补记", "--user", "clerk"])
    assert not_admin.exit_code == 1 and "无权" in not_admin.output
    asked = run(
        args=["books", "reopen-request", close_id, "--reason", "补记6月凭证", "--user", "chief-admin"]
    )
    assert asked.exit_code == 0, asked.output
    listed = run(args=["books", "list", "--year", "2015"])
    assert "已申请重新开账" in listed.output
    same = run(args=["books", "reopen", close_id, "--user", "chief-admin"])
    assert same.exit_code == 1 and "申请重新开账的人不能批准该申请" in same.output
    assert run(args=["books", "reopen", close_id, "--user", "nobody"]).exit_code == 1
    done = run(args=["books", "reopen", close_id, "--user", "deputy-admin"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    reopened = db.session.get(PeriodClose, int(close_id))
    assert reopened.status == "reopened"
    assert reopened.reopened_by_id == people["admin2"].id
    assert reopened.reopen_requested_by_id == people["admin"].id


def test_another_units_close_is_not_found_through_every_door(app, client, world, people, make_user):
    closing = periods.close(units.find_unit("711002"), 2015, month=7, actor=person(people["finance"]))
    db.session.commit()
    close_id = closing.id
    units.create_unit("711003", "桥东区总工会", actor=ACTOR)
    db.session.commit()
    other_admin = make_user("admin", "east-admin", unit="711003")
    make_user("admin", "east-admin2", unit="711003")
    _login(client, other_admin)
    assert client.get(f"/books/{close_id}").status_code == 404
    assert client.post(f"/books/{close_id}/reopen-request", data={"reason": "越权"}).status_code == 404
    listing = client.get("/books?year=2015").get_data(as_text=True)
    assert f'href="/books/{close_id}"' not in listing
    headers = _bearer(other_admin)
    assert (
        client.post(
            f"{API}/period-closes/{close_id}/reopen-request", json={"reason": "越权"}, headers=headers
        ).status_code
        == 404
    )
    assert client.get(f"{API}/period-closes?year=2015", headers=headers).get_json()["closes"] == []
    refused = app.test_cli_runner().invoke(
        args=["books", "reopen-request", str(close_id), "--reason", "越权", "--user", "east-admin"]
    )
    assert refused.exit_code == 1 and "没有该结账记录" in refused.output
    db.session.expire_all()
    assert db.session.get(PeriodClose, close_id).status == "closed"


def test_a_close_whose_money_changed_shows_it_on_its_page(client, world, people, is_postgres):
    from tests.services.test_reconciliation import _behind_the_apps_back

    case = approved_cases(world.budget.unit, 1)[0]
    from app.services import cases

    payment = cases.pay(
        case,
        amount="40",
        voucher_no="V-0803",
        paid_on=date(2015, 8, 3),
        method="cash",
        actor=person(people["finance"]),
    )
    db.session.commit()
    closing = periods.close(units.find_unit("711002"), 2015, month=8, actor=person(people["finance"]))
    db.session.commit()
    close_id, payment_id = closing.id, payment.id
    _behind_the_apps_back(is_postgres, f"UPDATE payments SET voucher_no = 'V-FORGED' WHERE id = {payment_id}")
    _login(client, "cashier")
    page = client.get(f"/books/{close_id}").get_data(as_text=True)
    assert "结账后该期间资金已被改动" in page
    assert "结账后资金已被改动" in client.get("/books?year=2015").get_data(as_text=True)


def test_the_nightly_checks_verify_the_closed_periods():
    from pathlib import Path

    service = Path(__file__).resolve().parents[2] / "deploy" / "systemd" / "bangfutong-checks.service"
    lines = service.read_text(encoding="utf-8").splitlines()
    assert "ExecStart=/srv/bangfutong/.venv/bin/flask --app app books verify" in lines
    timer = service.with_suffix(".timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer


def test_the_console_reads_an_amount_as_a_person_types_it_and_refuses_what_could_mean_two(app, world, people):
    case = approved_cases(world.budget.unit, 1, amount="2000")[0]
    run = app.test_cli_runner().invoke
    base = ["payments", "pay", str(case.id), "--voucher", "C-0501", "--paid-on", "2015-05-01"]
    refused = run(args=[*base, "--amount", "100,00", "--user", "cashier"])
    assert refused.exit_code == 1 and "逗号只能用作千位分隔" in refused.output
    paid = run(args=[*base, "--amount", "1,234.50", "--user", "cashier"])
    assert paid.exit_code == 0 and "1,234.50" in paid.output, paid.output
    assert run(args=[*base, "--amount", "10", "--user", "clerk"]).exit_code == 1  # not finance
