"""The case's state machine: open, submit, notice and objection, decide, cancel, close.

Every state change goes through :data:`TRANSITIONS`, on a case loaded under its row
lock (:func:`locked`) so the state checked is the state changed; money moves only
through the ledger (approval commits, closing releases); four eyes apply to deciding;
yearly ceilings are checked at approval. Each step writes the case's timeline and the
audit log.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models.batches import PaymentBatchLine
from app.models.cases import AID_TYPES, CASE_STATUSES, Case, CaseEvent
from app.models.ledger import Fund
from app.models.registry import Worker
from app.models.types import utcnow
from app.models.year_end import YearEndChoice
from app.money import ZERO, InvalidAmount, format_yuan, to_money
from app.services import aid, ledger, loaders, policy
from app.services.audit import Actor, record
from app.services.cases import caps, decisions
from app.services.cases.caps import CeilingExceeded
from app.services.errors import DomainError, InvalidInput, ValidationFailed
from app.services.four_eyes import ensure_different
from app.services.inputs import clean_text
from app.services.registry import episodes
from app.services.scope import ancestors

HARDSHIP_AID = "hardship_aid"
CHECKUP = "model_worker_checkup"


class WrongState(DomainError):
    """The case is not in a state that allows this step."""


#: (from status, action) -> new status. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "submitted",  # or "notice" when the year has a notice period
    ("draft", "cancel"): "cancelled",
    ("submitted", "cancel"): "cancelled",
    ("submitted", "approve"): "approved",
    ("submitted", "reject"): "rejected",
    # An objection (公示异议) is recorded on the case, which stays on notice: the decision
    # waits until it is settled (app/services/cases/objections.py).
    ("notice", "object"): "notice",
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


def locked(case: Case, actor: Actor) -> Case:
    """The case again, under its row lock and with fresh values (the same object):
    every state change starts here, so a second simultaneous request for the same step
    sees the first one's result. Another unit's case is :class:`NotFound`."""
    return loaders.case(case.id, actor, lock=True)


def require_step(case: Case, action: str) -> str:
    """The state ``action`` leads to; :class:`WrongState` if the case's state forbids it."""
    target = TRANSITIONS.get((case.status, action))
    if target is None:
        raise WrongState(
            _(
                "A case that is “%(status)s” cannot %(action)s.",
                status=CASE_STATUSES[case.status],
                action=ACTION_LABELS[action],
            )
        )
    return target


def advance(case: Case, action: str, *, actor: Actor, note: str = "", to: str | None = None) -> None:
    """Move the (locked) case by ``action``: its timeline and the audit log say so."""
    target = require_step(case, action)
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
    worker: Worker,
    *,
    fund: Fund,
    aid_type: str,
    amount: object,
    reason: str,
    actor: Actor,
    out_of_pocket: object | None = None,
) -> Case:
    """A new application in draft. Only service-only aid (legal aid, training, job
    referral) may ask for no money (0.00): the rule is app/services/aid.py's. A medical
    case carries the patient's out-of-pocket amount (自付) from the evidence: a door that
    asks for it passes what was typed, and empty is refused for medical aid; ``None`` is a
    door that does not ask for it yet (the API), and the case then has no medical cap. The
    amount asked for is held to the caps (app/services/cases/caps.py).
    Raises ValidationFailed, CapExceeded."""
    errors: dict[str, list[str]] = {}
    own_share: Decimal | None = None
    if out_of_pocket is not None and str(out_of_pocket).strip() == "" and aid_type == caps.MEDICAL:
        errors["out_of_pocket"] = [_("Enter the patient's out-of-pocket amount from the evidence.")]
    elif out_of_pocket is not None and str(out_of_pocket).strip() != "":
        try:
            own_share = to_money(out_of_pocket)
            if own_share <= ZERO:
                raise InvalidAmount("not positive", None)
        except InvalidAmount as refused:
            errors["out_of_pocket"] = [refused.explain(_("Enter the out-of-pocket amount, such as 1200.00."))]
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
    if not actor.scope.allows(worker.unit_id) or not actor.scope.allows(fund.unit_id):
        raise InvalidInput(_("The fund belongs to another union unit."), field="fund_code")
    episodes.require_on_file(worker)
    if fund.unit_id not in {unit.id for unit in ancestors(worker.unit)}:
        raise InvalidInput(_("The fund belongs to another union unit."), field="fund_code")
    caps.check(worker=worker, year=fund.year, aid_type=aid_type, amount=requested, out_of_pocket=own_share)
    case = Case(
        worker_id=worker.id,
        fund_id=fund.id,
        unit_id=worker.unit_id,
        year=fund.year,
        aid_type=aid_type,
        requested_amount=requested,
        out_of_pocket=own_share if aid_type == caps.MEDICAL else None,
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
            "new": {
                "worker": worker.id,
                "fund": fund.code,
                "aid_type": aid_type,
                "requested": str(requested),
                **({"out_of_pocket": str(case.out_of_pocket)} if case.out_of_pocket is not None else {}),
            }
        },
    )
    return case


