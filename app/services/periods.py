"""结账: closing a unit's books for a month or a whole fiscal year, and reopening them.

While a close holds (:data:`app.models.periods.HOLDING`), nothing moves money of the
unit's funds with a date in its period — :func:`require_open` is asked by the ledger
for every entry, with the entry's date (a payment's paid_on, a reversal's own date,
today for a commitment or a release) — so the refusal (:class:`PeriodClosed`, 409) is
the same through every door. A correction of a closed period goes into an open one: a
reversal (红冲) dated in an open month names the payment it corrects.

A close keeps a digest (SHA-256) of the period's money as it was; :func:`verify` (run
nightly: ``flask books verify``) recomputes it and names every close whose period moved.
Reopening: an administrator asks with a reason, a second person (administrator or
finance, not the one who asked) approves; each step is in the audit log.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.batches import PaymentBatch, PaymentBatchLine
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import Fund
from app.models.org import FiscalYear, Unit
from app.models.periods import HOLDING, WHOLE_YEAR, PeriodClose
from app.models.types import utcnow
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.four_eyes import ensure_different
from app.services.inputs import clean_text
from app.services.steps import note_subject

BEIJING = ZoneInfo("Asia/Shanghai")
MAX_NAMED = 20


class PeriodClosed(DomainError):
    """Money would move in a closed period, or the period is closed already."""


class CloseRefused(DomainError):
    """The period cannot be closed (open cases, books that do not reconcile, not over)."""


def today() -> date:
    return datetime.now(BEIJING).date()


def period_name(year: int, month: int) -> str:
    if month == WHOLE_YEAR:
        return _("the %(year)s fiscal year", year=year)
    return _("%(year)s-%(month)s", year=year, month=f"{month:02d}")


def _holding(unit_id: int, year: int) -> set[int]:
    return set(
        db.session.execute(
            select(PeriodClose.month).where(
                PeriodClose.unit_id == unit_id, PeriodClose.year == year, PeriodClose.status.in_(HOLDING)
            )
        ).scalars()
    )


def require_open(fund: Fund, on: date | None = None, *, field: str | None = None) -> None:
    """Refuse (:class:`PeriodClosed`) money of ``fund`` moving on ``on`` (today when not
    given) when the fund's year, or the month of ``on`` in that year, is closed; a door
    that typed ``on`` names its ``field``, so a form shows the refusal at the date."""
    on = on or today()
    months = _holding(fund.unit_id, fund.year)
    if not months:
        return
    if WHOLE_YEAR in months:
        raise PeriodClosed(
            _(
                "The books of %(year)s are closed (结账): no money of that year moves any more."
                " Make the correction in the open year.",
                year=fund.year,
            ),
            field=field,
        )
    if on.year == fund.year and on.month in months:
        raise PeriodClosed(
            _(
                "The books of %(period)s are closed (结账): nothing can be dated in that month."
                " Date the correction in an open month; it names the entry it corrects.",
                period=period_name(on.year, on.month),
            ),
            field=field,
        )


def bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month (1-12) or of the whole year (``month`` 0)."""
    if month == WHOLE_YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def digest(unit_id: int, year: int, month: int) -> str:
    """SHA-256 of the period's money: each payment and reversal of the unit's funds of the
    year dated in it (id, amount, date, voucher), and for a whole year each fund's balances."""
    from app.services import ledger  # the ledger asks this module before each entry

    first, last = bounds(year, month)
    funds = list(
        db.session.execute(
            select(Fund).where(Fund.unit_id == unit_id, Fund.year == year).order_by(Fund.id)
        ).scalars()
    )
    ids = [f.id for f in funds]
    payments = db.session.execute(
        select(Payment.id, Payment.amount, Payment.paid_on, Payment.voucher_no)
        .where(Payment.fund_id.in_(ids), Payment.paid_on.between(first, last))
        .order_by(Payment.id)
    ).all()
    reversals = db.session.execute(
        select(PaymentReversal.id, PaymentReversal.payment_id, PaymentReversal.reversed_on)
        .join(Payment, Payment.id == PaymentReversal.payment_id)
        .where(Payment.fund_id.in_(ids), PaymentReversal.reversed_on.between(first, last))
        .order_by(PaymentReversal.id)
    ).all()
    content: dict[str, object] = {
        "payments": [[i, str(a), d.isoformat(), v] for i, a, d, v in payments],
        "reversals": [[i, p, d.isoformat()] for i, p, d in reversals],
    }
    if month == WHOLE_YEAR:
        content["funds"] = [
            [b.fund.code, str(b.budget), str(b.paid), str(b.committed), str(b.at_bank), str(b.available)]
            for b in (ledger.balance(f) for f in funds)
        ]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _open_cases(unit_id: int, year: int) -> list[int]:
    """Cases of the unit's funds of the year that still hold money: approved with a
    commitment not settled, or in a batch the bank has not answered."""
    approved = db.session.execute(
        select(Case.id).where(Case.unit_id == unit_id, Case.year == year, Case.status == "approved")
    ).scalars()
    in_batch = db.session.execute(
        select(PaymentBatchLine.case_id)
        .join(PaymentBatch, PaymentBatch.id == PaymentBatchLine.batch_id)
        .where(
            PaymentBatch.unit_id == unit_id, PaymentBatch.year == year, PaymentBatchLine.status == "pending"
        )
    ).scalars()
    return sorted(set(approved) | set(in_batch))


