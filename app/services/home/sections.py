"""The shape of the home page's lists: a :class:`Section` of :class:`Item`, each item naming
the page where the work is done (an endpoint and its values), and the one way a list is
read from a query (:func:`listed`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models.cases import Case
from app.money import format_yuan

#: How many items a section lists (its count says how many there are in all).
LIMIT = 10


@dataclass(frozen=True)
class Item:
    title: str
    detail: str
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    items: list[Item]
    total: int
    empty: str
    more_endpoint: str | None = None
    more_values: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def scoped(query: Any, column: Any, unit_ids: list[int] | None) -> Any:
    return query if unit_ids is None else query.where(column.in_(unit_ids))


def count(query: Any) -> int:
    return int(
        db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    )


def case_item(case: Case, detail: str) -> Item:
    return Item(
        title=_("Application No. %(id)s", id=case.id) + f" · {case.worker.name}",
        detail=detail,
        endpoint="cases.detail",
        values={"case_id": case.id},
    )


def listed(
    key: str,
    title: str,
    query: Any,
    item: Callable[[Any], Item],
    empty: str,
    *,
    rows: str = "scalars",
    endpoint: str | None = None,
    values: dict[str, Any] | None = None,
) -> Section:
    """A section of the first :data:`LIMIT` rows of ``query``, each made an item by ``item``,
    with the count of all of them (counted only when the first page is full). ``rows="tuples"``
    hands ``item`` whole result rows instead of their first column."""
    result = db.session.execute(query.limit(LIMIT))
    found = list(result.scalars() if rows == "scalars" else result)
    return Section(
        key=key,
        title=title,
        items=[item(row) for row in found],
        total=count(query) if len(found) == LIMIT else len(found),
        empty=empty,
        more_endpoint=endpoint,
        more_values=values or {},
    )


def case_section(key: str, title: str, query: Any, empty: str, detail: Any, **more: Any) -> Section:
    """:func:`listed` of cases, each linked to its page with ``detail(case)`` beside it."""
    return listed(key, title, query, lambda c: case_item(c, detail(c)), empty, **more)


def amount_of(case: Case) -> str:
    return format_yuan(case.approved_amount if case.approved_amount is not None else case.requested_amount)
