"""What the batch pages read (nothing here writes): the list of batches with their
counts and totals, the cases a batch may pay (and why one may not), a batch's lines page
by page, and the bank's failed lines of a case or waiting to be paid again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from app.extensions import db
from app.models.batches import OPEN_BATCH_STATUSES, PaymentBatch, PaymentBatchLine
from app.models.cases import Case
from app.models.ledger import Fund
from app.models.registry import Worker
from app.money import ZERO
from app.privacy import mask_card
from app.services.audit import Actor
from app.services.batches.prepare import _net_paid

#: Lines shown on one page of a batch.
LINES_PER_PAGE = 100
#: Batches shown on one page of the list.
BATCHES_PER_PAGE = 50
#: A batch whose lines are at the bank: sent, and its answer not complete.
AT_BANK_STATUSES = ("sent", "answered")


@dataclass
class Tally:
    """Lines and their sums by what became of them: ``paid`` and ``failed`` by the bank's
    answer, ``at_bank`` sent and not answered yet, ``waiting`` not sent yet."""

    lines: int = 0
    total: Decimal = ZERO
    paid: int = 0
    paid_total: Decimal = ZERO
    failed: int = 0
    failed_total: Decimal = ZERO
    at_bank: int = 0
    at_bank_total: Decimal = ZERO
    waiting: int = 0
    waiting_total: Decimal = ZERO

    def add(self, batch_status: str, line_status: str, count: int, amount: Decimal) -> None:
        if line_status == "cancelled":
            return
        self.lines += count
        self.total += amount
        if line_status in ("paid", "failed"):
            kind = line_status
        else:
            kind = "at_bank" if batch_status in AT_BANK_STATUSES else "waiting"
        setattr(self, kind, getattr(self, kind) + count)
        setattr(self, f"{kind}_total", getattr(self, f"{kind}_total") + amount)


@dataclass(frozen=True)
class BatchFilter:
    fund_code: str | None = None
    year: int | None = None
    status: str | None = None


@dataclass
class BatchList:
    rows: list[tuple[PaymentBatch, Tally]]
    total: Tally
    count: int
    page: int
    pages: int


def _filtered(actor: Actor, chosen: BatchFilter) -> Select:
    query = select(PaymentBatch).where(actor.scope.where(PaymentBatch.unit_id))
    if chosen.fund_code:
        query = query.join(Fund, Fund.id == PaymentBatch.fund_id).where(Fund.code == chosen.fund_code)
    if chosen.year:
        query = query.where(PaymentBatch.year == chosen.year)
    if chosen.status:
        query = query.where(PaymentBatch.status == chosen.status)
    return query


def _grouped(batch_ids: Select | list[int]) -> list[tuple[int, str, str, int, Decimal | None]]:
    """(batch, batch status, line status, lines, sum) of the batches named."""
    return [
        tuple(row)  # type: ignore[misc]
        for row in db.session.execute(
            select(
                PaymentBatchLine.batch_id,
                PaymentBatch.status,
                PaymentBatchLine.status,
                func.count(),
                func.sum(PaymentBatchLine.amount),
            )
            .join(PaymentBatch, PaymentBatch.id == PaymentBatchLine.batch_id)
            .where(PaymentBatchLine.batch_id.in_(batch_ids))
            .group_by(PaymentBatchLine.batch_id, PaymentBatch.status, PaymentBatchLine.status)
        )
    ]


def _tallies(batch_ids: Select | list[int]) -> dict[int, Tally]:
    found: dict[int, Tally] = {}
    for batch_id, batch_status, line_status, count, amount in _grouped(batch_ids):
        found.setdefault(batch_id, Tally()).add(batch_status, line_status, count, amount or ZERO)
    return found


def tally(batch: PaymentBatch) -> Tally:
    """The batch's lines by what became of them."""
    return _tallies([batch.id]).get(batch.id, Tally())


