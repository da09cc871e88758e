"""The lists on each role's home page: what waits for that person, within their units."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.cases import Campaign, Case, Payment, PaymentReversal
from app.models.decisions import CaseObjection
from app.models.registry import CLOSED, ON_FILE, Visit, Worker
from app.models.users import User
from app.money import format_yuan
from app.services import eligibility
from app.services.home import batches as batch_sections
from app.services.home.follow_ups import follow_ups_section
from app.services.home.reviews import reviews_overdue_section
from app.services.home.sections import LIMIT, Item, Section, amount_of, case_section, listed, scoped
from app.services.home.status import policy_section, reveal_limits_section, role_changes_section
from app.services.registry.review import missing_evidence

#: Files examined for missing documents on one page view (a province is not scanned whole:
#: the section then says it looked at the first ones only).
EVIDENCE_SCAN_MAX = 5000
#: Days before a notice period ends that it shows as "ending".
NOTICE_SOON_DAYS = 7


# --- caseworker -------------------------------------------------------------------------


def files_missing_evidence(unit_ids: list[int] | None) -> Section:
    """Files on record whose category lacks a document the rules require."""
    query = scoped(
        select(Worker).where(Worker.status == ON_FILE).options(selectinload(Worker.evidence)),
        Worker.unit_id,
        unit_ids,
    ).order_by(Worker.id)
    items: list[Item] = []
    total = scanned = 0
    for worker in db.session.execute(query.limit(EVIDENCE_SCAN_MAX)).scalars():
        scanned += 1
        missing = missing_evidence(worker)
        if not missing:
            continue
        total += 1
        if len(items) < LIMIT:
            names = "、".join(str(eligibility.EVIDENCE_KINDS.get(k, k)) for k in missing)
            items.append(
                Item(
                    title=worker.name,
                    detail=_("Missing: %(documents)s", documents=names),
                    endpoint="registry.detail",
                    values={"worker_id": worker.id},
                )
            )
    note = ""
    if scanned == EVIDENCE_SCAN_MAX:
        note = _("Only the first %(n)s files were looked at.", n=EVIDENCE_SCAN_MAX)
    return Section(
        "evidence",
        _("Files missing documents"),
        items,
        total,
        _("Every file has the documents its category needs."),
        note=note,
    )


def review_due(unit_ids: list[int] | None, today: date) -> Section:
    """年审: files whose data was last checked over a year ago."""
    query = scoped(
        select(Worker).where(Worker.status != CLOSED, Worker.data_checked_on < today - timedelta(days=365)),
        Worker.unit_id,
        unit_ids,
    ).order_by(Worker.data_checked_on, Worker.id)
    return listed(
        "review",
        _("Yearly review due"),
        query,
        lambda w: Item(
            title=w.name,
            detail=_("Data last checked on %(day)s.", day=w.data_checked_on.isoformat()),
            endpoint="registry.detail",
            values={"worker_id": w.id},
        ),
        _("No file is due for its yearly review."),
        endpoint="registry.review",
    )


def visits_due(unit_ids: list[int] | None) -> Section:
    """回访: households paid aid (a payment not reversed) and not visited since."""
    last_paid = func.max(Payment.paid_on)
    paid = (
        select(Case.worker_id.label("worker_id"), last_paid.label("last_paid"))
        .join(Payment, Payment.case_id == Case.id)
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(PaymentReversal.id.is_(None))
        .group_by(Case.worker_id)
    )
    paid = scoped(paid, Case.unit_id, unit_ids).subquery()
    visited = (
        select(Visit.worker_id.label("worker_id"), func.max(Visit.visited_on).label("last_visit"))
        .group_by(Visit.worker_id)
        .subquery()
    )
    query = (
        select(Worker, paid.c.last_paid)
        .join(paid, paid.c.worker_id == Worker.id)
        .outerjoin(visited, visited.c.worker_id == Worker.id)
        .where(
            Worker.status != CLOSED,
            or_(visited.c.last_visit.is_(None), visited.c.last_visit < paid.c.last_paid),
        )
        .order_by(paid.c.last_paid, Worker.id)
    )
    return listed(
        "visits",
        _("Follow-up visits due"),
        query,
        lambda row: Item(
            title=row[0].name,
            detail=_("Paid on %(day)s, not visited since.", day=row[1].isoformat()),
            endpoint="registry.detail",
            values={"worker_id": row[0].id},
        ),
        _("Every household paid has been visited since."),
        rows="tuples",
    )


def returned_cases(user: User, unit_ids: list[int] | None, year: int | None) -> Section:
    """Cases I opened that came back: rejected, or held on notice by an objection (公示异议)
    not settled yet."""
    objected = exists().where(CaseObjection.case_id == Case.id, CaseObjection.outcome.is_(None))
    query = scoped(
        select(Case).where(
            Case.created_by_id == user.id,
            or_(
                and_(Case.status == "rejected", true() if year is None else Case.year == year),
                and_(Case.status == "notice", objected),
            ),
        ),
        Case.unit_id,
        unit_ids,
    ).order_by(Case.id.desc())

    def detail(case: Case) -> str:
        if case.status == "rejected":
            return _("Rejected: %(reason)s", reason=case.decision_reason or "—")
        return _("An objection was raised during the public notice.")

    return case_section(
        "returned", _("Returned or objected"), query, _("None of your applications came back."), detail
    )


def my_drafts(user: User, unit_ids: list[int] | None) -> Section:
    query = scoped(
        select(Case).where(Case.created_by_id == user.id, Case.status == "draft"), Case.unit_id, unit_ids
    ).order_by(Case.id)
    return case_section(
        "drafts",
        _("My drafts"),
        query,
        _("You have no drafts."),
        lambda c: _("%(amount)s, not submitted yet.", amount=format_yuan(c.requested_amount)),
        endpoint="cases.index",
        values={"status": "draft"},
    )


# --- reviewer ---------------------------------------------------------------------------


def _not_mine(user: User) -> Any:
    registered_by_me = exists().where(Worker.id == Case.worker_id, Worker.created_by_id == user.id)
    return and_(or_(Case.created_by_id.is_(None), Case.created_by_id != user.id), ~registered_by_me)


def cases_to_decide(user: User, unit_ids: list[int] | None, today: date) -> Section:
    """Submitted cases, and those whose notice period is over — not one I opened or registered."""
    ready = or_(Case.status == "submitted", and_(Case.status == "notice", Case.notice_end < today))
    query = scoped(select(Case).where(ready, _not_mine(user)), Case.unit_id, unit_ids).order_by(Case.id)
    return case_section(
        "decide",
        _("Applications to decide"),
        query,
        _("No application waits for your decision."),
        lambda c: _("%(amount)s requested.", amount=format_yuan(c.requested_amount)),
        endpoint="cases.index",
        values={"status": "submitted"},
    )


def campaigns_to_approve(user: User, unit_ids: list[int] | None) -> Section:
    query = scoped(
        select(Campaign).where(
            Campaign.status == "draft",
            or_(Campaign.created_by_id.is_(None), Campaign.created_by_id != user.id),
        ),
        Campaign.unit_id,
        unit_ids,
    ).order_by(Campaign.id)
    return listed(
        "campaigns",
        _("Campaigns to approve"),
        query,
        lambda c: Item(
            title=c.name,
            detail=_(
                "%(n)s households, %(each)s each.",
                n=sum(1 for line in c.cases if line.status != "cancelled"),
                each=format_yuan(c.amount_each),
            ),
            endpoint="cases.campaign",
            values={"campaign_id": c.id},
        ),
        _("No campaign waits for approval."),
        endpoint="cases.campaigns",
    )


def notices_ending(user: User, unit_ids: list[int] | None, today: date) -> Section:
    """Cases on public notice whose period ends within :data:`NOTICE_SOON_DAYS`."""
    query = scoped(
        select(Case).where(
            Case.status == "notice",
            Case.notice_end >= today,
            Case.notice_end <= today + timedelta(days=NOTICE_SOON_DAYS),
            _not_mine(user),
        ),
        Case.unit_id,
        unit_ids,
    ).order_by(Case.notice_end, Case.id)
    return case_section(
        "notices",
        _("Public notices ending"),
        query,
        _("No public notice ends in the next %(n)s days.", n=NOTICE_SOON_DAYS),
        lambda c: _("On public notice until %(day)s.", day=c.notice_end.isoformat() if c.notice_end else ""),
        endpoint="cases.notice_list",
    )


# --- finance ----------------------------------------------------------------------------


def cases_to_pay(user: User, unit_ids: list[int] | None) -> Section:
    """Approved cases not in a campaign (those are paid from the roster) — not ones I approved."""
    query = scoped(
        select(Case).where(
            Case.status == "approved",
            Case.campaign_id.is_(None),
            or_(Case.decided_by_id.is_(None), Case.decided_by_id != user.id),
        ),
        Case.unit_id,
        unit_ids,
    ).order_by(Case.decided_at, Case.id)
    return case_section(
        "pay",
        _("Approved, waiting for payment"),
        query,
        _("No approved application waits for payment."),
        lambda c: _("%(amount)s approved.", amount=amount_of(c)),
        endpoint="cases.index",
        values={"status": "approved"},
    )


def rosters_to_pay(unit_ids: list[int] | None) -> Section:
    """Approved campaigns with households not handed their sum yet."""
    waiting = exists().where(Case.campaign_id == Campaign.id, Case.status == "approved")
    query = scoped(
        select(Campaign).where(Campaign.status == "approved", waiting), Campaign.unit_id, unit_ids
    ).order_by(Campaign.id)
    return listed(
        "rosters",
        _("Rosters to hand out"),
        query,
        lambda c: Item(
            title=c.name,
            detail=_(
                "%(n)s households still to be paid.",
                n=sum(1 for line in c.cases if line.status == "approved"),
            ),
            endpoint="cases.campaign",
            values={"campaign_id": c.id},
        ),
        _("No roster waits to be handed out."),
    )


def sections_for(
    user: User, unit_ids: list[int] | None, year: int, today: date | None = None
) -> list[Section]:
    """The lists of the user's home page, by role."""
    today = today or date.today()
    if user.role == "caseworker":
        return [
            returned_cases(user, unit_ids, year),
            my_drafts(user, unit_ids),
            files_missing_evidence(unit_ids),
            review_due(unit_ids, today),
            reviews_overdue_section(unit_ids, today),
            visits_due(unit_ids),
            follow_ups_section(unit_ids, today),
        ]
    if user.role == "reviewer":
        return [
            cases_to_decide(user, unit_ids, today),
            campaigns_to_approve(user, unit_ids),
            notices_ending(user, unit_ids, today),
        ]
    if user.role == "finance":
        return [
            cases_to_pay(user, unit_ids),
            rosters_to_pay(unit_ids),
            *batch_sections.open_batches(user, unit_ids),
            batch_sections.failed_lines(unit_ids),
        ]
    if user.role == "admin":
        return [role_changes_section(user.id, unit_ids), policy_section(year)]
    if user.role == "auditor":
        return [reveal_limits_section(unit_ids)]
    return []
