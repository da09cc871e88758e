"""API tokens end: after API_TOKEN_DAYS, and at once when their account is locked out,
disabled (also after it is enabled again) or has its password reset. A token made by the
CLI as the README says works until then; the administrator sees its last use and its end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import ApiToken, User
from app.models.types import utcnow
from app.services import users as user_service
from tests.conftest import ACTOR, PASSWORD


@pytest.fixture
def cli_token(app, budget_2015):
    """A finance user of 711002 with a password, and a token printed by `flask users token`
    (the test's app context is pushed: the commands and requests share its session)."""
    runner = app.test_cli_runner()
    assert (
        runner.invoke(args=["users", "create", "qian", "--role", "finance", "--unit", "711002"]).exit_code
        == 0
    )
    user = db.session.execute(select(User).where(User.username == "qian")).scalar_one()
    user_service.set_password(user, PASSWORD, actor=ACTOR)
    db.session.commit()
    result = runner.invoke(args=["users", "token", "qian"])
    assert result.exit_code == 0
    assert "有效期至" in result.output
    return result.output.strip().splitlines()[-1]


def _funds(client, token):
    return client.get("/api/v1/funds", headers={"Authorization": f"Bearer {token}"})


def test_a_token_works_until_it_expires(app, client, cli_token):
    assert _funds(client, cli_token).status_code == 200
    row = db.session.execute(select(ApiToken)).scalar_one()
    # Issued for API_TOKEN_DAYS (90 by default).
    assert timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert _funds(client, cli_token).status_code == 401


def test_a_lock_out_ends_the_token(app, client, cli_token):
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"username": "qian", "password": f"Wrong-{n}"})
    assert _funds(client, cli_token).status_code == 401
    # Revoked, not only refused while the lock lasts: it stays dead after the lock ends.
    db.session.rollback()
    assert db.session.execute(select(ApiToken.revoked_at)).scalar_one() is not None


def test_a_password_reset_ends_the_token(app, client, cli_token):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "reset-password", "qian"]).exit_code == 0
    assert _funds(client, cli_token).status_code == 401


def test_disable_ends_the_token_and_enable_does_not_bring_it_back(app, client, cli_token):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "disable", "qian"]).exit_code == 0
    assert _funds(client, cli_token).status_code == 401
    assert runner.invoke(args=["users", "enable", "qian"]).exit_code == 0
    assert _funds(client, cli_token).status_code == 401


def test_the_administrator_sees_a_tokens_last_use_and_end(app, client, cli_token, auth):
    assert _funds(client, cli_token).status_code == 200
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "最近使用" in page
    assert "到期" in page
