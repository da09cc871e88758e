"""A household against the year's rules: whether the data supports its category, the
documents still missing, a reviewer's acceptance of a category the data does not support,
and the yearly review (年审) of every active file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.registry import CLOSED, Worker
from app.services import eligibility, policy
from app.services.audit import Actor
from app.services.errors import InvalidInput
from app.services.four_eyes import ensure_different
from app.services.inputs import clean_text
from app.services.registry.files import record_on_file


def facts_of(worker: Worker) -> eligibility.HouseholdFacts:
    return eligibility.HouseholdFacts(
        monthly_income=worker.household_monthly_income,
        size=worker.household_size,
        main_cause=worker.main_cause,
        secondary_cause=worker.secondary_cause,
        disaster_event=worker.disaster_event,
        disaster_date=worker.disaster_date,
        rights_case_ref=worker.rights_case_ref,
    )


def assess(worker: Worker, year: int) -> eligibility.Assessment:
    line = policy.get_value(year, "minimum_living_line", worker.unit)
    margin = policy.get_value(year, "near_line_margin", worker.unit)
    return eligibility.assess(facts_of(worker), line, margin)  # type: ignore[arg-type]


def category_supported(worker: Worker, year: int) -> bool:
    return assess(worker, year).supported.get(worker.category, False)


def missing_evidence(worker: Worker) -> list[str]:
    return eligibility.missing_evidence(worker.category, facts_of(worker), {e.kind for e in worker.evidence})


def accept_category(worker: Worker, *, reason: str, actor: Actor) -> None:
    """A reviewer accepts a category the data does not support, with a written reason."""
    reason = clean_text(reason, 2000)
    if not reason:
        raise InvalidInput(_("Write why the category is accepted."), field="reason")
    ensure_different(
        "approve_own_registration",
        actor=actor,
        earlier_user_id=worker.created_by_id,
        unit_id=worker.unit_id,
        object_type="worker",
        object_id=worker.id,
    )
    worker.category_accepted_reason = reason
    worker.category_accepted_by_id = actor.user_id
    worker.reviewed_by_id = actor.user_id
    db.session.flush()
    record_on_file(
        "worker.accept_category",
        worker,
        actor=actor,
        details={"new": {"category": worker.category, "reason": reason}},
    )


@dataclass
class ReviewItem:
    worker: Worker
    reasons: list[str]


def yearly_review(year: int, *, unit_ids: list[int] | None, today: date | None = None) -> list[ReviewItem]:
    """年审: active files whose data is over a year old, or whose category the year's
    line no longer supports (unless a reviewer accepted it)."""
    today = today or date.today()
    query = select(Worker).where(Worker.status != CLOSED).order_by(Worker.name_pinyin, Worker.id)
    if unit_ids is not None:
        query = query.where(Worker.unit_id.in_(unit_ids))
    items = []
    for worker in db.session.execute(query).scalars():
        reasons = []
        if worker.data_checked_on < today - timedelta(days=365):
            reasons.append(_("Data last checked on %(day)s.", day=worker.data_checked_on.isoformat()))
        if not worker.category_accepted_reason and not category_supported(worker, year):
            reasons.append(assess(worker, year).reasons[worker.category])
        if reasons:
            items.append(ReviewItem(worker=worker, reasons=reasons))
    return items
