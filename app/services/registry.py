"""The hardship-worker registry: one active file per person, ID numbers protected,
categories checked against the year's rules, and every change and reveal audited."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from pypinyin import Style, lazy_pinyin
from sqlalchemy import and_, func, or_, select, tuple_, union

from app.extensions import db
from app.idnumbers import InvalidIdNumber, normalise_mobile, parse_resident_id
from app.models.org import Unit
from app.models.registry import (
    CLOSED,
    MODEL_WORKER_LEVELS,
    ON_FILE,
    WORKER_STATUSES,
    Evidence,
    HouseholdMember,
    ModelWorker,
    Visit,
    Worker,
)
from app.money import InvalidAmount, parse_typed_amount
from app.privacy import mask_id_number, vault
from app.services import eligibility, policy
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound, ValidationFailed
from app.services.four_eyes import ensure_different
from app.services.inputs import clean_text

RELATIONS = ("spouse", "child", "parent", "sibling", "grandchild", "other")


class DuplicateWorker(DomainError):
    """The person already has an active file."""


@dataclass
class MemberInput:
    name: str
    relation: str
    id_number: str = ""


@dataclass
class WorkerInput:
    """What a caseworker enters for a household, as text, before validation."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    employer: str = ""
    address: str = ""
    household_size: str = ""
    household_monthly_income: str = ""
    category: str = ""
    category_reason: str = ""
    main_cause: str = ""
    secondary_cause: str = ""
    disaster_event: str = ""
    disaster_date: str = ""
    rights_case_ref: str = ""
    bank_name: str = ""
    bank_account: str = ""
    members: list[MemberInput] = field(default_factory=list)


@dataclass
class CleanWorker:
    name: str
    id_number: str
    birth_date: date
    sex: str
    phone: str
    employer: str
    address: str
    household_size: int
    household_monthly_income: Decimal
    category: int
    category_reason: str
    main_cause: str
    secondary_cause: str | None
    disaster_event: str | None
    disaster_date: date | None
    rights_case_ref: str | None
    bank_name: str | None
    bank_account: str | None
    members: list[tuple[str, str, str | None]]
    warnings: list[str]

    @property
    def facts(self) -> eligibility.HouseholdFacts:
        return eligibility.HouseholdFacts(
            monthly_income=self.household_monthly_income,
            size=self.household_size,
            main_cause=self.main_cause,
            secondary_cause=self.secondary_cause,
            disaster_event=self.disaster_event,
            disaster_date=self.disaster_date,
            rights_case_ref=self.rights_case_ref,
        )


def _text(value: str, limit: int) -> str:
    return clean_text(value, limit)


