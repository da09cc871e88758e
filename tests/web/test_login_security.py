"""Log-in security: lock-out, rate limit, password policy and expiry, session lifetimes
and revocation, CSRF, security headers and error pages."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from app import ConfigurationError
from app.extensions import db
from app.models import AuditEntry, User
from app.models.types import utcnow
from app.services import users as user_service
from tests.conftest import ACTOR, PASSWORD
from tests.web.test_access import ROUTES

LOCK_MESSAGE = "账户已被暂时锁定"


def _login(client, username, password=PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def _actions(app, action):
    with app.app_context():
        return db.session.query(AuditEntry).filter_by(action=action).count()


def test_five_failures_lock_the_account_for_ten_minutes(app, client, make_user):
    user = make_user("finance")
    for _ in range(5):
        assert "用户名或密码错误" in _login(client, user.username, "Wrong-pass-1").get_data(as_text=True)
    # Locked now: even the right password is refused.
    response = _login(client, user.username)
    assert LOCK_MESSAGE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert _actions(app, "auth.login_failed") == 5
    assert _actions(app, "auth.lock") == 1
    assert _actions(app, "auth.login_locked") == 1

    with app.app_context():
        locked = db.session.query(User).filter_by(username=user.username).one()
        assert timedelta(minutes=9) < locked.locked_until - utcnow() <= timedelta(minutes=10)
        locked.locked_until = utcnow() - timedelta(seconds=1)  # ten minutes pass
        db.session.commit()
    assert _login(client, user.username).status_code == 302
    assert client.get("/").status_code == 200


def test_a_success_resets_the_failure_count(app, client, make_user):
    user = make_user("finance")
    for _ in range(4):
        _login(client, user.username, "Wrong-pass-1")
    assert _login(client, user.username).status_code == 302
    client.post("/logout")
    for _ in range(4):
        _login(client, user.username, "Wrong-pass-1")
    assert _login(client, user.username).status_code == 302  # not locked: count restarted


@pytest.mark.parametrize("garbled", ["\x00", "fin\x00ance", "fin\nance", "fin\u202eance"])
def test_a_user_name_with_control_characters_is_nobody_s(app, client, make_user, garbled):
    """A NUL or a line break in the name (PostgreSQL refuses NUL in text) is a failed
    log-in like any other, not a server error, and never logs in a real user."""
    make_user("finance", "finance")
    response = _login(client, garbled)
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in
    with app.app_context():
        failed = db.session.query(AuditEntry).filter_by(action="auth.login_failed").one()
        assert "\x00" not in failed.actor_name and "\n" not in failed.actor_name


def test_log_in_attempts_are_rate_limited_per_address(make_app, make_user):
    app = make_app("testing", LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert _login(client, "nobody", "x").status_code == 200
    refused = _login(client, "nobody", "x")
    assert refused.status_code == 429
    assert "尝试次数过多" in refused.get_data(as_text=True)
    # Another address is not affected.
    other = _login(client, "nobody", "x", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "至少需要 8 个字符"),
        ("abcdefgh123", "至少 3 类"),
        ("ABCDEFGH!!!", "至少 3 类"),
        ("P@ssw0rd", "过于常见"),
        ("Aa123456", "过于常见"),
        ("Wang-Wei-2015", "不能包含您的用户名"),
        # The probe's passwords that met the old rules: a strength estimate refuses them.
        ("Aa1aaaaa", "容易被猜中"),
        ("Qwerty123!", "容易被猜中"),
        ("12345678Aa", "容易被猜中"),
        ("Bangfutong-2015!", "产品名称"),
    ],
)
def test_weak_passwords_are_refused_next_to_the_field(client, make_user, password, message):
    make_user("caseworker", "wang-wei")
    _login(client, "wang-wei")
    response = client.post(
        "/password", data={"current_password": PASSWORD, "new_password": password, "confirm": password}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page or "用户名" in page
    # Unchanged: the old password still works.
    client.post("/logout")
    assert _login(client, "wang-wei").status_code == 302


def test_an_expired_password_must_be_changed(app, client, make_user):
    user = make_user("reviewer")
    with app.app_context():
        row = db.session.query(User).filter_by(username=user.username).one()
        row.password_changed_at = utcnow() - timedelta(days=91)
        db.session.commit()
    assert _login(client, user.username).headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"


def _set_session(client, **values):
    with client.session_transaction() as session:
        session.update(values)


def test_a_session_ends_after_thirty_idle_minutes(client, auth):
    auth.login("auditor")
    _set_session(client, seen_at=int(time.time()) - 29 * 60)
    assert client.get("/").status_code == 200
    _set_session(client, seen_at=int(time.time()) - 31 * 60)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302  # and it stays ended


def test_a_session_ends_after_twelve_hours_in_all(client, auth):
    auth.login("auditor")
    _set_session(client, auth_at=int(time.time()) - 12 * 3600 - 5)
    assert client.get("/").status_code == 302


def _two_sessions(app, make_user, role="caseworker"):
    user = make_user(role)
    first, second = app.test_client(), app.test_client()
    assert _login(first, user.username).status_code == 302
    assert _login(second, user.username).status_code == 302
    return user, first, second


def test_disabling_a_user_ends_every_session_at_once(app, make_user):
    user, first, second = _two_sessions(app, make_user)
    with app.app_context():
        user_service.set_active(db.session.get(User, user.id), False, actor=ACTOR)
        db.session.commit()
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 302
    assert "用户名或密码错误" in _login(first, user.username).get_data(as_text=True)


def test_changing_the_password_ends_the_other_sessions(app, make_user):
    _user, first, second = _two_sessions(app, make_user)
    response = first.post(
        "/password",
        data={"current_password": PASSWORD, "new_password": "Xin-Mima-2015!", "confirm": "Xin-Mima-2015!"},
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200  # the session that changed it goes on
    assert second.get("/").status_code == 302  # the other one is over
    assert _actions(app, "user.password_change") >= 1


def test_logging_out_ends_the_other_sessions_too(app, make_user):
    _user, first, second = _two_sessions(app, make_user)
    first.post("/logout")
    assert second.get("/").status_code == 302


@pytest.fixture
def csrf_app(make_app):
    return make_app("testing", WTF_CSRF_ENABLED=True)


def test_posts_without_a_csrf_token_are_refused(csrf_app, make_user):
    user = make_user("caseworker")
    client = csrf_app.test_client()
    refused = _login(client, user.username)
    assert refused.status_code == 400
    assert "表单已过期" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in

    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.post("/logout").status_code == 400  # no token: still logged in
    assert client.get("/").status_code == 200


def _check_headers(response, signed_in: bool) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    if signed_in:
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    sorted({path for _method, path, _permission in ROUTES.values()} | {"/nowhere", "/static/css/app.css"}),
)
def test_security_headers_on_every_route(client, auth, world, path):
    with client.get(path) as response:
        _check_headers(response, signed_in=False)
    auth.login("auditor")
    with client.get(path) as response:
        _check_headers(response, signed_in=not path.startswith("/static"))


def test_no_inline_script_in_any_page(client, auth, budget_2015):
    auth.login("auditor")
    for path in ["/login", "/", "/funds/2015100001/ledger", "/audit/"]:
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and " onclick=" not in page and "style=" not in page


def test_production_refuses_to_start_unsafely(monkeypatch, make_app):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        make_app("production", SECRET_KEY=None, DATA_KEY="k")
    with pytest.raises(ConfigurationError, match="DATA_KEY"):
        make_app("production", SECRET_KEY="s", DATA_KEY=None)
    with pytest.raises(ConfigurationError, match="Debug"):
        make_app("production", SECRET_KEY="s", DATA_KEY="k", DEBUG=True)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="Debug"):
        make_app("production", SECRET_KEY="s", DATA_KEY="k")


def test_production_sends_hsts_and_secure_cookies(make_app, make_user):
    app = make_app("production", SECRET_KEY="s" * 32, DATA_KEY="k")
    client = app.test_client()
    plain = client.get("/login", base_url="http://localhost")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    secure = client.get("/login", base_url="https://localhost")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]
    user = make_user("caseworker")
    token = secure.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_behind_one_proxy_a_request_that_came_over_tls_is_served_not_redirected(make_app):
    """nginx ends TLS and forwards plain http with X-Forwarded-Proto: https (deploy/nginx/)."""
    app = make_app("production", SECRET_KEY="s" * 32, DATA_KEY="k", PROXY_FIX_X_FOR=1)
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    served = client.get("/login", base_url="http://localhost", headers=forwarded)
    assert served.status_code == 200
    assert "max-age=31536000" in served.headers["Strict-Transport-Security"]
    # Without the proxy's word the same plain request is sent to https, as before.
    plain = client.get("/login", base_url="http://localhost")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")


def test_error_pages_are_chinese_and_never_show_a_trace(make_app, make_user):
    from app.auth.permissions import public

    app = make_app("testing", PROPAGATE_EXCEPTIONS=False)

    def explode() -> str:
        raise RuntimeError("secret internals 130702198001011234")

    app.add_url_rule("/explode", "explode", public(explode))
    client = app.test_client()
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "未找到" in missing.get_data(as_text=True)
    broken = client.get("/explode")
    page = broken.get_data(as_text=True)
    assert broken.status_code == 500
    assert "系统出错了" in page
    assert "Traceback" not in page and "secret internals" not in page
