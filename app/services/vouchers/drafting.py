"""Drafting the accounting voucher (记账凭证) of each payment, reversal and bank batch sent.

The rule, in one place:

- a payment debits the fund's project expenditure (5001 经费支出, with the budget's
  functional and economic classes and the project code) and credits what paid it: the
  cash box (1001) for cash, the bank account (1002) for a transfer, or the bank's payroll
  service (1212) for a line the bank paid from a batch;
- a bank batch, when it is sent, moves its total from the bank account (1002) to the
  payroll service (1212), one voucher for the batch;
- a reversal (红冲) is the red copy (红字冲销) of its payment's voucher: the same lines in
  negative amounts, naming the voucher it corrects.

Each voucher takes the next number of its unit and fiscal year (记字第 N 号) from the
counter row, bumped by one statement that holds the row's lock (PostgreSQL) inside the
write transaction (SQLite) until the payment commits: two payments at once get two
numbers in turn, and a payment rolled back gives its number back with it. Callers hold
the fund's lock already (the ledger took it), so the counter is always locked last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models.batches import PaymentBatch
from app.models.cases import AID_TYPES, Case, Payment, PaymentReversal
from app.models.ledger import BANK_PAYMENT, Fund, Transfer
from app.models.registry import ModelWorker
from app.models.users import User
from app.models.vouchers import (
    AT_BANK_RECEIVABLE,
    BANK,
    BATCH_VOUCHER,
    CASH,
    EXPENDITURE,
    PAYMENT_VOUCHER,
    REVERSAL_VOUCHER,
    AccountingVoucher,
    AccountingVoucherLine,
    VoucherCounter,
)
from app.money import ZERO
from app.services.audit import Actor
from app.services.inputs import clean_text

#: 附件张数: the papers filed behind each voucher. A case's payment: its approved
#: application form and the payee's signed receipt (cash) or the bank's slip (transfer);
#: a check-up allowance: the receipt or slip; a line the bank paid: the bank's answer for
#: it; a batch sent: the list handed to the bank; a reversal: the written reason.
ATTACHMENTS = {"case": 2, "model_worker": 1, "bank_line": 1, "batch": 1, "reversal": 1}

SUMMARY_LIMIT = 200


class UnbalancedVoucher(AssertionError):
    """A voucher's debits and credits differ: a bug in the drafting rule, never input."""


@dataclass(frozen=True)
class Entry:
    """One line to book: the account, and the amount on the debit or the credit side."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def next_number(unit_id: int, year: int) -> int:
    """The unit's next voucher number in ``year``: its counter bumped by one, under the
    row's lock until the transaction ends (the first voucher of a year makes the row)."""
    bump = (
        update(VoucherCounter)
        .where(VoucherCounter.unit_id == unit_id, VoucherCounter.year == year)
        .values(last_no=VoucherCounter.last_no + 1)
        .returning(VoucherCounter.last_no)
        .execution_options(synchronize_session=False)
    )
    number = db.session.execute(bump).scalar_one_or_none()
    if number is None:
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(
            insert(VoucherCounter).values(unit_id=unit_id, year=year, last_no=0).on_conflict_do_nothing()
        )
        number = db.session.execute(bump).scalar_one()
    return int(number)


def _preparer(actor: Actor) -> str:
    """制单: the real name of who acted (the command line's name when no one signed in)."""
    user = db.session.get(User, actor.user_id) if actor.user_id is not None else None
    return (user.display_name if user is not None else actor.name)[:64]


def _summary(text: str) -> str:
    return clean_text(text, SUMMARY_LIMIT * 2)[:SUMMARY_LIMIT]


def _draft(
    *,
    kind: str,
    fund: Fund,
    on: date,
    summary: str,
    entries: Sequence[Entry],
    attachments: int,
    actor: Actor,
    transfer_id: int | None = None,
    batch_id: int | None = None,
    corrects: AccountingVoucher | None = None,
) -> AccountingVoucher:
    debits = sum((e.debit for e in entries), ZERO)
    if debits != sum((e.credit for e in entries), ZERO) or debits == ZERO:
        raise UnbalancedVoucher(f"debits {debits} and credits differ or are zero")
    text = _summary(summary)
    voucher = AccountingVoucher(
        unit_id=fund.unit_id,
        year=fund.year,
        number=next_number(fund.unit_id, fund.year),
        kind=kind,
        fund_id=fund.id,
        voucher_date=on,
        summary=text,
        functional_class=fund.functional_class,
        economic_class=fund.economic_class,
        project_code=fund.code,
        project_name=fund.name,
        total=debits,
        attachments=attachments,
        transfer_id=transfer_id,
        batch_id=batch_id,
        corrects_id=corrects.id if corrects is not None else None,
        prepared_by_id=actor.user_id,
        prepared_by_name=_preparer(actor),
    )
    voucher.lines = [
        AccountingVoucherLine(line_no=n, summary=text, account=e.account, debit=e.debit, credit=e.credit)
        for n, e in enumerate(entries, start=1)
    ]
    db.session.add(voucher)
    db.session.flush()
    return voucher


