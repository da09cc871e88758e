"""The union's own tree of units (工会组织树): the one place for the rules about units.

A province federation holds cities, a city holds districts, a district holds grassroots
unions. Who may change the tree follows from the actor: at the console (an actor with no
user) every unit; a federation-wide user (no unit) every unit; a user of a unit only the
units below their own, never their own unit or one above it. Every change is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.org import Unit
from app.models.users import User
from app.services import scope
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.inputs import clean_text

CODE_PATTERN = re.compile(r"[0-9A-Za-z]{1,20}")
NAME_LIMIT = 200


class DuplicateUnit(DomainError):
    """A unit of that code exists already."""


class UnitCycle(InvalidInput):
    """The move would put a unit under itself or under one of its own descendants."""


@dataclass(frozen=True)
class TreeRow:
    """A unit in the tree as a user sees it, with its depth below that user's top."""

    unit: Unit
    depth: int


def find_unit(code: str, *, field: str = "code") -> Unit:
    """The unit of ``code``; :class:`NotFound` (on ``field``) when there is none."""
    wanted = code.strip()
    # A code no unit can have is not looked up (PostgreSQL refuses a NUL in a parameter).
    unit = (
        db.session.execute(select(Unit).where(Unit.code == wanted)).scalar_one_or_none()
        if CODE_PATTERN.fullmatch(wanted)
        else None
    )
    if unit is None:
        raise NotFound(_("Unit %(code)s not found.", code=code), field=field)
    return unit


def _acting_user(actor: Actor) -> User | None:
    """The user whose scope bounds the change, or ``None`` at the console."""
    return db.session.get(User, actor.user_id) if actor.user_id is not None else None


def _below_own(user: User | None) -> list[int] | None:
    """The ids of the units ``user`` may change or place units under (``None``: all)."""
    if user is None or user.unit_id is None:
        return None
    return scope.visible_unit_ids(user)


def _parent(code: str | None, user: User | None) -> Unit | None:
    """The parent named by ``code`` (``None``: the top), checked against the user's scope."""
    allowed = _below_own(user)
    if not code or not code.strip():
        if allowed is not None:
            raise InvalidInput(_("Choose a parent unit: yours or one below it."), field="parent")
        return None
    parent = find_unit(code, field="parent")
    if allowed is not None and parent.id not in allowed:
        raise NotFound(_("Unit %(code)s not found.", code=code), field="parent")
    return parent


def _changeable(code: str, user: User | None) -> Unit:
    """The unit of ``code``, if the user may change it: one strictly below their own."""
    unit = find_unit(code)
    allowed = _below_own(user)
    if allowed is not None:
        if unit.id not in allowed:
            raise NotFound(_("Unit %(code)s not found.", code=code), field="code")
        if user is not None and unit.id == user.unit_id:
            raise InvalidInput(
                _("Your own unit is changed by an administrator of a unit above it."), field="code"
            )
    return unit


def _clean_name(name: str) -> str:
    cleaned = clean_text(name, NAME_LIMIT + 1)
    if not cleaned:
        raise InvalidInput(_("Enter the unit's name."), field="name")
    if len(cleaned) > NAME_LIMIT:
        raise InvalidInput(_("A unit's name has at most %(n)s characters.", n=NAME_LIMIT), field="name")
    return cleaned


def _code(unit: Unit | None) -> str | None:
    return unit.code if unit is not None else None


def create_unit(code: str, name: str, parent_code: str | None = None, *, actor: Actor) -> Unit:
    """Add a unit under ``parent_code`` (or at the top of the tree) and audit it.

    Raises :class:`InvalidInput` for a code that is not 1-20 letters or digits or an empty
    name, :class:`DuplicateUnit` for a code in use, :class:`NotFound` for an unknown parent
    or one outside the actor's units.
    """
    code = (code or "").strip()
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidInput(_("A unit code is 1 to 20 letters or digits."), field="code")
    name = _clean_name(name)
    parent = _parent(parent_code, _acting_user(actor))
    if db.session.execute(select(Unit.id).where(Unit.code == code)).first() is not None:
        raise DuplicateUnit(_("Unit %(code)s exists already.", code=code), field="code")
    return _add(code, name, parent, actor=actor)


def _add(code: str, name: str, parent: Unit | None, *, actor: Actor) -> Unit:
    unit = Unit(code=code, name=name, parent=parent)
    db.session.add(unit)
    db.session.flush()
    record(
        "unit.create",
        actor=actor,
        object_type="unit",
        object_id=unit.id,
        unit_id=unit.id,
        details={"new": {"code": code, "name": name, "parent": _code(parent)}},
    )
    return unit


