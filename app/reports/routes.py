"""Report pages: reconciliation (对账) and the budget's own table with execution."""

from __future__ import annotations

import io
import json
from datetime import date

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.models.cases import AID_TYPES
from app.params import db_int
from app.reports import bp
from app.reports.performance_charts import performance_charts
from app.services import (
    budget_report,
    budgets,
    eligibility,
    exports,
    household_report,
    performance,
    reconciliation,
    scope,
    yearly_review,
)


def _year() -> int | None:
    return budgets.chosen_year(request.args.get("year", type=db_int))


def _as_of() -> date | None:
    try:
        return date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return None


@bp.route("/reports/budget-execution")
@require(Permission.REPORTS_VIEW)
def budget_execution() -> str:
    year = _year()
    as_of = _as_of()
    units = scope.visible_unit_ids(current_user)
    rows = budget_report.execution_rows(year, as_of, units) if year else []
    revisions = budget_report.revisions_of(year, units) if year else []
    return render_template(
        "reports/budget_execution.html", year=year, as_of=as_of, rows=rows, revisions=revisions
    )


@bp.route("/reports/budget-execution.xlsx")
@require(Permission.REPORTS_VIEW)
def budget_execution_xlsx() -> Response:
    year = _year()
    if year is None:
        abort(404)
    as_of = _as_of()
    units = scope.visible_unit_ids(current_user)
    rows = budget_report.execution_rows(year, as_of, units)
    content = budget_report.execution_workbook(year, rows, as_of, budget_report.revisions_of(year, units))
    exports.log_export("budget_execution", actor=current_actor(), details={"year": year})
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"budget-execution-{year}.xlsx",
    )


def _performance_labels() -> dict[str, dict[object, str]]:
    return {
        "category": {k: str(v) for k, v in eligibility.CATEGORIES.items()},
        "aid_type": {k: str(v) for k, v in AID_TYPES.items()},
    }


@bp.route("/reports/performance")
@require(Permission.REPORTS_VIEW)
def performance_page() -> str:
    year = _year()
    report = performance.performance(year, scope.visible_unit_ids(current_user)) if year else None
    labels = _performance_labels()
    return render_template(
        "reports/performance.html",
        year=year,
        report=report,
        labels=labels,
        charts=performance_charts(report, labels) if report else {},
    )


@bp.route("/reports/performance.xlsx")
@require(Permission.REPORTS_VIEW)
def performance_xlsx() -> Response:
    year = _year()
    if year is None:
        abort(404)
    report = performance.performance(year, scope.visible_unit_ids(current_user))
    exports.log_export("performance", actor=current_actor(), details={"year": year})
    db.session.commit()
    return send_file(
        io.BytesIO(performance.performance_workbook(report, _performance_labels())),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"performance-{year}.xlsx",
    )


@bp.route("/reconciliation")
@require(Permission.REPORTS_VIEW)
def reconciliation_page() -> str:
    """Checked on the spot while the year's books are short (an office, a district); past
    ``RECONCILE_PAGE_MAX_ENTRIES`` the page shows the latest run and offers a new one as a
    background job, so no request waits minutes for a province's ledger."""
    year = _year()
    if not year:
        return render_template("reports/reconciliation.html", year=None, report=None, run=None)
    unit_ids = scope.visible_unit_ids(current_user)
    entries = reconciliation.entries_in(year, unit_ids)
    if entries <= current_app.config["RECONCILE_PAGE_MAX_ENTRIES"]:
        report, run = reconciliation.report_of(reconciliation.reconcile(year, unit_ids)), None
    else:
        run = reconciliation.latest_run(year, unit_ids)
        report = json.loads(run.report) if run else None
    return render_template(
        "reports/reconciliation.html",
        year=year,
        report=report,
        run=run,
        entries=entries,
        labels=reconciliation.CHECK_LABELS,
    )


@bp.route("/reconciliation/run", methods=["POST"])
@require(Permission.REPORTS_VIEW)
def reconciliation_run() -> Response:
    """Every check of the year as a background job; its page links back here."""
    year = request.form.get("year", type=db_int)
    if not budgets.is_loaded(year):
        abort(404)
    job = reconciliation.start_run(year, actor=current_actor())
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/reports/households")
@require(Permission.REPORTS_VIEW)
def households() -> str:
    rows = household_report.yearly_rows(scope.visible_unit_ids(current_user))
    return render_template(
        "reports/households.html",
        rows=rows,
        columns=household_report.columns(),
        values=household_report.values,
        on_time_days=household_report.ON_TIME_DAYS,
    )


@bp.route("/reports/households.xlsx")
@require(Permission.REPORTS_VIEW)
def households_xlsx() -> Response:
    rows = household_report.yearly_rows(scope.visible_unit_ids(current_user))
    exports.log_export("households", actor=current_actor())
    db.session.commit()
    return send_file(
        io.BytesIO(household_report.workbook_of(rows)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="households-by-year.xlsx",
    )


def _life_year() -> int:
    year = request.args.get("year", type=db_int)
    return year if year is not None and 2000 <= year <= 2100 else date.today().year


@bp.route("/reports/file-life")
@require(Permission.REPORTS_VIEW)
def file_life() -> str:
    """A year of households' life on file: entering, leaving by reason, the yearly review's
    completion by unit, follow-up calls done by their date."""
    year = _life_year()
    report = yearly_review.file_life(year, scope.visible_unit_ids(current_user))
    return render_template(
        "reports/file_life.html",
        year=year,
        report=report,
        movement=yearly_review.movement_rows(report),
        review_columns=yearly_review.review_columns(),
        review_values=yearly_review.review_values,
    )


@bp.route("/reports/file-life.xlsx")
@require(Permission.REPORTS_VIEW)
def file_life_xlsx() -> Response:
    year = _life_year()
    report = yearly_review.file_life(year, scope.visible_unit_ids(current_user))
    exports.log_export("file_life", actor=current_actor(), details={"year": year})
    db.session.commit()
    return send_file(
        io.BytesIO(yearly_review.file_life_workbook(report)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"life-on-file-{year}.xlsx",
    )
