"""The home page (工作台): what waits for the signed-in person, by role, within their units.

Each list is a :class:`Section` of :class:`Item`; an item names the page where the work is
done (an endpoint and its values), so the page links straight to it. Four eyes hold here
too: a reviewer is not shown what they opened or registered themselves, finance not what
they approved. Everything is read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.cases import Campaign, Case, CaseEvent, Payment, PaymentReversal
from app.models.registry import CLOSED, ON_FILE, PolicyValue, Visit, Worker
from app.models.users import User
from app.money import format_yuan
from app.services import audit, eligibility, reconciliation
from app.services.policy import KEYS
from app.services.registry.review import missing_evidence

#: Without these the registry cannot place a household in a category: every file says so.
REQUIRED_POLICY_KEYS = ("minimum_living_line", "near_line_margin")
#: How many items a section lists (its count says how many there are in all).
LIMIT = 10
#: Files examined for missing documents on one page view (a province is not scanned whole:
#: the section then says it looked at the first ones only).
EVIDENCE_SCAN_MAX = 5000
#: Days before a notice period ends that it shows as "ending".
NOTICE_SOON_DAYS = 7
#: Up to this many audit entries the home page verifies the chain on the spot.
CHAIN_CHECK_MAX = 20000


@dataclass(frozen=True)
class Item:
    title: str
    detail: str
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    items: list[Item]
    total: int
    empty: str
    more_endpoint: str | None = None
    more_values: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _scoped(query: Any, column: Any, unit_ids: list[int] | None) -> Any:
    return query if unit_ids is None else query.where(column.in_(unit_ids))


def _count(query: Any) -> int:
    return int(
        db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    )


def _case_item(case: Case, detail: str) -> Item:
    return Item(
        title=_("Application No. %(id)s", id=case.id) + f" · {case.worker.name}",
        detail=detail,
        endpoint="cases.detail",
        values={"case_id": case.id},
    )


def _case_section(key: str, title: str, query: Any, empty: str, detail: Any, **more: Any) -> Section:
    rows = list(db.session.execute(query.limit(LIMIT)).scalars())
    return Section(
        key=key,
        title=title,
        items=[_case_item(c, detail(c)) for c in rows],
        total=_count(query) if len(rows) == LIMIT else len(rows),
        empty=empty,
        more_endpoint=more.get("endpoint"),
        more_values=more.get("values", {}),
    )


def _amount(case: Case) -> str:
    return format_yuan(case.approved_amount if case.approved_amount is not None else case.requested_amount)


# --- caseworker -------------------------------------------------------------------------


def files_missing_evidence(unit_ids: list[int] | None) -> Section:
    """Files on record whose category lacks a document the rules require."""
    query = _scoped(
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
    query = _scoped(
        select(Worker).where(Worker.status != CLOSED, Worker.data_checked_on < today - timedelta(days=365)),
        Worker.unit_id,
        unit_ids,
    ).order_by(Worker.data_checked_on, Worker.id)
    rows = list(db.session.execute(query.limit(LIMIT)).scalars())
    items = [
        Item(
            title=w.name,
            detail=_("Data last checked on %(day)s.", day=w.data_checked_on.isoformat()),
            endpoint="registry.detail",
            values={"worker_id": w.id},
        )
        for w in rows
    ]
    return Section(
        "review",
        _("Yearly review due"),
        items,
        _count(query) if len(rows) == LIMIT else len(rows),
        _("No file is due for its yearly review."),
        more_endpoint="registry.review",
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
    paid = _scoped(paid, Case.unit_id, unit_ids).subquery()
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
    rows = list(db.session.execute(query.limit(LIMIT)))
    items = [
        Item(
            title=w.name,
            detail=_("Paid on %(day)s, not visited since.", day=last.isoformat()),
            endpoint="registry.detail",
            values={"worker_id": w.id},
        )
        for w, last in rows
    ]
    return Section(
        "visits",
        _("Follow-up visits due"),
        items,
        _count(query) if len(rows) == LIMIT else len(rows),
        _("Every household paid has been visited since."),
    )


def returned_cases(user: User, unit_ids: list[int] | None, year: int | None) -> Section:
    """Cases I opened that came back: rejected, or sent back by an objection to the notice."""
    objected = exists().where(CaseEvent.case_id == Case.id, CaseEvent.action == "object")
    query = _scoped(
        select(Case).where(
            Case.created_by_id == user.id,
            or_(
                and_(Case.status == "rejected", true() if year is None else Case.year == year),
                and_(Case.status == "submitted", objected),
            ),
        ),
        Case.unit_id,
        unit_ids,
    ).order_by(Case.id.desc())

    def detail(case: Case) -> str:
        if case.status == "rejected":
            return _("Rejected: %(reason)s", reason=case.decision_reason or "—")
        return _("An objection was raised during the public notice.")

    return _case_section(
        "returned", _("Returned or objected"), query, _("None of your applications came back."), detail
    )


def my_drafts(user: User, unit_ids: list[int] | None) -> Section:
    query = _scoped(
        select(Case).where(Case.created_by_id == user.id, Case.status == "draft"), Case.unit_id, unit_ids
    ).order_by(Case.id)
    return _case_section(
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
    query = _scoped(select(Case).where(ready, _not_mine(user)), Case.unit_id, unit_ids).order_by(Case.id)
    return _case_section(
        "decide",
        _("Applications to decide"),
        query,
        _("No application waits for your decision."),
        lambda c: _("%(amount)s requested.", amount=format_yuan(c.requested_amount)),
        endpoint="cases.index",
        values={"status": "submitted"},
    )


def campaigns_to_approve(user: User, unit_ids: list[int] | None) -> Section:
    query = _scoped(
        select(Campaign).where(
            Campaign.status == "draft",
            or_(Campaign.created_by_id.is_(None), Campaign.created_by_id != user.id),
        ),
        Campaign.unit_id,
        unit_ids,
    ).order_by(Campaign.id)
    rows = list(db.session.execute(query.limit(LIMIT)).scalars())
    items = [
        Item(
            title=c.name,
            detail=_(
                "%(n)s households, %(each)s each.",
                n=sum(1 for line in c.cases if line.status != "cancelled"),
                each=format_yuan(c.amount_each),
            ),
            endpoint="cases.campaign",
            values={"campaign_id": c.id},
        )
        for c in rows
    ]
    return Section(
        "campaigns",
        _("Campaigns to approve"),
        items,
        _count(query) if len(rows) == LIMIT else len(rows),
        _("No campaign waits for approval."),
        more_endpoint="cases.campaigns",
    )


def notices_ending(user: User, unit_ids: list[int] | None, today: date) -> Section:
    """Cases on public notice whose period ends within :data:`NOTICE_SOON_DAYS`."""
    query = _scoped(
        select(Case).where(
            Case.status == "notice",
            Case.notice_end >= today,
            Case.notice_end <= today + timedelta(days=NOTICE_SOON_DAYS),
            _not_mine(user),
        ),
        Case.unit_id,
        unit_ids,
    ).order_by(Case.notice_end, Case.id)
    return _case_section(
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
    query = _scoped(
        select(Case).where(
            Case.status == "approved",
            Case.campaign_id.is_(None),
            or_(Case.decided_by_id.is_(None), Case.decided_by_id != user.id),
        ),
        Case.unit_id,
        unit_ids,
    ).order_by(Case.decided_at, Case.id)
    return _case_section(
        "pay",
        _("Approved, waiting for payment"),
        query,
        _("No approved application waits for payment."),
        lambda c: _("%(amount)s approved.", amount=_amount(c)),
        endpoint="cases.index",
        values={"status": "approved"},
    )


def rosters_to_pay(unit_ids: list[int] | None) -> Section:
    """Approved campaigns with households not handed their sum yet."""
    waiting = exists().where(Case.campaign_id == Campaign.id, Case.status == "approved")
    query = _scoped(
        select(Campaign).where(Campaign.status == "approved", waiting), Campaign.unit_id, unit_ids
    ).order_by(Campaign.id)
    rows = list(db.session.execute(query.limit(LIMIT)).scalars())
    items = [
        Item(
            title=c.name,
            detail=_(
                "%(n)s households still to be paid.",
                n=sum(1 for line in c.cases if line.status == "approved"),
            ),
            endpoint="cases.campaign",
            values={"campaign_id": c.id},
        )
        for c in rows
    ]
    return Section(
        "rosters",
        _("Rosters to hand out"),
        items,
        _count(query) if len(rows) == LIMIT else len(rows),
        _("No roster waits to be handed out."),
    )


def bank_batches() -> Section:
    """银行批量代发: not built yet; the place is kept so finance knows where it will be."""
    return Section(
        "batches",
        _("Bank transfer batches"),
        [],
        0,
        _("Bank transfer batches are not available yet: pay each case on its own page."),
    )


# --- auditor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainStatus:
    length: int
    checked: bool
    problems: int


def chain_status() -> ChainStatus:
    """The audit chain's length and, while it is short enough to walk on a page view, whether it holds."""
    length, _head = audit.chain_head()
    if length > CHAIN_CHECK_MAX:
        return ChainStatus(length=length, checked=False, problems=0)
    return ChainStatus(length=length, checked=True, problems=len(audit.verify_chain()))


