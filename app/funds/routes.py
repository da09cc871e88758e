"""The fund balance page (home) and a fund's ledger."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, render_template, request
from flask_login import current_user

from app.auth.actor import current_actor
from app.auth.permissions import ROLE_PERMISSIONS, Permission, can, require
from app.funds import bp
from app.models.cases import CASE_STATUSES
from app.models.ledger import Fund
from app.money import ZERO
from app.params import db_int
from app.services import budget_report, budgets, cases, funds, ledger, scope
from app.services.errors import DomainError


def _years() -> list[int]:
    return budgets.loaded_years()


def _chosen_year(_years: list[int]) -> int | None:
    return budgets.chosen_year(request.args.get("year", type=db_int))


@bp.route("/")
@require(Permission.FUNDS_VIEW)
def index() -> str:
    years = _years()
    year = _chosen_year(years)
    units = scope.visible_unit_ids(current_user)
    balances = ledger.fund_balances(year, units) if year is not None else []
    totals = {
        name: sum((getattr(b, name) for b in balances), ZERO)
        for name in ("budget", "committed", "paid", "available")
    }
    charts = {b.fund.id: _chart(budget_report.monthly_payments(b.fund)) for b in balances}
    permissions = {str(p) for p in ROLE_PERMISSIONS.get(current_user.role, frozenset())}
    return render_template(
        "funds/index.html",
        years=years,
        year=year,
        balances=balances,
        totals=totals,
        charts=charts,
        waiting=cases.waiting_for(permissions, units),
        recent=cases.recent_payments(units) if can(Permission.REGISTRY_VIEW) else [],
        statuses=CASE_STATUSES,
    )


def _chart(months: list[Decimal]) -> list[dict[str, object]]:
    """Bars for a server-drawn SVG: twelve months, scaled to the busiest one."""
    top = max(max(months), Decimal("0.01"))
    return [
        {"month": i + 1, "amount": amount, "height": int(max(amount, ZERO) / top * 80)}
        for i, amount in enumerate(months)
    ]


@bp.route("/funds/<code>/ledger")
@require(Permission.FUNDS_VIEW)
def ledger_page(code: str) -> str:
    years = _years()
    year = _chosen_year(years)
    if year is None:
        abort(404)
    try:
        fund: Fund = funds.find(current_actor(), code, year, request.args.get("unit") or None)
    except DomainError:  # unknown, another unit's, or several units' with none named
        abort(404)
    after = request.args.get("after", default=0, type=db_int)
    entries = ledger.ledger_entries(fund, after_seq=max(after, 0), limit=100)
    next_after = entries[-1].seq if len(entries) == 100 else None
    return render_template(
        "funds/ledger.html",
        fund=fund,
        year=year,
        balance=ledger.balance(fund),
        entries=entries,
        case_of=ledger.cases_of_entries(entries),
        next_after=next_after,
    )
