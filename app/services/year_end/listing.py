"""What the year-end page and report show: the year's open cases with what each still
holds and where it would be carried, and what was carried over and released, per fund."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.batches import PaymentBatch, PaymentBatchLine
from app.models.cases import Case
from app.models.ledger import Fund
from app.models.year_end import CARRY, YearEndChoice
from app.money import ZERO
from app.services import ledger
from app.services.audit import Actor
from app.services.year_end.choices import next_fund, outstanding


@dataclass(frozen=True)
class OpenCase:
    """An open case of the year: what it still holds, and the next year's fund if any."""

    case: Case
    outstanding: Decimal
    next_fund: Fund | None
    next_available: Decimal | None
    at_bank: bool

    @property
    def can_carry(self) -> bool:
        return not self.at_bank and self.next_fund is not None and self.outstanding > ZERO

    @property
    def can_release(self) -> bool:
        return not self.at_bank


def open_cases(actor: Actor, year: int) -> list[OpenCase]:
    """The approved cases of ``year`` within the actor's units that still hold money."""
    cases = list(
        db.session.execute(
            select(Case)
            .where(Case.year == year, Case.status == "approved", actor.scope.where(Case.unit_id))
            .options(selectinload(Case.worker), selectinload(Case.fund), selectinload(Case.commitment))
            .order_by(Case.id)
        ).scalars()
    )
    at_bank = set(
        db.session.execute(
            select(PaymentBatchLine.case_id)
            .join(PaymentBatch, PaymentBatch.id == PaymentBatchLine.batch_id)
            .where(PaymentBatch.year == year, PaymentBatchLine.status == "pending")
        ).scalars()
    )
    available: dict[int, Decimal] = {}
    rows = []
    for case in cases:
        fund = next_fund(case)
        if fund is not None and fund.id not in available:
            available[fund.id] = ledger.balance(fund).available
        rows.append(
            OpenCase(
                case=case,
                outstanding=outstanding(case),
                next_fund=fund,
                next_available=available[fund.id] if fund is not None else None,
                at_bank=case.id in at_bank,
            )
        )
    return rows


@dataclass
class FundYearEnd:
    """One fund's year end: its cases carried over and released, with their sums."""

    fund: Fund
    carried: list[YearEndChoice] = field(default_factory=list)
    released: list[YearEndChoice] = field(default_factory=list)

    @property
    def carried_total(self) -> Decimal:
        return sum((c.amount for c in self.carried), ZERO)

    @property
    def released_total(self) -> Decimal:
        return sum((c.amount for c in self.released), ZERO)


@dataclass
class YearEndReport:
    year: int
    funds: list[FundYearEnd]

    @property
    def carried_total(self) -> Decimal:
        return sum((f.carried_total for f in self.funds), ZERO)

    @property
    def released_total(self) -> Decimal:
        return sum((f.released_total for f in self.funds), ZERO)

    @property
    def carried_count(self) -> int:
        return sum(len(f.carried) for f in self.funds)

    @property
    def released_count(self) -> int:
        return sum(len(f.released) for f in self.funds)


def report(actor: Actor, year: int) -> YearEndReport:
    """What was carried over from ``year`` and released at its end, per fund, within the
    actor's units."""
    choices = db.session.execute(
        select(YearEndChoice)
        .where(YearEndChoice.year == year, actor.scope.where(YearEndChoice.unit_id))
        .options(
            selectinload(YearEndChoice.case).selectinload(Case.worker),
            selectinload(YearEndChoice.fund),
            selectinload(YearEndChoice.next_case),
            selectinload(YearEndChoice.next_fund),
        )
        .order_by(YearEndChoice.id)
    ).scalars()
    by_fund: dict[int, FundYearEnd] = {}
    for choice in choices:
        entry = by_fund.setdefault(choice.fund_id, FundYearEnd(fund=choice.fund))
        (entry.carried if choice.action == CARRY else entry.released).append(choice)
    ordered = sorted(by_fund.values(), key=lambda f: (f.fund.code, f.fund.unit_id))
    return YearEndReport(year=year, funds=ordered)
