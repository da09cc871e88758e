"""The fund ledger: funds, their accounts, and the append-only transfers between them.

Each fund has five accounts. Money enters from ``appropriation`` (whose balance is
minus the budget) and moves between ``available``, ``committed`` and ``paid``:

    allocation      appropriation -> available   the budget is made available
    commitment      available     -> committed   a case is approved (a pending transfer)
    payment         committed     -> paid        the commitment is posted, in part or whole
    release         committed     -> available   the rest of a commitment is voided
    direct_payment  available     -> paid        a payment with no prior commitment
    bank_send       committed     -> at_bank     a batch line is sent to the bank (代发)
    bank_payment    at_bank       -> paid        the bank paid the line
    bank_return     at_bank       -> committed   the bank failed the line: back to the case
    reversal        the original's accounts swapped (红冲); names the original
    adjustment      appropriation <-> available   a budget revision (预算调整), up or down

So for every fund: budget = paid + committed + at_bank + available, and all five
balances sum to zero. Transfers are never updated or deleted.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Unit
from app.models.types import Money, UTCDateTime, utcnow

APPROPRIATION = "appropriation"
AVAILABLE = "available"
COMMITTED = "committed"
PAID = "paid"
# Sent to the bank in a payment batch (代发), not yet answered: neither committed nor paid.
AT_BANK = "at_bank"
ACCOUNT_KINDS = (APPROPRIATION, AVAILABLE, COMMITTED, PAID, AT_BANK)

ALLOCATION = "allocation"
COMMITMENT = "commitment"
PAYMENT = "payment"
RELEASE = "release"
DIRECT_PAYMENT = "direct_payment"
REVERSAL = "reversal"
BANK_SEND = "bank_send"
BANK_PAYMENT = "bank_payment"
BANK_RETURN = "bank_return"
# 预算调整: a revision raises (appropriation -> available) or lowers (available -> appropriation).
ADJUSTMENT = "adjustment"
TRANSFER_KINDS = (
    ALLOCATION,
    COMMITMENT,
    PAYMENT,
    RELEASE,
    DIRECT_PAYMENT,
    REVERSAL,
    BANK_SEND,
    BANK_PAYMENT,
    BANK_RETURN,
    ADJUSTMENT,
)
TRANSFER_KIND_LABELS = {
    ALLOCATION: _l("Budget allocated"),
    COMMITMENT: _l("Committed on approval"),
    PAYMENT: _l("Paid"),
    RELEASE: _l("Commitment released"),
    DIRECT_PAYMENT: _l("Paid directly"),
    REVERSAL: _l("Reversal"),
    BANK_SEND: _l("Sent to the bank"),
    BANK_PAYMENT: _l("Paid by the bank"),
    BANK_RETURN: _l("Returned by the bank"),
    ADJUSTMENT: _l("Budget revised"),
}
ACCOUNT_LABELS = {
    APPROPRIATION: _l("appropriation"),
    AVAILABLE: _l("available"),
    COMMITTED: _l("committed"),
    PAID: _l("paid"),
    AT_BANK: _l("at the bank"),
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Fund(db.Model):
    """专项资金: a special project of a unit's budget, kept as its own fund."""

    __tablename__ = "funds"
    __table_args__ = (UniqueConstraint("unit_id", "year", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(ForeignKey("fiscal_years.year"))
    code: Mapped[str] = mapped_column(String(20))  # 项目编号, e.g. 2015100001
    name: Mapped[str] = mapped_column(String(200))
    functional_class: Mapped[str | None] = mapped_column(String(20))
    economic_class: Mapped[str | None] = mapped_column(String(20))
    managing_department: Mapped[str | None] = mapped_column(String(100))  # 项目主管部门
    # What the fund pays for: "hardship_aid" (cases) or "model_worker_checkup".
    purpose: Mapped[str] = mapped_column(String(30), default="hardship_aid", server_default="hardship_aid")
    budget_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_lines.id"))
    # Sequence number of the fund's newest transfer; bumped under the fund's lock.
    last_seq: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship()
    accounts: Mapped[list[LedgerAccount]] = relationship(back_populates="fund")


class LedgerAccount(db.Model):
    """A fund's account, with its balance maintained by every transfer."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("fund_id", "kind"),
        CheckConstraint(_in("kind", ACCOUNT_KINDS), name="kind"),
        # Defence in depth: only the appropriation account may go below zero.
        CheckConstraint("kind = 'appropriation' OR balance >= 0", name="not_overdrawn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    kind: Mapped[str] = mapped_column(String(20))
    balance: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))

    fund: Mapped[Fund] = relationship(back_populates="accounts")


class Transfer(db.Model):
    """账目: one ledger entry moving an amount from one account of a fund to another."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        UniqueConstraint("fund_id", "seq"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
        CheckConstraint(_in("kind", TRANSFER_KINDS), name="kind"),
        CheckConstraint(
            "available_after >= 0 AND committed_after >= 0 AND paid_after >= 0",
            name="balances_after_not_negative",
        ),
        Index("ix_ledger_transfers_pending_id", "pending_id"),
        Index("uq_ledger_transfers_case_id", "case_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    # The account whose balance rises, and the account the amount comes from.
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    # The commitment a payment or release draws on (and a reversal of one).
    pending_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"))
    # The transfer a reversal undoes; each transfer is reversed at most once.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), unique=True)
    # The case (or campaign line) a commitment is for: at most one commitment per case,
    # refused by the database too (a unique index), whatever races in the application.
    case_id: Mapped[int | None]
    memo: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The fund's balances right after this transfer: the running balance of the ledger.
    available_after: Mapped[Decimal] = mapped_column(Money())
    committed_after: Mapped[Decimal] = mapped_column(Money())
    paid_after: Mapped[Decimal] = mapped_column(Money())

    fund: Mapped[Fund] = relationship()
    debit_account: Mapped[LedgerAccount] = relationship(foreign_keys=[debit_account_id])
    credit_account: Mapped[LedgerAccount] = relationship(foreign_keys=[credit_account_id])
    pending: Mapped[Transfer | None] = relationship(remote_side=[id], foreign_keys=[pending_id])
    reverses: Mapped[Transfer | None] = relationship(remote_side=[id], foreign_keys=[reverses_id])

    @property
    def kind_label(self) -> str:
        return str(TRANSFER_KIND_LABELS[self.kind])
