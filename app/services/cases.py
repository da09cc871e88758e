"""Aid cases from application to payment, and model workers' check-up allowances.

Every state change goes through :data:`TRANSITIONS`; money moves only through the
ledger (approval commits, payment posts, rejection/cancellation/closing release,
红冲 reverses); four eyes apply to deciding and paying; yearly ceilings are checked
at approval and payment. Each step writes the case's timeline and the audit log.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models.cases import (
    AID_TYPES,
    CASE_STATUSES,
    PAYMENT_METHODS,
    Campaign,
    Case,
    CaseEvent,
    Payment,
    PaymentMonth,
    PaymentReversal,
)
from app.models.ledger import Fund, Transfer
from app.models.registry import CLOSED, ModelWorker, Worker
from app.models.types import utcnow
from app.money import ZERO, InvalidAmount, format_yuan, to_money, to_positive_money
from app.services import aid, ledger, policy
from app.services.audit import Actor, record
from app.services.errors import DomainError, FundOverdrawn, InvalidInput, NotFound, ValidationFailed
from app.services.four_eyes import ensure_different
from app.services.inputs import clean_text

HARDSHIP_AID = "hardship_aid"
CHECKUP = "model_worker_checkup"
#: 张工字[2006]34号: 500 yuan per provincial/ministerial model worker a year, unless set otherwise.
DEFAULT_CHECKUP_ALLOWANCE = Decimal("500.00")


class WrongState(DomainError):
    """The case is not in a state that allows this step."""


class CeilingExceeded(DomainError):
    """The amount would pass a yearly ceiling."""


class DuplicateVoucher(DomainError):
    """The voucher number is already used in this fiscal year."""


class IdempotencyMismatch(InvalidInput):
    """The idempotency key was used before with a different request."""


class NotEntitled(DomainError):
    """The model worker is not entitled to the check-up allowance (or not again)."""


#: (from status, action) -> new status. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "submitted",  # or "notice" when the year has a notice period
    ("draft", "cancel"): "cancelled",
    ("submitted", "cancel"): "cancelled",
    ("submitted", "approve"): "approved",
    ("submitted", "reject"): "rejected",
    ("notice", "object"): "submitted",  # an objection sends the case back for review
    ("notice", "approve"): "approved",  # once the notice period is over
    ("notice", "reject"): "rejected",
    ("approved", "pay"): "approved",  # "paid" once the approved amount is paid
    ("approved", "close"): "closed",  # the rest of the commitment is released
    ("paid", "reverse"): "approved",
    ("approved", "reverse"): "approved",
    ("paid", "close"): "closed",
    # A wrong payment found after closing is still reversed (红冲): the case opens again
    # with the amount committed to it, to be paid correctly or closed (released) again.
    ("closed", "reverse"): "approved",
}
ACTION_LABELS = {
    "create": _l("be created"),
    "submit": _l("be submitted"),
    "cancel": _l("be cancelled"),
    "approve": _l("be approved"),
    "reject": _l("be rejected"),
    "object": _l("receive an objection"),
    "pay": _l("be paid"),
    "reverse": _l("have a payment reversed"),
    "close": _l("be closed"),
}


def _advance(case: Case, action: str, *, actor: Actor, note: str = "", to: str | None = None) -> None:
    target = TRANSITIONS.get((case.status, action))
    if target is None:
        raise WrongState(
            _(
                "A case that is “%(status)s” cannot %(action)s.",
                status=CASE_STATUSES[case.status],
                action=ACTION_LABELS[action],
            )
        )
    previous = case.status
    case.status = to or target
    db.session.add(
        CaseEvent(
            case_id=case.id,
            actor_id=actor.user_id,
            actor_name=actor.name,
            action=action,
            from_status=previous,
            to_status=case.status,
            note=note[:2000],
        )
    )
    db.session.flush()
    record(
        f"case.{action}",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_id=case.unit_id,
        details={"old": {"status": previous}, "new": {"status": case.status}, "note": note[:500]},
    )


def _text(value: str, limit: int) -> str:
    return clean_text(value, limit, multiline=True)


def open_case(
    worker: Worker, *, fund: Fund, aid_type: str, amount: object, reason: str, actor: Actor
) -> Case:
    """A new application in draft. Only service-only aid (legal aid, training, job
    referral) may ask for no money (0.00): the rule is app/services/aid.py's."""
    errors: dict[str, list[str]] = {}
    if aid_type not in AID_TYPES:
        errors["aid_type"] = [_("Choose the form of aid.")]
    try:
        requested = aid.requested_amount(amount, aid_type)
    except InvalidAmount as refused:
        requested = ZERO
        errors["amount"] = [refused.explain()]
    reason = _text(reason, 4000)
    if not reason:
        errors["reason"] = [_("Write the reason for the application.")]
    if fund.purpose != HARDSHIP_AID:
        errors["fund_code"] = [_("Aid cases are paid from the hardship-worker assistance fund.")]
    if errors:
        raise ValidationFailed(errors)
    if worker.status == CLOSED:
        raise WrongState(_("The worker's file is closed."))
    if fund.unit_id != worker.unit_id and worker.unit.parent_id != fund.unit_id:
        raise InvalidInput(_("The fund belongs to another union unit."), field="fund_code")
    case = Case(
        worker_id=worker.id,
        fund_id=fund.id,
        unit_id=worker.unit_id,
        year=fund.year,
        aid_type=aid_type,
        requested_amount=requested,
        reason=reason,
        status="draft",
        created_by_id=actor.user_id,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        CaseEvent(
            case_id=case.id,
            actor_id=actor.user_id,
            actor_name=actor.name,
            action="create",
            from_status=None,
            to_status="draft",
            note="",
        )
    )
    record(
        "case.create",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_id=case.unit_id,
        details={
            "new": {"worker": worker.id, "fund": fund.code, "aid_type": aid_type, "requested": str(requested)}
        },
    )
    return case