def submit(case: Case, *, actor: Actor, today: date | None = None, note: str = "") -> None:
    """Submit, with the caseworker's note if any; with a notice period for the year the
    case goes on public notice (公示)."""
    locked(case, actor)
    require_step(case, "submit")
    note = _text(note, 2000)
    today = today or date.today()
    days = policy.get_value(case.year, "notice_days", case.worker.unit) or 0
    if days:
        case.notice_start = today
        case.notice_end = today + timedelta(days=int(days))  # type: ignore[call-overload]
        notice = _("On public notice until %(day)s.", day=case.notice_end.isoformat())
        advance(case, "submit", actor=actor, to="notice", note=f"{note} {notice}" if note else notice)
    else:
        advance(case, "submit", actor=actor, note=note)


def cancel(case: Case, *, reason: str, actor: Actor) -> None:
    locked(case, actor)
    advance(case, "cancel", actor=actor, note=_text(reason, 2000))


def _decision_checks(case: Case, actor: Actor, today: date, *, approving: bool) -> None:
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
    decisions.ensure_steps_done(case, approving=approving)
    if case.status == "notice" and case.notice_end is not None and today <= case.notice_end:
        raise WrongState(
            _(
                "The case is on public notice until %(day)s; decide after that.",
                day=case.notice_end.isoformat(),
            )
        )


def _year_total(worker_id: int, year: int, aid_type: str | None, exclude_case: int | None) -> Decimal:
    """What the household has been granted this year: approved amounts of live cases. A case
    carried over from the year before (年终结转) was granted in that year, whose closed case
    still counts it: it is not counted again."""
    carried_in = select(YearEndChoice.next_case_id).where(YearEndChoice.next_case_id.is_not(None))
    live = Case.status.in_(("approved", "paid", "closed"))
    query = select(func.sum(Case.approved_amount)).where(
        Case.worker_id == worker_id, Case.year == year, live, Case.id.not_in(carried_in)
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
    locked(case, actor)
    require_step(case, "approve")
    _decision_checks(case, actor, today, approving=True)
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
    caps.check(
        worker=case.worker,
        year=case.year,
        aid_type=case.aid_type,
        amount=value,
        out_of_pocket=case.out_of_pocket,
        exclude_case=case.id,
    )
    if value > ZERO:
        case.commitment_id = ledger.commit(
            case.fund, value, case_id=case.id, memo=_("Case %(id)s", id=case.id), actor=actor
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
    advance(case, "approve", actor=actor, note=_("Approved %(amount)s.", amount=format_yuan(value)))


def reject(case: Case, *, reason: str, actor: Actor, today: date | None = None) -> None:
    locked(case, actor)
    reason = _text(reason, 2000)
    if not reason:
        raise InvalidInput(_("Write why the application is rejected."), field="reason")
    require_step(case, "reject")
    _decision_checks(case, actor, today or date.today(), approving=False)
    case.decided_by_id = actor.user_id
    case.decision_reason = reason
    advance(case, "reject", actor=actor, note=reason)


def in_open_batch(case: Case) -> bool:
    """Whether the case has a line in a payment batch the bank has not answered (draft,
    approved or sent): its money is on its way through the bank."""
    return (
        db.session.execute(
            select(PaymentBatchLine.id).where(
                PaymentBatchLine.case_id == case.id, PaymentBatchLine.status == "pending"
            )
        ).first()
        is not None
    )


def close(case: Case, *, note: str = "", actor: Actor) -> None:
    """Close an approved or paid case; whatever is still committed is released. A case in
    an open payment batch cannot be closed (WrongState) until the batch is cancelled or
    the bank has answered its line."""
    locked(case, actor)
    require_step(case, "close")
    if in_open_batch(case):
        raise WrongState(
            _(
                "This case is in an open payment batch: cancel the batch, or wait for the bank's answer,"
                " before closing it."
            )
        )
    if case.commitment is not None:
        ledger.release(case.commitment, memo=_("Case %(id)s closed", id=case.id), actor=actor)
    advance(case, "close", actor=actor, note=_text(note, 2000))
