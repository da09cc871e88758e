"""Payments (发放) of approved cases and their reversals (红冲).

A payment is one ledger entry drawn on the case's commitment, recorded with its
voucher number; the same idempotency key pays once. A reversal is its own ledger
entry; the payment stays on record and the amount goes back to the commitment.
Each loads its case or payment under a row lock first (lock order: payment, case,
fund), so a double submit pays once and a payment is reversed once.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.cases import PAYMENT_METHODS, Case, Payment, PaymentMonth, PaymentReversal
from app.models.ledger import Fund, Transfer
from app.money import ZERO, InvalidAmount, format_yuan, to_positive_money
from app.services import ledger, loaders, periods
from app.services.audit import Actor, record
from app.services.cases.workflow import WrongState, advance, in_open_batch, locked, require_step
from app.services.errors import DomainError, InvalidInput, ValidationFailed
from app.services.four_eyes import ensure_different
from app.services.inputs import clean_text
from app.services.vouchers import drafting as vouchers

BEIJING = ZoneInfo("Asia/Shanghai")


class DuplicateVoucher(DomainError):
    """The voucher number is already used in this fiscal year."""


class IdempotencyMismatch(InvalidInput):
    """The idempotency key was used before with a different request."""


def _text(value: str, limit: int) -> str:
    return clean_text(value, limit, multiline=True)


def paid_amount(case: Case) -> Decimal:
    """What has been paid on the case, net of reversals."""
    total = ZERO
    for payment in case.payments:
        if payment.reversal is None:
            total += payment.amount
    return total


def request_digest(**fields: object) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


_REPLAYED_KEY = "replayed_payments"


def replay(key: str | None, digest: str) -> Payment | None:
    """The payment made earlier with this idempotency key, if any (the caller holds the
    lock of what is paid, so the first request with the key has finished)."""
    if not key:
        return None
    earlier = db.session.execute(select(Payment).where(Payment.idempotency_key == key)).scalar_one_or_none()
    if earlier is not None and earlier.request_digest != digest:
        raise IdempotencyMismatch(_("This request key was already used for a different payment."))
    if earlier is not None:
        db.session.info.setdefault(_REPLAYED_KEY, set()).add(earlier.id)
    return earlier


def was_replayed(payment: Payment) -> bool:
    """Whether this request answered ``payment`` as a replay of an earlier one."""
    return payment.id in db.session.info.get(_REPLAYED_KEY, set())


def payment_fields(
    amount: object, voucher_no: str, paid_on: date, method: str, year: int
) -> tuple[Decimal, str]:
    errors: dict[str, list[str]] = {}
    value = ZERO
    try:
        value = to_positive_money(amount)
    except InvalidAmount:
        errors["amount"] = [_("Enter an amount greater than zero with at most two decimals.")]
    voucher = _text(voucher_no, 40)
    if not voucher:
        errors["voucher_no"] = [_("Enter the voucher number.")]
    if method not in PAYMENT_METHODS:
        errors["method"] = [_("Choose cash or bank transfer.")]
    if paid_on.year != year:
        errors["paid_on"] = [_("The payment date must fall in the %(year)s fiscal year.", year=year)]
    if errors:
        raise ValidationFailed(errors)
    if db.session.execute(
        select(Payment.id).where(Payment.year == year, Payment.voucher_no == voucher)
    ).first():
        raise DuplicateVoucher(
            _("Voucher number %(no)s is already used in %(year)s.", no=voucher, year=year), field="voucher_no"
        )
    return value, voucher


def check_payment(*, amount: object, voucher_no: str, paid_on: date, method: str, year: int) -> None:
    """What a payment of the fiscal ``year`` would refuse in its typed fields (amount,
    voucher number unique in the year, date in the year, method), changing nothing: a
    page asks it before it asks the person to confirm. The payment checks them again."""
    payment_fields(amount, voucher_no, paid_on, method, year)


def record_payment(
    transfer: Transfer,
    *,
    fund: Fund,
    paid_on: date,
    method: str,
    voucher: str,
    idempotency_key: str | None,
    digest: str,
    actor: Actor,
    case_id: int | None = None,
    model_worker_id: int | None = None,
) -> Payment:
    """The payment record beside its ledger entry (one of case or model worker), and its
    accounting voucher (记账凭证), in the same transaction."""
    payment = Payment(
        case_id=case_id,
        model_worker_id=model_worker_id,
        fund_id=fund.id,
        year=fund.year,
        transfer_id=transfer.id,
        amount=transfer.amount,
        paid_on=paid_on,
        method=method,
        voucher_no=voucher,
        idempotency_key=idempotency_key,
        request_digest=digest,
        created_by_id=actor.user_id,
    )
    db.session.add(payment)
    db.session.flush()
    count_in_month(fund, paid_on, payment.amount)
    vouchers.draft_payment(payment, transfer, fund, actor=actor)
    return payment


def count_in_month(fund: Fund, paid_on: date, amount: Decimal) -> None:
    """Keep the fund's month total (``PaymentMonth``); the caller holds the fund's lock."""
    if paid_on.year != fund.year:
        return
    month = db.session.get(PaymentMonth, (fund.id, paid_on.month))
    if month is None:
        db.session.add(PaymentMonth(fund_id=fund.id, month=paid_on.month, amount=amount))
    else:
        month.amount += amount


def pay(
    case: Case,
    *,
    amount: object,
    voucher_no: str,
    paid_on: date,
    method: str,
    actor: Actor,
    idempotency_key: str | None = None,
) -> Payment:
    """Pay (part of) an approved case. The same idempotency key pays once.

    Raises WrongState, FourEyesViolation, CommitmentExceeded, DuplicateVoucher, CeilingExceeded.
    """
    digest = request_digest(
        case=case.id, amount=str(amount), voucher=voucher_no, paid_on=paid_on, method=method
    )
    locked(case, actor)
    earlier = replay(idempotency_key, digest)
    if earlier is not None:
        return earlier
    require_step(case, "pay")
    if in_open_batch(case):
        raise WrongState(_("This case is in an open payment batch; it is paid through the bank."))
    ensure_different(
        "pay_own_approval",
        actor=actor,
        earlier_user_id=case.decided_by_id,
        unit_id=case.unit_id,
        object_type="case",
        object_id=case.id,
    )
    value, voucher = payment_fields(amount, voucher_no, paid_on, method, case.year)
    if case.commitment is None:
        raise WrongState(_("Nothing was approved to pay on this case."))
    # Asked again by the ledger under the fund's lock; here to name the date a door typed.
    periods.require_open(case.fund, paid_on, field="paid_on")
    transfer = ledger.pay(
        case.commitment,
        value,
        memo=_("Case %(id)s, voucher %(no)s", id=case.id, no=voucher),
        actor=actor,
        on=paid_on,
    )
    payment = record_payment(
        transfer,
        fund=case.fund,
        case_id=case.id,
        paid_on=paid_on,
        method=method,
        voucher=voucher,
        idempotency_key=idempotency_key,
        digest=digest,
        actor=actor,
    )
    db.session.refresh(case, ["payments"])
    fully = paid_amount(case) == case.approved_amount
    advance(
        case,
        "pay",
        actor=actor,
        to="paid" if fully else "approved",
        note=_("Paid %(amount)s, voucher %(no)s.", amount=format_yuan(value), no=voucher),
    )
    return payment


#: The voucher number a reversal gets when none is given: the payment's, marked 红冲.
REVERSAL_VOUCHER_PREFIX = "红冲-"


def reversal_voucher(payment: Payment, voucher_no: str, reversed_on: date | None) -> tuple[str, date]:
    """The reversal's own voucher number and date: as given (the date within the payment's
    fiscal year and not before it was paid; the number unused that year), else the
    payment's number marked 红冲 and today (Beijing)."""
    voucher = _text(voucher_no, 40) or f"{REVERSAL_VOUCHER_PREFIX}{payment.voucher_no}"[:40]
    if reversed_on is None:
        reversed_on = datetime.now(BEIJING).date()
    elif reversed_on.year != payment.year or reversed_on < payment.paid_on:
        raise InvalidInput(
            _(
                "The reversal date must fall in the %(year)s fiscal year, on or after the payment date"
                " %(paid_on)s.",
                year=payment.year,
                paid_on=payment.paid_on.isoformat(),
            ),
            field="reversed_on",
        )
    used = (
        db.session.execute(
            select(Payment.id).where(Payment.year == payment.year, Payment.voucher_no == voucher)
        ).first()
        or db.session.execute(
            select(PaymentReversal.id)
            .join(Payment, Payment.id == PaymentReversal.payment_id)
            .where(Payment.year == payment.year, PaymentReversal.voucher_no == voucher)
        ).first()
    )
    if used:
        raise DuplicateVoucher(
            _("Voucher number %(no)s is already used in %(year)s.", no=voucher, year=payment.year),
            field="voucher_no",
        )
    return voucher, reversed_on


