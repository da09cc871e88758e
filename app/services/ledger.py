"""The fund ledger: every movement of money, as append-only double-entry transfers.

Guarantees, for every fund at every moment: budget = paid + committed + at_bank +
available to the fen, no balance but the appropriation's below zero, and the five
accounts sum to zero. Each operation locks the fund first (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite every transaction already holds the write lock), so two
requests racing for the last yuan are serialised: one wins, the other is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models.cases import Case
from app.models.ledger import (
    ACCOUNT_KINDS,
    ACCOUNT_LABELS,
    ADJUSTMENT,
    ALLOCATION,
    APPROPRIATION,
    AT_BANK,
    AVAILABLE,
    BANK_PAYMENT,
    BANK_RETURN,
    BANK_SEND,
    COMMITMENT,
    COMMITTED,
    DIRECT_PAYMENT,
    PAID,
    PAYMENT,
    RELEASE,
    REVERSAL,
    Fund,
    LedgerAccount,
    Transfer,
)
from app.money import ZERO, format_yuan, to_positive_money
from app.services import periods
from app.services.audit import Actor, record
from app.services.errors import (
    CommitmentExceeded,
    FundOverdrawn,
    NotFound,
    NotReversible,
)

#: Which account each kind of transfer debits (raises) and credits (draws from).
ROUTES: dict[str, tuple[str, str]] = {
    ALLOCATION: (AVAILABLE, APPROPRIATION),
    COMMITMENT: (COMMITTED, AVAILABLE),
    PAYMENT: (PAID, COMMITTED),
    RELEASE: (AVAILABLE, COMMITTED),
    DIRECT_PAYMENT: (PAID, AVAILABLE),
    BANK_SEND: (AT_BANK, COMMITTED),
    BANK_PAYMENT: (PAID, AT_BANK),
    BANK_RETURN: (COMMITTED, AT_BANK),
}
#: Kinds a finance officer may reverse (红冲). A commitment is voided by a release.
REVERSIBLE = frozenset({PAYMENT, DIRECT_PAYMENT, RELEASE, BANK_PAYMENT})
#: Where a reversal takes the money back to, when not where the original took it from: a
#: payment the bank made goes back to its case's commitment (the bank is done with it).
UNDONE_TO = {BANK_PAYMENT: COMMITTED}


@dataclass(frozen=True)
class FundBalance:
    """A fund's figures at one moment."""

    fund: Fund
    budget: Decimal
    committed: Decimal
    paid: Decimal
    available: Decimal
    at_bank: Decimal = ZERO  # sent in a bank batch, not yet answered

    @property
    def used_share(self) -> Decimal:
        """Paid, committed and at the bank as a share of the budget, 0 to 1."""
        if self.budget == ZERO:
            return Decimal(0)
        return (self.paid + self.committed + self.at_bank) / self.budget


def create_fund_accounts(fund: Fund) -> None:
    """Give a new fund its accounts at zero."""
    for kind in ACCOUNT_KINDS:
        db.session.add(LedgerAccount(fund=fund, kind=kind, balance=ZERO))
    db.session.flush()


