"""API endpoints of the books (../shared/API.md): funds, their ledgers, reconciliation and
the audit package; the registry's are in app/api/registry.py, the cases' and payments'
in app/api/cases.py. Each validates its input against a model of app/api/schemas.py,
calls the same service as the pages (a change through :func:`app.services.steps.run`),
and answers the response model as JSON; refusals are problem+json and change nothing."""

from __future__ import annotations

import tempfile

from flask import Response, jsonify, send_file

from app.api import bp
from app.api import schemas as s
from app.api.openapi import document
from app.api.support import actor, api_permission, as_json, fund_json, loaded_year, query
from app.auth.permissions import Permission, public
from app.extensions import csrf, db
from app.models.ledger import Fund
from app.services import audit_export, ledger, reconciliation
from app.services import funds as funds_service

csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry one


def _visible() -> list[int] | None:
    return actor().scope.ids


def _fund(code: str, year: int, unit_code: str | None = None) -> Fund:
    return funds_service.find(actor(), code, year, unit_code)


@bp.route("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(document())


@bp.route("/funds")
@api_permission(Permission.FUNDS_VIEW)
def funds() -> Response:
    year = loaded_year(query(s.YearQuery).year)
    balances = ledger.fund_balances(year, _visible())
    return jsonify(s.FundList(year=year, funds=[fund_json(b) for b in balances]).model_dump(mode="json"))


@bp.route("/funds/<code>/ledger")
@api_permission(Permission.FUNDS_VIEW)
def fund_ledger(code: str) -> Response:
    params = query(s.LedgerQuery)
    fund = _fund(code, loaded_year(params.year), params.unit)
    entries = ledger.ledger_entries(fund, after_seq=params.after, limit=500)
    return as_json(
        s.LedgerPage(
            fund=fund.code,
            year=fund.year,
            items=[
                s.LedgerEntryOut(
                    seq=e.seq,
                    id=e.id,
                    kind=e.kind,
                    amount=e.amount,
                    created_at=e.created_at,
                    memo=e.memo,
                    available=e.available_after,
                    committed=e.committed_after,
                    paid=e.paid_after,
                )
                for e in entries
            ],
            next=str(entries[-1].seq) if len(entries) == 500 else None,
        )
    )


def _checks(results: list[reconciliation.CheckResult]) -> list[s.CheckOut]:
    return [s.CheckOut(check=c.key, ok=c.ok, problems=c.problems) for c in results]


@bp.route("/reconciliation")
@api_permission(Permission.REPORTS_VIEW)
def reconciliation_report() -> Response:
    result = reconciliation.reconcile(loaded_year(query(s.YearQuery).year), _visible())
    return as_json(
        s.ReconciliationOut(
            year=result.year,
            ok=result.ok,
            funds=[
                s.FundReconciliationOut(
                    code=f.fund.code,
                    name=f.fund.name,
                    budget=f.balance.budget,
                    committed=f.balance.committed,
                    paid=f.balance.paid,
                    available=f.balance.available,
                    ledger_sum=f.ledger_sum,
                    ok=f.ok,
                    checks=_checks(f.checks),
                )
                for f in result.funds
            ],
            department=s.DepartmentOut(
                special_public_total=result.special_public_total,
                budget_total=result.budget_total,
                checks=_checks(result.department),
            ),
        )
    )


@bp.route("/audit/export")
@api_permission(Permission.AUDIT_EXPORT)
def audit_package() -> Response:
    year = loaded_year(query(s.YearQuery).year)
    audit_export.log_export(year, actor=actor())
    db.session.commit()
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it)
    audit_export.write_package(year, scratch, actor=actor())
    scratch.seek(0)
    return send_file(
        scratch, mimetype="application/zip", as_attachment=True, download_name=f"audit-{year}.zip"
    )