def _check_month(year: int, month: object) -> int:
    if month is None:
        return WHOLE_YEAR
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise InvalidInput(_("A month is a number from 1 to 12."), field="month")
    return month


def close(unit: Unit, year: int, *, month: int | None = None, actor: Actor) -> PeriodClose:
    """Close the unit's books for ``month`` of ``year`` (the whole year when ``month`` is
    None). Refused (:class:`CloseRefused`) before the period is over, while the books do
    not reconcile, and for a year while cases still hold money; :class:`PeriodClosed`
    when it is closed already."""
    from app.services import reconciliation  # reconciliation reads the ledger, which asks us

    if not actor.scope.allows(unit.id):
        raise NotFound(_("No such unit."))
    chosen = _check_month(year, month)
    if db.session.get(FiscalYear, year) is None:
        raise NotFound(_("There is no %(year)s fiscal year.", year=year), field="year")
    # The unit's funds of the year are locked as a payment locks its fund: money moving
    # now is closed in (it commits first) or refused (it sees this close).
    db.session.execute(
        select(Fund.id).where(Fund.unit_id == unit.id, Fund.year == year).order_by(Fund.id).with_for_update()
    ).all()
    name = period_name(year, chosen)
    if chosen in _holding(unit.id, year) or WHOLE_YEAR in _holding(unit.id, year):
        raise PeriodClosed(_("The books of %(period)s are closed already.", period=name))
    _first, last = bounds(year, chosen)
    if last >= today():
        raise CloseRefused(
            _("%(period)s is not over yet; it can be closed from the next day on.", period=name)
        )
    if chosen == WHOLE_YEAR:
        held = _open_cases(unit.id, year)
        if held:
            shown = ", ".join(str(i) for i in held[:MAX_NAMED]) + (" …" if len(held) > MAX_NAMED else "")
            raise CloseRefused(
                _(
                    "These cases still hold money of %(year)s: %(ids)s. Pay them, or carry them over"
                    " to the next year or release them (年终结转), before the year is closed.",
                    year=year,
                    ids=shown,
                )
            )
    result = reconciliation.reconcile(year, [unit.id])
    if not result.ok:
        failing = [c.label for f in result.funds for c in f.checks if not c.ok] + [
            c.label for c in result.department if not c.ok
        ]
        raise CloseRefused(
            _(
                "The books do not reconcile, so %(period)s cannot be closed: %(checks)s.",
                period=name,
                checks="; ".join(dict.fromkeys(failing)),
            )
        )
    closing = PeriodClose(
        unit_id=unit.id,
        year=year,
        month=chosen,
        status="closed",
        digest=digest(unit.id, year, chosen),
        closed_by_id=actor.user_id,
        closed_by_name=actor.name[:64],
    )
    db.session.add(closing)
    db.session.flush()
    note_subject("period_close", closing.id, unit.id)
    record(
        "books.close",
        actor=actor,
        object_type="period_close",
        object_id=closing.id,
        unit_id=unit.id,
        details={"year": year, "month": chosen, "digest": closing.digest},
    )
    return closing


