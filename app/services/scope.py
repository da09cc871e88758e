"""Object-level access: which union units' files a user may see and change.

A user of a unit sees that unit and every unit below it (a city federation sees
its districts). A user with no unit is system-wide.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.org import Unit
from app.models.users import User
from app.services.errors import InvalidInput


def visible_unit_ids(user: User) -> list[int] | None:
    """The ids of the units ``user`` may see, or ``None`` for all of them."""
    if user.unit_id is None:
        return None
    seen = [user.unit_id]
    frontier = [user.unit_id]
    while frontier:
        frontier = list(db.session.execute(select(Unit.id).where(Unit.parent_id.in_(frontier))).scalars())
        frontier = [unit_id for unit_id in frontier if unit_id not in seen]
        seen.extend(frontier)
    return seen


def may_see_unit(user: User, unit_id: int | None) -> bool:
    visible = visible_unit_ids(user)
    return visible is None or unit_id in visible


def visible_units(user: User) -> list[Unit]:
    """The units ``user`` may see, by code."""
    visible = visible_unit_ids(user)
    query = select(Unit).order_by(Unit.code)
    if visible is not None:
        query = query.where(Unit.id.in_(visible))
    return list(db.session.execute(query).scalars())


def managed_unit(user: User, code: str | None) -> Unit | None:
    """The unit ``user`` chose for something they administer (a user, a policy value): one
    they may see; ``None`` (every unit) only for a user who is system-wide themself."""
    if not code:
        if user.unit_id is not None:
            raise InvalidInput(_("Choose a union unit."), field="unit")
        return None
    for unit in visible_units(user):
        if unit.code == code:
            return unit
    raise InvalidInput(_("Choose a union unit."), field="unit")
