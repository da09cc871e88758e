"""元旦春节送温暖: a campaign gives many households a fixed sum each, approved at once.

Planning opens and submits one case per household chosen by the filter (a campaign
line); approval commits every line or none; the campaign row is locked first, then its
lines in id order, then the fund, so two approvals of one campaign commit once.
"""

from __future__ import annotations

import json
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Campaign, Case
from app.models.ledger import Fund
from app.models.registry import Worker
from app.money import ZERO, InvalidAmount, format_yuan, to_positive_money
from app.services import ledger, loaders
from app.services.audit import Actor, record
from app.services.cases import decisions
from app.services.cases.workflow import (
    HARDSHIP_AID,
    CeilingExceeded,
    WrongState,
    advance,
    approve,
    cancel,
    open_case,
)
from app.services.errors import FundOverdrawn, InvalidInput, ValidationFailed
from app.services.four_eyes import ensure_different
from app.services.inputs import clean_text


def _text(value: str, limit: int) -> str:
    return clean_text(value, limit, multiline=True)


def _locked(campaign: Campaign, actor: Actor) -> Campaign:
    """The campaign under its row lock, then its lines (in id order), fresh."""
    loaders.campaign(campaign.id, actor, lock=True)
    db.session.execute(
        select(Case.id).where(Case.campaign_id == campaign.id).order_by(Case.id).with_for_update()
    ).all()
    db.session.refresh(campaign, ["cases"])
    return campaign


def plan_campaign(
    *,
    fund: Fund,
    name: str,
    amount_each: object,
    actor: Actor,
    unit_ids: list[int] | None = None,
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
    query = query.where(actor.scope.where(Worker.unit_id))
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
        advance(case, "submit", actor=actor, note=name)
    record(
        "campaign.plan",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        unit_id=fund.unit_id,
        details={"new": {"name": name, "amount_each": str(amount), "households": len(workers)}},
    )
    return campaign


def blocked_lines(campaign: Campaign) -> dict[int, list[str]]:
    """The campaign's submitted cases that cannot be approved yet, by case id, with what is
    missing (a required home investigation or democratic review,
    :func:`app.services.cases.decisions.missing`, the same rule as one case's approval)."""
    found = {case.id: decisions.missing(case) for case in campaign.cases if case.status == "submitted"}
    return {case_id: items for case_id, items in found.items() if items}


def approve_campaign(campaign: Campaign, *, actor: Actor, today: date | None = None) -> None:
    """One approval for the batch, all or nothing: every case is approved and committed,
    or none is. A household whose required steps (入户调查, 民主评议) are missing holds up
    the whole approval, and the refusal names every such household: the office records
    what is missing, or cancels that household's application, and approves again. The same
    holds for the first case the fund or a ceiling cannot bear.
    Raises StepMissing, FundOverdrawn, CeilingExceeded, WrongState, FourEyesViolation."""
    _locked(campaign, actor)
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
    blocked = blocked_lines(campaign)
    if blocked:
        named = {c.id: c.worker.name for c in live}
        raise decisions.StepMissing(
            _(
                "The campaign cannot be approved: %(n)s households miss a step required before a decision"
                " (record it, or cancel that household's application, then approve again): %(list)s",
                n=len(blocked),
                list="；".join(f"{named[case_id]}：{' '.join(items)}" for case_id, items in blocked.items()),
            )
        )
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
    _locked(campaign, actor)
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
