"""省部级劳模体检费: the model workers' yearly check-up allowance.

Paid from the check-up fund of the model worker's own unit (or the nearest unit above
it that has one), at most the allowance, once per person per year whichever fund paid
it, only to national and provincial/ministerial model workers, and to no more people
than the fund's budget covers (46 × 500.00 in the 2015 budget). The model worker is
locked first, then the fund, so simultaneous payments for one person pay once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models.cases import Payment, PaymentReversal
from app.models.ledger import Fund, Transfer
from app.models.registry import ModelWorker
from app.money import format_yuan
from app.services import ledger, loaders, periods, policy
from app.services.audit import Actor, record
from app.services.cases.payments import payment_fields, record_payment, replay, request_digest
from app.services.cases.workflow import CHECKUP, CeilingExceeded
from app.services.errors import DomainError, InvalidInput
from app.services.scope import ancestors

#: 张工字[2006]34号: 500 yuan per provincial/ministerial model worker a year, unless set otherwise.
DEFAULT_CHECKUP_ALLOWANCE = Decimal("500.00")


class NotEntitled(DomainError):
    """The model worker is not entitled to the check-up allowance (or not again)."""


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
        allowance=allowance,  # type: ignore[arg-type]
        entitled_places=places,
        paid_workers=_paid_from(fund),
    )


def checkup_fund(model_worker: ModelWorker, year: int, actor: Actor) -> Fund:
    """The check-up fund that pays ``model_worker`` in ``year``: the one of the model
    worker's unit, or of the nearest unit above it, that ``actor`` may touch."""
    chain = ancestors(model_worker.unit)
    found = {
        fund.unit_id: fund
        for fund in db.session.execute(
            select(Fund).where(
                Fund.purpose == CHECKUP, Fund.year == year, Fund.unit_id.in_([unit.id for unit in chain])
            )
        ).scalars()
    }
    for unit in chain:
        fund = found.get(unit.id)
        if fund is not None and actor.scope.allows(fund.unit_id):
            return fund
    raise InvalidInput(
        _("No check-up fund of %(year)s covers this model worker's union unit.", year=year), field="paid_on"
    )


def _paid_from(fund: Fund) -> int:
    """How many people the fund has paid a check-up (reversed payments left out)."""
    return db.session.execute(
        select(func.count(func.distinct(Payment.model_worker_id)))
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.fund_id == fund.id, Payment.model_worker_id.is_not(None), PaymentReversal.id.is_(None))
    ).scalar_one()


def paid_this_year(model_worker_id: int, year: int) -> bool:
    """Whether the person's check-up of ``year`` is paid, from any fund."""
    return (
        db.session.execute(
            select(Payment.id)
            .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
            .where(
                Payment.model_worker_id == model_worker_id, Payment.year == year, PaymentReversal.id.is_(None)
            )
        ).first()
        is not None
    )


def pay_checkup(
    model_worker: ModelWorker,
    *,
    amount: object,
    voucher_no: str,
    paid_on: date,
    fund: Fund | None = None,
    method: str = "cash",
    actor: Actor,
    idempotency_key: str | None = None,
) -> Payment:
    """Pay a model worker's yearly check-up allowance from their unit's check-up fund of
    the year of ``paid_on`` (``fund``, when given, must be that fund)."""
    digest = request_digest(
        model_worker=model_worker.id, amount=str(amount), voucher=voucher_no, paid_on=paid_on, method=method
    )
    loaders.model_worker(model_worker.id, actor, lock=True)  # one payment per person at a time
    earlier = replay(idempotency_key, digest)
    if earlier is not None:
        return earlier
    own = checkup_fund(model_worker, paid_on.year if fund is None else fund.year, actor)
    if fund is not None and fund.id != own.id:
        raise InvalidInput(
            _("Check-up allowances are paid from the model-worker check-up fund of the worker's own unit."),
            field="fund_code",
        )
    fund = ledger.lock_fund(own.id)  # one check-up payment at a time per fund: the counts below hold
    if not model_worker.entitled_to_check_up:
        raise NotEntitled(
            _("Only national and provincial/ministerial model workers are entitled to the check-up.")
        )
    status = checkup_status(fund)
    value, voucher = payment_fields(amount, voucher_no, paid_on, method, fund.year)
    periods.require_open(fund, paid_on, field="paid_on")  # the ledger asks again; this names the date
    if value > status.allowance:
        raise CeilingExceeded(
            _("The check-up allowance is at most %(limit)s a person.", limit=format_yuan(status.allowance)),
            field="amount",
        )
    if paid_this_year(model_worker.id, fund.year):
        raise NotEntitled(_("This model worker's check-up for %(year)s is already paid.", year=fund.year))
    if status.paid_workers >= status.entitled_places:
        raise CeilingExceeded(
            _("The budget covers %(n)s model workers, and all of them are paid.", n=status.entitled_places)
        )
    transfer: Transfer = ledger.pay_direct(
        fund, value, memo=_("Check-up, voucher %(no)s", no=voucher), actor=actor, on=paid_on
    )
    payment = record_payment(
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
        unit_id=model_worker.unit_id,
        details={"model_worker": model_worker.id, "amount": str(value), "voucher": voucher},
    )
    return payment


@dataclass(frozen=True)
class CheckupGroup:
    """One check-up fund of a year, with the model workers it pays and what each was paid."""

    fund: Fund
    status: CheckupStatus
    workers: list[ModelWorker]
    paid: dict[int, Payment]


def roster(actor: Actor, year: int) -> tuple[list[CheckupGroup], list[ModelWorker]]:
    """The year's check-up funds in the actor's units, each with the model workers it
    pays; and the model workers no fund of the year covers."""
    workers = list(
        db.session.execute(
            select(ModelWorker)
            .where(actor.scope.where(ModelWorker.unit_id))
            .order_by(ModelWorker.name_pinyin)
        ).scalars()
    )
    paid = {
        payment.model_worker_id: payment
        for payment in db.session.execute(
            select(Payment)
            .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
            .where(Payment.year == year, Payment.model_worker_id.is_not(None), PaymentReversal.id.is_(None))
        ).scalars()
    }
    groups: dict[int, CheckupGroup] = {}
    uncovered: list[ModelWorker] = []
    for worker in workers:
        try:
            fund = checkup_fund(worker, year, actor)
        except InvalidInput:
            uncovered.append(worker)
            continue
        if fund.id not in groups:
            groups[fund.id] = CheckupGroup(fund, checkup_status(fund), [], {})
        groups[fund.id].workers.append(worker)
        if worker.id in paid:
            groups[fund.id].paid[worker.id] = paid[worker.id]
    return sorted(groups.values(), key=lambda group: group.fund.unit.code), uncovered