def clean(data: WorkerInput, *, today: date | None = None) -> CleanWorker:
    """Validate every field; raise :class:`ValidationFailed` listing each wrong one."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    name = _text(data.name, 50)
    if not name:
        fail("name", _("Enter the name."))
    resident = None
    try:
        resident = parse_resident_id(data.id_number, today=today)
        warnings.extend(resident.warnings)
    except InvalidIdNumber as exc:
        fail("id_number", exc.message)
    phone = ""
    try:
        phone = normalise_mobile(data.phone)
    except ValueError as exc:
        fail("phone", str(exc))
    employer = _text(data.employer, 200)
    if not employer:
        fail("employer", _("Enter the employer."))
    size = 0
    try:
        size = int(_text(data.household_size, 3))
        if not 1 <= size <= 30:
            raise ValueError
    except ValueError:
        fail("household_size", _("The household has 1 to 30 people."))
    income = Decimal("0.00")
    try:
        income = parse_typed_amount(data.household_monthly_income)  # typed: zero or more
    except InvalidAmount as refused:
        general = _("Enter the monthly income in yuan, such as 1800 or 1800.50.")
        fail("household_monthly_income", refused.explain(general))
    category = 0
    try:
        category = int(_text(data.category, 2))
        if category not in eligibility.CATEGORIES:
            raise ValueError
    except ValueError:
        fail("category", _("Choose a category from 1 to 4."))
    main_cause = _text(data.main_cause, 30)
    if main_cause not in eligibility.CAUSES:
        fail("main_cause", _("Choose the main cause of hardship."))
    secondary = _text(data.secondary_cause, 30) or None
    if secondary is not None and secondary not in eligibility.CAUSES:
        fail("secondary_cause", _("Choose a listed cause or leave it empty."))
    disaster_event = _text(data.disaster_event, 300) or None
    disaster_date = None
    if _text(data.disaster_date, 10):
        try:
            disaster_date = date.fromisoformat(_text(data.disaster_date, 10))
            if disaster_date > (today or date.today()):
                fail("disaster_date", _("The date cannot be in the future."))
        except ValueError:
            fail("disaster_date", _("Enter the date as 2015-03-01."))
    bank_account = _text(data.bank_account, 30).replace(" ", "") or None
    if bank_account is not None and not (bank_account.isdigit() and 12 <= len(bank_account) <= 19):
        fail("bank_account", _("A bank card number has 12 to 19 digits."))
    members = []
    for index, member in enumerate(data.members, start=1):
        member_name = _text(member.name, 50)
        if not member_name:
            continue
        if member.relation not in RELATIONS:
            fail("members", _("Member %(n)s: choose the relation.", n=index))
        member_id = None
        if _text(member.id_number, 30):
            try:
                member_id = parse_resident_id(member.id_number, today=today).number
            except InvalidIdNumber as exc:
                fail("members", _("Member %(n)s: %(error)s", n=index, error=exc.message))
        members.append((member_name, member.relation, member_id))
    if size and len(members) >= size:
        fail("household_size", _("The household size must count the worker and every member listed."))
    if errors:
        raise ValidationFailed(errors)
    assert resident is not None
    return CleanWorker(
        name=name,
        id_number=resident.number,
        birth_date=resident.birth_date,
        sex=resident.sex,
        phone=phone,
        employer=employer,
        address=_text(data.address, 300),
        household_size=size,
        household_monthly_income=income,
        category=category,
        category_reason=_text(data.category_reason, 2000),
        main_cause=main_cause,
        secondary_cause=secondary,
        disaster_event=disaster_event,
        disaster_date=disaster_date,
        rights_case_ref=_text(data.rights_case_ref, 200) or None,
        bank_name=_text(data.bank_name, 100) or None,
        bank_account=bank_account,
        members=members,
        warnings=warnings,
    )


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin for sorting, initials for search): 张三 → ("zhangsan", "zs")."""
    full = "".join(lazy_pinyin(name)).lower().replace(" ", "")
    initials = "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower().replace(" ", "")
    return full[:200], initials[:50]


def find_active_by_id_number(id_number: str) -> Worker | None:
    return db.session.execute(
        select(Worker).where(Worker.id_number_index == vault().index(id_number), Worker.status != CLOSED)
    ).scalar_one_or_none()


def active_files_by_index(indexes: list[str]) -> dict[str, int]:
    """{blind index: active file number} for the heads of households among ``indexes``."""
    if not indexes:
        return {}
    rows = db.session.execute(
        select(Worker.id_number_index, Worker.id).where(
            Worker.id_number_index.in_(indexes), Worker.status != CLOSED
        )
    )
    return {index: worker_id for index, worker_id in rows}


def _duplicate_message(existing: Worker) -> str:
    return _(
        "This ID number already has an active file: No. %(id)s, %(name)s, %(unit)s.",
        id=existing.id,
        name=existing.name,
        unit=existing.unit.name,
    )