def _payment_words(payment: Payment, transfer: Transfer) -> tuple[str, int]:
    """The 摘要 and the count of attachments of a payment's voucher."""
    if payment.case_id is not None:
        case = db.session.get(Case, payment.case_id)
        assert case is not None  # a foreign key
        name, aid = case.worker.name, str(AID_TYPES[case.aid_type])
        if transfer.kind == BANK_PAYMENT:
            words = _(
                "Paid by the bank, %(no)s: %(name)s, %(aid)s, application No. %(case)s",
                no=payment.voucher_no,
                name=name,
                aid=aid,
                case=case.id,
            )
            return words, ATTACHMENTS["bank_line"]
        words = _(
            "Hardship aid paid to %(name)s, %(aid)s, application No. %(case)s, document %(no)s",
            name=name,
            aid=aid,
            case=case.id,
            no=payment.voucher_no,
        )
        return words, ATTACHMENTS["case"]
    worker = db.session.get(ModelWorker, payment.model_worker_id)
    words = _(
        "Check-up allowance paid to model worker %(name)s, document %(no)s",
        name=worker.name if worker is not None else "",
        no=payment.voucher_no,
    )
    return words, ATTACHMENTS["model_worker"]


def credit_account(payment: Payment, transfer: Transfer) -> str:
    """What a payment is paid from: the bank's payroll service, the bank, or the cash box."""
    if transfer.kind == BANK_PAYMENT:
        return AT_BANK_RECEIVABLE
    return CASH if payment.method == "cash" else BANK


def draft_payment(payment: Payment, transfer: Transfer, fund: Fund, *, actor: Actor) -> AccountingVoucher:
    """The voucher of a payment just recorded (in its transaction)."""
    words, attachments = _payment_words(payment, transfer)
    amount = payment.amount
    return _draft(
        kind=PAYMENT_VOUCHER,
        fund=fund,
        on=payment.paid_on,
        summary=words,
        entries=[Entry(EXPENDITURE, debit=amount), Entry(credit_account(payment, transfer), credit=amount)],
        attachments=attachments,
        actor=actor,
        transfer_id=transfer.id,
    )


def voucher_of_entry(transfer_id: int) -> AccountingVoucher | None:
    return db.session.execute(
        select(AccountingVoucher).where(AccountingVoucher.transfer_id == transfer_id)
    ).scalar_one_or_none()


def draft_reversal(reversal: PaymentReversal, payment: Payment, *, actor: Actor) -> AccountingVoucher:
    """红字冲销: the red copy of the payment's voucher, naming it, on the reversal's date
    (every payment has a voucher: migration 0019 drafted those recorded before it)."""
    fund = db.session.get(Fund, payment.fund_id)
    assert fund is not None and reversal.reversed_on is not None
    original = voucher_of_entry(payment.transfer_id)
    if original is None:
        raise UnbalancedVoucher(f"payment {payment.id} has no voucher to correct")
    words = _(
        "Red reversal of voucher No. %(number)s: %(reason)s", number=original.number, reason=reversal.reason
    )
    return _draft(
        kind=REVERSAL_VOUCHER,
        fund=fund,
        on=reversal.reversed_on,
        summary=words,
        entries=[Entry(line.account, debit=-line.debit, credit=-line.credit) for line in original.lines],
        attachments=ATTACHMENTS["reversal"],
        actor=actor,
        transfer_id=reversal.transfer_id,
        corrects=original,
    )


def draft_batch(batch: PaymentBatch, on: date, *, actor: Actor) -> AccountingVoucher:
    """The voucher of a batch sent to the bank: its total from the bank account to the
    payroll service (the lines' own vouchers follow as the bank pays them)."""
    fund = db.session.get(Fund, batch.fund_id)
    assert fund is not None
    sent = [line for line in batch.lines if line.sent_transfer_id is not None]
    total = sum((line.amount for line in sent), ZERO)
    words = _(
        "Sent to the bank's payroll service: batch %(no)s, %(count)s payments",
        no=batch.batch_no,
        count=len(sent),
    )
    return _draft(
        kind=BATCH_VOUCHER,
        fund=fund,
        on=on,
        summary=words,
        entries=[Entry(AT_BANK_RECEIVABLE, debit=total), Entry(BANK, credit=total)],
        attachments=ATTACHMENTS["batch"],
        actor=actor,
        batch_id=batch.id,
    )
