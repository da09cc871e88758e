"""记账凭证: accounting vouchers drafted for every payment, reversal and bank batch sent.

A voucher is numbered 记字第 N 号 consecutively within its unit and fiscal year, with no
gaps: the number comes from the unit's counter row (``voucher_counters``), bumped in the
same transaction as the payment, so a payment refused or rolled back takes no number.
Its lines are the debit and credit entries; they balance, and a reversal's voucher (红字
冲销) repeats the lines of the one it corrects in negative amounts. Vouchers, like the
ledger, are never updated or deleted (a guard refuses it at the database).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.ledger import Fund
from app.models.org import Unit
from app.models.types import Money, UTCDateTime, utcnow

PAYMENT_VOUCHER = "payment"
REVERSAL_VOUCHER = "reversal"
BATCH_VOUCHER = "batch"
VOUCHER_KIND_LABELS = {
    PAYMENT_VOUCHER: _l("Payment"),
    REVERSAL_VOUCHER: _l("Red reversal"),
    BATCH_VOUCHER: _l("Bank batch sent"),
}

#: The accounts a voucher books to (行政单位会计制度 2013, the chart of a 2015 budget unit):
#: expenditure of the fund's project, the cash box, the bank account, and the money the
#: bank's payroll service holds for a batch until it answers.
EXPENDITURE = "5001"
CASH = "1001"
BANK = "1002"
AT_BANK_RECEIVABLE = "1212"
VOUCHER_ACCOUNT_LABELS = {
    EXPENDITURE: _l("Expenditure — project expenditure"),
    CASH: _l("Cash on hand"),
    BANK: _l("Bank deposit"),
    AT_BANK_RECEIVABLE: _l("Other receivables — bank payroll service"),
}


def _in(column: str, values: object) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"  # type: ignore[attr-defined]


class VoucherCounter(db.Model):
    """The last voucher number given in a unit's fiscal year (bumped under its row lock)."""

    __tablename__ = "voucher_counters"
    __table_args__ = (CheckConstraint("last_no >= 0", name="not_negative"),)

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("fiscal_years.year"), primary_key=True, autoincrement=False)
    last_no: Mapped[int] = mapped_column(default=0)


class AccountingVoucher(db.Model):
    """记账凭证: one accounting voucher, 记字第 ``number`` 号 of its unit's year."""

    __tablename__ = "accounting_vouchers"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint(_in("kind", VOUCHER_KIND_LABELS), name="kind"),
        CheckConstraint("attachments >= 0", name="attachments_not_negative"),
        # A red voucher (红字) is a reversal's, in negative amounts, and names what it corrects.
        CheckConstraint("total <> 0", name="total_not_zero"),
        CheckConstraint("(kind = 'reversal') = (total < 0)", name="red_is_negative"),
        CheckConstraint("(kind = 'reversal') = (corrects_id IS NOT NULL)", name="red_corrects"),
        # A payment's or reversal's voucher books its ledger entry; a batch's, the batch.
        CheckConstraint("(kind = 'batch') = (batch_id IS NOT NULL)", name="batch_of_batch"),
        CheckConstraint("(kind = 'batch') <> (transfer_id IS NOT NULL)", name="entry_or_batch"),
        Index("ix_accounting_vouchers_fund_id", "fund_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(ForeignKey("fiscal_years.year"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    voucher_date: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(200))  # 摘要
    # The budget's classes and the project, as the fund had them when drafted.
    functional_class: Mapped[str | None] = mapped_column(String(20))  # 功能分类, e.g. 2012902
    economic_class: Mapped[str | None] = mapped_column(String(20))  # 经济分类, e.g. 30399
    project_code: Mapped[str] = mapped_column(String(20))  # 项目编号, e.g. 2015100001
    project_name: Mapped[str] = mapped_column(String(200))
    total: Mapped[Decimal] = mapped_column(Money())  # 合计: debits = credits
    attachments: Mapped[int] = mapped_column(default=1)  # 附件张数
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), unique=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id"), unique=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_vouchers.id"), unique=True)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prepared_by_name: Mapped[str] = mapped_column(String(64))  # 制单
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    fund: Mapped[Fund] = relationship()
    corrects: Mapped[AccountingVoucher | None] = relationship(remote_side=[id])
    lines: Mapped[list[AccountingVoucherLine]] = relationship(
        back_populates="voucher", order_by="AccountingVoucherLine.line_no"
    )

    @property
    def is_red(self) -> bool:
        return self.kind == REVERSAL_VOUCHER


class AccountingVoucherLine(db.Model):
    """One entry of a voucher: its account and the amount on the debit or the credit side."""

    __tablename__ = "accounting_voucher_lines"
    __table_args__ = (
        UniqueConstraint("voucher_id", "line_no"),
        CheckConstraint("(debit = 0) <> (credit = 0)", name="one_side"),
        CheckConstraint(_in("account", VOUCHER_ACCOUNT_LABELS), name="account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("accounting_vouchers.id"), index=True)
    line_no: Mapped[int]
    summary: Mapped[str] = mapped_column(String(200))
    account: Mapped[str] = mapped_column(String(20))  # the account's code (app/services/vouchers)
    debit: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))  # 借方金额
    credit: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))  # 贷方金额

    voucher: Mapped[AccountingVoucher] = relationship(back_populates="lines")
