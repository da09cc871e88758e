"""年终结转: at the close of a fiscal year each open case (approved, money still committed)
is carried over or released, as the office chooses, one case or many at once.

Carried over: what is still committed on the case is released in its year's fund and
committed again in the next year's fund of the same code and unit, for a successor case
of the next year (approved for that amount, naming the case it continues); the case of
the closing year is closed. Both entries are in each year's ledger, and each year's
reconciliation sees only its own commitment: the closed case awaits nothing, the
successor awaits the carried amount.

Why a successor case rather than moving the case into the next year: a year's books, its
case lists, its reports and its audit package then hold only that year's figures — the
closing year's case keeps its approval and payments where they were made, and the next
year's case is where its remaining payments go.

Released: the commitment is released and the case closed with the reason given.

A choice for several cases is all or nothing (the step commits once); it is refused
(409, nothing changed) when the next year has no fund of the case's code
(:class:`NoFundNextYear`), or not enough available (:class:`app.services.errors.FundOverdrawn`).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case, CaseEvent
from app.models.ledger import Fund
from app.models.org import FiscalYear
from app.models.year_end import CARRY, RELEASE, YearEndChoice
from app.money import ZERO, format_yuan
from app.services import ledger, loaders
from app.services.audit import Actor, record
from app.services.cases import workflow
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.inputs import clean_text

ACTIONS = (CARRY, RELEASE)
#: At most this many cases in one choice (a unit's year has far fewer open cases).
MAX_CASES = 1000


class NoFundNextYear(DomainError):
    """The next year has no fund of the case's code for its unit: nothing to carry into."""


class NothingToCarry(DomainError):
    """The case holds no money of its year: there is nothing to carry over."""


def _check_request(year: object, case_ids: object, action: object, reason: str) -> tuple[list[int], str]:
    errors: dict[str, str] = {}
    if action not in ACTIONS:
        errors["action"] = _("Choose to carry the cases over or to release them.")
    if (
        not isinstance(case_ids, list | tuple)
        or not case_ids
        or len(case_ids) > MAX_CASES
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in case_ids)
    ):
        errors["case_ids"] = _("Choose at least one case.")
    text = clean_text(reason, 2000, multiline=True)
    if action == RELEASE and not text:
        errors["reason"] = _("Write why the commitment is released.")
    if errors:
        field, message = next(iter(errors.items()))
        raise InvalidInput(message, field=field)
    if not isinstance(year, int):
        raise NotFound(_("There is no such fiscal year."))
    return list(dict.fromkeys(case_ids)), text  # type: ignore[arg-type]


def next_fund(case: Case) -> Fund | None:
    """The fund of the case's code and unit in the year after the case's."""
    return db.session.execute(
        select(Fund).where(
            Fund.unit_id == case.fund.unit_id, Fund.year == case.year + 1, Fund.code == case.fund.code
        )
    ).scalar_one_or_none()


def outstanding(case: Case) -> Decimal:
    """What is still committed to the case in its year's fund."""
    return ledger.outstanding_on(case.commitment) if case.commitment is not None else ZERO


def _load_open(case_id: int, year: int, actor: Actor) -> Case:
    case = workflow.locked(loaders.case(case_id, actor), actor)
    if case.year != year:
        raise workflow.WrongState(
            _("Case %(id)s is not a case of %(year)s.", id=case.id, year=year), field="case_ids"
        )
    workflow.require_step(case, "close")
    if case.status != "approved":
        raise workflow.WrongState(
            _("Case %(id)s holds no money any more; it is settled already.", id=case.id), field="case_ids"
        )
    if workflow.in_open_batch(case):
        raise workflow.WrongState(
            _(
                "Case %(id)s is in an open payment batch: wait for the bank's answer before the year end.",
                id=case.id,
            ),
            field="case_ids",
        )
    return case


