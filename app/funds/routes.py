"""The fund balance page and a fund's ledger (the home page is app/home)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import charts
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.funds import bp
from app.models.ledger import Fund
from app.money import ZERO
from app.params import db_int
from app.services import budget_report, budgets, funds, ledger, scope
from app.services.errors import DomainError


def _years() -> list[int]:
    return budgets.loaded_years()


def _chosen_year(_years: list[int]) -> int | None:
    return budgets.chosen_year(request.args.get("year", type=db_int))


@bp.route("/funds")
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
    fund_charts = {
        b.fund.id: charts.column_chart(
            [
                charts.Bar(f"{i + 1}月", amount)
                for i, amount in enumerate(budget_report.monthly_payments(b.fund))
            ],
            title=_("%(fund)s: paid per month (yuan)", fund=b.fund.name),
        )
        for b in balances
    }
    return render_template(
        "funds/index.html", years=years, year=year, balances=balances, totals=totals, charts=fund_charts
    )


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
