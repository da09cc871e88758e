"""Checks of the accounting vouchers (记账凭证): each unit's numbers of a year run 1, 2, 3 …
with none missing; every payment, reversal and sent batch has its voucher, each voucher
balances and books what its entry moved; and per fund the vouchers add up to the ledger
(payment vouchers − red vouchers = paid; batch vouchers = what was sent to the bank)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.batches import PaymentBatch
from app.models.cases import Payment, PaymentReversal
from app.models.ledger import BANK_SEND, PAID, LedgerAccount, Transfer
from app.models.org import Unit
from app.models.vouchers import (
    BATCH_VOUCHER,
    PAYMENT_VOUCHER,
    REVERSAL_VOUCHER,
    AccountingVoucher,
    AccountingVoucherLine,
    VoucherCounter,
)
from app.money import ZERO, format_yuan
from app.services.reconciliation.links import MAX_NAMED

SENT = ("sent", "answered", "done")


def _name(problems: list[str], text: str) -> None:
    if len(problems) < MAX_NAMED:
        problems.append(text)


def sequence_problems(year: int, unit_ids: list[int] | None) -> list[str]:
    """Each unit's voucher numbers of ``year`` run from 1 to its counter with none missing."""
    query = (
        select(
            AccountingVoucher.unit_id,
            func.count(),
            func.min(AccountingVoucher.number),
            func.max(AccountingVoucher.number),
        )
        .where(AccountingVoucher.year == year)
        .group_by(AccountingVoucher.unit_id)
    )
    counters = select(VoucherCounter.unit_id, VoucherCounter.last_no).where(VoucherCounter.year == year)
    if unit_ids is not None:
        query = query.where(AccountingVoucher.unit_id.in_(unit_ids))
        counters = counters.where(VoucherCounter.unit_id.in_(unit_ids))
    found = {unit_id: (n, low, high) for unit_id, n, low, high in db.session.execute(query)}
    given = dict(db.session.execute(counters).all())
    codes = dict(
        db.session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(set(found) | set(given)))).all()
    )
    problems: list[str] = []
    for unit_id in sorted(set(found) | set(given)):
        n, low, high = found.get(unit_id, (0, None, 0))
        if n != high or (low not in (None, 1)):
            numbers = set(
                db.session.execute(
                    select(AccountingVoucher.number).where(
                        AccountingVoucher.year == year, AccountingVoucher.unit_id == unit_id
                    )
                ).scalars()
            )
            missing = [str(k) for k in range(1, high + 1) if k not in numbers][:MAX_NAMED]
            _name(
                problems,
                _(
                    "Unit %(unit)s: vouchers No. %(numbers)s of %(year)s are missing.",
                    unit=codes.get(unit_id, unit_id),
                    numbers=", ".join(missing),
                    year=year,
                ),
            )
        if given.get(unit_id, 0) != high:
            _name(
                problems,
                _(
                    "Unit %(unit)s: %(given)s voucher numbers of %(year)s were given, the vouchers go up to"
                    " No. %(high)s.",
                    unit=codes.get(unit_id, unit_id),
                    given=given.get(unit_id, 0),
                    year=year,
                    high=high,
                ),
            )
    return problems


def _totals(fund_ids: list[int]) -> dict[tuple[int, str], Decimal]:
    rows = db.session.execute(
        select(AccountingVoucher.fund_id, AccountingVoucher.kind, func.sum(AccountingVoucher.total))
        .where(AccountingVoucher.fund_id.in_(fund_ids))
        .group_by(AccountingVoucher.fund_id, AccountingVoucher.kind)
    )
    return {(fund_id, kind): amount or ZERO for fund_id, kind, amount in rows}


def _sums_to_the_ledger(fund_ids: list[int], problems: dict[int, list[str]]) -> None:
    totals = _totals(fund_ids)
    paid = dict(
        db.session.execute(
            select(LedgerAccount.fund_id, LedgerAccount.balance).where(
                LedgerAccount.fund_id.in_(fund_ids), LedgerAccount.kind == PAID
            )
        ).all()
    )
    sent = dict(
        db.session.execute(
            select(Transfer.fund_id, func.sum(Transfer.amount))
            .where(Transfer.fund_id.in_(fund_ids), Transfer.kind == BANK_SEND)
            .group_by(Transfer.fund_id)
        ).all()
    )
    for fund_id in fund_ids:
        payments = totals.get((fund_id, PAYMENT_VOUCHER), ZERO)
        red = totals.get((fund_id, REVERSAL_VOUCHER), ZERO)
        if payments + red != paid.get(fund_id, ZERO):
            _name(
                problems[fund_id],
                _(
                    "The payment vouchers add up to %(payments)s and the red vouchers to %(red)s; the fund"
                    " paid %(paid)s.",
                    payments=format_yuan(payments),
                    red=format_yuan(red),
                    paid=format_yuan(paid.get(fund_id, ZERO)),
                ),
            )
        batches = totals.get((fund_id, BATCH_VOUCHER), ZERO)
        if batches != (sent.get(fund_id) or ZERO):
            _name(
                problems[fund_id],
                _(
                    "The batch vouchers add up to %(vouchers)s; the ledger sent %(sent)s to the bank.",
                    vouchers=format_yuan(batches),
                    sent=format_yuan(sent.get(fund_id) or ZERO),
                ),
            )


