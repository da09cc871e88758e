"""The caps of the 2015 rules for central special aid (中央财政专项帮扶资金).

- Living aid (``living``): per household and year at most the local minimum living line
  (policy ``minimum_living_line``, yuan per person per month) × 12 × the household's size,
  lowered by the policy value ``living_aid_cap_per_household`` when one is set (the lower
  of the two applies; either alone applies when only it is set; neither: no cap).
- Medical aid (``medical``): at most the patient's out-of-pocket amount (自付) entered on
  the case from the evidence.

What a household *has been granted* in a year, for the living cap: over its other living
cases of that fiscal year, the approved amount of each case that is approved or paid (the
money is committed to it, paid or not yet, reversals having put it back on the
commitment), and of each closed case what was paid net of reversals (closing released the
rest). Drafts, submitted cases, cases on notice, rejected and cancelled cases count
nothing. The checks run when a case asks for an amount (opening) and at approval; the
refusal is at the field ``amount`` and says the cap and what is left, to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.registry import Worker
from app.money import ZERO, format_yuan
from app.services import policy
from app.services.errors import DomainError

LIVING = "living"
MEDICAL = "medical"
MONTHS = 12


class CeilingExceeded(DomainError):
    """The amount would pass a yearly ceiling."""


class CapExceeded(CeilingExceeded):
    """The amount would pass a cap of the rules (living aid per household, medical aid's
    out-of-pocket amount)."""


@dataclass(frozen=True)
class LivingCap:
    """The living-aid cap for one household and year, and how it was reached."""

    amount: Decimal
    line: Decimal | None  # the minimum living line it came from, if it did
    size: int
    policy_cap: Decimal | None


def living_cap(worker: Worker, year: int) -> LivingCap | None:
    """The household's living-aid cap for ``year``, or None when neither value is set."""
    line = policy.get_value(year, "minimum_living_line", worker.unit)
    extra = policy.get_value(year, "living_aid_cap_per_household", worker.unit)
    size = worker.household_size or 1
    candidates: list[Decimal] = []
    if line is not None:
        candidates.append(line * MONTHS * size)  # type: ignore[operator]
    if extra is not None:
        candidates.append(extra)  # type: ignore[arg-type]
    if not candidates:
        return None
    return LivingCap(min(candidates), line, size, extra)  # type: ignore[arg-type]


def _counted(case: Case) -> Decimal:
    if case.status in ("approved", "paid"):
        return case.approved_amount or ZERO
    if case.status == "closed":
        return sum((p.amount for p in case.payments if p.reversal is None), ZERO)
    return ZERO


def living_granted(worker_id: int, year: int, exclude_case: int | None = None) -> Decimal:
    """What the household has been granted in living aid in ``year`` (module docstring)."""
    query = select(Case).where(
        Case.worker_id == worker_id,
        Case.year == year,
        Case.aid_type == LIVING,
        Case.status.in_(("approved", "paid", "closed")),
    )
    if exclude_case is not None:
        query = query.where(Case.id != exclude_case)
    return sum((_counted(case) for case in db.session.execute(query).scalars()), ZERO)


def _basis(cap: LivingCap) -> str:
    if cap.line is not None and cap.amount == cap.line * MONTHS * cap.size:
        return _(
            "minimum living line %(line)s × 12 months × %(size)s people",
            line=format_yuan(cap.line),
            size=cap.size,
        )
    return _("the living aid cap per household set for the year")


def check(
    *,
    worker: Worker,
    year: int,
    aid_type: str,
    amount: Decimal,
    out_of_pocket: Decimal | None,
    exclude_case: int | None = None,
) -> None:
    """Refuse ``amount`` for a case of ``aid_type`` if it passes a cap (:class:`CapExceeded`
    at the field ``amount``). Reaching a cap exactly is allowed."""
    if aid_type == MEDICAL and out_of_pocket is not None and amount > out_of_pocket:
        raise CapExceeded(
            _(
                "Medical aid may be at most the out-of-pocket amount of %(cap)s entered on the case;"
                " %(amount)s is %(over)s more.",
                cap=format_yuan(out_of_pocket),
                amount=format_yuan(amount),
                over=format_yuan(amount - out_of_pocket),
            ),
            field="amount",
        )
    if aid_type != LIVING:
        return
    cap = living_cap(worker, year)
    if cap is None:
        return
    granted = living_granted(worker.id, year, exclude_case)
    left = max(cap.amount - granted, ZERO)
    if amount > left:
        raise CapExceeded(
            _(
                "Living aid per household in %(year)s is at most %(cap)s (%(basis)s):"
                " %(granted)s is already granted, %(left)s is left.",
                year=year,
                cap=format_yuan(cap.amount),
                basis=_basis(cap),
                granted=format_yuan(granted),
                left=format_yuan(left),
            ),
            field="amount",
        )