def ensure_top_unit(code: str, name: str, *, actor: Actor) -> Unit:
    """The unit of ``code``; created at the top of the tree when it does not exist yet.
    An existing unit keeps its place and its name (a budget file names its unit, it does
    not place it)."""
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is not None:
        return unit
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidInput(_("A unit code is 1 to 20 letters or digits."), field="code")
    return _add(code, _clean_name(name), None, actor=actor)


def _locked(unit_id: int) -> Unit:
    return db.session.execute(
        select(Unit).where(Unit.id == unit_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def move_unit(code: str, new_parent_code: str | None, *, actor: Actor) -> Unit:
    """Put the unit of ``code`` under ``new_parent_code`` (``None``: at the top).

    Raises :class:`UnitCycle` when the new parent is the unit itself or one of its
    descendants, and :class:`NotFound` for a unit or parent outside the actor's units.
    The unit and the new parent's line of ancestors are locked while checked, so two
    moves at once cannot close a loop.
    """
    user = _acting_user(actor)
    unit = _locked(_changeable(code, user).id)
    parent = _parent(new_parent_code, user)
    ancestor = parent
    while ancestor is not None:
        ancestor = _locked(ancestor.id)
        if ancestor.id == unit.id:
            raise UnitCycle(
                _("A unit cannot be placed under itself or under one of its own units."), field="parent"
            )
        ancestor = ancestor.parent
    old = unit.parent
    if (old.id if old else None) == (parent.id if parent else None):
        return unit
    unit.parent = parent
    db.session.flush()
    record(
        "unit.move",
        actor=actor,
        object_type="unit",
        object_id=unit.id,
        unit_id=unit.id,
        details={"old": {"parent": _code(old)}, "new": {"parent": _code(parent)}},
    )
    return unit


def rename_unit(code: str, name: str, *, actor: Actor) -> Unit:
    """Give the unit of ``code`` a new name (its code, the key files use, stays)."""
    unit = _changeable(code, _acting_user(actor))
    name = _clean_name(name)
    if name == unit.name:
        return unit
    old, unit.name = unit.name, name
    db.session.flush()
    record(
        "unit.rename",
        actor=actor,
        object_type="unit",
        object_id=unit.id,
        unit_id=unit.id,
        details={"old": {"name": old}, "new": {"name": name}},
    )
    return unit


def visible(user: User) -> list[Unit]:
    """The units ``user`` sees (their own and every unit below it), by code."""
    return scope.visible_units(user)


def tree(user: User | None = None) -> list[TreeRow]:
    """The units ``user`` sees (every unit for ``None``), depth first, each level by code;
    a unit whose parent the user does not see is at depth 0."""
    units = (
        scope.visible_units(user)
        if user is not None
        else list(db.session.execute(select(Unit).order_by(Unit.code)).scalars())
    )
    ids = {unit.id for unit in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:  # already by code, so each level stays in code order
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    rows: list[TreeRow] = []
    stack = [(unit, 0) for unit in reversed(children.get(None, []))]
    while stack:
        unit, depth = stack.pop()
        rows.append(TreeRow(unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.id, [])))
    return rows


def changeable_by(user: User) -> list[Unit]:
    """The units ``user`` may move or rename: below their own unit (every unit when they
    are federation-wide)."""
    return [unit for unit in scope.visible_units(user) if unit.id != user.unit_id]


def only_unit() -> Unit | None:
    """The single unit when the installation has exactly one, else ``None``."""
    units = list(db.session.execute(select(Unit).limit(2)).scalars())
    return units[0] if len(units) == 1 else None


def registration_unit(user: User, code: str | None, *, missing: str | None = None) -> Unit:
    """The unit a new file of ``user``'s goes to (or another step acts in): the one named
    by ``code`` if the user sees it; without a code the user's own unit, or for a
    federation-wide user the only unit of a one-unit installation. Otherwise
    :class:`InvalidInput` on ``unit`` (``missing`` says what to name, when none is)."""
    if code is not None and code.strip():
        wanted = code.strip()
        for unit in scope.visible_units(user):
            if unit.code == wanted:
                return unit
        raise InvalidInput(_("Unit %(code)s is not among your units.", code=wanted), field="unit")
    if user.unit is not None:
        return user.unit
    only = only_unit()
    if only is None:
        raise InvalidInput(missing or _("Choose the union unit that holds the file."), field="unit")
    return only
