"""Yearly policy values (政策参数), set by an administrator per year and, where areas
differ, per union unit; a unit without its own value uses its parent's, then the
value for all units."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.org import Unit
from app.models.registry import PolicyValue
from app.money import InvalidAmount, parse_typed_amount
from app.services.audit import Actor, record
from app.services.errors import InvalidInput


def _money(text: str) -> Decimal:
    """An administrator's amount, as typed (zero or more)."""
    return parse_typed_amount(text)


def _days(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 60:
        raise ValueError(text)
    return value


def _reveals(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 10000:
        raise ValueError(text)
    return value


def _months(text: str) -> tuple[int, ...]:
    """Months after an exit when a follow-up call falls due: "3,6,12" (1 to 120 each; kept
    in rising order, each once)."""
    if not re.fullmatch(r"[0-9]{1,3}( *[,，] *[0-9]{1,3})*", text):
        raise ValueError(text)
    values = tuple(sorted({int(part) for part in re.split(" *[,，] *", text)}))
    if not all(1 <= v <= 120 for v in values):
        raise ValueError(text)
    return values


#: What to enter, as the refusal of a bad value says it.
MONEY_HINT = _l("an amount in yuan, such as 580.00")
DAYS_HINT = _l("a whole number of days from 0 to 60, such as 7")
REVEALS_HINT = _l("a whole number of reveals from 1 to 10000, such as 30")
MONTHS_HINT = _l("whole numbers of months from 1 to 120, separated by commas, such as 3,6,12")
PHONE_HINT = _l("a telephone number, such as 0311-12345678")
SWITCH_HINT = _l("yes or no (是 or 否)")

_SWITCH_WORDS = {"是": True, "否": False, "1": True, "0": False, "yes": True, "no": False}


def _switch(text: str) -> bool:
    """A step required or not: 是/否 as typed (1/0, yes/no, True/False as stored)."""
    word = text.strip().lower()
    if word in ("true", "false"):
        return word == "true"
    if word not in _SWITCH_WORDS:
        raise ValueError(text)
    return _SWITCH_WORDS[word]


def _phone(text: str) -> str:
    """A telephone number as printed on a notice: digits, with - ( ) or spaces between."""
    if not re.fullmatch(r"[0-9()（） -]{5,30}", text) or sum(ch.isdigit() for ch in text) < 5:
        raise ValueError(text)
    return text


#: The years a policy value may be set for.
FIRST_YEAR, LAST_YEAR = 2000, 2999


@dataclass(frozen=True)
class PolicyKey:
    label: object
    parse: Callable[[str], object]

    @property
    def hint(self) -> object:
        hints = {
            _reveals: REVEALS_HINT,
            _days: DAYS_HINT,
            _phone: PHONE_HINT,
            _months: MONTHS_HINT,
            _switch: SWITCH_HINT,
        }
        return hints.get(self.parse, MONEY_HINT)


KEYS: dict[str, PolicyKey] = {
    "minimum_living_line": PolicyKey(_l("Minimum living line (yuan per person per month)"), _money),
    "near_line_margin": PolicyKey(_l("Margin above the line still counted as near it (yuan)"), _money),
    "notice_days": PolicyKey(_l("Public notice period (days)"), _days),
    "household_ceiling": PolicyKey(_l("Aid ceiling per household per year (yuan)"), _money),
    "checkup_allowance": PolicyKey(_l("Model-worker check-up allowance per person (yuan)"), _money),
    "ceiling_living": PolicyKey(_l("Ceiling per household per year: living assistance (yuan)"), _money),
    "ceiling_medical": PolicyKey(_l("Ceiling per household per year: medical assistance (yuan)"), _money),
    "ceiling_education": PolicyKey(_l("Ceiling per household per year: children's education (yuan)"), _money),
    "ceiling_legal": PolicyKey(_l("Ceiling per household per year: legal aid (yuan)"), _money),
    "ceiling_training": PolicyKey(_l("Ceiling per household per year: vocational training (yuan)"), _money),
    "ceiling_employment": PolicyKey(_l("Ceiling per household per year: job referral (yuan)"), _money),
    "living_aid_cap_per_household": PolicyKey(
        _l("Living aid cap per household per year, below the minimum-living amount (yuan)"), _money
    ),
    "require_home_investigation": PolicyKey(_l("Home investigation required before a decision"), _switch),
    "require_democratic_review": PolicyKey(_l("Democratic review required before a decision"), _switch),
    "supervision_phone": PolicyKey(_l("Supervision phone printed on public notices"), _phone),
    "follow_up_months": PolicyKey(_l("Follow-up calls after an exit (months, default 3,6,12)"), _months),
    "reveal_daily_limit": PolicyKey(
        _l("Whole ID numbers one person may see in any 24 hours (default 30)"), _reveals
    ),
}


def set_value(year: int, key: str, value: str, *, unit: Unit | None = None, actor: Actor) -> PolicyValue:
    """Set (or change) a policy value; raises :class:`InvalidInput` for a bad key or value."""
    if key not in KEYS:
        raise InvalidInput(_("Unknown policy key %(key)s.", key=key), field="key")
    if not (actor.scope.is_everywhere if unit is None else actor.scope.allows(unit.id)):
        raise InvalidInput(_("Choose a union unit."), field="unit")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(_("The year %(year)s is out of range.", year=year), field="year")
    try:
        parsed = KEYS[key].parse(value.strip())
    except ValueError as refused:
        message = _(
            "%(value)s is not a valid value for %(name)s: enter %(hint)s.",
            value=value,
            name=KEYS[key].label,
            hint=KEYS[key].hint,
        )
        if isinstance(refused, InvalidAmount) and refused.reason is not None:
            message = f"{message} {refused.reason}"
        raise InvalidInput(message, field="value") from None
    if isinstance(parsed, tuple):
        text = ",".join(str(part) for part in parsed)
    elif isinstance(parsed, bool):
        text = "是" if parsed else "否"
    else:
        text = f"{parsed:.2f}" if isinstance(parsed, Decimal) else str(parsed)
    row = db.session.execute(
        select(PolicyValue).where(
            PolicyValue.year == year,
            PolicyValue.key == key,
            PolicyValue.unit_id.is_(None) if unit is None else PolicyValue.unit_id == unit.id,
        )
    ).scalar_one_or_none()
    old = row.value if row else None
    if row is None:
        row = PolicyValue(year=year, key=key, unit_id=unit.id if unit else None, value=text)
        db.session.add(row)
    else:
        row.value = text
    db.session.flush()
    record(
        "policy.set",
        actor=actor,
        object_type="policy",
        object_id=f"{year}:{key}",
        unit_id=unit.id if unit else None,
        details={"old": {key: old}, "new": {key: text}},
    )
    return row


def _chain(unit: Unit | None) -> list[int | None]:
    ids: list[int | None] = []
    while unit is not None:
        ids.append(unit.id)
        unit = unit.parent
    return [*ids, None]


def get_value(year: int, key: str, unit: Unit | None = None) -> object | None:
    """The value for the unit's area in ``year`` (its own, its parents', or the general one)."""
    rows = {
        row.unit_id: row.value
        for row in db.session.execute(
            select(PolicyValue).where(PolicyValue.year == year, PolicyValue.key == key)
        ).scalars()
    }
    for unit_id in _chain(unit):
        if unit_id in rows:
            return KEYS[key].parse(rows[unit_id])
    return None


def values_for(year: int) -> list[PolicyValue]:
    return list(
        db.session.execute(
            select(PolicyValue).where(PolicyValue.year == year).order_by(PolicyValue.key, PolicyValue.unit_id)
        ).scalars()
    )