def household_flags(worker_id: int | None, id_numbers: list[str]) -> list[str]:
    """Warnings when a person of this household is already on another active file."""
    if not id_numbers:
        return []
    indexes = [vault().index(n) for n in id_numbers]
    other_heads = db.session.execute(
        select(Worker).where(Worker.id_number_index.in_(indexes), Worker.status != CLOSED)
    ).scalars()
    other_members = db.session.execute(
        select(Worker)
        .join(HouseholdMember)
        .where(HouseholdMember.id_number_index.in_(indexes), Worker.status != CLOSED)
    ).scalars()
    seen = {w.id: w for w in [*other_heads, *other_members] if w.id != worker_id}
    return [
        _(
            "A person of this household is also on active file No. %(id)s (%(name)s):"
            " check for a double registration.",
            id=w.id,
            name=w.name,
        )
        for w in seen.values()
    ]


def _apply(worker: Worker, data: CleanWorker) -> None:
    protected = vault().protect(data.id_number)
    worker.name = data.name
    worker.name_pinyin, worker.name_initials = pinyin_keys(data.name)
    worker.id_number_protected = protected.ciphertext
    worker.id_number_index = protected.index
    worker.id_last4 = protected.last4
    worker.birth_date = data.birth_date
    worker.sex = data.sex
    worker.phone = data.phone
    worker.employer = data.employer
    worker.address = data.address
    worker.household_size = data.household_size
    worker.household_monthly_income = data.household_monthly_income
    if worker.category != data.category:
        worker.category_accepted_reason = None
        worker.category_accepted_by_id = None
    worker.category = data.category
    worker.category_reason = data.category_reason
    worker.main_cause = data.main_cause
    worker.secondary_cause = data.secondary_cause
    worker.disaster_event = data.disaster_event
    worker.disaster_date = data.disaster_date
    worker.rights_case_ref = data.rights_case_ref
    worker.bank_name = data.bank_name
    if data.bank_account:
        account = vault().protect(data.bank_account)
        worker.bank_account_protected = account.ciphertext
        worker.bank_account_last4 = account.last4
    else:
        worker.bank_account_protected = worker.bank_account_last4 = None


def _snapshot(worker: Worker, members: int | None = None) -> dict[str, object]:
    """What the audit log records of a file: never the ID or card number in clear."""
    return {
        "name": worker.name,
        "id_number": mask_id_number(worker.id_last4.rjust(18, "*")),
        "phone": worker.phone[:3] + "****" + worker.phone[-4:] if worker.phone else "",
        "employer": worker.employer,
        "household_size": worker.household_size,
        "household_monthly_income": str(worker.household_monthly_income),
        "category": worker.category,
        "main_cause": worker.main_cause,
        "secondary_cause": worker.secondary_cause,
        "status": worker.status,
        "members": len(worker.members) if members is None else members,
    }


@dataclass
class Registration:
    worker: Worker
    warnings: list[str]


def register(data: WorkerInput, *, unit: Unit, actor: Actor, today: date | None = None) -> Registration:
    """Open a household's file. Raises :class:`ValidationFailed` or :class:`DuplicateWorker`."""
    today = today or date.today()
    cleaned = clean(data, today=today)
    existing = find_active_by_id_number(cleaned.id_number)
    if existing is not None:
        raise DuplicateWorker(_duplicate_message(existing), field="id_number")
    worker = open_file(cleaned, unit=unit, actor=actor, today=today)
    warnings = cleaned.warnings + household_flags(
        worker.id, [cleaned.id_number] + [m[2] for m in cleaned.members if m[2]]
    )
    return Registration(worker=worker, warnings=warnings)


def open_file(cleaned: CleanWorker, *, unit: Unit, actor: Actor, today: date) -> Worker:
    """Store a checked household as a new file (the caller has checked for duplicates;
    the database's unique index refuses a second active file all the same)."""
    worker = Worker(
        unit_id=unit.id,
        status=ON_FILE,
        status_changed_on=today,
        data_checked_on=today,
        created_by_id=actor.user_id,
        entered_by_id=actor.user_id,
    )
    worker.category = cleaned.category
    _apply(worker, cleaned)
    db.session.add(worker)
    db.session.flush()
    _add_members(worker, cleaned.members)
    record(
        "worker.create",
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=unit.id,
        details={"new": _snapshot(worker, members=len(cleaned.members))},
    )
    return worker


