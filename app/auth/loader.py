"""How Flask-Login finds the signed-in user from the session cookie."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from app.extensions import db
from app.models.users import User


def install_user_loader(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(user_key: str) -> User | None:
        # The key is "id:session_version": a bumped version invalidates old cookies.
        user_id, _sep, version = user_key.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user
