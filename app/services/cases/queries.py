"""What the pages and the API list of cases and payments, within the actor's units."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case, Payment
from app.models.ledger import Fund
from app.services import loaders
from app.services.audit import Actor

#: The statuses that wait for each permission's holder.
WAITING_FOR = {
    "cases.create": ("draft",),
    "cases.decide": ("submitted", "notice"),
    "payments.make": ("approved",),
}


def waiting_for(permissions: set[str], unit_ids: list[int] | None, limit: int = 20) -> list[Case]:
    """Cases whose next step someone with these permissions takes, oldest first."""
    statuses = {s for permission, group in WAITING_FOR.items() if permission in permissions for s in group}
    if not statuses:
        return []
    query = select(Case).where(Case.status.in_(statuses)).order_by(Case.id).limit(limit)
    if unit_ids is not None:
        query = query.where(Case.unit_id.in_(unit_ids))
    return list(db.session.execute(query).scalars())


def recent_payments(unit_ids: list[int] | None, limit: int = 10) -> list[Payment]:
    query = select(Payment).order_by(Payment.id.desc()).limit(limit)
    if unit_ids is not None:
        query = query.join(Fund, Fund.id == Payment.fund_id).where(Fund.unit_id.in_(unit_ids))
    return list(db.session.execute(query).scalars())


def get_case(case_id: int, actor: Actor) -> Case:
    """One case of the actor's units (:class:`NotFound` for any other)."""
    return loaders.case(case_id, actor)


@dataclass(frozen=True)
class CasePage:
    items: list[Case]
    next: str | None


def list_cases(
    actor: Actor,
    *,
    status: str | None = None,
    fund_code: str | None = None,
    year: int | None = None,
    unit_ids: list[int] | None = None,
    before: int | None = None,
    limit: int = 50,
) -> CasePage:
    """Cases of the actor's units (optionally of some of them), newest first, by keyset
    (``before``: the last id of the previous page)."""
    query = select(Case).where(actor.scope.where(Case.unit_id)).order_by(Case.id.desc())
    if unit_ids is not None:
        query = query.where(Case.unit_id.in_(unit_ids))
    if status:
        query = query.where(Case.status == status)
    if year is not None:
        query = query.where(Case.year == year)
    if fund_code:
        query = query.join(Fund, Fund.id == Case.fund_id).where(Fund.code == fund_code)
    if before is not None:
        query = query.where(Case.id < before)
    rows = list(db.session.execute(query.limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return CasePage(items=rows, next=str(rows[-1].id) if more and rows else None)