def submit(case: Case, *, actor: Actor, today: date | None = None) -> None:
    """Submit; with a notice period for the year the case goes on public notice (公示)."""
    today = today or date.today()
    days = policy.get_value(case.year, "notice_days", case.worker.unit) or 0
    if days:
        case.notice_start = today
        case.notice_end = today + timedelta(days=int(days))  # type: ignore[call-overload]
        _advance(
            case,
            "submit",
            actor=actor,
            to="notice",
            note=_("On public notice until %(day)s.", day=case.notice_end.isoformat()),
        )
    else:
        _advance(case, "submit", actor=actor)


def raise_objection(case: Case, *, note: str, actor: Actor) -> None:
    """Record an objection raised during the notice; the case goes back for review."""
    note = _text(note, 2000)
    if not note:
        raise InvalidInput(_("Write what the objection is."), field="note")
    _advance(case, "object", actor=actor, note=note)


def cancel(case: Case, *, reason: str, actor: Actor) -> None:
    _advance(case, "cancel", actor=actor, note=_text(reason, 2000))


def _decision_checks(case: Case, actor: Actor, today: date) -> None:
    for rule, earlier in (
        ("approve_own_case", case.created_by_id),
        ("approve_own_registration", case.worker.created_by_id),
    ):
        ensure_different(
            rule,
            actor=actor,
            earlier_user_id=earlier,
            unit_id=case.unit_id,
            object_type="case",
            object_id=case.id,
        )
    if case.status == "notice" and case.notice_end is not None and today <= case.notice_end:
        raise WrongState(
            _(
                "The case is on public notice until %(day)s; decide after that.",
                day=case.notice_end.isoformat(),
            )
        )


