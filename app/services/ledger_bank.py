"""The bank's moves of a payment batch (代发) in the fund ledger: a line sent
(committed -> at_bank), paid by the bank (at_bank -> paid) or failed and returned to its
case (at_bank -> committed). A batch of thousands of lines is one step: the fund is
locked once, the entries appended together, and the move is one audit entry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, func, literal, or_, select

from app.extensions import db
from app.models.ledger import (
    ACCOUNT_LABELS,
    AT_BANK,
    AVAILABLE,
    BANK_PAYMENT,
    BANK_RETURN,
    BANK_SEND,
    COMMITTED,
    PAID,
    LedgerAccount,
    Transfer,
)
from app.money import ZERO, format_yuan, to_positive_money
from app.services import periods
from app.services.audit import Actor, record
from app.services.errors import CommitmentExceeded
from app.services.ledger import ROUTES, _accounts, _require_commitment, lock_fund

BANK_KINDS = frozenset({BANK_SEND, BANK_PAYMENT, BANK_RETURN})


def bank_moves(
    fund_id: int,
    kind: str,
    moves: list[tuple[Transfer, Decimal, str]],
    *,
    actor: Actor,
    on: frozenset[date] | None = None,
) -> list[Transfer]:
    """Move case commitments through the bank, one entry per ``(commitment, amount, memo)``:
    ``bank_send`` (committed -> at_bank), ``bank_payment`` (at_bank -> paid) or
    ``bank_return`` (at_bank -> committed, to be paid again). Each entry names its
    commitment, so what is outstanding on it counts only what is committed and not at the
    bank. The fund is locked once and the whole move is one audit entry (a batch of
    thousands of lines is one step). The books must be open today and on each of the
    dates ``on`` (the bank's dates of the lines).

    Raises :class:`CommitmentExceeded` when more is sent than is outstanding on a
    commitment, or more answered than is at the bank."""
    if kind not in BANK_KINDS:
        raise ValueError(kind)
    fund = lock_fund(fund_id)
    periods.require_open(fund)  # today: nothing moves in a closed year
    for day in sorted(on or ()):
        periods.require_open(fund, day)
    accounts = _accounts(fund.id)
    debit, credit = (accounts[k] for k in ROUTES[kind])
    values = [to_positive_money(amount) for _c, amount, _m in moves]
    for commitment, _amount, _memo in moves:
        _require_commitment(commitment)
        if commitment.fund_id != fund.id:
            raise ValueError("a commitment of another fund")
    if kind == BANK_SEND:
        outstanding = outstanding_of([c for c, _a, _m in moves])
        for (commitment, _a, _m), value in zip(moves, values, strict=True):
            if value > outstanding.get(commitment.id, ZERO):
                raise CommitmentExceeded(
                    _(
                        "Only %(outstanding)s remains committed; %(amount)s is more than that.",
                        outstanding=format_yuan(outstanding.get(commitment.id, ZERO)),
                        amount=format_yuan(value),
                    ),
                    field="amount",
                )
    total = sum(values, ZERO)
    if credit.balance < total:
        raise CommitmentExceeded(
            _(
                "Only %(balance)s is left on the fund's %(account)s account.",
                balance=format_yuan(credit.balance),
                account=ACCOUNT_LABELS[credit.kind],
            ),
            field="amount",
        )
    transfers = []
    first_seq = fund.last_seq + 1
    for (commitment, _a, memo), value in zip(moves, values, strict=True):
        debit.balance = debit.balance + value
        credit.balance = credit.balance - value
        fund.last_seq += 1
        transfers.append(
            Transfer(
                fund_id=fund.id,
                seq=fund.last_seq,
                kind=kind,
                debit_account_id=debit.id,
                credit_account_id=credit.id,
                amount=value,
                pending_id=commitment.id,
                memo=memo,
                created_by_id=actor.user_id,
                available_after=accounts[AVAILABLE].balance,
                committed_after=accounts[COMMITTED].balance,
                paid_after=accounts[PAID].balance,
            )
        )
    db.session.add_all(transfers)
    db.session.flush()
    record(
        f"ledger.{kind}",
        actor=actor,
        object_type="fund",
        object_id=fund.id,
        unit_id=fund.unit_id,
        details={
            "fund": fund.code,
            "year": fund.year,
            "entries": len(transfers),
            "seq": [first_seq, fund.last_seq],
            "amount": str(total),
            "committed_after": str(accounts[COMMITTED].balance),
            "at_bank_after": str(accounts[AT_BANK].balance),
            "paid_after": str(accounts[PAID].balance),
        },
    )
    return transfers


def outstanding_of(commitments: list[Transfer]) -> dict[int, Decimal]:
    """:func:`outstanding_on` for many commitments of one fund, in one query."""
    if not commitments:
        return {}
    committed_id = db.session.execute(
        select(LedgerAccount.id).where(
            LedgerAccount.fund_id == commitments[0].fund_id, LedgerAccount.kind == COMMITTED
        )
    ).scalar_one()
    ids = [c.id for c in commitments]
    owner = func.coalesce(Transfer.pending_id, Transfer.id)
    signed = case(
        (Transfer.debit_account_id == committed_id, Transfer.amount),
        (Transfer.credit_account_id == committed_id, -Transfer.amount),
        else_=literal(ZERO, Transfer.amount.type),
    )
    rows = db.session.execute(
        select(owner, func.sum(signed))
        .where(or_(Transfer.id.in_(ids), Transfer.pending_id.in_(ids)))
        .group_by(owner)
    )
    return {commitment_id: total or ZERO for commitment_id, total in rows}
