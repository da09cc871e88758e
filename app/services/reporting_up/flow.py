"""上报: a unit submits its report for a period up the tree; the level above accepts it or
returns it with a reason; a returned report is submitted again as a new version (the earlier
ones are kept with their figures and the reason they came back).

Who: a unit's finance or reviewer submits its own unit's report (the units below report for
themselves); only a person of a unit *above* the report's unit — never of the unit itself, and
never the one who submitted it — accepts or returns it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.org import FiscalYear, Unit
from app.models.types import utcnow
from app.models.unit_reports import UnitReport
from app.models.users import User
from app.services import loaders, periods
from app.services.audit import Actor, record
from app.services.errors import DomainError, InvalidInput, NotFound
from app.services.reporting_up import snapshot
from app.services.steps import note_subject

MAX_REASON = 2000


class ReportRefused(DomainError):
    """A submission, acceptance or return that the report's state or the tree refuses (409)."""


def _check_period(year: object, month: object) -> tuple[int, int]:
    if not isinstance(year, int) or isinstance(year, bool) or db.session.get(FiscalYear, year) is None:
        raise InvalidInput(_("Choose a fiscal year that is loaded."), field="year")
    if not isinstance(month, int) or isinstance(month, bool) or not 0 <= month <= 12:
        raise InvalidInput(_("A month is a number from 1 to 12, or the whole year."), field="month")
    return year, month


def _own_unit(actor: Actor) -> int | None:
    user = db.session.get(User, actor.user_id) if actor.user_id is not None else None
    return user.unit_id if user is not None else None


def standing(unit_id: int, year: int, month: int) -> UnitReport | None:
    """The period's report that stands (submitted or accepted), if any."""
    return db.session.execute(
        select(UnitReport).where(
            UnitReport.unit_id == unit_id,
            UnitReport.year == year,
            UnitReport.month == month,
            UnitReport.status != "returned",
        )
    ).scalar_one_or_none()


def submit(
    unit: Unit, year: object, month: object, *, note: str = "", actor: Actor, today: date | None = None
) -> UnitReport:
    """Freeze the unit's figures for the period and send them to the level above."""
    if not actor.scope.allows(unit.id):
        raise NotFound(_("No such unit."))
    chosen_year, chosen_month = _check_period(year, month)
    if unit.parent_id is None:
        raise ReportRefused(
            _("%(unit)s is at the top of the tree: there is no level above to report to.", unit=unit.name)
        )
    if snapshot.period_end(chosen_year, chosen_month) >= (today or periods.today()):
        raise InvalidInput(
            _(
                "%(period)s is not over yet; its report can be sent from the next day on.",
                period=periods.period_name(chosen_year, chosen_month),
            ),
            field="month",
        )
    # The unit's row is the lock two submissions of the same period queue on.
    db.session.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update()).all()
    earlier = standing(unit.id, chosen_year, chosen_month)
    if earlier is not None:
        raise ReportRefused(
            _(
                "The report for %(period)s was sent already (No. %(id)s, %(status)s).",
                period=periods.period_name(chosen_year, chosen_month),
                id=earlier.id,
                status=_("accepted") if earlier.status == "accepted" else _("waiting for the level above"),
            )
        )
    returned = db.session.execute(
        select(UnitReport.id).where(
            UnitReport.unit_id == unit.id, UnitReport.year == chosen_year, UnitReport.month == chosen_month
        )
    ).all()
    text = snapshot.canonical(snapshot.figures(unit, chosen_year, chosen_month))
    report = UnitReport(
        unit_id=unit.id,
        year=chosen_year,
        month=chosen_month,
        version=len(returned) + 1,
        status="submitted",
        snapshot=text,
        digest=snapshot.digest_of(text),
        submitted_by_id=actor.user_id,
        submitted_by_name=actor.name[:64],
        note=(note or "").strip()[:MAX_REASON],
    )
    db.session.add(report)
    db.session.flush()
    note_subject("unit_report", report.id, unit.id)
    record(
        "report.submit",
        actor=actor,
        object_type="unit_report",
        object_id=report.id,
        unit_id=unit.id,
        details={
            "year": chosen_year,
            "month": chosen_month,
            "version": report.version,
            "digest": report.digest,
        },
    )
    return report