def _year_total(worker_id: int, year: int, aid_type: str | None, exclude_case: int | None) -> Decimal:
    """What the household has been granted this year: approved amounts of live cases."""
    query = select(func.sum(Case.approved_amount)).where(
        Case.worker_id == worker_id, Case.year == year, Case.status.in_(("approved", "paid", "closed"))
    )
    if aid_type is not None:
        query = query.where(Case.aid_type == aid_type)
    if exclude_case is not None:
        query = query.where(Case.id != exclude_case)
    return db.session.execute(query).scalar_one() or ZERO


def _check_ceilings(case: Case, amount: Decimal) -> None:
    unit = case.worker.unit
    checks = [("household_ceiling", None), (f"ceiling_{case.aid_type}", case.aid_type)]
    for key, aid_type in checks:
        ceiling = policy.get_value(case.year, key, unit)
        if ceiling is None:
            continue
        granted = _year_total(case.worker_id, case.year, aid_type, case.id)
        if granted + amount > ceiling:  # type: ignore[operator]
            raise CeilingExceeded(
                _(
                    "This would pass the ceiling “%(name)s” of %(ceiling)s:"
                    " %(granted)s is already granted this year.",
                    name=policy.KEYS[key].label,
                    ceiling=format_yuan(ceiling),  # type: ignore[arg-type]
                    granted=format_yuan(granted),
                ),
                field="amount",
            )


def approve(
    case: Case, *, amount: object | None = None, note: str = "", actor: Actor, today: date | None = None
) -> None:
    """Approve (at most the requested amount); the amount is committed against the fund.

    Raises FourEyesViolation, WrongState, CeilingExceeded, ledger.FundOverdrawn.
    """
    today = today or date.today()
    if (case.status, "approve") not in TRANSITIONS:
        _advance(case, "approve", actor=actor)  # raises WrongState with the message
    _decision_checks(case, actor, today)
    try:
        value: Decimal | None = case.requested_amount if amount is None else to_money(amount)
    except InvalidAmount:
        value = None  # not money at all: refused below like any amount out of range
    if value is None or value < ZERO or value > case.requested_amount:
        raise InvalidInput(
            _(
                "The approved amount must be between 0 and the requested %(requested)s.",
                requested=format_yuan(case.requested_amount),
            ),
            field="amount",
        )
    _check_ceilings(case, value)
    if value > ZERO:
        case.commitment_id = ledger.commit(
            case.fund, value, memo=_("Case %(id)s", id=case.id), actor=actor
        ).id
    case.approved_amount = value
    case.decided_by_id = actor.user_id
    case.decided_at = utcnow()
    case.decision_reason = _text(note, 2000)
    worker = case.worker
    case.frozen_category = worker.category
    case.frozen_household_income = worker.household_monthly_income
    case.frozen_household_size = worker.household_size
    case.frozen_line = policy.get_value(case.year, "minimum_living_line", worker.unit)  # type: ignore[assignment]
    _advance(case, "approve", actor=actor, note=_("Approved %(amount)s.", amount=format_yuan(value)))


def reject(case: Case, *, reason: str, actor: Actor, today: date | None = None) -> None:
    reason = _text(reason, 2000)
    if not reason:
        raise InvalidInput(_("Write why the application is rejected."), field="reason")
    if (case.status, "reject") not in TRANSITIONS:
        _advance(case, "reject", actor=actor)
    _decision_checks(case, actor, today or date.today())
    case.decided_by_id = actor.user_id
    case.decision_reason = reason
    _advance(case, "reject", actor=actor, note=reason)


def paid_amount(case: Case) -> Decimal:
    """What has been paid on the case, net of reversals."""
    total = ZERO
    for payment in case.payments:
        if payment.reversal is None:
            total += payment.amount
    return total


def _request_digest(**fields: object) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def _replay(key: str | None, digest: str) -> Payment | None:
    if not key:
        return None
    earlier = db.session.execute(select(Payment).where(Payment.idempotency_key == key)).scalar_one_or_none()
    if earlier is not None and earlier.request_digest != digest:
        raise IdempotencyMismatch(_("This request key was already used for a different payment."))
    return earlier


