"""预算调整: revising a loaded budget during its year, by a revised budget file or by one
fund's change entered by hand, each under the finance bureau's document (文号).

The original budget's rows are never edited. Each fund whose budget moves gets one
ledger entry of kind ``adjustment`` (appropriation -> available up, the other way down),
posted under the fund's lock like every other entry, and a :class:`BudgetRevisionLine`
naming it; the department's totals after the revision are kept on the revision. So the
current budget is the original plus its revisions, which the reconciliation checks.

A revision is refused (:class:`FundOverdrawn`, 409, nothing changed) when it would take a
fund's budget below what is paid, committed and at the bank: a decrease comes only out of
what is available. A fund the revised file adds is opened; a fund it leaves out is revised
to zero, which only a fund with nothing paid, committed or at the bank can be.

One person records a revision (no four-eyes step): the decision was taken and approved
outside the product, by the document whose number is required and kept; the revision is
in the audit log with that number, and a finance officer of the unit records it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models.budget import (
    REVISION_ENTRY,
    REVISION_FILE,
    Budget,
    BudgetLine,
    BudgetRevision,
    BudgetRevisionLine,
)
from app.models.ledger import Fund
from app.models.org import Unit
from app.money import ZERO, format_yuan, to_money, to_positive_money
from app.services import budgets, ledger, periods
from app.services.audit import Actor, record
from app.services.cases.payments import IdempotencyMismatch, request_digest
from app.services.errors import BudgetConflict, FundOverdrawn, InvalidInput

#: How an entered revision states the change: by how much up, by how much down, or the new budget.
HOW_INCREASE = "increase"
HOW_DECREASE = "decrease"
HOW_SET = "set"
HOWS = (HOW_INCREASE, HOW_DECREASE, HOW_SET)


_REPLAYED = "replayed_revisions"


def was_replayed(revision: BudgetRevision) -> bool:
    """Whether this request answered ``revision`` as a replay of an earlier one (its key)."""
    return revision.id in db.session.info.get(_REPLAYED, set())


@dataclass
class RevisionResult:
    revision: BudgetRevision | None  # None: the file is the budget as loaded
    created: bool


def budget_of(unit_id: int, year: int) -> Budget | None:
    return db.session.execute(
        select(Budget).where(Budget.unit_id == unit_id, Budget.year == year)
    ).scalar_one_or_none()


def revisions(year: int, unit_ids: list[int] | None = None) -> list[BudgetRevision]:
    """The year's revisions (of some units), in the order they were made."""
    query = select(BudgetRevision).where(BudgetRevision.year == year).order_by(BudgetRevision.id)
    if unit_ids is not None:
        query = query.where(BudgetRevision.unit_id.in_(unit_ids))
    return list(db.session.execute(query).scalars())


