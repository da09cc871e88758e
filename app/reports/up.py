"""上报 pages: a unit sends its report for a period up the tree; the level above sees who has
reported, reads a report's frozen figures, accepts it or returns it with a reason
(app/services/reporting_up). Views stay thin: every rule is in the service."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, TextAreaField

from app.actions import flash_error, show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.models.org import Unit
from app.models.unit_reports import UnitReport
from app.params import db_int
from app.reports import bp
from app.services import budgets, exports, reporting_up, scope, steps
from app.services.errors import DomainError, NotFound
from app.services.reporting_up.workbook import report_workbook

Answer = Response | str | tuple[str, int]


class SendForm(FlaskForm):
    year = SelectField(_l("Fiscal year"), validate_choice=False)
    month = SelectField(_l("Reporting period"), validate_choice=False)
    note = TextAreaField(_l("Note to the level above (optional)"))


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Why it is returned"))


def _month_choices() -> list[tuple[str, str]]:
    return [("0", _("Whole year"))] + [(str(m), _("Month %(month)s", month=m)) for m in range(1, 13)]


def _send_form(*, fresh: bool = False) -> SendForm:
    """The send form: as posted, or empty (``fresh``) for the page's first showing."""
    form = SendForm(formdata=None) if fresh else SendForm()
    form.year.choices = [(str(y), str(y)) for y in budgets.loaded_years()]
    form.month.choices = _month_choices()
    return form


def _int(text: object) -> object:
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 6 else text


def _own_unit() -> Unit | None:
    """The caller's unit, read in this request's session (the signed-in user may be detached)."""
    return db.session.get(Unit, current_user.unit_id) if current_user.unit_id is not None else None


def _index(form: SendForm | None = None) -> str:
    form = form or _send_form(fresh=True)
    year = budgets.chosen_year(request.args.get("year", type=db_int))
    month = request.args.get("month", type=db_int)
    month = month if month is not None and 0 <= month <= 12 else reporting_up.WHOLE_YEAR
    unit_ids = scope.visible_unit_ids(current_user)
    own = _own_unit()
    return render_template(
        "reports/up_index.html",
        form=form,
        year=year,
        month=month,
        months=_month_choices(),
        years=budgets.loaded_years(),
        own=own,
        mine=reporting_up.history([own.id], year=year) if own is not None else [],
        below=reporting_up.below(own.id if own else None, year, month, unit_ids) if year else [],
        period=reporting_up.period_name(year, month) if year else "",
    )


@bp.route("/reports/up")
@require(Permission.REPORTS_VIEW)
def reports_up() -> str:
    return _index()


@bp.route("/reports/up", methods=["POST"])
@require(Permission.REPORTS_SEND)
def send_report() -> Answer:
    form = _send_form()
    form.validate_on_submit()
    unit = _own_unit()
    if unit is None:
        flash(_("Only a unit's own people send its report; you belong to no unit."), "danger")
        return _index(form), 422
    try:
        report = steps.run(
            lambda: reporting_up.submit(
                unit,
                _int(form.year.data),
                _int(form.month.data),
                note=form.note.data or "",
                actor=current_actor(),
            ),
            name="report.submit",
            actor=current_actor(),
        )
    except DomainError as error:
        if error.field is None:
            flash_error(error)
        else:
            show_on_form(form, error, "month")
        return _index(form), 422
    flash(_("The report is sent to the level above."), "success")
    return redirect(url_for("reports.report_up", report_id=report.id))


def _found(report_id: int) -> UnitReport:
    """The report within the caller's units, or 404."""
    try:
        return reporting_up.load(report_id, current_actor())
    except NotFound:
        abort(404)


def _report(report_id: int, return_form: ReturnForm | None = None) -> str:
    report = _found(report_id)
    return render_template(
        "reports/up_report.html",
        report=report,
        figures=reporting_up.figures_of(report),
        intact=reporting_up.intact(report),
        period=reporting_up.period_name(report.year, report.month),
        may_review=reporting_up.may_review(report, current_actor()) and report.status == "submitted",
        return_form=return_form or ReturnForm(formdata=None),
        earlier=[
            r for r in reporting_up.history([report.unit_id], year=report.year) if r.month == report.month
        ],
    )


@bp.route("/reports/up/<int:report_id>")
@require(Permission.REPORTS_VIEW)
def report_up(report_id: int) -> str:
    return _report(report_id)


def _decide(report_id: int, decide: str) -> Answer:
    form = ReturnForm()
    form.validate_on_submit()

    def step() -> object:
        report = reporting_up.load(report_id, current_actor(), lock=True)
        if decide == "accept":
            return reporting_up.accept(report, actor=current_actor())
        return reporting_up.send_back(report, reason=form.reason.data or "", actor=current_actor())

    try:
        steps.run(step, name=f"report.{decide}", actor=current_actor())
    except NotFound:
        abort(404)
    except DomainError as error:
        if error.field is None:
            flash_error(error)
        else:
            show_on_form(form, error, "reason")
        return _report(report_id, form), 422
    flash(
        _("The report is accepted.") if decide == "accept" else _("The report is returned to its unit."),
        "success",
    )
    return redirect(url_for("reports.report_up", report_id=report_id))


@bp.route("/reports/up/<int:report_id>/accept", methods=["POST"])
@require(Permission.REPORTS_SEND)
def accept_report(report_id: int) -> Answer:
    return _decide(report_id, "accept")


@bp.route("/reports/up/<int:report_id>/return", methods=["POST"])
@require(Permission.REPORTS_SEND)
def return_report(report_id: int) -> Answer:
    return _decide(report_id, "return")


@bp.route("/reports/up/<int:report_id>.xlsx")
@require(Permission.REPORTS_VIEW)
def report_up_xlsx(report_id: int) -> Response:
    report = _found(report_id)
    exports.log_export(
        "unit_report", actor=current_actor(), details={"report": report.id, "year": report.year}
    )
    db.session.commit()
    return send_file(
        io.BytesIO(report_workbook(report)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"report-{report.unit.code}-{report.year}-{report.month:02d}-v{report.version}.xlsx",
    )