def load(close_id: object, actor: Actor, *, lock: bool = False) -> PeriodClose:
    """A close within the actor's units; another unit's is :class:`NotFound`."""
    message = _("No such close of the books.")
    if not isinstance(close_id, int) or isinstance(close_id, bool):
        raise NotFound(message)
    query = select(PeriodClose).where(PeriodClose.id == close_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = db.session.execute(query).scalar_one_or_none()
    if found is None or not actor.scope.allows(found.unit_id):
        raise NotFound(message)
    note_subject("period_close", found.id, found.unit_id)
    return found


def request_reopen(closing: PeriodClose, *, reason: str, actor: Actor) -> PeriodClose:
    """An administrator asks to reopen a close, saying why; a second person approves."""
    closing = load(closing.id, actor, lock=True)
    reason = clean_text(reason, 2000, multiline=True)
    if not reason:
        raise InvalidInput(_("Write why the books are to be reopened."), field="reason")
    if closing.status != "closed":
        raise PeriodClosed(_("This close is not one that can be asked to reopen."))
    closing.status = "reopen_requested"
    closing.reopen_reason = reason
    closing.reopen_requested_by_id = actor.user_id
    closing.reopen_requested_at = utcnow()
    db.session.flush()
    record(
        "books.reopen_request",
        actor=actor,
        object_type="period_close",
        object_id=closing.id,
        unit_id=closing.unit_id,
        details={"year": closing.year, "month": closing.month, "reason": reason},
    )
    return closing


def approve_reopen(closing: PeriodClose, *, actor: Actor) -> PeriodClose:
    """A second person (not the one who asked) reopens the books."""
    closing = load(closing.id, actor, lock=True)
    if closing.status != "reopen_requested":
        raise PeriodClosed(_("Nobody has asked to reopen these books."))
    ensure_different(
        "reopen_own_request",
        actor=actor,
        earlier_user_id=closing.reopen_requested_by_id,
        unit_id=closing.unit_id,
        object_type="period_close",
        object_id=closing.id,
    )
    closing.status = "reopened"
    closing.reopened_by_id = actor.user_id
    closing.reopened_at = utcnow()
    db.session.flush()
    record(
        "books.reopen",
        actor=actor,
        object_type="period_close",
        object_id=closing.id,
        unit_id=closing.unit_id,
        details={"year": closing.year, "month": closing.month, "reason": closing.reopen_reason},
    )
    return closing


def closes(year: int, unit_ids: list[int] | None) -> list[PeriodClose]:
    """The year's closes (holding and reopened) of the units, newest first."""
    query = select(PeriodClose).where(PeriodClose.year == year)
    if unit_ids is not None:
        query = query.where(PeriodClose.unit_id.in_(unit_ids))
    return list(db.session.execute(query.order_by(PeriodClose.id.desc())).scalars())


def intact(closing: PeriodClose) -> bool:
    """Whether the period's money is still what was closed (its digest recomputed now)."""
    return digest(closing.unit_id, closing.year, closing.month) == closing.digest


def verify() -> list[str]:
    """Every holding close whose period's money is no longer what was closed."""
    problems = []
    for closing in db.session.execute(
        select(PeriodClose).where(PeriodClose.status.in_(HOLDING)).order_by(PeriodClose.id)
    ).scalars():
        if not intact(closing):
            unit = db.session.get(Unit, closing.unit_id)
            problems.append(
                _(
                    "The money of %(period)s of %(unit)s changed after its books were closed.",
                    period=period_name(closing.year, closing.month),
                    unit=unit.name if unit else closing.unit_id,
                )
            )
    return problems


__all__ = [
    "CloseRefused",
    "PeriodClosed",
    "approve_reopen",
    "bounds",
    "close",
    "closes",
    "digest",
    "intact",
    "load",
    "period_name",
    "request_reopen",
    "require_open",
    "verify",
]