def _payment_fields(
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


def _record_payment(
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
    """The payment record beside its ledger entry (one of case or model worker)."""
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
    _count_in_month(fund, paid_on, payment.amount)
    return payment


def _count_in_month(fund: Fund, paid_on: date, amount: Decimal) -> None:
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
    digest = _request_digest(
        case=case.id, amount=str(amount), voucher=voucher_no, paid_on=paid_on, method=method
    )
    earlier = _replay(idempotency_key, digest)
    if earlier is not None:
        return earlier
    if case.status != "approved":
        _advance(case, "pay", actor=actor)  # raises WrongState
    ensure_different(
        "pay_own_approval",
        actor=actor,
        earlier_user_id=case.decided_by_id,
        unit_id=case.unit_id,
        object_type="case",
        object_id=case.id,
    )
    value, voucher = _payment_fields(amount, voucher_no, paid_on, method, case.year)
    if case.commitment is None:
        raise WrongState(_("Nothing was approved to pay on this case."))
    transfer = ledger.pay(
        case.commitment, value, memo=_("Case %(id)s, voucher %(no)s", id=case.id, no=voucher), actor=actor
    )
    payment = _record_payment(
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
    _advance(
        case,
        "pay",
        actor=actor,
        to="paid" if fully else "approved",
        note=_("Paid %(amount)s, voucher %(no)s.", amount=format_yuan(value), no=voucher),
    )
    return payment


def reverse_payment(payment: Payment, *, reason: str, actor: Actor) -> PaymentReversal:
    """红冲: undo a wrong payment with its own ledger entry; the payment stays on record.
    The amount goes back to the case's commitment; a closed case is open again."""
    reason = _text(reason, 2000)
    if not reason:
        raise InvalidInput(_("Write why the payment is reversed."), field="reason")
    if payment.reversal is not None:
        raise WrongState(_("This payment has already been reversed."))
    transfer = ledger.reverse(payment.transfer, memo=_("Reversal: %(reason)s", reason=reason), actor=actor)
    reversal = PaymentReversal(
        payment_id=payment.id, transfer_id=transfer.id, reason=reason, created_by_id=actor.user_id
    )
    db.session.add(reversal)
    _count_in_month(db.session.get(Fund, payment.fund_id), payment.paid_on, -payment.amount)
    db.session.flush()
    db.session.refresh(payment, ["reversal"])
    if payment.case is not None:
        _advance(payment.case, "reverse", actor=actor, note=reason)
    else:
        record(
            "checkup.reverse",
            actor=actor,
            object_type="payment",
            object_id=payment.id,
            details={"reason": reason},
        )
    return reversal


def close(case: Case, *, note: str = "", actor: Actor) -> None:
    """Close an approved or paid case; whatever is still committed is released."""
    if (case.status, "close") not in TRANSITIONS:
        _advance(case, "close", actor=actor)
    if case.commitment is not None:
        ledger.release(case.commitment, memo=_("Case %(id)s closed", id=case.id), actor=actor)
    _advance(case, "close", actor=actor, note=_text(note, 2000))


#: The statuses that wait for each permission's holder.
WAITING_FOR = {
    "cases.create": ("draft",),
    "cases.decide": ("submitted", "notice"),
    "payments.make": ("approved",),
}


def waiting_for(permissions: set[str], unit_ids: list[int] | None, limit: int = 20) -> list[Case]:
    """Cases whose next step someone with these permissions takes, oldest first."""
    statuses = {s for permission, group in WAITING_FOR.items() if permission in permissions for s in group}
    if not statuses:
        return []
    query = select(Case).where(Case.status.in_(statuses)).order_by(Case.id).limit(limit)
    if unit_ids is not None:
        query = query.where(Case.unit_id.in_(unit_ids))
    return list(db.session.execute(query).scalars())


def recent_payments(unit_ids: list[int] | None, limit: int = 10) -> list[Payment]:
    query = select(Payment).order_by(Payment.id.desc()).limit(limit)
    if unit_ids is not None:
        query = query.join(Fund, Fund.id == Payment.fund_id).where(Fund.unit_id.in_(unit_ids))
    return list(db.session.execute(query).scalars())


def get_case(case_id: int, unit_ids: list[int] | None) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or (unit_ids is not None and case.unit_id not in unit_ids):
        raise NotFound(_("No such case."))
    return case


# --- Model-worker check-ups ---------------------------------------------------------


@dataclass(frozen=True)
class CheckupStatus:
    allowance: Decimal
    entitled_places: int  # how many workers the budget covers
    paid_workers: int


def checkup_status(fund: Fund) -> CheckupStatus:
    allowance = policy.get_value(fund.year, "checkup_allowance", fund.unit) or DEFAULT_CHECKUP_ALLOWANCE
    budget = ledger.balance(fund).budget
    places = int(budget // allowance)  # type: ignore[operator]
    return CheckupStatus(
        allowance=allowance,
        entitled_places=places,  # type: ignore[arg-type]
        paid_workers=len(_paid_checkup_workers(fund)),
    )


def _paid_checkup_workers(fund: Fund) -> set[int]:
    rows = db.session.execute(
        select(Payment.model_worker_id)
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.fund_id == fund.id, Payment.model_worker_id.is_not(None), PaymentReversal.id.is_(None))
    ).scalars()
    return set(rows)


def pay_checkup(
    model_worker: ModelWorker,
    *,
    fund: Fund,
    amount: object,
    voucher_no: str,
    paid_on: date,
    method: str = "cash",
    actor: Actor,
    idempotency_key: str | None = None,
) -> Payment:
    """Pay a model worker's yearly check-up allowance from the check-up fund: at most the
    allowance, once a year, only provincial level and up, no more people than the budget covers."""
    digest = _request_digest(
        model_worker=model_worker.id, amount=str(amount), voucher=voucher_no, paid_on=paid_on, method=method
    )
    earlier = _replay(idempotency_key, digest)
    if earlier is not None:
        return earlier
    if fund.purpose != CHECKUP:
        raise InvalidInput(
            _("Check-up allowances are paid from the model-worker check-up fund."), field="fund_code"
        )
    ledger.lock_fund(fund.id)  # one check-up payment at a time per fund: the counts below hold
    if not model_worker.entitled_to_check_up:
        raise NotEntitled(
            _("Only national and provincial/ministerial model workers are entitled to the check-up.")
        )
    status = checkup_status(fund)
    value, voucher = _payment_fields(amount, voucher_no, paid_on, method, fund.year)
    if value > status.allowance:
        raise CeilingExceeded(
            _("The check-up allowance is at most %(limit)s a person.", limit=format_yuan(status.allowance)),
            field="amount",
        )
    paid = _paid_checkup_workers(fund)
    if model_worker.id in paid:
        raise NotEntitled(_("This model worker's check-up for %(year)s is already paid.", year=fund.year))
    if len(paid) >= status.entitled_places:
        raise CeilingExceeded(
            _("The budget covers %(n)s model workers, and all of them are paid.", n=status.entitled_places)
        )
    transfer: Transfer = ledger.pay_direct(
        fund, value, memo=_("Check-up, voucher %(no)s", no=voucher), actor=actor
    )
    payment = _record_payment(
        transfer,
        fund=fund,
        model_worker_id=model_worker.id,
        paid_on=paid_on,
        method=method,
        voucher=voucher,
        idempotency_key=idempotency_key,
        digest=digest,
        actor=actor,
    )
    record(
        "checkup.pay",
        actor=actor,
        object_type="payment",
        object_id=payment.id,
        unit_id=fund.unit_id,
        details={"model_worker": model_worker.id, "amount": str(value), "voucher": voucher},
    )
    return payment


# --- Send-warmth campaigns ------------------------------------------------------------


def plan_campaign(
    *,
    fund: Fund,
    name: str,
    amount_each: object,
    actor: Actor,
    unit_ids: list[int] | None,
    category: int | None = None,
    worker_status: str = "on_file",
) -> Campaign:
    """Choose households by filter and give each a case for the fixed sum, submitted together."""
    errors: dict[str, list[str]] = {}
    name = _text(name, 200)
    if not name:
        errors["name"] = [_("Name the campaign, e.g. 2015年元旦春节送温暖.")]
    try:
        amount = to_positive_money(amount_each)
    except InvalidAmount:
        amount = ZERO
        errors["amount_each"] = [_("Enter an amount greater than zero with at most two decimals.")]
    if fund.purpose != HARDSHIP_AID:
        errors["fund_code"] = [_("Aid cases are paid from the hardship-worker assistance fund.")]
    if errors:
        raise ValidationFailed(errors)
    query = select(Worker).where(Worker.status == worker_status).order_by(Worker.name_pinyin, Worker.id)
    if category is not None:
        query = query.where(Worker.category == category)
    if unit_ids is not None:
        query = query.where(Worker.unit_id.in_(unit_ids))
    workers = list(db.session.execute(query).scalars())
    if not workers:
        raise InvalidInput(_("No household matches the filter."), field="category")
    criteria = json.dumps({"category": category, "status": worker_status}, ensure_ascii=False)
    campaign = Campaign(
        fund_id=fund.id,
        unit_id=fund.unit_id,
        year=fund.year,
        name=name,
        amount_each=amount,
        criteria=criteria,
        status="draft",
        created_by_id=actor.user_id,
    )
    db.session.add(campaign)
    db.session.flush()
    for worker in workers:
        case = open_case(worker, fund=fund, aid_type="living", amount=amount, reason=name, actor=actor)
        case.campaign_id = campaign.id
        _advance(case, "submit", actor=actor, note=name)
    record(
        "campaign.plan",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        unit_id=fund.unit_id,
        details={"new": {"name": name, "amount_each": str(amount), "households": len(workers)}},
    )
    return campaign


def approve_campaign(campaign: Campaign, *, actor: Actor, today: date | None = None) -> None:
    """One approval for the batch, all or nothing: every case is approved and committed,
    or (on the first one the fund or a ceiling cannot bear) none is."""
    if campaign.status != "draft":
        raise WrongState(_("Only a campaign in preparation can be approved."))
    ensure_different(
        "approve_own_case",
        actor=actor,
        earlier_user_id=campaign.created_by_id,
        unit_id=campaign.unit_id,
        object_type="campaign",
        object_id=campaign.id,
    )
    live = [c for c in campaign.cases if c.status == "submitted"]
    total = campaign.amount_each * len(live)
    available = ledger.balance(campaign.fund).available
    if total > available:
        raise FundOverdrawn(
            _(
                "The campaign needs %(total)s for %(n)s households,"
                " but the fund has only %(available)s available.",
                total=format_yuan(total),
                n=len(live),
                available=format_yuan(available),
            ),
        )
    for case in live:
        try:
            approve(case, actor=actor, note=campaign.name, today=today)
        except CeilingExceeded as error:
            raise CeilingExceeded(
                _("%(name)s: %(error)s", name=case.worker.name, error=error.message)
            ) from error
    campaign.status = "approved"
    campaign.approved_by_id = actor.user_id
    record(
        "campaign.approve",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        unit_id=campaign.unit_id,
        details={"households": len(live), "total": str(total)},
    )


def cancel_campaign(campaign: Campaign, *, actor: Actor) -> None:
    if campaign.status != "draft":
        raise WrongState(_("Only a campaign in preparation can be cancelled."))
    for case in campaign.cases:
        if case.status == "submitted":
            cancel(case, reason=_("Campaign cancelled"), actor=actor)
    campaign.status = "cancelled"
    record(
        "campaign.cancel",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        unit_id=campaign.unit_id,
    )