def lock_fund(fund_id: int) -> Fund:
    """Load a fund under a row lock held until the transaction ends."""
    fund = db.session.execute(
        select(Fund).where(Fund.id == fund_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if fund is None:
        raise NotFound(_("Fund not found."))
    return fund


def _accounts(fund_id: int) -> dict[str, LedgerAccount]:
    rows = db.session.execute(
        select(LedgerAccount)
        .where(LedgerAccount.fund_id == fund_id)
        .execution_options(populate_existing=True)
    ).scalars()
    return {account.kind: account for account in rows}


def balance(fund: Fund) -> FundBalance:
    """The fund's maintained balances (no sum over the ledger)."""
    return balance_of(fund, _accounts(fund.id))


def balance_of(fund: Fund, accounts: dict[str, LedgerAccount]) -> FundBalance:
    return FundBalance(
        fund=fund,
        budget=-accounts[APPROPRIATION].balance,
        committed=accounts[COMMITTED].balance,
        paid=accounts[PAID].balance,
        available=accounts[AVAILABLE].balance,
        at_bank=accounts[AT_BANK].balance if AT_BANK in accounts else ZERO,
    )


def fund_balances(year: int, unit_ids: list[int] | None = None) -> list[FundBalance]:
    """Every fund of the year (optionally of some units), ordered by code."""
    query = select(Fund).where(Fund.year == year).order_by(Fund.code, Fund.unit_id)
    if unit_ids is not None:
        query = query.where(Fund.unit_id.in_(unit_ids))
    funds = list(db.session.execute(query).scalars())
    if not funds:
        return []
    by_fund: dict[int, dict[str, LedgerAccount]] = {fund.id: {} for fund in funds}
    for account in db.session.execute(
        select(LedgerAccount).where(LedgerAccount.fund_id.in_(by_fund))
    ).scalars():
        by_fund[account.fund_id][account.kind] = account
    return [balance_of(fund, by_fund[fund.id]) for fund in funds]


def _post(
    fund_id: int,
    kind: str,
    amount: object,
    *,
    route: tuple[str, str] | None = None,
    pending: Transfer | None = None,
    reverses: Transfer | None = None,
    case_id: int | None = None,
    memo: str = "",
    actor: Actor,
    on: date | None = None,
) -> Transfer:
    """Lock the fund, check its books are open on ``on`` (the entry's date: a payment's,
    a reversal's; today when not given) and the accounts can bear it, and append one
    transfer."""
    value = to_positive_money(amount)
    fund = lock_fund(fund_id)
    periods.require_open(fund, on)
    accounts = _accounts(fund.id)
    debit_kind, credit_kind = route or ROUTES[kind]
    debit, credit = accounts[debit_kind], accounts[credit_kind]

    if pending is not None:
        outstanding = outstanding_on(pending)
        if credit_kind == COMMITTED and value > outstanding:
            raise CommitmentExceeded(
                _(
                    "Only %(outstanding)s remains committed; %(amount)s is more than that.",
                    outstanding=format_yuan(outstanding),
                    amount=format_yuan(value),
                ),
                field="amount",
            )
    if credit_kind != APPROPRIATION and credit.balance < value:
        if credit_kind == AVAILABLE:
            raise FundOverdrawn(
                _(
                    "Fund %(code)s has only %(available)s available; %(amount)s is refused.",
                    code=fund.code,
                    available=format_yuan(credit.balance),
                    amount=format_yuan(value),
                ),
                field="amount",
            )
        raise CommitmentExceeded(
            _(
                "Only %(balance)s is left on the fund's %(account)s account.",
                balance=format_yuan(credit.balance),
                account=ACCOUNT_LABELS[credit_kind],
            ),
            field="amount",
        )

    debit.balance = debit.balance + value
    credit.balance = credit.balance - value
    fund.last_seq += 1
    transfer = Transfer(
        fund_id=fund.id,
        seq=fund.last_seq,
        kind=kind,
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        amount=value,
        pending_id=pending.id if pending is not None else None,
        reverses_id=reverses.id if reverses is not None else None,
        case_id=case_id,
        memo=memo,
        created_by_id=actor.user_id,
        available_after=accounts[AVAILABLE].balance,
        committed_after=accounts[COMMITTED].balance,
        paid_after=accounts[PAID].balance,
    )
    db.session.add(transfer)
    db.session.flush()
    record(
        f"ledger.{kind}",
        actor=actor,
        object_type="transfer",
        object_id=transfer.id,
        unit_id=fund.unit_id,
        details={
            "fund": fund.code,
            "year": fund.year,
            "seq": transfer.seq,
            "amount": str(value),
            "pending_id": transfer.pending_id,
            "reverses_id": transfer.reverses_id,
            "memo": memo,
            "available_after": str(transfer.available_after),
            "committed_after": str(transfer.committed_after),
            "paid_after": str(transfer.paid_after),
        },
    )
    return transfer


def allocate(fund: Fund, amount: object, *, memo: str = "", actor: Actor) -> Transfer:
    """Make budget available in the fund (appropriation -> available)."""
    return _post(fund.id, ALLOCATION, amount, memo=memo, actor=actor)


def adjust(fund: Fund, change: Decimal, *, memo: str, actor: Actor, on: date) -> Transfer:
    """预算调整: raise (``change`` > 0) or lower the fund's budget, dated ``on``. A decrease
    comes out of what is available, so it never takes paid, committed or at the bank.

    Raises :class:`FundOverdrawn` when less than the decrease is available."""
    up = change > ZERO
    route = (AVAILABLE, APPROPRIATION) if up else (APPROPRIATION, AVAILABLE)
    return _post(fund.id, ADJUSTMENT, abs(change), route=route, memo=memo, actor=actor, on=on)


def commit(
    fund: Fund, amount: object, *, case_id: int | None = None, memo: str = "", actor: Actor
) -> Transfer:
    """Set money aside for an approved case: a pending transfer naming the case (the
    database refuses a second commitment for one case).

    Raises :class:`FundOverdrawn` when the fund has less available than ``amount``.
    """
    return _post(fund.id, COMMITMENT, amount, case_id=case_id, memo=memo, actor=actor)


def pay(
    commitment: Transfer, amount: object, *, memo: str = "", actor: Actor, on: date | None = None
) -> Transfer:
    """Post (part of) a commitment as paid on ``on``.

    Raises :class:`CommitmentExceeded` when more than the outstanding amount is paid,
    :class:`app.services.periods.PeriodClosed` when the books are closed on ``on``.
    """
    _require_commitment(commitment)
    return _post(commitment.fund_id, PAYMENT, amount, pending=commitment, memo=memo, actor=actor, on=on)


def release(
    commitment: Transfer,
    amount: object | None = None,
    *,
    memo: str = "",
    actor: Actor,
) -> Transfer | None:
    """Void what is still outstanding on a commitment (or ``amount`` of it).

    Returns ``None`` when nothing is outstanding and no amount was asked for.
    """
    _require_commitment(commitment)
    if amount is None:
        lock_fund(commitment.fund_id)
        amount = outstanding_on(commitment)
        if amount == ZERO:
            return None
    return _post(commitment.fund_id, RELEASE, amount, pending=commitment, memo=memo, actor=actor)


def pay_direct(
    fund: Fund, amount: object, *, memo: str = "", actor: Actor, on: date | None = None
) -> Transfer:
    """Pay on ``on`` from the available balance with no prior commitment (e.g. a check-up).

    Raises :class:`FundOverdrawn` when the fund has less available than ``amount``.
    """
    return _post(fund.id, DIRECT_PAYMENT, amount, memo=memo, actor=actor, on=on)


def reverse(original: Transfer, *, memo: str, actor: Actor, on: date | None = None) -> Transfer:
    """红冲: undo a payment or release with a transfer the other way; the original stays.

    Raises :class:`NotReversible` for other kinds and for a transfer already reversed.
    """
    lock_fund(original.fund_id)
    if original.kind not in REVERSIBLE:
        raise NotReversible(_("This kind of ledger entry cannot be reversed."))
    already = db.session.execute(select(Transfer.id).where(Transfer.reverses_id == original.id)).first()
    if already is not None:
        raise NotReversible(_("This ledger entry has already been reversed."))
    debit_kind, credit_kind = ROUTES[original.kind]
    return _post(
        original.fund_id,
        REVERSAL,
        original.amount,
        route=(UNDONE_TO.get(original.kind, credit_kind), debit_kind),
        pending=original.pending,
        reverses=original,
        memo=memo,
        actor=actor,
        on=on,
    )


def outstanding_on(commitment: Transfer) -> Decimal:
    """What is still committed on a pending transfer: its amount less what was
    paid or released from it, plus what reversals put back."""
    committed_id = db.session.execute(
        select(LedgerAccount.id).where(
            LedgerAccount.fund_id == commitment.fund_id, LedgerAccount.kind == COMMITTED
        )
    ).scalar_one()
    related = or_(Transfer.id == commitment.id, Transfer.pending_id == commitment.id)
    into = db.session.execute(
        select(func.sum(Transfer.amount)).where(related, Transfer.debit_account_id == committed_id)
    ).scalar_one()
    out_of = db.session.execute(
        select(func.sum(Transfer.amount)).where(related, Transfer.credit_account_id == committed_id)
    ).scalar_one()
    return (into or ZERO) - (out_of or ZERO)


def _require_commitment(transfer: Transfer) -> None:
    if transfer.kind != COMMITMENT:
        raise NotReversible(_("This ledger entry is not a commitment."))


def cases_of_entries(entries: list[Transfer]) -> dict[int, int]:
    """{transfer id: case id} for the entries that belong to an aid case, so a ledger
    page can link each entry to its case (commitments, payments, releases, reversals)."""
    commitment_of = {e.id: (e.pending_id or e.id) for e in entries}
    rows = db.session.execute(
        select(Case.commitment_id, Case.id).where(Case.commitment_id.in_(set(commitment_of.values())))
    )
    case_by_commitment = dict(rows.all())
    return {
        entry_id: case_by_commitment[commitment]
        for entry_id, commitment in commitment_of.items()
        if commitment in case_by_commitment
    }


def ledger_entries(fund: Fund, *, after_seq: int = 0, limit: int = 100) -> list[Transfer]:
    """The fund's transfers oldest first, from ``after_seq`` on (keyset pagination)."""
    return list(
        db.session.execute(
            select(Transfer)
            .where(Transfer.fund_id == fund.id, Transfer.seq > after_seq)
            .order_by(Transfer.seq)
            .limit(limit)
        ).scalars()
    )
