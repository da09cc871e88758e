"""API endpoints of 上报: a unit sends its period's report up the tree; the level above
accepts it or returns it with a reason (app/services/reporting_up, the same steps as the
pages of app/reports/up.py)."""

from __future__ import annotations

from flask import Response, g
from flask_babel import gettext as _

from app.api import bp
from app.api import report_schemas as rp
from app.api.support import actor, api_permission, as_json, body, loaded_year, query
from app.auth.permissions import Permission
from app.models.periods import WHOLE_YEAR
from app.models.unit_reports import UnitReport
from app.services import reporting_up, steps
from app.services.errors import InvalidInput


def report_out(report: UnitReport, model: type[rp.ReportOut] = rp.ReportOut) -> rp.ReportOut:
    fields = dict(
        id=report.id,
        unit=report.unit.code,
        year=report.year,
        month=None if report.month == WHOLE_YEAR else report.month,
        version=report.version,
        status=report.status,
        submitted_at=report.submitted_at,
        submitted_by=report.submitted_by_name,
        reviewed_at=report.reviewed_at,
        reviewed_by=report.reviewed_by_name,
        return_reason=report.return_reason,
        digest=report.digest,
        intact=reporting_up.intact(report),
    )
    if model is rp.ReportDetail:
        fields["figures"] = reporting_up.figures_of(report)
    return model(**fields)


@bp.route("/unit-reports", methods=["POST"])
@api_permission(Permission.REPORTS_SEND)
def send_report() -> Response:
    data = body(rp.ReportIn)

    def step() -> UnitReport:
        unit = g.api_user.unit
        if unit is None:
            raise InvalidInput(
                _("Only a unit's own people send its report; you belong to no unit."), field="unit"
            )
        month = WHOLE_YEAR if data.month is None else data.month
        return reporting_up.submit(unit, loaded_year(data.year), month, note=data.note, actor=actor())

    return as_json(report_out(steps.run(step, name="report.submit", actor=actor())), 201)


@bp.route("/unit-reports", methods=["GET"])
@api_permission(Permission.REPORTS_VIEW)
def list_reports() -> Response:
    params = query(rp.ReportQuery)
    items = reporting_up.history(actor().scope.ids, year=params.year)
    return as_json(rp.ReportList(items=[report_out(r) for r in items]))


@bp.route("/unit-reports/<int:report_id>", methods=["GET"])
@api_permission(Permission.REPORTS_VIEW)
def get_report(report_id: int) -> Response:
    return as_json(report_out(reporting_up.load(report_id, actor()), rp.ReportDetail))


@bp.route("/unit-reports/<int:report_id>/accept", methods=["POST"])
@api_permission(Permission.REPORTS_SEND)
def accept_report(report_id: int) -> Response:
    def step() -> UnitReport:
        return reporting_up.accept(reporting_up.load(report_id, actor(), lock=True), actor=actor())

    return as_json(report_out(steps.run(step, name="report.accept", actor=actor())))


@bp.route("/unit-reports/<int:report_id>/return", methods=["POST"])
@api_permission(Permission.REPORTS_SEND)
def return_report(report_id: int) -> Response:
    data = body(rp.ReportReturnIn)

    def step() -> UnitReport:
        report = reporting_up.load(report_id, actor(), lock=True)
        return reporting_up.send_back(report, reason=data.reason, actor=actor())

    return as_json(report_out(steps.run(step, name="report.return", actor=actor())))
