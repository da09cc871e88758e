"""Fixtures of the API tests."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import User
from app.services import users as user_service
from tests.conftest import ACTOR


@pytest.fixture
def token(app, make_user):
    """Factory: a bearer token for a new user of a role in unit 711002."""

    def _token(role: str, username: str | None = None) -> dict[str, str]:
        user = make_user(role, username, unit="711002")
        value = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
        db.session.commit()
        return {"Authorization": f"Bearer {value}"}

    return _token
