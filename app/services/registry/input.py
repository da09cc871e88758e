"""What a caseworker enters for a household, and the checks it must pass before it is
stored: every wrong field is listed at once, by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from app.idnumbers import InvalidIdNumber, normalise_mobile, parse_resident_id
from app.money import InvalidAmount, parse_typed_amount
from app.services import eligibility
from app.services.errors import ValidationFailed
from app.services.inputs import clean_text

RELATIONS = ("spouse", "child", "parent", "sibling", "grandchild", "other")


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
    """A household's data once every check passed: typed, trimmed, ready to store."""

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


def clean(data: WorkerInput, *, today: date | None = None) -> CleanWorker:
    """Validate every field; raise :class:`ValidationFailed` listing each wrong one."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    name = clean_text(data.name, 50)
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
    employer = clean_text(data.employer, 200)
    if not employer:
        fail("employer", _("Enter the employer."))
    size = 0
    try:
        size = int(clean_text(data.household_size, 3))
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
        category = int(clean_text(data.category, 2))
        if category not in eligibility.CATEGORIES:
            raise ValueError
    except ValueError:
        fail("category", _("Choose a category from 1 to 4."))
    main_cause = clean_text(data.main_cause, 30)
    if main_cause not in eligibility.CAUSES:
        fail("main_cause", _("Choose the main cause of hardship."))
    secondary = clean_text(data.secondary_cause, 30) or None
    if secondary is not None and secondary not in eligibility.CAUSES:
        fail("secondary_cause", _("Choose a listed cause or leave it empty."))
    disaster_event = clean_text(data.disaster_event, 300) or None
    disaster_date = None
    if clean_text(data.disaster_date, 10):
        try:
            disaster_date = date.fromisoformat(clean_text(data.disaster_date, 10))
            if disaster_date > (today or date.today()):
                fail("disaster_date", _("The date cannot be in the future."))
        except ValueError:
            fail("disaster_date", _("Enter the date as 2015-03-01."))
    bank_account = clean_text(data.bank_account, 30).replace(" ", "") or None
    if bank_account is not None and not (bank_account.isdigit() and 12 <= len(bank_account) <= 19):
        fail("bank_account", _("A bank card number has 12 to 19 digits."))
    members = []
    for index, member in enumerate(data.members, start=1):
        member_name = clean_text(member.name, 50)
        if not member_name:
            continue
        if member.relation not in RELATIONS:
            fail("members", _("Member %(n)s: choose the relation.", n=index))
        member_id = None
        if clean_text(member.id_number, 30):
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
        address=clean_text(data.address, 300),
        household_size=size,
        household_monthly_income=income,
        category=category,
        category_reason=clean_text(data.category_reason, 2000),
        main_cause=main_cause,
        secondary_cause=secondary,
        disaster_event=disaster_event,
        disaster_date=disaster_date,
        rights_case_ref=clean_text(data.rights_case_ref, 200) or None,
        bank_name=clean_text(data.bank_name, 100) or None,
        bank_account=bank_account,
        members=members,
        warnings=warnings,
    )
