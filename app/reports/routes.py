"""Report pages: reconciliation (对账) and the budget's own table with execution."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.permissions import Permission, require
from app.extensions import db
from app.models.org import FiscalYear
from app.reports import bp
from app.services import reconciliation, scope


def _year() -> int | None:
    newest = db.session.execute(select(func.max(FiscalYear.year))).scalar_one()
    return request.args.get("year", type=int) or newest


@bp.route("/reconciliation")
@require(Permission.REPORTS_VIEW)
def reconciliation_page() -> str:
    year = _year()
    result = reconciliation.reconcile(year, scope.visible_unit_ids(current_user)) if year else None
    return render_template("reports/reconciliation.html", year=year, result=result)