def _every_record_has_its_voucher(fund_ids: list[int], problems: dict[int, list[str]]) -> None:
    voucher = AccountingVoucher
    for payment_id, fund_id in db.session.execute(
        select(Payment.id, Payment.fund_id)
        .outerjoin(voucher, voucher.transfer_id == Payment.transfer_id)
        .where(Payment.fund_id.in_(fund_ids), voucher.id.is_(None))
    ):
        _name(problems[fund_id], _("Payment %(id)s has no accounting voucher.", id=payment_id))
    paid = aliased(AccountingVoucher)
    original = (
        select(paid.id).where(paid.transfer_id == Payment.transfer_id).correlate(Payment).scalar_subquery()
    )
    for reversal_id, fund_id, red_id, corrects_id, wanted in db.session.execute(
        select(PaymentReversal.id, Payment.fund_id, voucher.id, voucher.corrects_id, original)
        .join(Payment, Payment.id == PaymentReversal.payment_id)
        .outerjoin(voucher, voucher.transfer_id == PaymentReversal.transfer_id)
        .where(Payment.fund_id.in_(fund_ids))
    ):
        if red_id is None:
            _name(problems[fund_id], _("Reversal %(id)s has no red voucher.", id=reversal_id))
        elif corrects_id != wanted:
            _name(
                problems[fund_id],
                _("The red voucher of reversal %(id)s does not name its payment's voucher.", id=reversal_id),
            )
    for batch_id, fund_id, year in db.session.execute(
        select(PaymentBatch.id, PaymentBatch.fund_id, PaymentBatch.year)
        .outerjoin(voucher, voucher.batch_id == PaymentBatch.id)
        .where(PaymentBatch.fund_id.in_(fund_ids), PaymentBatch.status.in_(SENT), voucher.id.is_(None))
    ):
        _name(
            problems[fund_id],
            _("Batch %(no)s was sent with no accounting voucher.", no=f"DF{year}-{batch_id:05d}"),
        )


def _each_voucher_balances(fund_ids: list[int], problems: dict[int, list[str]]) -> None:
    voucher, line = AccountingVoucher, AccountingVoucherLine
    debits, credits = func.coalesce(func.sum(line.debit), 0), func.coalesce(func.sum(line.credit), 0)
    for fund_id, number in db.session.execute(
        select(voucher.fund_id, voucher.number)
        .outerjoin(line, line.voucher_id == voucher.id)
        .where(voucher.fund_id.in_(fund_ids))
        .group_by(voucher.id, voucher.fund_id, voucher.number, voucher.total)
        .having(or_(debits != voucher.total, credits != voucher.total))
    ):
        _name(
            problems[fund_id],
            _("Voucher No. %(number)s: its debits and credits do not both equal its total.", number=number),
        )
    # A payment's voucher books its entry's amount; a red one, the amount undone, negative.
    for fund_id, number in db.session.execute(
        select(voucher.fund_id, voucher.number)
        .join(Transfer, Transfer.id == voucher.transfer_id)
        .where(
            voucher.fund_id.in_(fund_ids),
            or_(
                Transfer.fund_id != voucher.fund_id,
                and_(voucher.kind == PAYMENT_VOUCHER, voucher.total != Transfer.amount),
                and_(voucher.kind == REVERSAL_VOUCHER, voucher.total != -Transfer.amount),
            ),
        )
    ):
        _name(
            problems[fund_id],
            _("Voucher No. %(number)s does not book what its ledger entry moved.", number=number),
        )


def voucher_problems(fund_ids: list[int]) -> dict[int, list[str]]:
    """What is wrong with each fund's vouchers (an empty list where nothing is)."""
    problems: dict[int, list[str]] = defaultdict(list)
    _sums_to_the_ledger(fund_ids, problems)
    _every_record_has_its_voucher(fund_ids, problems)
    _each_voucher_balances(fund_ids, problems)
    return problems
