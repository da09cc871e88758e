"""Papers to print and sign: the 领款凭证 of a cash payment, the 公示 list of the cases on
public notice, and a campaign's 发放花名册. Each is plain data built from the records within
the actor's units (another unit's object is :class:`NotFound`); the pages only lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models.cases import AID_TYPES, Campaign, Case, Payment
from app.models.decisions import CaseObjection
from app.models.ledger import Fund
from app.models.org import Unit
from app.money import ZERO
from app.services import loaders, policy
from app.services.audit import Actor
from app.services.eligibility import CATEGORIES, CAUSES
from app.services.errors import NotFound
from app.services.registry.files import masked_id


@dataclass(frozen=True)
class Voucher:
    """领款凭证: one cash payment, to be signed by the payee on receipt."""

    payment: Payment
    fund: Fund
    unit: Unit
    payee: str
    payee_id: str
    employer: str
    purpose: str
    amount: Decimal
    reversed: bool


def voucher(payment_id: object, actor: Actor) -> Voucher:
    """The voucher of a cash payment; a bank transfer has none (:class:`NotFound`)."""
    payment = loaders.payment(payment_id, actor)
    if payment.method != "cash":
        raise NotFound(_("Only a cash payment has a receipt voucher."))
    if payment.case is not None:
        person = payment.case.worker
        purpose = f"{AID_TYPES[payment.case.aid_type]}：{payment.case.reason}"
        employer = person.employer
    else:
        person = payment.model_worker  # type: ignore[assignment]
        purpose = _("Model-worker check-up allowance")
        employer = person.employer
    fund = db.session.get(Fund, payment.fund_id)
    assert fund is not None  # a payment's fund is a foreign key
    return Voucher(
        payment=payment,
        fund=fund,
        unit=fund.unit,  # the unit that pays
        payee=person.name,
        payee_id=masked_id(person),
        employer=employer,
        purpose=purpose,
        amount=payment.amount,
        reversed=payment.reversal is not None,
    )


@dataclass(frozen=True)
class NoticeLine:
    case: Case
    name: str
    employer: str
    category: str
    cause: str
    aid_type: str
    amount: Decimal
    objections: int = 0  # 公示异议 received so far


@dataclass(frozen=True)
class NoticeList:
    """公示名单: who is proposed for aid, why, and where to object, for the period stated."""

    unit_name: str
    year: int
    lines: list[NoticeLine]
    start: date | None
    end: date | None
    phone: str | None


def notice_list(actor: Actor, year: int, unit_id: int | None) -> NoticeList:
    """The cases of ``year`` now on public notice in the actor's units, by the end of their period.
    ``unit_id`` is whose supervision phone and name head the list (the actor's own unit)."""
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    query = (
        select(Case)
        .where(actor.scope.where(Case.unit_id), Case.year == year, Case.status == "notice")
        .order_by(Case.notice_end, Case.id)
    )
    cases = list(db.session.execute(query).scalars())
    counted = select(CaseObjection.case_id, func.count()).where(
        CaseObjection.case_id.in_([c.id for c in cases])
    )
    objections = dict(db.session.execute(counted.group_by(CaseObjection.case_id)).tuples().all())
    lines = [
        NoticeLine(
            case=c,
            name=c.worker.name,
            employer=c.worker.employer,
            category=str(CATEGORIES.get(c.frozen_category or c.worker.category, "")),
            cause=str(CAUSES.get(c.worker.main_cause, c.worker.main_cause)),
            aid_type=str(AID_TYPES[c.aid_type]),
            amount=c.requested_amount,
            objections=objections.get(c.id, 0),
        )
        for c in cases
    ]
    starts = [c.notice_start for c in cases if c.notice_start]
    ends = [c.notice_end for c in cases if c.notice_end]
    head = unit or (cases[0].worker.unit if cases else None)
    phone = policy.get_value(year, "supervision_phone", head)
    return NoticeList(
        unit_name=head.name if head else "",
        year=year,
        lines=lines,
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        phone=str(phone) if phone else None,
    )


@dataclass(frozen=True)
class RosterLine:
    case: Case
    name: str
    masked_id: str
    employer: str
    amount: Decimal


@dataclass(frozen=True)
class Roster:
    """发放花名册: the campaign's households, to be signed for one by one."""

    campaign: Campaign
    unit: Unit
    lines: list[RosterLine]
    total: Decimal


def roster(campaign_id: object, actor: Actor) -> Roster:
    campaign = loaders.campaign(campaign_id, actor)
    lines = [
        RosterLine(
            case=c,
            name=c.worker.name,
            masked_id=masked_id(c.worker),
            employer=c.worker.employer,
            amount=c.approved_amount if c.approved_amount is not None else c.requested_amount,
        )
        for c in campaign.cases
        if c.status != "cancelled"
    ]
    return Roster(
        campaign=campaign,
        unit=db.session.get(Unit, campaign.unit_id),  # type: ignore[arg-type]
        lines=lines,
        total=sum((line.amount for line in lines), ZERO),
    )
