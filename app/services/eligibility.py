"""The four eligibility categories (帮扶对象) and the evidence each needs.

1. Per-capita household income below the minimum living line (低保线).
2. Per-capita income at or slightly above the line (up to the line plus the year's
   margin, both ends included), with illness, children's education or an accident
   among the causes of hardship.
3. A natural disaster or major accident, recorded with its date.
4. Labour or economic rights infringed, with the case's reference.

Boundary, decided: "below the line" is strictly below. A household exactly at the
line is category 2 (if it has a qualifying cause), as is one exactly at the line
plus the margin; one fen per person more is neither. Per-capita income is compared
exactly (income against line × household size), never after rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.money import format_yuan

CATEGORIES = {
    1: _l("Category 1: below the minimum living line"),
    2: _l("Category 2: slightly above the line, with illness, education or accident"),
    3: _l("Category 3: natural disaster or major accident"),
    4: _l("Category 4: labour or economic rights infringed"),
}

#: Causes of hardship as the national 困难职工档案 form records them.
CAUSES = {
    "illness_self": _l("Serious illness of the worker"),
    "illness_family": _l("Serious illness in the family"),
    "disability": _l("Disability"),
    "education": _l("Children's education"),
    "accident": _l("Accident"),
    "disaster": _l("Natural disaster"),
    "unemployment": _l("Unemployment or lay-off"),
    "employer_difficulty": _l("Employer in difficulty or closed"),
    "low_wage": _l("Low wages"),
    "single_parent": _l("Single-parent household"),
    "rights": _l("Rights infringed (wages owed, injury at work)"),
    "other": _l("Other"),
}
#: Causes that qualify a near-line household for category 2, by group.
CATEGORY2_GROUPS = {
    "illness_self": "illness",
    "illness_family": "illness",
    "disability": "illness",
    "education": "education",
    "accident": "accident",
    "disaster": "accident",
}

EVIDENCE_KINDS = {
    "household_register": _l("Household register (户口簿)"),
    "dibao_certificate": _l("Minimum living allowance certificate (低保证)"),
    "income_proof": _l("Proof of household income"),
    "diagnosis": _l("Medical diagnosis (诊断证明)"),
    "medical_bills": _l("Medical bills"),
    "school_notice": _l("Enrolment or tuition notice (入学/学费通知)"),
    "accident_proof": _l("Proof of the accident"),
    "disaster_proof": _l("Disaster certificate (受灾证明)"),
    "legal_document": _l("Arbitration or court document (仲裁/法院文书)"),
    "other": _l("Other document"),
}


@dataclass(frozen=True)
class HouseholdFacts:
    monthly_income: Decimal
    size: int
    main_cause: str
    secondary_cause: str | None = None
    disaster_event: str | None = None
    disaster_date: date | None = None
    rights_case_ref: str | None = None

    @property
    def causes(self) -> set[str]:
        return {c for c in (self.main_cause, self.secondary_cause) if c}

    @property
    def category2_groups(self) -> set[str]:
        return {CATEGORY2_GROUPS[c] for c in self.causes if c in CATEGORY2_GROUPS}


@dataclass
class Assessment:
    """What the rules make of a household: the suggested category, each category's
    support, and why."""

    suggested: int | None
    supported: dict[int, bool] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)


def assess(facts: HouseholdFacts, line: Decimal | None, margin: Decimal | None) -> Assessment:
    """Judge every category against the household's data and the year's line."""
    supported: dict[int, bool] = {}
    reasons: dict[int, str] = {}
    per_capita = facts.monthly_income / facts.size
    shown = format_yuan(per_capita.quantize(Decimal("0.01")))

    if line is None:
        supported[1] = supported[2] = False
        reasons[1] = reasons[2] = _("The minimum living line for this year is not set.")
    else:
        upper = line + (margin or Decimal("0.00"))
        below = facts.monthly_income < line * facts.size
        near = not below and facts.monthly_income <= upper * facts.size
        supported[1] = below
        reasons[1] = (
            _("Per-capita income %(pc)s is below the line %(line)s.", pc=shown, line=format_yuan(line))
            if below
            else _(
                "Per-capita income %(pc)s is not below the line %(line)s.", pc=shown, line=format_yuan(line)
            )
        )
        if not near:
            supported[2] = False
            reasons[2] = _(
                "Per-capita income %(pc)s is not between the line %(line)s and %(upper)s.",
                pc=shown,
                line=format_yuan(line),
                upper=format_yuan(upper),
            )
        elif not facts.category2_groups:
            supported[2] = False
            reasons[2] = _(
                "Per-capita income %(pc)s is near the line, but no cause of illness, education or"
                " accident is recorded.",
                pc=shown,
            )
        else:
            supported[2] = True
            reasons[2] = _(
                "Per-capita income %(pc)s is between the line %(line)s and %(upper)s,"
                " with a qualifying cause.",
                pc=shown,
                line=format_yuan(line),
                upper=format_yuan(upper),
            )
    supported[3] = bool(facts.disaster_event and facts.disaster_date)
    reasons[3] = (
        _("A disaster or accident is recorded with its date.")
        if supported[3]
        else _("Category 3 needs the disaster or accident and its date.")
    )
    supported[4] = bool(facts.rights_case_ref)
    reasons[4] = (
        _("A rights case is recorded with its reference.")
        if supported[4]
        else _("Category 4 needs the reference of the rights case.")
    )
    suggested = next((c for c in (1, 2, 3, 4) if supported[c]), None)
    return Assessment(suggested=suggested, supported=supported, reasons=reasons)


def required_evidence(category: int, facts: HouseholdFacts) -> list[str]:
    """The documents a file of this category must have."""
    if category == 1:
        return ["household_register", "dibao_certificate"]
    if category == 2:
        needed = ["household_register", "income_proof"]
        groups = facts.category2_groups
        if "illness" in groups:
            needed.append("diagnosis")
        if "education" in groups:
            needed.append("school_notice")
        if "accident" in groups:
            needed.append("accident_proof")
        return needed
    if category == 3:
        return ["household_register", "disaster_proof"]
    return ["legal_document"]


def missing_evidence(category: int, facts: HouseholdFacts, on_file: set[str]) -> list[str]:
    return [kind for kind in required_evidence(category, facts) if kind not in on_file]