def update(worker: Worker, data: WorkerInput, *, actor: Actor, today: date | None = None) -> Registration:
    """Correct a file; the data counts as checked today. An empty ID or card number
    keeps the one on file (pages never hold the whole number)."""
    today = today or date.today()
    if not data.id_number.strip():
        data.id_number = vault().reveal(worker.id_number_protected)
    keep_card = not data.bank_account.strip() and worker.bank_account_protected is not None
    if keep_card:
        data.bank_account = vault().reveal(worker.bank_account_protected or "")
    cleaned = clean(data, today=today)
    existing = find_active_by_id_number(cleaned.id_number)
    if existing is not None and existing.id != worker.id:
        raise DuplicateWorker(_duplicate_message(existing), field="id_number")
    old = _snapshot(worker)
    _apply(worker, cleaned)
    worker.data_checked_on = today
    worker.entered_by_id = actor.user_id
    _replace_members(worker, cleaned.members)
    db.session.flush()
    warnings = cleaned.warnings + household_flags(
        worker.id, [cleaned.id_number] + [m[2] for m in cleaned.members if m[2]]
    )
    record(
        "worker.update",
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=worker.unit_id,
        details={"old": old, "new": _snapshot(worker)},
    )
    return Registration(worker=worker, warnings=warnings)


def _replace_members(worker: Worker, members: list[tuple[str, str, str | None]]) -> None:
    for member in list(worker.members):
        db.session.delete(member)
    db.session.flush()
    _add_members(worker, members)
    db.session.refresh(worker, ["members"])


def _add_members(worker: Worker, members: list[tuple[str, str, str | None]]) -> None:
    for name, relation, id_number in members:
        row = HouseholdMember(worker_id=worker.id, name=name, relation=relation)
        if id_number:
            protected = vault().protect(id_number)
            row.id_number_protected = protected.ciphertext
            row.id_number_index = protected.index
            row.id_last4 = protected.last4
        db.session.add(row)
    if members:
        db.session.flush()


def masked_id(worker: Worker | ModelWorker) -> str:
    return mask_id_number(vault().reveal(worker.id_number_protected))


def reveal_id_number(worker: Worker, *, actor: Actor, purpose: str = "") -> str:
    """The whole ID number, for a role allowed to see it; the reveal is audited."""
    record(
        "worker.reveal_id",
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=worker.unit_id,
        details={"purpose": purpose[:200]},
    )
    return vault().reveal(worker.id_number_protected)


def change_status(worker: Worker, status: str, *, reason: str, on: date, actor: Actor) -> None:
    """在档 / 已脱困 / 已注销, with the date and reason; re-opening checks for duplicates."""
    if status not in WORKER_STATUSES:
        raise InvalidInput(_("Unknown status."), field="status")
    reason = _text(reason, 500)
    if status != ON_FILE and not reason:
        raise InvalidInput(_("Give the reason for the change of status."), field="reason")
    if status == worker.status:
        return
    if worker.status == CLOSED:
        existing = find_active_by_id_number(vault().reveal(worker.id_number_protected))
        if existing is not None:
            raise DuplicateWorker(_duplicate_message(existing), field="status")
    old = worker.status
    worker.status = status
    worker.status_changed_on = on
    worker.status_reason = reason
    db.session.flush()
    record(
        "worker.status",
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=worker.unit_id,
        details={"old": {"status": old}, "new": {"status": status, "reason": reason, "on": on.isoformat()}},
    )


def add_evidence(worker: Worker, kind: str, *, reference: str, received_on: date, actor: Actor) -> Evidence:
    if kind not in eligibility.EVIDENCE_KINDS:
        raise InvalidInput(_("Choose the kind of document."), field="kind")
    item = Evidence(
        worker_id=worker.id,
        kind=kind,
        reference=_text(reference, 200),
        received_on=received_on,
        recorded_by_id=actor.user_id,
    )
    db.session.add(item)
    db.session.flush()
    record(
        "worker.evidence",
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=worker.unit_id,
        details={"new": {"kind": kind, "reference": item.reference, "received_on": received_on.isoformat()}},
    )
    return item


