"""Checks of the bank batches (代发): for every batch sent, sent = paid + failed + still
at the bank, the fund's at-bank balance is what its sent batches still await, and every
payment the bank made matches a paid line of its batch."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models.batches import PaymentBatch, PaymentBatchLine
from app.models.cases import Payment
from app.models.ledger import AT_BANK, BANK_PAYMENT, LedgerAccount, Transfer
from app.money import ZERO, format_yuan
from app.services.reconciliation.links import MAX_NAMED

SENT = ("sent", "answered", "done")


def batch_problems(fund_ids: list[int]) -> dict[int, list[str]]:
    problems: dict[int, list[str]] = defaultdict(list)
    sums = db.session.execute(
        select(
            PaymentBatch.fund_id,
            PaymentBatch.id,
            PaymentBatch.year,
            PaymentBatch.total,
            PaymentBatchLine.status,
            func.sum(PaymentBatchLine.amount),
        )
        .join(PaymentBatchLine, PaymentBatchLine.batch_id == PaymentBatch.id)
        .where(PaymentBatch.fund_id.in_(fund_ids), PaymentBatch.status.in_(SENT))
        .group_by(
            PaymentBatch.fund_id,
            PaymentBatch.id,
            PaymentBatch.year,
            PaymentBatch.total,
            PaymentBatchLine.status,
        )
    ).all()
    by_batch: dict[tuple[int, int, int, Decimal], dict[str, Decimal]] = defaultdict(dict)
    for fund_id, batch_id, year, total, status, amount in sums:
        by_batch[(fund_id, batch_id, year, total)][status] = amount or ZERO
    awaited: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (fund_id, batch_id, year, total), parts in by_batch.items():
        paid, failed, pending = (parts.get(k, ZERO) for k in ("paid", "failed", "pending"))
        awaited[fund_id] += pending
        if paid + failed + pending != total and len(problems[fund_id]) < MAX_NAMED:
            problems[fund_id].append(
                _(
                    "Batch %(no)s sent %(total)s; paid %(paid)s + failed %(failed)s + at the bank"
                    " %(pending)s differ.",
                    no=f"DF{year}-{batch_id:05d}",
                    total=format_yuan(total),
                    paid=format_yuan(paid),
                    failed=format_yuan(failed),
                    pending=format_yuan(pending),
                )
            )
    balances = dict(
        db.session.execute(
            select(LedgerAccount.fund_id, LedgerAccount.balance).where(
                LedgerAccount.fund_id.in_(fund_ids), LedgerAccount.kind == AT_BANK
            )
        ).all()
    )
    for fund_id in fund_ids:
        if balances.get(fund_id, ZERO) != awaited.get(fund_id, ZERO):
            problems[fund_id].append(
                _(
                    "The fund has %(balance)s at the bank, its sent batches await %(awaited)s.",
                    balance=format_yuan(balances.get(fund_id, ZERO)),
                    awaited=format_yuan(awaited.get(fund_id, ZERO)),
                )
            )
    # Every bank payment is a paid line's, of its case and amount; every paid line has one.
    rows = db.session.execute(
        select(Transfer.fund_id, Payment.id, PaymentBatchLine.id.label("line_id"))
        .join(Payment, Payment.transfer_id == Transfer.id)
        .outerjoin(PaymentBatchLine, PaymentBatchLine.payment_id == Payment.id)
        .where(
            Transfer.fund_id.in_(fund_ids),
            Transfer.kind == BANK_PAYMENT,
            or_(
                PaymentBatchLine.id.is_(None),
                PaymentBatchLine.status != "paid",
                PaymentBatchLine.amount != Payment.amount,
                PaymentBatchLine.case_id != Payment.case_id,
            ),
        )
    )
    for fund_id, payment_id, _line_id in rows:
        if len(problems[fund_id]) < MAX_NAMED:
            problems[fund_id].append(
                _("Payment %(id)s was made by the bank but matches no paid line of a batch.", id=payment_id)
            )
    unpaid = db.session.execute(
        select(PaymentBatch.fund_id, PaymentBatchLine.id)
        .join(PaymentBatch, PaymentBatch.id == PaymentBatchLine.batch_id)
        .where(
            PaymentBatch.fund_id.in_(fund_ids),
            PaymentBatchLine.status == "paid",
            and_(PaymentBatchLine.payment_id.is_(None)),
        )
    )
    for fund_id, line_id in unpaid:
        if len(problems[fund_id]) < MAX_NAMED:
            problems[fund_id].append(_("Batch line %(id)s is paid with no payment.", id=line_id))
    return problems
