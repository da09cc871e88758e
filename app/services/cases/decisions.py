"""The steps a decision on a case waits for when the year's policy asks for them
(per year and unit, app/services/policy.py): the home investigation (入户调查,
``require_home_investigation``) and the democratic review (民主评议,
``require_democratic_review``). Both switches are off unless set, so years without them
decide as before.

A required investigation counts once one is recorded with the family's authorisation to
check its finances signed; a required review counts once one is recorded, and the latest
review must have agreed for the case to be approved (a case may still be rejected after a
review that did not agree). Both are recorded while the case is undecided (draft,
submitted, on notice).
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.decisions import REVIEW_RESULTS, CaseObjection, DemocraticReview, HomeInvestigation
from app.services import loaders, policy
from app.services.audit import Actor, record
from app.services.errors import DomainError, ValidationFailed
from app.services.inputs import clean_text

UNDECIDED = ("draft", "submitted", "notice")  # also where objections are settled
MAX_PARTICIPANTS = 10000


class StepMissing(DomainError):
    """A step the year's policy requires before a decision has not been recorded."""


class AlreadyDecided(DomainError):
    """The case is decided: what it was decided on is no longer changed."""


def investigations(case: Case) -> list[HomeInvestigation]:
    query = select(HomeInvestigation).where(HomeInvestigation.case_id == case.id)
    return list(db.session.execute(query.order_by(HomeInvestigation.id)).scalars())


def reviews(case: Case) -> list[DemocraticReview]:
    query = select(DemocraticReview).where(DemocraticReview.case_id == case.id)
    return list(db.session.execute(query.order_by(DemocraticReview.id)).scalars())


def objections(case: Case) -> list[CaseObjection]:
    """The objections raised while the case was on public notice (公示异议), oldest first."""
    query = select(CaseObjection).where(CaseObjection.case_id == case.id)
    return list(db.session.execute(query.order_by(CaseObjection.id)).scalars())


def required(case: Case) -> dict[str, bool]:
    """Which steps the case's year and unit require."""
    unit = case.worker.unit
    return {
        "investigation": bool(policy.get_value(case.year, "require_home_investigation", unit)),
        "review": bool(policy.get_value(case.year, "require_democratic_review", unit)),
    }


def missing(case: Case, *, approving: bool = True) -> list[str]:
    """What is still missing before the case may be decided, in words for its page: the
    steps the policy requires, and, whatever the policy, every objection raised during the
    public notice settled, none of them upheld for an approval."""
    needs = required(case)
    found: list[str] = []
    raised = objections(case)
    unsettled = [item for item in raised if not item.settled]
    if unsettled:
        found.append(
            _(
                "Objections raised during the public notice are not settled: %(ids)s.",
                ids="、".join(_("No. %(id)s", id=item.id) for item in unsettled),
            )
        )
    if approving and any(item.outcome == "upheld" for item in raised):
        found.append(
            _("An objection raised during the public notice was upheld: the case cannot be approved.")
        )
    if needs["investigation"]:
        done = investigations(case)
        if not done:
            found.append(_("The home investigation is not recorded."))
        elif not any(item.authorisation_signed for item in done):
            found.append(
                _("The family's authorisation to check its finances is not signed in any home investigation.")
            )
    if needs["review"]:
        done_reviews = reviews(case)
        if not done_reviews:
            found.append(_("The democratic review is not recorded."))
        elif approving and done_reviews[-1].result != "agree":
            found.append(_("The democratic review did not agree: the case cannot be approved."))
    return found


def ensure_steps_done(case: Case, *, approving: bool) -> None:
    """Raise :class:`StepMissing` naming every required step not done."""
    found = missing(case, approving=approving)
    if found:
        raise StepMissing(" ".join(found))


def _undecided(case: Case, actor: Actor) -> Case:
    case = loaders.case(case.id, actor, lock=True)
    if case.status not in UNDECIDED:
        raise AlreadyDecided(_("The case is decided; what it was decided on can no longer be added."))
    return case


def _day(value: date | None, today: date, field: str, errors: dict[str, list[str]]) -> None:
    if value is None:
        errors[field] = [_("Enter the date, such as 2015-03-01.")]
    elif value > today:
        errors[field] = [_("The date cannot be in the future.")]


def record_investigation(
    case: Case,
    *,
    visited_on: date | None,
    investigators: str,
    findings: str,
    authorisation_signed: bool,
    actor: Actor,
    today: date | None = None,
) -> HomeInvestigation:
    """Record a home investigation. ``investigators``: names separated by lines, commas or
    、; at least two different ones. Raises ValidationFailed, AlreadyDecided, NotFound."""
    case = _undecided(case, actor)
    errors: dict[str, list[str]] = {}
    _day(visited_on, today or date.today(), "visited_on", errors)
    names = list(
        dict.fromkeys(
            n.strip() for n in re.split(r"[\n,，、;；]", clean_text(investigators, 2000, multiline=True))
        )
    )
    names = [name[:64] for name in names if name]
    if len(names) < 2:
        errors["investigators"] = [_("Name at least two investigators, one a line.")]
    findings = clean_text(findings, 4000, multiline=True)
    if not findings:
        errors["findings"] = [_("Write what the investigation found.")]
    if errors:
        raise ValidationFailed(errors)
    item = HomeInvestigation(
        case_id=case.id,
        visited_on=visited_on,
        investigators="\n".join(names),
        findings=findings,
        authorisation_signed=bool(authorisation_signed),
        recorded_by_id=actor.user_id,
    )
    db.session.add(item)
    db.session.flush()
    record(
        "case.investigation",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_id=case.unit_id,
        details={
            "new": {
                "visited_on": visited_on.isoformat() if visited_on else None,
                "investigators": len(names),
                "authorisation_signed": bool(authorisation_signed),
            }
        },
    )
    return item


def record_review(
    case: Case,
    *,
    held_on: date | None,
    participants: str | int | None,
    result: str,
    note: str,
    actor: Actor,
    today: date | None = None,
) -> DemocraticReview:
    """Record a democratic review. Raises ValidationFailed, AlreadyDecided, NotFound."""
    case = _undecided(case, actor)
    errors: dict[str, list[str]] = {}
    _day(held_on, today or date.today(), "held_on", errors)
    count = None
    try:
        count = int(str(participants).strip()) if participants is not None else None
    except ValueError:
        count = None
    if count is None or not 1 <= count <= MAX_PARTICIPANTS:
        errors["participants"] = [_("Enter how many took part, a whole number such as 9.")]
    if result not in REVIEW_RESULTS:
        errors["result"] = [_("Choose the result of the review.")]
    note = clean_text(note, 2000, multiline=True)
    if errors:
        raise ValidationFailed(errors)
    item = DemocraticReview(
        case_id=case.id,
        held_on=held_on,
        participants=count,
        result=result,
        note=note,
        recorded_by_id=actor.user_id,
    )
    db.session.add(item)
    db.session.flush()
    record(
        "case.review",
        actor=actor,
        object_type="case",
        object_id=case.id,
        unit_id=case.unit_id,
        details={"new": {"held_on": held_on.isoformat() if held_on else None, "review_result": result}},
    )
    return item
