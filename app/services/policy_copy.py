"""Copying the yearly policy values (政策参数) forward: a new year's 低保线 and ceilings
start as last year's, for the administrator to review. :func:`side_by_side` lists each
value of the earlier year beside the later one's; :func:`copy_forward` copies all of them
or the chosen keys, each through :func:`app.services.policy.set_value` (so checked and
audited like a value typed in) and the copy itself audited once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.org import Unit
from app.models.registry import PolicyValue
from app.services import policy
from app.services.audit import Actor, record
from app.services.errors import InvalidInput


@dataclass(frozen=True)
class Pair:
    """One policy value of one scope (a unit, or every unit): last year's and this year's."""

    key: str
    unit_id: int | None
    earlier: str | None
    later: str | None

    @property
    def same(self) -> bool:
        return self.earlier == self.later


def _years(from_year: int, to_year: int) -> None:
    for year, field in ((from_year, "from_year"), (to_year, "to_year")):
        if not policy.FIRST_YEAR <= year <= policy.LAST_YEAR:
            raise InvalidInput(_("The year %(year)s is out of range.", year=year), field=field)
    if to_year <= from_year:
        raise InvalidInput(
            _("Values are copied forward: into a later year than the one they come from."), field="to_year"
        )


def _rows(year: int, actor: Actor, unit: Unit | None) -> dict[tuple[str, int | None], str]:
    """The year's values the actor may manage: of ``unit`` only, when given; otherwise those
    of the actor's units, and the values for every unit when the actor's scope is everywhere."""
    query = select(PolicyValue).where(PolicyValue.year == year)
    if unit is not None:
        query = query.where(PolicyValue.unit_id == unit.id)
    found = {}
    for row in db.session.execute(query).scalars():
        allowed = actor.scope.is_everywhere if row.unit_id is None else actor.scope.allows(row.unit_id)
        if allowed and row.key in policy.KEYS:
            found[(row.key, row.unit_id)] = row.value
    return found


def side_by_side(from_year: int, to_year: int, *, actor: Actor, unit: Unit | None = None) -> list[Pair]:
    """Each value of either year, the earlier year's beside the later's, by key then scope."""
    _years(from_year, to_year)
    earlier, later = _rows(from_year, actor, unit), _rows(to_year, actor, unit)
    order = list(policy.KEYS)
    return [
        Pair(key, unit_id, earlier.get((key, unit_id)), later.get((key, unit_id)))
        for key, unit_id in sorted(
            set(earlier) | set(later), key=lambda k: (order.index(k[0]), k[1] is not None, k[1] or 0)
        )
    ]


def copy_forward(
    from_year: int,
    to_year: int,
    *,
    actor: Actor,
    unit: Unit | None = None,
    keys: Iterable[str] | None = None,
    pairs: Iterable[tuple[str, int | None]] | None = None,
    replace: bool = False,
) -> list[PolicyValue]:
    """Copy the earlier year's values (of ``unit`` only, or all the actor manages; only the
    ``keys`` given, or only the (key, unit id) ``pairs`` chosen on a page, or all) into the
    later year. A value already set in the later year is kept unless ``replace``. Returns
    the values written; raises :class:`InvalidInput` for a bad year or key, or when there
    is nothing to copy."""
    _years(from_year, to_year)
    chosen = None if keys is None else set(keys)
    picked = None if pairs is None else set(pairs)
    if chosen is not None:
        unknown = sorted(chosen - set(policy.KEYS))
        if unknown:
            raise InvalidInput(_("Unknown policy key %(key)s.", key=unknown[0]), field="keys")
    if chosen == set() or picked == set():
        raise InvalidInput(_("Choose the values to copy."), field="keys")
    earlier, later = _rows(from_year, actor, unit), _rows(to_year, actor, unit)
    if not earlier:
        raise InvalidInput(_("No policy value of %(year)s to copy.", year=from_year), field="from_year")
    # A value chosen that is not among the actor's (another unit's, or not set) is refused,
    # not skipped: the page that sent it showed something else.
    for key, unit_id in sorted(picked or (), key=lambda p: (p[0], p[1] or 0)):
        if (key, unit_id) not in earlier:
            raise InvalidInput(
                _(
                    "%(name)s has no value of %(year)s among your units.",
                    name=policy.KEYS[key].label,
                    year=from_year,
                )
                if key in policy.KEYS
                else _("Unknown policy key %(key)s.", key=key),
                field="keys",
            )
    written = []
    units = {u.id: u for u in db.session.execute(select(Unit)).scalars()}
    for (key, unit_id), value in earlier.items():
        if (chosen is not None and key not in chosen) or (
            picked is not None and (key, unit_id) not in picked
        ):
            continue
        if (key, unit_id) in later and not replace:
            continue
        written.append(
            policy.set_value(to_year, key, value, unit=units[unit_id] if unit_id else None, actor=actor)
        )
    record(
        "policy.copy",
        actor=actor,
        object_type="policy",
        object_id=f"{from_year}->{to_year}",
        unit_id=unit.id if unit else None,
        details={
            "from_year": from_year,
            "to_year": to_year,
            "policy_keys": sorted({row.key for row in written}),
            "copied": len(written),
            "replace": replace,
        },
    )
    return written