def add_visit(
    worker: Worker, *, visited_on: date, notes: str, actor: Actor, today: date | None = None
) -> Visit:
    notes = _text(notes, 4000)
    if not notes:
        raise InvalidInput(_("Write what the visit found."), field="notes")
    if visited_on > (today or date.today()):
        raise InvalidInput(_("The date cannot be in the future."), field="visited_on")
    visit = Visit(worker_id=worker.id, visited_on=visited_on, visitor_id=actor.user_id, notes=notes)
    db.session.add(visit)
    db.session.flush()
    record(
        "worker.visit",
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=worker.unit_id,
        details={"new": {"visited_on": visited_on.isoformat()}},
    )
    return visit


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
    reason = _text(reason, 2000)
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
    record(
        "worker.accept_category",
        actor=actor,
        object_type="worker",
        object_id=worker.id,
        unit_id=worker.unit_id,
        details={"new": {"category": worker.category, "reason": reason}},
    )


# --- Finding people -----------------------------------------------------------------


@dataclass
class Page:
    items: list[Worker]
    next: str | None
    contains: bool = False  # nothing began with the term: these contain it


def _cursor(worker: Worker) -> str:
    return base64.urlsafe_b64encode(f"{worker.name_pinyin}\x1f{worker.id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        pinyin, _sep, worker_id = raw.partition("\x1f")
        return pinyin, int(worker_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _starts_with(column: Any, prefix: str) -> Any:
    """``column LIKE 'prefix%'`` as a range (no wildcards to escape), which a plain B-tree
    index serves on SQLite and on PostgreSQL (whose databases here use the C collation)."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


#: A search whose term begins no name or employer looks for it anywhere in them — a scan,
#: so only where the scope holds at most this many files (an office, a district, a city).
CONTAINS_SCAN_MAX = 100_000
#: The cursor of a page of "contains" results starts with this.
CONTAINS_CURSOR = "c."


def search(
    q: str = "",
    *,
    category: int | None = None,
    status: str | None = None,
    unit_ids: list[int] | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Page:
    """Search by the beginning of the name, the employer, the pinyin or its initials, or by
    the last four ID characters; sorted by pinyin; keyset-paginated (``after`` is the
    ``next`` of the previous page). Every condition is a range on an indexed column, so a
    search stays quick however many files there are. When nothing begins with the term
    (``钢铁`` for 首钢钢铁厂), names and employers that contain it are listed instead, where
    the scope is small enough to scan (``Page.contains``)."""
    term = _text(q, 50)
    filters = []
    if category is not None:
        filters.append(Worker.category == category)
    if status:
        filters.append(Worker.status == status)
    if unit_ids is not None:
        filters.append(Worker.unit_id.in_(unit_ids))
    contains = bool(after and after.startswith(CONTAINS_CURSOR))
    if contains and term:
        return _page(_containing(term), filters, after[len(CONTAINS_CURSOR) :], limit, contains=True)
    page = _page(_beginning_with(term) if term else None, filters, after, limit)
    if page.items or after or len(term) < 2 or (term.isascii() and len(term) < 3) or not _small(filters):
        return page
    return _page(_containing(term), filters, None, limit, contains=True)


def _beginning_with(term: str) -> Any:
    conditions = [_starts_with(Worker.name, term), _starts_with(Worker.employer, term)]
    if term.isascii() and term.isalpha():
        conditions.append(_starts_with(Worker.name_initials, term.lower()))
        conditions.append(_starts_with(Worker.name_pinyin, term.lower()))
    if len(term) == 4 and (term[:3].isdigit() and (term[3].isdigit() or term[3] in "xX")):
        conditions.append(Worker.id_last4 == term.upper())
    if db.engine.dialect.name == "sqlite":
        # One indexed look-up per condition, united: SQLite's planner would otherwise
        # walk the sort index and test every row against the OR.
        matching = union(*(select(Worker.id).where(condition) for condition in conditions))
        return Worker.id.in_(select(matching.subquery().c.id))
    # PostgreSQL ORs bitmap index scans itself; given an IN (union) it would walk the sort
    # index instead (bench/RESULTS.md, figure 1d).
    return or_(*conditions)


def _containing(term: str) -> Any:
    return or_(Worker.name.contains(term, autoescape=True), Worker.employer.contains(term, autoescape=True))


def _small(filters: list[Any]) -> bool:
    """Whether the scope holds at most CONTAINS_SCAN_MAX files (counting no further)."""
    capped = select(Worker.id).where(*filters).limit(CONTAINS_SCAN_MAX + 1).subquery()
    return db.session.execute(select(func.count()).select_from(capped)).scalar_one() <= CONTAINS_SCAN_MAX


def _page(match: Any, filters: list[Any], after: str | None, limit: int, *, contains: bool = False) -> Page:
    query = select(Worker).where(*filters)
    if match is not None:
        query = query.where(match)
    if after:
        position = _decode_cursor(after)
        if position is not None:
            query = query.where(tuple_(Worker.name_pinyin, Worker.id) > position)
    rows = list(db.session.execute(query.order_by(Worker.name_pinyin, Worker.id).limit(limit + 1)).scalars())
    items = rows[:limit]
    more = len(rows) > limit and items
    cursor = (CONTAINS_CURSOR if contains else "") + _cursor(items[-1]) if more else None
    return Page(items=items, next=cursor, contains=contains)


def get_worker(worker_id: int, unit_ids: list[int] | None) -> Worker:
    worker = db.session.get(Worker, worker_id)
    if worker is None or (unit_ids is not None and worker.unit_id not in unit_ids):
        raise NotFound(_("No such file."))
    return worker


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


# --- Model workers ------------------------------------------------------------------


def register_model_worker(
    *,
    name: str,
    id_number: str,
    level: str,
    employer: str,
    title_year: str,
    unit: Unit,
    actor: Actor,
    today: date | None = None,
) -> ModelWorker:
    """Add a model worker to the register; one entry per person."""
    errors: dict[str, list[str]] = {}
    clean_name = _text(name, 50)
    if not clean_name:
        errors["name"] = [_("Enter the name.")]
    number = ""
    try:
        number = parse_resident_id(id_number, today=today).number
    except InvalidIdNumber as exc:
        errors["id_number"] = [exc.message]
    if level not in MODEL_WORKER_LEVELS:
        errors["level"] = [_("Choose national, provincial/ministerial or city level.")]
    year = 0
    try:
        year = int(_text(title_year, 4))
        if not 1950 <= year <= (today or date.today()).year:
            raise ValueError
    except ValueError:
        errors["title_year"] = [_("Enter the year the title was awarded.")]
    clean_employer = _text(employer, 200)
    if not clean_employer:
        errors["employer"] = [_("Enter the employer.")]
    if errors:
        raise ValidationFailed(errors)
    protected = vault().protect(number)
    if db.session.execute(
        select(ModelWorker.id).where(ModelWorker.id_number_index == protected.index)
    ).first():
        raise DuplicateWorker(_("This model worker is already registered."), field="id_number")
    worker = ModelWorker(
        unit_id=unit.id,
        name=clean_name,
        name_pinyin=pinyin_keys(clean_name)[0],
        id_number_protected=protected.ciphertext,
        id_number_index=protected.index,
        id_last4=protected.last4,
        level=level,
        employer=clean_employer,
        title_year=year,
        created_by_id=actor.user_id,
    )
    db.session.add(worker)
    db.session.flush()
    record(
        "model_worker.create",
        actor=actor,
        object_type="model_worker",
        object_id=worker.id,
        unit_id=unit.id,
        details={
            "new": {
                "name": clean_name,
                "level": level,
                "title_year": year,
                "id_number": mask_id_number(number),
            }
        },
    )
    return worker
