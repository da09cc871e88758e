"""API endpoints of budget revisions (预算调整): a fund's budget revised up or down under a
document number (文号), and the year's revisions. Another unit's fund is a 404; a revision
that would take what is available below zero is a 409; nothing changes when refused."""

from __future__ import annotations

from flask import Response

from app.api import bp
from app.api import revision_schemas as rv
from app.api.support import actor, api_permission, as_json, body, idempotency_key, loaded_year, query
from app.auth.permissions import Permission
from app.extensions import db
from app.models.budget import BudgetRevision
from app.models.ledger import Fund
from app.models.org import Unit
from app.services import budget_revisions, funds, steps


def revision_out(revision: BudgetRevision) -> rv.RevisionOut:
    unit = db.session.get(Unit, revision.unit_id)
    return rv.RevisionOut(
        id=revision.id,
        unit=unit.code if unit else "",
        year=revision.year,
        source=revision.source,  # type: ignore[arg-type]
        reference=revision.reference,
        revised_on=revision.revised_on,
        reason=revision.reason,
        total_income=revision.total_income,
        total_expenditure=revision.total_expenditure,
        created_at=revision.created_at,
        lines=[
            rv.RevisionLineOut(
                fund_code=db.session.get(Fund, line.fund_id).code,  # type: ignore[union-attr]
                budget_before=line.budget_before,
                change=line.change,
                budget_after=line.budget_after,
            )
            for line in revision.lines
        ],
    )


@bp.route("/funds/<code>/revisions", methods=["POST"])
@api_permission(Permission.BUDGETS_REVISE)
def revise_fund(code: str) -> Response:
    data = body(rv.RevisionIn)
    key = idempotency_key()

    def step() -> BudgetRevision:
        fund = funds.find(actor(), code, data.year, data.unit)
        return budget_revisions.revise_fund(
            fund,
            how=data.how,
            amount=data.amount,
            reason=data.reason,
            reference=data.reference,
            revised_on=data.revised_on,
            actor=actor(),
            idempotency_key=key,
        )

    revision = steps.run(step, name="budget.revise", actor=actor())
    return as_json(revision_out(revision), 200 if budget_revisions.was_replayed(revision) else 201)


@bp.route("/budget-revisions")
@api_permission(Permission.FUNDS_VIEW)
def list_revisions() -> Response:
    year = loaded_year(query(rv.RevisionQuery).year)
    found = budget_revisions.revisions(year, actor().scope.ids)
    return as_json(rv.RevisionList(year=year, revisions=[revision_out(r) for r in found]))