def _successor(case: Case, fund: Fund, amount: Decimal, note: str, actor: Actor) -> Case:
    """The case of the next year that continues ``case`` for ``amount``, approved as it was."""
    reason = _(
        "Carried over from case %(id)s of %(year)s: %(reason)s",
        id=case.id,
        year=case.year,
        reason=case.reason,
    )
    successor = Case(
        worker_id=case.worker_id,
        fund_id=fund.id,
        unit_id=case.unit_id,
        year=fund.year,
        aid_type=case.aid_type,
        requested_amount=amount,
        approved_amount=amount,
        out_of_pocket=case.out_of_pocket,
        reason=reason[:4000],
        status="approved",
        created_by_id=case.created_by_id,
        decided_by_id=case.decided_by_id,
        decided_at=case.decided_at,
        decision_reason=note or case.decision_reason,
        frozen_category=case.frozen_category,
        frozen_household_income=case.frozen_household_income,
        frozen_household_size=case.frozen_household_size,
        frozen_line=case.frozen_line,
    )
    db.session.add(successor)
    db.session.flush()
    successor.commitment_id = ledger.commit(
        fund,
        amount,
        case_id=successor.id,
        memo=_(
            "Case %(id)s, carried over from case %(old)s of %(year)s",
            id=successor.id,
            old=case.id,
            year=case.year,
        ),
        actor=actor,
    ).id
    event_note = _("Carried over from case %(id)s of %(year)s.", id=case.id, year=case.year)
    db.session.add(
        CaseEvent(
            case_id=successor.id,
            actor_id=actor.user_id,
            actor_name=actor.name,
            action="carry_in",
            from_status=None,
            to_status="approved",
            note=event_note,
        )
    )
    db.session.flush()
    record(
        "case.carry_in",
        actor=actor,
        object_type="case",
        object_id=successor.id,
        unit_id=successor.unit_id,
        details={
            "new": {"status": "approved", "fund": fund.code, "year": fund.year, "amount": str(amount)},
            "from_case": case.id,
        },
    )
    return successor


def _carry(case: Case, note: str, actor: Actor) -> YearEndChoice:
    amount = outstanding(case)
    if amount == ZERO:
        raise NothingToCarry(
            _("Case %(id)s has nothing committed to carry over; release it instead.", id=case.id),
            field="case_ids",
        )
    fund = next_fund(case)
    if fund is None:
        raise NoFundNextYear(
            _(
                "%(next)s has no budget for fund %(code)s: load the %(next)s budget before case %(id)s"
                " is carried over.",
                next=case.year + 1,
                code=case.fund.code,
                id=case.id,
            ),
            field="case_ids",
        )
    ledger.release(
        case.commitment,  # type: ignore[arg-type]
        memo=_("Case %(id)s carried over to %(next)s", id=case.id, next=case.year + 1),
        actor=actor,
    )
    successor = _successor(case, fund, amount, note, actor)
    workflow.advance(
        case,
        "close",
        actor=actor,
        note=_(
            "Carried over to %(next)s as case %(new)s: %(amount)s.",
            next=fund.year,
            new=successor.id,
            amount=format_yuan(amount),
        )
        + (f" {note}" if note else ""),
    )
    return YearEndChoice(
        unit_id=case.unit_id,
        year=case.year,
        case_id=case.id,
        fund_id=case.fund_id,
        action=CARRY,
        amount=amount,
        next_case_id=successor.id,
        next_fund_id=fund.id,
        reason=note,
        decided_by_id=actor.user_id,
        decided_by_name=actor.name[:64],
    )


def _release(case: Case, reason: str, actor: Actor) -> YearEndChoice:
    amount = outstanding(case)
    if case.commitment is not None and amount > ZERO:
        ledger.release(
            case.commitment,
            memo=_("Case %(id)s released at the close of %(year)s", id=case.id, year=case.year),
            actor=actor,
        )
    workflow.advance(
        case, "close", actor=actor, note=_("Released at the year end: %(reason)s", reason=reason)
    )
    return YearEndChoice(
        unit_id=case.unit_id,
        year=case.year,
        case_id=case.id,
        fund_id=case.fund_id,
        action=RELEASE,
        amount=amount,
        reason=reason,
        decided_by_id=actor.user_id,
        decided_by_name=actor.name[:64],
    )


def choose(
    year: int, case_ids: object, action: object, *, reason: str = "", actor: Actor
) -> list[YearEndChoice]:
    """Carry over or release each of ``case_ids`` (open cases of ``year`` within the actor's
    units), all or nothing. Another unit's case, or an unknown one, is :class:`NotFound`;
    a case that is not open is :class:`app.services.cases.workflow.WrongState`."""
    ids, text = _check_request(year, case_ids, action, reason)
    if db.session.get(FiscalYear, year) is None:
        raise NotFound(_("There is no %(year)s fiscal year.", year=year), field="year")
    made = []
    for case_id in sorted(ids):  # one order for everyone: two choices at once do not deadlock
        case = _load_open(case_id, year, actor)
        choice = _carry(case, text, actor) if action == CARRY else _release(case, text, actor)
        db.session.add(choice)
        db.session.flush()
        record(
            "year_end.carry" if action == CARRY else "year_end.release",
            actor=actor,
            object_type="case",
            object_id=case.id,
            unit_id=case.unit_id,
            details={
                "year": year,
                "amount": str(choice.amount),
                "next_case": choice.next_case_id,
                "reason": text[:500],
            },
        )
        made.append(choice)
    return made
