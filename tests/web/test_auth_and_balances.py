"""Signing in, and the fund balance page a user lands on."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import User
from app.services import ledger
from tests.conftest import ACTOR, PASSWORD


def test_the_balance_page_requires_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_log_in_page_is_in_chinese(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    assert "用户名" in page and "密码" in page


def test_wrong_password_is_refused_in_chinese(client, make_user):
    user = make_user("caseworker")
    response = client.post("/login", data={"username": user.username, "password": "wrong-Pass1"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_message(client):
    response = client.post("/login", data={"username": "nobody", "password": "x"})
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_balance_page_shows_the_2015_funds(client, auth, budget_2015):
    auth.login("finance")
    page = client.get("/funds").get_data(as_text=True)
    assert "资金余额" in page
    assert "2015100001" in page and "困难职工帮扶资金" in page
    assert "2015100002" in page and "省部级劳模体检费" in page
    assert page.count("¥300,000.00") >= 2  # budget and available
    assert page.count("¥23,000.00") >= 2
    assert "¥323,000.00" in page  # the total, as in the budget's special public table


def test_balance_page_follows_the_ledger(client, auth, budget_2015):
    fund = next(f for f in budget_2015.funds if f.code == "2015100001")
    ledger.commit(fund, "7000.00", actor=ACTOR)
    ledger.pay_direct(fund, "1500.50", actor=ACTOR)
    db.session.commit()
    auth.login("auditor")
    page = client.get("/funds?year=2015").get_data(as_text=True)
    assert "¥291,499.50" in page  # available
    assert "¥7,000.00" in page and "¥1,500.50" in page


def test_a_fund_ledger_page_lists_entries_with_running_balance(client, auth, budget_2015):
    fund = next(f for f in budget_2015.funds if f.code == "2015100002")
    ledger.pay_direct(fund, "500.00", memo="劳模体检", actor=ACTOR)
    db.session.commit()
    auth.login("auditor")
    page = client.get("/funds/2015100002/ledger?year=2015").get_data(as_text=True)
    assert "预算下达" in page and "直接支付" in page and "劳模体检" in page
    assert "¥22,500.00" in page
    assert "贰万叁仟元整" in page
    assert client.get("/funds/9999/ledger?year=2015").status_code == 404


def test_a_new_user_must_change_the_one_time_password(client, app):
    from app.services import users

    with app.app_context():
        _user, one_time = users.create_user("newcomer", "caseworker", actor=ACTOR)
        db.session.commit()
    response = client.post("/login", data={"username": "newcomer", "password": one_time})
    assert response.headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"
    response = client.post(
        "/password",
        data={"current_password": one_time, "new_password": "Bangfu-2015x", "confirm": "Bangfu-2015x"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_logging_out_ends_the_session_even_for_a_replayed_cookie(client, auth, app):
    auth.login("reviewer", "li")
    cookie = client.get_cookie("session")
    assert client.get("/").status_code == 200
    client.post("/logout")
    client.set_cookie("session", cookie.value)
    assert client.get("/").status_code == 302
    with app.app_context():
        assert db.session.query(User).filter_by(username="li").one().session_version == 3


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/funds/2015100001/ledger", "/funds/2015100001/ledger"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil", "/"),
    ],
)
def test_next_only_leads_to_this_site(client, make_user, target, landing):
    user = make_user("caseworker")
    response = client.post(
        "/login", query_string={"next": target}, data={"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == landing
