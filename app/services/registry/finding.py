"""Finding people in the registry: by the beginning of a name, an employer, the pinyin or
its initials, or the last four ID characters; sorted by pinyin, a page at a time."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from pypinyin import Style, lazy_pinyin
from sqlalchemy import and_, func, or_, select, tuple_, union

from app.extensions import db
from app.models.registry import Worker
from app.services.errors import NotFound
from app.services.inputs import clean_text


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin for sorting, initials for search): 张三 → ("zhangsan", "zs")."""
    full = "".join(lazy_pinyin(name)).lower().replace(" ", "")
    initials = "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower().replace(" ", "")
    return full[:200], initials[:50]


@dataclass
class Page:
    items: list[Worker]
    next: str | None
    contains: bool = False  # nothing began with the term: these contain it


def _cursor(worker: Worker) -> str:
    return base64.urlsafe_b64encode(f"{worker.name_pinyin}\x1f{worker.id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        pinyin, _sep, worker_id = raw.partition("\x1f")
        return pinyin, int(worker_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _starts_with(column: Any, prefix: str) -> Any:
    """``column LIKE 'prefix%'`` as a range (no wildcards to escape), which a plain B-tree
    index serves on SQLite and on PostgreSQL (whose databases here use the C collation)."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


#: A search whose term begins no name or employer looks for it anywhere in them — a scan,
#: so only where the scope holds at most this many files (an office, a district, a city).
CONTAINS_SCAN_MAX = 100_000
#: The cursor of a page of "contains" results starts with this.
CONTAINS_CURSOR = "c."


def search(
    q: str = "",
    *,
    category: int | None = None,
    status: str | None = None,
    unit_ids: list[int] | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Page:
    """Search by the beginning of the name, the employer, the pinyin or its initials, or by
    the last four ID characters; sorted by pinyin; keyset-paginated (``after`` is the
    ``next`` of the previous page). Every condition is a range on an indexed column, so a
    search stays quick however many files there are. When nothing begins with the term
    (``钢铁`` for 首钢钢铁厂), names and employers that contain it are listed instead, where
    the scope is small enough to scan (``Page.contains``)."""
    term = clean_text(q, 50)
    filters = []
    if category is not None:
        filters.append(Worker.category == category)
    if status:
        filters.append(Worker.status == status)
    if unit_ids is not None:
        filters.append(Worker.unit_id.in_(unit_ids))
    contains = bool(after and after.startswith(CONTAINS_CURSOR))
    if contains and term:
        return _page(_containing(term), filters, after[len(CONTAINS_CURSOR) :], limit, contains=True)
    page = _page(_beginning_with(term) if term else None, filters, after, limit)
    if page.items or after or len(term) < 2 or (term.isascii() and len(term) < 3) or not _small(filters):
        return page
    return _page(_containing(term), filters, None, limit, contains=True)


def _beginning_with(term: str) -> Any:
    conditions = [_starts_with(Worker.name, term), _starts_with(Worker.employer, term)]
    if term.isascii() and term.isalpha():
        conditions.append(_starts_with(Worker.name_initials, term.lower()))
        conditions.append(_starts_with(Worker.name_pinyin, term.lower()))
    if len(term) == 4 and (term[:3].isdigit() and (term[3].isdigit() or term[3] in "xX")):
        conditions.append(Worker.id_last4 == term.upper())
    if db.engine.dialect.name == "sqlite":
        # One indexed look-up per condition, united: SQLite's planner would otherwise
        # walk the sort index and test every row against the OR.
        matching = union(*(select(Worker.id).where(condition) for condition in conditions))
        return Worker.id.in_(select(matching.subquery().c.id))
    # PostgreSQL ORs bitmap index scans itself; given an IN (union) it would walk the sort
    # index instead (bench/RESULTS.md, figure 1d).
    return or_(*conditions)


def matching(term: str, *, contains: bool = False) -> Any:
    """The condition a search for ``term`` puts on the files (what the counts of a list
    page use): beginning with it, or (``contains``) containing it."""
    return _containing(term) if contains else _beginning_with(term)


def _containing(term: str) -> Any:
    return or_(Worker.name.contains(term, autoescape=True), Worker.employer.contains(term, autoescape=True))


def _small(filters: list[Any]) -> bool:
    """Whether the scope holds at most CONTAINS_SCAN_MAX files (counting no further)."""
    capped = select(Worker.id).where(*filters).limit(CONTAINS_SCAN_MAX + 1).subquery()
    return db.session.execute(select(func.count()).select_from(capped)).scalar_one() <= CONTAINS_SCAN_MAX


def _page(match: Any, filters: list[Any], after: str | None, limit: int, *, contains: bool = False) -> Page:
    query = select(Worker).where(*filters)
    if match is not None:
        query = query.where(match)
    if after:
        position = _decode_cursor(after)
        if position is not None:
            query = query.where(tuple_(Worker.name_pinyin, Worker.id) > position)
    rows = list(db.session.execute(query.order_by(Worker.name_pinyin, Worker.id).limit(limit + 1)).scalars())
    items = rows[:limit]
    more = len(rows) > limit and items
    cursor = (CONTAINS_CURSOR if contains else "") + _cursor(items[-1]) if more else None
    return Page(items=items, next=cursor, contains=contains)


def get_worker(worker_id: int, unit_ids: list[int] | None) -> Worker:
    worker = db.session.get(Worker, worker_id)
    if worker is None or (unit_ids is not None and worker.unit_id not in unit_ids):
        raise NotFound(_("No such file."))
    return worker