def current_totals(budget: Budget) -> tuple[Decimal, Decimal]:
    """The department's income and expenditure now: the newest revision's, else as loaded."""
    newest = db.session.execute(
        select(BudgetRevision)
        .where(BudgetRevision.budget_id == budget.id)
        .order_by(BudgetRevision.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if newest is None:
        return budget.total_income, budget.total_expenditure
    return newest.total_income, newest.total_expenditure


def changes_by_fund(fund_ids: list[int]) -> dict[int, Decimal]:
    """{fund id: the sum of its revisions' changes} (one query)."""
    if not fund_ids:
        return {}
    rows = db.session.execute(
        select(BudgetRevisionLine.fund_id, func.sum(BudgetRevisionLine.change))
        .where(BudgetRevisionLine.fund_id.in_(fund_ids))
        .group_by(BudgetRevisionLine.fund_id)
    ).all()
    return {fund_id: total or ZERO for fund_id, total in rows}


def original_budget(fund: Fund) -> Decimal:
    """The fund's budget as the original file loaded it (zero for a fund a revision opened)."""
    if fund.budget_line_id is None:
        return ZERO
    line = db.session.get(BudgetLine, fund.budget_line_id)
    return (line.amount or ZERO) if line is not None else ZERO


def _text(value: str | None, *, field: str, limit: int, missing: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise InvalidInput(missing, field=field)
    if len(cleaned) > limit or not cleaned.isprintable():
        raise InvalidInput(_("At most %(n)s characters.", n=limit), field=field)
    return cleaned


def _checked_date(revised_on: date | None, year: int) -> date:
    if revised_on is None:
        raise InvalidInput(_("Give the date of the revision."), field="revised_on")
    if revised_on.year != year:
        raise InvalidInput(
            _("A revision of the %(year)s budget is dated in %(year)s.", year=year), field="revised_on"
        )
    return revised_on


def _apply(revision: BudgetRevision, targets: list[tuple[Fund, Decimal]], *, actor: Actor) -> Decimal:
    """Post each fund's move to its new budget; return the sum of the changes."""
    total = ZERO
    for fund, new_budget in targets:
        locked = ledger.lock_fund(fund.id)
        figures = ledger.balance(locked)
        change = new_budget - figures.budget
        if change == ZERO:
            continue
        if -change > figures.available:
            raise FundOverdrawn(
                _(
                    "Fund %(code)s: a budget of %(new)s would be less than what is paid, committed and"
                    " at the bank (%(used)s); only %(available)s is available to take away.",
                    code=locked.code,
                    new=format_yuan(new_budget),
                    used=format_yuan(figures.budget - figures.available),
                    available=format_yuan(figures.available),
                ),
                field="amount",
            )
        # Refused at the revision's date (the ledger asks again, for every door that posts).
        periods.require_open(locked, revision.revised_on, field="revised_on")
        memo = _("Budget revision %(reference)s", reference=revision.reference)
        transfer = ledger.adjust(locked, change, memo=memo, actor=actor, on=revision.revised_on)
        db.session.add(
            BudgetRevisionLine(
                revision_id=revision.id,
                fund_id=locked.id,
                budget_before=figures.budget,
                budget_after=new_budget,
                change=change,
                transfer_id=transfer.id,
            )
        )
        total += change
    db.session.flush()
    return total


def _new_revision(
    budget: Budget, *, source: str, reference: str, revised_on: date, reason: str, actor: Actor
) -> BudgetRevision:
    income, expenditure = current_totals(budget)
    revision = BudgetRevision(
        budget_id=budget.id,
        unit_id=budget.unit_id,
        year=budget.year,
        source=source,
        reference=reference,
        revised_on=revised_on,
        reason=reason,
        total_income=income,
        total_expenditure=expenditure,
        created_by_id=actor.user_id,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def _record(revision: BudgetRevision, actor: Actor) -> None:
    record(
        "budget.revise",
        actor=actor,
        object_type="budget_revision",
        object_id=revision.id,
        unit_id=revision.unit_id,
        details={
            "new": {
                "year": revision.year,
                "reference": revision.reference,
                "revised_on": revision.revised_on.isoformat(),
                "reason": revision.reason,
                "digest": revision.digest,
                "income": str(revision.total_income),
                "expenditure": str(revision.total_expenditure),
                # Each fund's code with its budget before and after.
                "funds": {
                    _code(line.fund_id): [str(line.budget_before), str(line.budget_after)]
                    for line in revision.lines
                },
            }
        },
    )


def _code(fund_id: int) -> str:
    fund = db.session.get(Fund, fund_id)
    return fund.code if fund is not None else str(fund_id)


def revise_fund(
    fund: Fund,
    *,
    how: str,
    amount: object,
    reason: str,
    reference: str,
    revised_on: date | None,
    actor: Actor,
    idempotency_key: str | None = None,
) -> BudgetRevision:
    """A revision of one fund entered by hand: up or down by ``amount``, or to ``amount``
    (``how`` = set; zero allowed). The department's totals move by the same change.

    Raises :class:`InvalidInput` for a missing 文号, reason or date or a change of nothing,
    :class:`FundOverdrawn` when the new budget is below what is used, :class:`PeriodClosed`
    when the books are closed on the date."""
    if how not in HOWS:
        raise InvalidInput(_("Choose how the budget changes."), field="how")
    value = to_money(amount) if how == HOW_SET else to_positive_money(amount)
    if value < ZERO:
        raise InvalidInput(_("A budget cannot be below zero."), field="amount")
    reference = _text(reference, field="reference", limit=100, missing=_("Give the document number (文号)."))
    reason = _text(reason, field="reason", limit=500, missing=_("Give the reason for the revision."))
    on = _checked_date(revised_on, fund.year)
    budget = budget_of(fund.unit_id, fund.year)
    if budget is None:
        raise BudgetConflict(_("No budget of this fund's unit and year is loaded."))
    current = ledger.balance(ledger.lock_fund(fund.id)).budget
    digest = request_digest(
        fund=fund.id, how=how, amount=str(value), reason=reason, reference=reference, on=on
    )
    if idempotency_key:  # under the fund's lock: the first request with the key has finished
        earlier = db.session.execute(
            select(BudgetRevision).where(BudgetRevision.idempotency_key == idempotency_key)
        ).scalar_one_or_none()
        if earlier is not None:
            if earlier.request_digest != digest:
                raise IdempotencyMismatch(_("This request key was already used for a different revision."))
            db.session.info.setdefault(_REPLAYED, set()).add(earlier.id)
            return earlier
    new_budget = {HOW_INCREASE: current + value, HOW_DECREASE: current - value, HOW_SET: value}[how]
    if new_budget < ZERO:
        raise FundOverdrawn(
            _(
                "Fund %(code)s's budget is %(budget)s; it cannot go below zero.",
                code=fund.code,
                budget=format_yuan(current),
            ),
            field="amount",
        )
    if new_budget == current:
        raise InvalidInput(_("The budget would stay as it is."), field="amount")
    revision = _new_revision(
        budget, source=REVISION_ENTRY, reference=reference, revised_on=on, reason=reason, actor=actor
    )
    revision.idempotency_key, revision.request_digest = idempotency_key or None, digest
    change = _apply(revision, [(fund, new_budget)], actor=actor)
    revision.total_income += change
    revision.total_expenditure += change
    db.session.flush()
    _record(revision, actor)
    return revision


def load_revision(
    document: dict[str, Any], *, reference: str, revised_on: date | None, reason: str = "", actor: Actor
) -> RevisionResult:
    """A revised budget file for a loaded unit and year, checked like the first
    (:func:`app.services.budgets.check_budget`, naming the line that does not add up).

    Each project of its special public table sets its fund's new budget: a fund it adds is
    opened, a fund it leaves out goes to zero. The same file loaded again changes nothing;
    the original file returns ``revision=None``. Raises :class:`BudgetConflict` when no
    budget of the unit and year is loaded, :class:`FundOverdrawn` as :func:`revise_fund`."""
    lines = budgets.check_budget(document)
    reference = _text(reference, field="reference", limit=100, missing=_("Give the document number (文号)."))
    year: int = document["year"]
    on = _checked_date(revised_on, year)
    unit = db.session.execute(select(Unit).where(Unit.code == document["unit"]["code"])).scalar_one_or_none()
    budget = budget_of(unit.id, year) if unit is not None else None
    if unit is None or budget is None:
        raise BudgetConflict(
            _(
                "No budget of unit %(unit)s for %(year)s is loaded: load it before revising it.",
                unit=document["unit"]["code"],
                year=year,
            )
        )
    digest = budgets.digest_of(document)
    if digest == budget.digest:
        return RevisionResult(revision=None, created=False)
    seen = db.session.execute(
        select(BudgetRevision).where(BudgetRevision.budget_id == budget.id, BudgetRevision.digest == digest)
    ).scalar_one_or_none()
    if seen is not None:
        return RevisionResult(revision=seen, created=False)

    funds = {
        fund.code: fund
        for fund in db.session.execute(
            select(Fund).where(Fund.unit_id == unit.id, Fund.year == year)
        ).scalars()
    }
    revision = _new_revision(
        budget,
        source=REVISION_FILE,
        reference=reference,
        revised_on=on,
        reason=" ".join(reason.split()),
        actor=actor,
    )
    revision.digest = digest
    revision.document = json.dumps(document, ensure_ascii=False, sort_keys=True)
    revision.total_income = to_money(document["summary"]["income"])
    revision.total_expenditure = to_money(document["summary"]["expenditure"])
    targets: list[tuple[Fund, Decimal]] = []
    for line in lines:
        code = line.data.get("project_code")
        if not code or budgets.table_kind(document, line.table) != budgets.FUND_TABLE:
            continue
        fund = funds.pop(code, None) or _open_fund(unit, year, line.data)
        targets.append((fund, line.amount or ZERO))
    targets.extend((fund, ZERO) for fund in funds.values())  # left out of the file: to zero
    _apply(revision, targets, actor=actor)
    db.session.refresh(revision)
    _record(revision, actor)
    return RevisionResult(revision=revision, created=True)


def _open_fund(unit: Unit, year: int, data: dict[str, Any]) -> Fund:
    """A fund the revised file adds: no line of the original budget, budget from zero."""
    fund = Fund(
        unit_id=unit.id,
        year=year,
        code=data["project_code"],
        name=data["name"],
        functional_class=data.get("functional_class"),
        economic_class=data.get("economic_class"),
        managing_department=data.get("managing_department"),
        purpose=data.get("purpose", "hardship_aid"),
    )
    db.session.add(fund)
    db.session.flush()
    ledger.create_fund_accounts(fund)
    return fund