@dataclass(frozen=True)
class ReconciliationStatus:
    ok: bool | None  # None: never run (books too long to check on a page view)
    at: datetime | None  # when the stored run finished; None: checked just now
    by: str
    entries: int


def reconciliation_status(
    year: int, unit_ids: list[int] | None, page_max_entries: int
) -> ReconciliationStatus:
    """The year's books checked now while short (as the reconciliation page does), else the
    last stored run."""
    entries = reconciliation.entries_in(year, unit_ids)
    if entries <= page_max_entries:
        return ReconciliationStatus(
            ok=reconciliation.reconcile(year, unit_ids).ok, at=None, by="", entries=entries
        )
    run = reconciliation.latest_run(year, unit_ids)
    if run is None:
        return ReconciliationStatus(ok=None, at=None, by="", entries=entries)
    return ReconciliationStatus(ok=run.ok, at=run.finished_at, by=run.created_by_name, entries=run.entries)


# --- admin ------------------------------------------------------------------------------


def missing_policy_keys(year: int) -> list[str]:
    """The policy keys with no value at all for ``year`` (neither general nor any unit's)."""
    present = set(db.session.execute(select(PolicyValue.key).where(PolicyValue.year == year)).scalars())
    return [key for key in KEYS if key not in present]


def missing_required_policy(year: int) -> list[str]:
    """Of :data:`REQUIRED_POLICY_KEYS`, those with no value for ``year``: the banner's subject."""
    present = set(
        db.session.execute(
            select(PolicyValue.key).where(PolicyValue.year == year, PolicyValue.key.in_(REQUIRED_POLICY_KEYS))
        ).scalars()
    )
    return [key for key in REQUIRED_POLICY_KEYS if key not in present]


def policy_section(year: int) -> Section:
    keys = missing_policy_keys(year)
    items = [
        Item(
            title=str(KEYS[key].label),
            detail=_("Required: files cannot be assessed without it.")
            if key in REQUIRED_POLICY_KEYS
            else _("Optional."),
            endpoint="admin.policy_values",
            values={"year": year},
        )
        for key in sorted(keys, key=lambda k: k not in REQUIRED_POLICY_KEYS)
    ]
    return Section(
        "policy",
        _("Policy values not set for %(year)s", year=year),
        items,
        len(items),
        _("Every policy value of %(year)s is set.", year=year),
        more_endpoint="admin.policy_values",
        more_values={"year": year},
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
            visits_due(unit_ids),
        ]
    if user.role == "reviewer":
        return [
            cases_to_decide(user, unit_ids, today),
            campaigns_to_approve(user, unit_ids),
            notices_ending(user, unit_ids, today),
        ]
    if user.role == "finance":
        return [cases_to_pay(user, unit_ids), rosters_to_pay(unit_ids), bank_batches()]
    if user.role == "admin":
        return [policy_section(year)]
    return []
