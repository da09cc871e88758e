"""Stored reconciliation runs: for the page when a year's books are too long to check
per request, and for the nightly `flask reconcile`."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.database import read_only
from app.extensions import db
from app.models.jobs import Job
from app.models.ledger import Fund
from app.models.reconciliation import ReconciliationRun
from app.models.types import utcnow
from app.services import jobs
from app.services.audit import Actor, record
from app.services.reconciliation.checks import CheckResult, Progress, Reconciliation, _quiet, reconcile


def scope_key(unit_ids: list[int] | None) -> str:
    return "all" if unit_ids is None else ",".join(str(i) for i in sorted(unit_ids))


def entries_in(year: int, unit_ids: list[int] | None = None) -> int:
    """How many ledger entries the year's funds hold (from each fund's own counter)."""
    query = select(func.coalesce(func.sum(Fund.last_seq), 0)).where(Fund.year == year)
    if unit_ids is not None:
        query = query.where(Fund.unit_id.in_(unit_ids))
    return int(db.session.execute(query).scalar_one())


def _check_json(check: CheckResult) -> dict[str, Any]:
    return {"key": check.key, "problems": check.problems}


def report_of(result: Reconciliation) -> dict[str, Any]:
    """The result as plain data (money as strings): what a page shows and a run stores."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    return {
        "year": result.year,
        "ok": result.ok,
        "funds": [
            {
                "code": f.fund.code,
                "name": f.fund.name,
                "budget": money(f.balance.budget),
                "paid": money(f.balance.paid),
                "committed": money(f.balance.committed),
                "at_bank": money(f.balance.at_bank),
                "available": money(f.balance.available),
                "ledger_sum": money(f.ledger_sum),
                "ok": f.ok,
                "checks": [_check_json(c) for c in f.checks],
            }
            for f in result.funds
        ],
        "department": [_check_json(c) for c in result.department],
        "budget_total": money(result.budget_total),
        "special_public_total": money(result.special_public_total),
    }


def run(
    year: int, unit_ids: list[int] | None, *, actor: Actor, progress: Progress = _quiet
) -> ReconciliationRun:
    """Check the year (reading only: on SQLite others keep writing meanwhile), then keep the
    result in a transaction of its own, and say so in the audit log. Commits."""
    started = utcnow()
    read_only(db.session)
    entries = entries_in(year, unit_ids)
    result = reconcile(year, unit_ids, progress)
    report = report_of(result)
    db.session.rollback()
    stored = ReconciliationRun(
        year=year,
        scope=scope_key(unit_ids),
        ok=report["ok"],
        entries=entries,
        report=json.dumps(report, ensure_ascii=False),
        started_at=started,
        created_by_id=actor.user_id,
        created_by_name=actor.name[:64],
    )
    db.session.add(stored)
    db.session.flush()
    record(
        "reconciliation.run",
        actor=actor,
        object_type="reconciliation_run",
        object_id=stored.id,
        details={"year": year, "scope": stored.scope, "ok": stored.ok, "entries": entries},
    )
    db.session.commit()
    return stored


def latest_run(year: int, unit_ids: list[int] | None) -> ReconciliationRun | None:
    return db.session.execute(
        select(ReconciliationRun)
        .where(ReconciliationRun.year == year, ReconciliationRun.scope == scope_key(unit_ids))
        .order_by(ReconciliationRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def start_run(year: int, *, actor: Actor) -> Job:
    """Run every check of the year in the actor's units as a background job (for the page
    when the books are too long to check per request); its result is stored."""

    def work(progress: jobs.Progress) -> tuple[str, None]:
        stored = run(year, actor.scope.ids, actor=actor, progress=progress)
        return (
            _("The reconciliation of %(year)s is done: every check passes.", year=year)
            if stored.ok
            else _("The reconciliation of %(year)s is done: some checks fail.", year=year)
        ), None

    return jobs.start("reconciliation", user_id=actor.user_id, work=work)  # type: ignore[arg-type]
