"""Finding funds: a fund is one unit's project of one year, so it is found by unit, code
and year together (two districts may both budget project 2015100001), and only among
the units the actor may touch."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.ledger import Fund
from app.models.org import Unit
from app.models.registry import Worker
from app.services.audit import Actor
from app.services.errors import InvalidInput, NotFound
from app.services.scope import ancestors


def _not_found(code: str, year: int) -> NotFound:
    return NotFound(_("Fund %(code)s of %(year)s not found.", code=code, year=year))


def find(actor: Actor, code: str, year: int, unit_code: str | None = None) -> Fund:
    """The fund ``code`` of ``year`` among the actor's units: of ``unit_code`` when given;
    otherwise the only one, or the actor's own unit's when several units have one."""
    if not code.isprintable() or (unit_code and not unit_code.isprintable()):
        # A code with control characters (NUL, line breaks) is nobody's; PostgreSQL would
        # refuse NUL in the query itself.
        raise _not_found(code, year)
    query = (
        select(Fund)
        .join(Unit, Unit.id == Fund.unit_id)
        .where(Fund.code == code, Fund.year == year, actor.scope.where(Fund.unit_id))
    )
    if unit_code:
        query = query.where(Unit.code == unit_code)
    found = list(db.session.execute(query).scalars())
    if not found:
        raise _not_found(code, year)
    if len(found) == 1:
        return found[0]
    own = [fund for fund in found if fund.unit_id == actor.home_unit_id]
    if own:
        return own[0]
    raise InvalidInput(
        _("Several union units have fund %(code)s of %(year)s: name the unit.", code=code, year=year),
        field="unit",
    )


def for_worker(worker: Worker, actor: Actor, *, purpose: str) -> list[Fund]:
    """The funds that may pay the household's aid: of its unit or a unit above it, that
    the actor may touch; the nearest unit's first, newest year first."""
    chain = ancestors(worker.unit)
    rank = {unit.id: place for place, unit in enumerate(chain)}
    funds = db.session.execute(
        select(Fund).where(
            Fund.purpose == purpose, Fund.unit_id.in_(list(rank)), actor.scope.where(Fund.unit_id)
        )
    ).scalars()
    return sorted(funds, key=lambda fund: (-fund.year, rank[fund.unit_id], fund.code))


def for_worker_by_code(worker: Worker, actor: Actor, *, code: str, year: int, purpose: str) -> Fund:
    """The fund ``code`` of ``year`` that may pay the household (nearest unit first)."""
    for fund in for_worker(worker, actor, purpose=purpose):
        if fund.code == code and fund.year == year:
            return fund
    raise _not_found(code, year)


def in_scope(actor: Actor, *, purpose: str | None = None, year: int | None = None) -> list[Fund]:
    """The funds of the actor's units, newest year first, then by code."""
    query = select(Fund).where(actor.scope.where(Fund.unit_id)).order_by(Fund.year.desc(), Fund.code)
    if purpose is not None:
        query = query.where(Fund.purpose == purpose)
    if year is not None:
        query = query.where(Fund.year == year)
    return list(db.session.execute(query).scalars())
