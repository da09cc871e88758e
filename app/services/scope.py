"""Object-level access: which union units' objects an actor may see and change.

A user of a unit sees that unit and every unit below it (a city federation sees
its districts). A user with no unit is federation-wide: every unit, and says so
explicitly (:meth:`Scope.everywhere`), never by an absent value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, true
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models.org import Unit
from app.models.users import User
from app.services.errors import InvalidInput


@dataclass(frozen=True)
class Scope:
    """The units an actor may touch: a set of unit ids, or every unit."""

    unit_ids: frozenset[int]
    is_everywhere: bool = False

    @classmethod
    def everywhere(cls) -> Scope:
        return cls(frozenset(), True)

    @classmethod
    def of_units(cls, unit_ids: frozenset[int] | set[int] | list[int]) -> Scope:
        return cls(frozenset(unit_ids), False)

    @classmethod
    def below(cls, unit_id: int) -> Scope:
        """The unit and every unit under it."""
        return cls.of_units(subtree_ids(unit_id))

    def allows(self, unit_id: int | None) -> bool:
        return self.is_everywhere or (unit_id is not None and unit_id in self.unit_ids)

    def where(self, column: Any) -> ColumnElement[bool]:
        """A filter on ``column`` (a unit id column) that keeps what the scope allows."""
        return true() if self.is_everywhere else column.in_(sorted(self.unit_ids))

    @property
    def ids(self) -> list[int] | None:
        """The unit ids as a list, ``None`` for every unit (for queries built with it)."""
        return None if self.is_everywhere else sorted(self.unit_ids)


def subtree_ids(unit_id: int) -> list[int]:
    """``unit_id`` and the ids of every unit below it."""
    seen = [unit_id]
    frontier = [unit_id]
    while frontier:
        frontier = list(db.session.execute(select(Unit.id).where(Unit.parent_id.in_(frontier))).scalars())
        frontier = [found for found in frontier if found not in seen]
        seen.extend(frontier)
    return seen


def scope_of(user: User) -> Scope:
    """What ``user`` may touch: their unit and below, or every unit for a user with none."""
    return Scope.everywhere() if user.unit_id is None else Scope.below(user.unit_id)


def visible_unit_ids(user: User) -> list[int] | None:
    """The ids of the units ``user`` may see, or ``None`` for all of them."""
    return scope_of(user).ids


def may_see_unit(user: User, unit_id: int | None) -> bool:
    return scope_of(user).allows(unit_id)


def units_in(scope: Scope) -> list[Unit]:
    """The units of ``scope``, by code."""
    return list(db.session.execute(select(Unit).where(scope.where(Unit.id)).order_by(Unit.code)).scalars())


def visible_units(user: User) -> list[Unit]:
    """The units ``user`` may see, by code."""
    return units_in(scope_of(user))


def ancestors(unit: Unit) -> list[Unit]:
    """``unit`` and the units above it, nearest first."""
    chain = [unit]
    while chain[-1].parent is not None and chain[-1].parent not in chain:
        chain.append(chain[-1].parent)
    return chain


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
