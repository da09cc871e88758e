"""Checks that each ledger entry belongs to the record it is for: a payment entry to its
payment and an approved case (or a check-up), a reversal to exactly its original, and a
commitment to exactly one approved case or campaign line, the committed balance being
what the approved cases still await. The database returns only the rows that are wrong;
at most MAX_NAMED problems of one kind are named per fund."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.cases import Case, Payment, PaymentReversal
from app.models.ledger import (
    BANK_PAYMENT,
    COMMITMENT,
    COMMITTED,
    DIRECT_PAYMENT,
    PAYMENT,
    REVERSAL,
    LedgerAccount,
    Transfer,
)
from app.money import ZERO, format_yuan

#: At most this many problems of one kind are named per fund; the rest are counted.
MAX_NAMED = 20
#: The statuses of a case that holds a commitment.
COMMITTED_STATUSES = ("approved", "paid", "closed")


def payment_problems(fund_ids: list[int]) -> dict[int, list[str]]:
    """Payment entries with no payment record, another amount, or no approved case: the
    database returns only the rows that are wrong."""
    problems: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(
            Transfer.fund_id,
            Transfer.seq,
            Transfer.amount,
            Payment.id.label("payment_id"),
            Payment.amount.label("payment_amount"),
            Payment.case_id,
            Payment.model_worker_id,
            Case.approved_amount,
        )
        .outerjoin(Payment, Payment.transfer_id == Transfer.id)
        .outerjoin(Case, Case.id == Payment.case_id)
        .where(
            Transfer.fund_id.in_(fund_ids),
            Transfer.kind.in_((PAYMENT, DIRECT_PAYMENT, BANK_PAYMENT)),
            or_(
                Payment.id.is_(None),
                Payment.amount != Transfer.amount,
                and_(Payment.case_id.is_not(None), Case.approved_amount.is_(None)),
                and_(Payment.case_id.is_(None), Payment.model_worker_id.is_(None)),
            ),
        )
        .order_by(Transfer.fund_id, Transfer.seq)
    )
    for row in rows:
        found = problems[row.fund_id]
        if len(found) >= MAX_NAMED:
            continue
        if row.payment_id is None:
            found.append(
                _(
                    "Entry %(seq)s pays %(amount)s with no payment record.",
                    seq=row.seq,
                    amount=format_yuan(row.amount),
                )
            )
        elif row.payment_amount != row.amount:
            found.append(
                _(
                    "Payment %(id)s says %(a)s, its entry %(b)s.",
                    id=row.payment_id,
                    a=format_yuan(row.payment_amount),
                    b=format_yuan(row.amount),
                )
            )
        elif row.case_id is not None:
            found.append(_("Payment %(id)s belongs to no approved case.", id=row.payment_id))
        else:
            found.append(_("Payment %(id)s belongs to no case or check-up.", id=row.payment_id))
    return problems


def reversal_problems(fund_ids: list[int]) -> dict[int, list[str]]:
    problems: dict[int, list[str]] = defaultdict(list)
    original = aliased(Transfer)
    undone_to = aliased(LedgerAccount)
    for row in db.session.execute(
        select(Transfer.fund_id, Transfer.seq)
        .outerjoin(original, original.id == Transfer.reverses_id)
        .join(undone_to, undone_to.id == Transfer.debit_account_id)
        .where(
            Transfer.fund_id.in_(fund_ids),
            Transfer.kind == REVERSAL,
            or_(
                original.id.is_(None),
                original.amount != Transfer.amount,
                original.debit_account_id != Transfer.credit_account_id,
                # The money goes back where it came from; a bank payment's, to the commitment.
                and_(original.kind != BANK_PAYMENT, original.credit_account_id != Transfer.debit_account_id),
                and_(original.kind == BANK_PAYMENT, undone_to.kind != COMMITTED),
            ),
        )
        .order_by(Transfer.fund_id, Transfer.seq)
    ):
        if len(problems[row.fund_id]) < MAX_NAMED:
            problems[row.fund_id].append(_("Reversal entry %(seq)s does not undo its original.", seq=row.seq))
    recorded = dict(
        db.session.execute(
            select(Payment.fund_id, func.count())
            .select_from(PaymentReversal)
            .join(Payment)
            .where(Payment.fund_id.in_(fund_ids))
            .group_by(Payment.fund_id)
        ).all()
    )
    in_ledger = dict(
        db.session.execute(
            select(Transfer.fund_id, func.count())
            .join(original, original.id == Transfer.reverses_id)
            .where(
                Transfer.fund_id.in_(fund_ids),
                Transfer.kind == REVERSAL,
                original.kind.in_((PAYMENT, DIRECT_PAYMENT, BANK_PAYMENT)),
            )
            .group_by(Transfer.fund_id)
        ).all()
    )
    for fund_id in fund_ids:
        a, b = recorded.get(fund_id, 0), in_ledger.get(fund_id, 0)
        if a != b:
            problems[fund_id].append(
                _("%(a)s payment reversals are recorded, the ledger holds %(b)s.", a=a, b=b)
            )
    return problems


#: ``progress(done, total, phase)``: told as each pass over the books starts.


def commitment_problems(fund_ids: list[int], committed: dict[int, Decimal]) -> dict[int, list[str]]:
    """Commitments that belong to no approved case or to one that names another, and funds
    whose committed balance (``committed``) is not what their approved cases still await."""
    problems: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(Transfer.fund_id, Transfer.seq, Transfer.amount, Transfer.case_id)
        .outerjoin(Case, Case.id == Transfer.case_id)
        .where(
            Transfer.fund_id.in_(fund_ids),
            Transfer.kind == COMMITMENT,
            or_(
                Case.id.is_(None),
                Case.commitment_id.is_(None),
                Case.commitment_id != Transfer.id,
                Case.status.not_in(COMMITTED_STATUSES),
            ),
        )
        .order_by(Transfer.fund_id, Transfer.seq)
    )
    for row in rows:
        if len(problems[row.fund_id]) < MAX_NAMED:
            problems[row.fund_id].append(
                _(
                    "Entry %(seq)s commits %(amount)s for no approved case.",
                    seq=row.seq,
                    amount=format_yuan(row.amount),
                )
                if row.case_id is None
                else _(
                    "Entry %(seq)s commits %(amount)s for case %(case)s, which does not hold it.",
                    seq=row.seq,
                    amount=format_yuan(row.amount),
                    case=row.case_id,
                )
            )
    paid = (
        select(Payment.case_id, func.sum(Payment.amount).label("net"))
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.case_id.is_not(None), PaymentReversal.id.is_(None))
        .group_by(Payment.case_id)
        .subquery()
    )
    awaited = dict(
        db.session.execute(
            select(Case.fund_id, func.sum(Case.approved_amount - func.coalesce(paid.c.net, ZERO)))
            .outerjoin(paid, paid.c.case_id == Case.id)
            .where(Case.fund_id.in_(fund_ids), Case.status.in_(("approved", "paid")))
            .group_by(Case.fund_id)
        ).all()
    )
    for fund_id in fund_ids:
        expected = awaited.get(fund_id) or ZERO
        if committed.get(fund_id, ZERO) != expected:
            problems[fund_id].append(
                _(
                    "The fund has %(committed)s committed, its approved cases await %(awaited)s.",
                    committed=format_yuan(committed.get(fund_id, ZERO)),
                    awaited=format_yuan(expected),
                )
            )
    return problems
