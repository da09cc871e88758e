"""What the administrator's pages share: the units they manage and the users they see."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.models.org import Unit
from app.models.users import User
from app.registry.forms import choices
from app.services import scope
from app.services import users as user_service
from app.services.errors import NotFound


def _units() -> list[Unit]:
    return scope.visible_units(current_user)


def unit_choices(everyone_label: str) -> list:
    # Only an administrator of all units may make a user (or a value) for all of them.
    units = [(u.code, f"{u.code} {u.name}") for u in _units()]
    return choices(units) if current_user.unit_id is not None else choices([("", everyone_label), *units])


def managed_unit(code: str | None) -> Unit | None:
    return scope.managed_unit(current_user, code)


def user_in_scope(user_id: int) -> User:
    try:
        return user_service.get_user(user_id, scope.visible_unit_ids(current_user))
    except NotFound:
        abort(404)