def reverse_payment(
    payment: Payment,
    *,
    reason: str,
    actor: Actor,
    voucher_no: str = "",
    reversed_on: date | None = None,
) -> PaymentReversal:
    """红冲: undo a wrong payment with its own ledger entry and its own voucher (number and
    date, :func:`reversal_voucher`), and the red accounting voucher correcting the
    payment's (红字冲销); the payment stays on record. The amount goes back to
    the case's commitment; a closed case is open again.

    Raises InvalidInput (no reason, a date outside the year), DuplicateVoucher, WrongState."""
    loaders.payment(payment.id, actor, lock=True)
    if payment.case is not None:
        locked(payment.case, actor)
    db.session.refresh(payment, ["reversal"])
    reason = _text(reason, 2000)
    if not reason:
        raise InvalidInput(_("Write why the payment is reversed."), field="reason")
    if payment.reversal is not None:
        raise WrongState(_("This payment has already been reversed."))
    if payment.case is not None:
        require_step(payment.case, "reverse")
    voucher, day = reversal_voucher(payment, voucher_no, reversed_on)
    transfer = ledger.reverse(
        payment.transfer, memo=_("Reversal: %(reason)s", reason=reason), actor=actor, on=day
    )
    reversal = PaymentReversal(
        payment_id=payment.id,
        transfer_id=transfer.id,
        reason=reason,
        voucher_no=voucher,
        reversed_on=day,
        created_by_id=actor.user_id,
    )
    db.session.add(reversal)
    count_in_month(db.session.get(Fund, payment.fund_id), payment.paid_on, -payment.amount)
    db.session.flush()
    vouchers.draft_reversal(reversal, payment, actor=actor)
    db.session.refresh(payment, ["reversal"])
    if payment.case is not None:
        advance(payment.case, "reverse", actor=actor, note=reason)
    else:
        record(
            "checkup.reverse",
            actor=actor,
            object_type="payment",
            object_id=payment.id,
            unit_id=loaders.payment_unit(payment),
            details={"reason": reason},
        )
    return reversal