def batch_list(actor: Actor, chosen: BatchFilter, *, page: int = 1) -> BatchList:
    """The batches of the actor's units that ``chosen`` lets through, newest first, one
    page of them, with each one's tally and the tally of all of them."""
    query = _filtered(actor, chosen)
    ids = query.with_only_columns(PaymentBatch.id).order_by(None)
    count = db.session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    pages = max(1, -(-count // BATCHES_PER_PAGE))
    page = min(max(page, 1), pages)
    batches = list(
        db.session.execute(
            query.options(selectinload(PaymentBatch.fund))
            .order_by(PaymentBatch.id.desc())
            .offset((page - 1) * BATCHES_PER_PAGE)
            .limit(BATCHES_PER_PAGE)
        ).scalars()
    )
    each = _tallies([b.id for b in batches])
    total = Tally()
    for _batch, batch_status, line_status, n, amount in _grouped(ids):
        total.add(batch_status, line_status, n, amount or ZERO)
    return BatchList(
        rows=[(b, each.get(b.id, Tally())) for b in batches], total=total, count=count, page=page, pages=pages
    )


@dataclass(frozen=True)
class Candidate:
    """An approved case of the fund, what a batch would pay it, and why it cannot be
    chosen (empty when it can)."""

    case: Case
    outstanding: Decimal
    account: str
    reason: str = ""
    open_batch: PaymentBatch | None = None
    failed_before: str = ""  # the bank's reason when an earlier batch could not pay it


def _open_batches(case_ids: list[int]) -> dict[int, PaymentBatch]:
    rows = db.session.execute(
        select(PaymentBatchLine.case_id, PaymentBatch)
        .join(PaymentBatch, PaymentBatch.id == PaymentBatchLine.batch_id)
        .where(PaymentBatchLine.case_id.in_(case_ids), PaymentBatchLine.status == "pending")
    )
    return {case_id: batch for case_id, batch in rows}


def _last_failures(case_ids: list[int]) -> dict[int, str]:
    """The bank's reason on each case's latest failed line."""
    rows = db.session.execute(
        select(PaymentBatchLine.case_id, PaymentBatchLine.reason)
        .where(PaymentBatchLine.case_id.in_(case_ids), PaymentBatchLine.status == "failed")
        .order_by(PaymentBatchLine.id)
    )
    return {case_id: reason or "" for case_id, reason in rows}


def candidates(actor: Actor, fund: Fund, *, campaign_id: int | None = None) -> list[Candidate]:
    """The approved cases of ``fund`` in the actor's units (of one campaign when given),
    each with its outstanding amount; a case whose payee has no card, that is in an open
    batch already, or that has nothing left to pay says so and cannot be chosen."""
    query = (
        select(Case)
        .where(Case.fund_id == fund.id, Case.status == "approved", actor.scope.where(Case.unit_id))
        .options(selectinload(Case.worker))
        .order_by(Case.id)
    )
    if campaign_id is not None:
        query = query.where(Case.campaign_id == campaign_id)
    found = list(db.session.execute(query).scalars())
    ids = [c.id for c in found]
    paid = _net_paid(ids) if ids else {}
    held = _open_batches(ids) if ids else {}
    failed = _last_failures(ids) if ids else {}
    made = []
    for case in found:
        outstanding = (case.approved_amount or ZERO) - paid.get(case.id, ZERO)
        worker: Worker = case.worker
        reason = ""
        if case.id in held:
            reason = _("Already in open batch %(no)s.", no=held[case.id].batch_no)
        elif not worker.bank_account_protected:
            reason = _("No bank account on file: add the card on the household's file.")
        elif outstanding <= ZERO:
            reason = _("Nothing is left to pay.")
        made.append(
            Candidate(
                case=case,
                outstanding=outstanding,
                account=mask_card(worker.bank_account_last4),
                reason=reason,
                open_batch=held.get(case.id),
                failed_before=failed.get(case.id, ""),
            )
        )
    return made


@dataclass(frozen=True)
class LineRow:
    line: PaymentBatchLine
    payee: str
    account: str


@dataclass
class LinesPage:
    rows: list[LineRow]
    page: int
    pages: int
    count: int = 0
    first: int = field(default=0)


def lines_page(batch: PaymentBatch, page: int = 1) -> LinesPage:
    """One page of :data:`LINES_PER_PAGE` of the batch's lines, the account masked."""
    count = db.session.execute(
        select(func.count()).select_from(PaymentBatchLine).where(PaymentBatchLine.batch_id == batch.id)
    ).scalar_one()
    pages = max(1, -(-count // LINES_PER_PAGE))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(PaymentBatchLine, Worker)
        .join(Case, Case.id == PaymentBatchLine.case_id)
        .join(Worker, Worker.id == Case.worker_id)
        .where(PaymentBatchLine.batch_id == batch.id)
        .order_by(PaymentBatchLine.line_no)
        .offset((page - 1) * LINES_PER_PAGE)
        .limit(LINES_PER_PAGE)
    )
    return LinesPage(
        rows=[LineRow(line, worker.name, mask_card(worker.bank_account_last4)) for line, worker in rows],
        page=page,
        pages=pages,
        count=count,
        first=(page - 1) * LINES_PER_PAGE,
    )


def lines_of_case(case_id: int) -> list[PaymentBatchLine]:
    """Every batch line of the case, newest first (the bank's reason on the failed ones)."""
    return list(
        db.session.execute(
            select(PaymentBatchLine)
            .where(PaymentBatchLine.case_id == case_id)
            .options(selectinload(PaymentBatchLine.batch))
            .order_by(PaymentBatchLine.id.desc())
        ).scalars()
    )


def failed_to_repay(unit_ids: Iterable[int] | None) -> Select:
    """Failed lines whose case still waits for its money and is in no open batch: to be
    paid again once the account is put right (newest first)."""
    again = aliased(PaymentBatchLine)
    query = (
        select(PaymentBatchLine)
        .join(Case, Case.id == PaymentBatchLine.case_id)
        .join(PaymentBatch, PaymentBatch.id == PaymentBatchLine.batch_id)
        .where(
            PaymentBatchLine.status == "failed",
            Case.status == "approved",
            ~exists().where(again.case_id == PaymentBatchLine.case_id, again.status == "pending"),
            ~exists().where(
                again.case_id == PaymentBatchLine.case_id,
                again.status == "failed",
                again.id > PaymentBatchLine.id,
            ),
        )
        .order_by(PaymentBatchLine.id.desc())
    )
    if unit_ids is not None:
        query = query.where(PaymentBatch.unit_id.in_(list(unit_ids)))
    return query


def batches_in(unit_ids: Iterable[int] | None, *statuses: str) -> Select:
    """The open batches of the units in one of ``statuses``, oldest first."""
    assert set(statuses) <= set(OPEN_BATCH_STATUSES)
    query = (
        select(PaymentBatch)
        .where(PaymentBatch.status.in_(statuses))
        .options(selectinload(PaymentBatch.fund))
        .order_by(PaymentBatch.id)
    )
    if unit_ids is not None:
        query = query.where(PaymentBatch.unit_id.in_(list(unit_ids)))
    return query