def load(report_id: object, actor: Actor, *, lock: bool = False) -> UnitReport:
    """A report of a unit within the actor's units; another unit's is :class:`NotFound`."""
    return loaders.unit_report(report_id, actor, lock=lock)


def may_review(report: UnitReport, actor: Actor) -> bool:
    """Whether ``actor`` sits above the report's unit (not in it) and did not submit it."""
    return (
        actor.scope.allows(report.unit_id)
        and _own_unit(actor) != report.unit_id
        and actor.user_id != report.submitted_by_id
    )


def _review(report: UnitReport, actor: Actor) -> None:
    if _own_unit(actor) == report.unit_id:
        raise ReportRefused(_("A report is accepted or returned by the level above, not by the unit itself."))
    if actor.user_id is not None and actor.user_id == report.submitted_by_id:
        raise ReportRefused(_("You sent this report; somebody else at the level above decides on it."))
    if report.status != "submitted":
        raise ReportRefused(
            _(
                "This report was %(status)s already.",
                status=_("accepted") if report.status == "accepted" else _("returned"),
            )
        )
    report.reviewed_by_id = actor.user_id
    report.reviewed_by_name = actor.name[:64]
    report.reviewed_at = utcnow()


def accept(report: UnitReport, *, actor: Actor) -> UnitReport:
    _review(report, actor)
    report.status = "accepted"
    record(
        "report.accept",
        actor=actor,
        object_type="unit_report",
        object_id=report.id,
        unit_id=report.unit_id,
        details={
            "year": report.year,
            "month": report.month,
            "version": report.version,
            "digest": report.digest,
        },
    )
    return report


def send_back(report: UnitReport, *, reason: str, actor: Actor) -> UnitReport:
    """Return the report to its unit with ``reason``; the unit sends a new version."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the report is returned."), field="reason")
    _review(report, actor)
    report.status = "returned"
    report.return_reason = reason[:MAX_REASON]
    record(
        "report.return",
        actor=actor,
        object_type="unit_report",
        object_id=report.id,
        unit_id=report.unit_id,
        details={"year": report.year, "month": report.month, "version": report.version, "reason": reason},
    )
    return report


def figures_of(report: UnitReport) -> dict[str, Any]:
    return dict(json.loads(report.snapshot))


def intact(report: UnitReport) -> bool:
    """Whether the stored figures are still those submitted (their SHA-256 matches)."""
    return snapshot.digest_of(report.snapshot) == report.digest


def history(unit_ids: list[int] | None, *, year: int | None = None) -> list[UnitReport]:
    """Reports of the units (every unit with None), newest first."""
    query = select(UnitReport).order_by(UnitReport.id.desc())
    if unit_ids is not None:
        query = query.where(UnitReport.unit_id.in_(unit_ids))
    if year is not None:
        query = query.where(UnitReport.year == year)
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True)
class ChildState:
    unit: Unit
    report: UnitReport | None  # the standing one, else the latest returned, else None

    @property
    def state(self) -> str:
        return self.report.status if self.report is not None else "missing"


def below(parent_id: int | None, year: int, month: int, scope_ids: list[int] | None) -> list[ChildState]:
    """Who has reported for the period: each unit directly below ``parent_id`` (the top units
    for a system-wide user), with its standing or latest report."""
    parent = Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id
    query = select(Unit).where(parent)
    children = [
        u
        for u in db.session.execute(query.order_by(Unit.code)).scalars()
        if scope_ids is None or u.id in scope_ids
    ]
    states = []
    for child in children:
        latest = db.session.execute(
            select(UnitReport)
            .where(UnitReport.unit_id == child.id, UnitReport.year == year, UnitReport.month == month)
            .order_by(UnitReport.status == "returned", UnitReport.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        states.append(ChildState(child, latest))
    return states
