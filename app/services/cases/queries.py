"""What the pages and the API list of cases and payments, within the actor's units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import Fund
from app.models.registry import CLOSED, Worker
from app.money import ZERO, to_money
from app.services import loaders
from app.services.audit import Actor
from app.services.inputs import clean_text

BEIJING = ZoneInfo("Asia/Shanghai")

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


# --- the case list (帮扶申请): filters, totals, pages, export ------------------------------


@dataclass(frozen=True)
class CaseFilter:
    """What the case list is narrowed to; every part optional. ``unit_ids`` is a unit the
    person chose (with the units below it), always intersected with the actor's scope."""

    q: str = ""
    status: str | None = None
    aid_type: str | None = None
    fund_code: str | None = None
    unit_ids: list[int] | None = None
    year: int | None = None
    opened_from: date | None = None
    opened_to: date | None = None

    def described(self) -> dict[str, object]:
        """The filter as plain values (for the audit entry of an export)."""
        return {
            key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in self.__dict__.items()
            if value not in (None, "")
        }


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: the case and the figures the list shows beside it."""

    case: Case
    paid: Decimal
    last_paid_on: date | None

    @property
    def approved_on(self) -> date | None:
        """The day (Beijing) the amount was approved; none before a decision to pay."""
        if self.case.approved_amount is None or self.case.decided_at is None:
            return None
        return self.case.decided_at.astimezone(BEIJING).date()


@dataclass(frozen=True)
class CaseTotals:
    count: int
    requested: Decimal
    approved: Decimal
    paid: Decimal


@dataclass(frozen=True)
class CaseListPage:
    rows: list[CaseRow]
    totals: CaseTotals
    page: int
    pages: int


def _paid_per_case() -> Any:
    """Net paid and the last payment date per case (reversed payments left out)."""
    return (
        select(
            Payment.case_id.label("case_id"),
            func.sum(Payment.amount).label("paid"),
            func.max(Payment.paid_on).label("last_paid_on"),
        )
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.case_id.is_not(None), PaymentReversal.id.is_(None))
        .group_by(Payment.case_id)
        .subquery()
    )


def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BEIJING).astimezone(UTC)


def _conditions(actor: Actor, chosen: CaseFilter) -> list[Any]:
    conditions: list[Any] = [actor.scope.where(Case.unit_id)]
    if chosen.unit_ids is not None:
        conditions.append(Case.unit_id.in_(chosen.unit_ids))
    if chosen.status:
        conditions.append(Case.status == chosen.status)
    if chosen.aid_type:
        conditions.append(Case.aid_type == chosen.aid_type)
    if chosen.year is not None:
        conditions.append(Case.year == chosen.year)
    if chosen.fund_code:
        conditions.append(Case.fund_id.in_(select(Fund.id).where(Fund.code == chosen.fund_code)))
    if chosen.opened_from is not None:
        conditions.append(Case.created_at >= _beijing_midnight(chosen.opened_from))
    if chosen.opened_to is not None:
        conditions.append(Case.created_at < _beijing_midnight(chosen.opened_to + timedelta(days=1)))
    term = clean_text(chosen.q, 50)
    if term:
        by_name = Case.worker_id.in_(select(Worker.id).where(Worker.name.contains(term, autoescape=True)))
        if term.isdigit() and len(term) <= 9:
            conditions.append(or_(Case.id == int(term), by_name))
        else:
            conditions.append(by_name)
    return conditions


def case_rows(
    actor: Actor, chosen: CaseFilter, *, offset: int = 0, limit: int | None = None
) -> list[CaseRow]:
    """The cases of the filter within the actor's units, newest first."""
    paid = _paid_per_case()
    query = (
        select(Case, paid.c.paid, paid.c.last_paid_on)
        .outerjoin(paid, paid.c.case_id == Case.id)
        .where(*_conditions(actor, chosen))
        .order_by(Case.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [CaseRow(case, amount or ZERO, last) for case, amount, last in db.session.execute(query)]


def case_totals(actor: Actor, chosen: CaseFilter) -> CaseTotals:
    """How many cases the filter finds and what they ask, were approved and were paid."""
    paid = _paid_per_case()
    count, requested, approved, paid_total = db.session.execute(
        select(
            func.count(Case.id),
            func.sum(Case.requested_amount),
            func.sum(Case.approved_amount),
            func.sum(paid.c.paid),
        )
        .select_from(Case)
        .outerjoin(paid, paid.c.case_id == Case.id)
        .where(*_conditions(actor, chosen))
    ).one()
    return CaseTotals(count, requested or ZERO, approved or ZERO, to_money(paid_total or ZERO))


def case_list(actor: Actor, chosen: CaseFilter, *, page: int = 1, per_page: int = 50) -> CaseListPage:
    """One page of the filtered list with the totals of every row the filter finds."""
    totals = case_totals(actor, chosen)
    pages = max(1, -(-totals.count // per_page))
    page = min(max(page, 1), pages)
    rows = case_rows(actor, chosen, offset=(page - 1) * per_page, limit=per_page)
    return CaseListPage(rows=rows, totals=totals, page=page, pages=pages)


def households_for_new_case(actor: Actor, q: str, *, limit: int = 30) -> list[Worker]:
    """Households of the actor's units a new case may be opened for (files not closed),
    found by name, the last four ID characters or the mobile number."""
    term = clean_text(q, 50)
    if not term:
        return []
    conditions = [Worker.name.contains(term, autoescape=True)]
    if len(term) == 4:
        conditions.append(Worker.id_last4 == term.upper())
    if term.isdigit() and len(term) >= 4:
        conditions.append(Worker.phone.contains(term, autoescape=True))
    query = (
        select(Worker)
        .where(actor.scope.where(Worker.unit_id), Worker.status != CLOSED, or_(*conditions))
        .order_by(Worker.name_pinyin, Worker.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())
