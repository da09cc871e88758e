"""The administrator's pages: users and policy values, each change in the audit log, each
refusal in Chinese next to its field and changing nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, User
from app.models.registry import PolicyValue
from app.models.types import utcnow
from app.services import policy
from app.services import users as user_service
from tests.conftest import ACTOR, PASSWORD


def _logged(action: str) -> int:
    return db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    ).scalar_one()


def _one_time_password(page: str) -> str:
    found = re.search(r'<code class="secret">([^<]+)</code>', page)
    assert found, page
    return found.group(1)


def _users() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def test_an_administrator_creates_a_user_who_logs_in_with_the_one_time_password(client, auth, world):
    auth.login("admin", "root")
    assert "新建用户" in client.get("/admin/users").get_data(as_text=True)
    created_before = _logged("user.create")
    made = client.post(
        "/admin/users/new", data={"username": "xiaowang", "role": "caseworker", "unit": "711002"}
    )
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and "用户 xiaowang 已创建" in page and "只显示这一次" in page
    password = _one_time_password(page)
    user = db.session.execute(select(User).where(User.username == "xiaowang")).scalar_one()
    assert (user.role, user.unit.code, user.must_change_password) == ("caseworker", "711002", True)
    assert password not in user.password_hash
    assert _logged("user.create") == created_before + 1
    assert "xiaowang" in client.get("/admin/users").get_data(as_text=True)
    auth.logout()
    logged_in = client.post("/login", data={"username": "xiaowang", "password": password})
    assert logged_in.status_code == 302 and logged_in.headers["Location"].endswith("/password")


def test_a_user_that_cannot_be_created_is_refused_next_to_its_field(client, auth, world, make_user):
    make_user("finance", "taken")
    auth.login("admin", "root")
    before, logged = _users(), _logged("user.create")
    cases = [
        ({"username": "taken", "role": "finance", "unit": "711002"}, "用户 taken 已存在"),
        ({"username": "has space", "role": "finance", "unit": "711002"}, "用户名"),
        ({"username": "nobody", "role": "king", "unit": "711002"}, "未知角色"),
        ({"username": "nobody", "role": "finance", "unit": "999999"}, "请选择工会单位"),
    ]
    for data, message in cases:
        response = client.post("/admin/users/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and message in page, (data, page)
        assert 'class="error"' in page
        assert f'value="{data["username"]}"' in page  # what was typed is kept
        db.session.rollback()
        assert (_users(), _logged("user.create")) == (before, logged)


def test_reset_unlock_disable_enable_and_revoke(client, auth, world, make_user):
    clerk = make_user("finance", "clerk")
    token = user_service.issue_token(db.session.get(User, clerk.id), actor=ACTOR)
    locked = db.session.get(User, clerk.id)
    locked.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    admin = auth.login("admin", "root")
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "锁定至" in listing and "解锁" in listing and "吊销 API 令牌" in listing

    client.post(f"/admin/users/{clerk.id}/unlock")
    db.session.rollback()
    assert db.session.get(User, clerk.id).locked_until is None and _logged("user.unlock") == 1

    page = client.post(f"/admin/users/{clerk.id}/reset-password").get_data(as_text=True)
    new_password = _one_time_password(page)
    db.session.rollback()
    assert _logged("user.password_reset") == 1

    client.post(f"/admin/users/{clerk.id}/revoke-tokens")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/funds?year=2015", headers=headers).status_code == 401

    client.post(f"/admin/users/{clerk.id}/disable", data={"confirmed": "1"})
    db.session.rollback()
    assert db.session.get(User, clerk.id).active is False and _logged("user.disable") == 1
    # No one disables themself: the last administrator would lock everyone out.
    refused = client.post(
        f"/admin/users/{admin.id}/disable", data={"confirmed": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "不能停用自己的账户" in refused
    db.session.rollback()
    assert db.session.get(User, admin.id).active is True and _logged("user.disable") == 1

    auth.logout()
    assert client.post("/login", data={"username": "clerk", "password": new_password}).status_code == 200
    auth.login("admin", "root2")
    client.post(f"/admin/users/{clerk.id}/enable")
    auth.logout()
    assert client.post("/login", data={"username": "clerk", "password": new_password}).status_code == 302
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code in (200, 302)


def test_a_unit_administrator_manages_only_the_users_of_their_units(client, auth, world, make_user):
    outsider = make_user("finance", "elsewhere")  # no unit: the whole system's
    auth.login("admin", "district-admin")
    district_admin = db.session.execute(select(User).where(User.username == "district-admin")).scalar_one()
    district_admin.unit_id = world.budget.unit.id
    db.session.commit()
    assert "elsewhere" not in client.get("/admin/users").get_data(as_text=True)
    assert client.post(f"/admin/users/{outsider.id}/disable", data={"confirmed": "1"}).status_code == 404
    assert client.post(f"/admin/users/{outsider.id}/disable").status_code == 404  # nor asked to confirm
    assert client.post(f"/admin/users/{outsider.id}/reset-password").status_code == 404
    refused = client.post("/admin/users/new", data={"username": "all", "role": "auditor", "unit": ""})
    assert "请选择工会单位" in refused.get_data(as_text=True)


def test_policy_values_are_set_per_year_and_a_bad_value_is_refused(client, auth, world):
    auth.login("admin", "root")
    page = client.get("/admin/policy?year=2015").get_data(as_text=True)
    assert "2015 年度政策参数" in page
    set_before = _logged("policy.set")
    saved = client.post(
        "/admin/policy?year=2015",
        data={"key": "notice_days", "value": "7", "unit": ""},
        follow_redirects=True,
    )
    assert "政策参数已保存" in saved.get_data(as_text=True)
    assert policy.get_value(2015, "notice_days") == 7
    assert _logged("policy.set") == set_before + 1
    before = db.session.execute(select(func.count()).select_from(PolicyValue)).scalar_one()
    for data in (
        {"key": "notice_days", "value": "七天", "unit": ""},
        {"key": "notice_days", "value": "365", "unit": ""},
        {"key": "minimum_living_line", "value": "-1", "unit": ""},
        {"key": "no_such_key", "value": "1", "unit": ""},
    ):
        refused = client.post("/admin/policy?year=2015", data=data)
        assert refused.status_code == 200 and 'class="error"' in refused.get_data(as_text=True), data
    db.session.rollback()
    assert policy.get_value(2015, "notice_days") == 7
    assert db.session.execute(select(func.count()).select_from(PolicyValue)).scalar_one() == before
    assert _logged("policy.set") == set_before + 1
