"""The registry's list page: one page of the search (:mod:`.finding`) and the counts of
what the filter finds, in all and by category, within the units the person may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models.registry import Worker
from app.services.inputs import clean_text
from app.services.registry.finding import Page, matching, search
from app.services.scope import Scope, subtree_ids


@dataclass(frozen=True)
class RegistryFilter:
    """The list's filter: a search term, a category, a status, and a unit chosen (with the
    units below it); every part optional, always within the scope."""

    q: str = ""
    category: int | None = None
    status: str | None = None
    unit_id: int | None = None


@dataclass(frozen=True)
class RegistryList:
    page: Page
    total: int  # files the whole filter finds
    by_category: dict[int, int] = field(default_factory=dict)  # the filter but its category


def _unit_ids(scope: Scope, chosen: RegistryFilter) -> list[int] | None:
    if chosen.unit_id is None:
        return scope.ids
    below = subtree_ids(chosen.unit_id)
    return [unit for unit in below if scope.allows(unit)]


def registry_list(
    scope: Scope, chosen: RegistryFilter, *, after: str | None = None, limit: int = 50
) -> RegistryList:
    """A page of files and the counts, for the same filter (the counts follow the page's
    way of matching: beginning with the term, or containing it when nothing begins so)."""
    unit_ids = _unit_ids(scope, chosen)
    page = search(
        chosen.q, category=chosen.category, status=chosen.status, unit_ids=unit_ids, after=after, limit=limit
    )
    conditions = []
    if unit_ids is not None:
        conditions.append(Worker.unit_id.in_(unit_ids))
    if chosen.status:
        conditions.append(Worker.status == chosen.status)
    term = clean_text(chosen.q, 50)
    if term:
        conditions.append(matching(term, contains=page.contains))
    rows = db.session.execute(
        select(Worker.category, func.count(Worker.id)).where(*conditions).group_by(Worker.category)
    ).all()
    by_category = {int(category): int(count) for category, count in rows}
    total = by_category.get(chosen.category, 0) if chosen.category is not None else sum(by_category.values())
    return RegistryList(page=page, total=total, by_category=by_category)
