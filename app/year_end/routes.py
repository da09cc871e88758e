"""Year-end pages: the year's open cases, each carried over or released (one by one or all
at once), and the year-end report (page and workbook). Every rule is in
app/services/year_end."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.actions import flash_error
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.params import db_int
from app.services import budgets, exports, steps, year_end
from app.services.errors import DomainError, NotFound
from app.year_end import bp
from app.year_end.forms import ChoiceForm

Answer = Response | str | tuple[str, int]
#: A case id as a form sends it: digits, and no more than a database id has.
_MAX_ID_DIGITS = 10


def _year() -> int | None:
    return budgets.chosen_year(request.args.get("year", type=db_int))


def _ids(values: list[str]) -> list[object]:
    """The posted case ids: numbers as numbers; anything else kept, for the service to refuse."""
    return [int(v) if v.isdigit() and len(v) <= _MAX_ID_DIGITS else v for v in values]


def _index(year: int | None, form: ChoiceForm | None = None) -> str:
    rows = year_end.open_cases(current_actor(), year) if year else []
    return render_template(
        "year_end/index.html",
        year=year,
        years=budgets.loaded_years(),
        rows=rows,
        form=form or ChoiceForm(formdata=None),
        bulk_ids=[row.case.id for row in rows if row.can_release],
    )


@bp.route("/year-end")
@require(Permission.BOOKS_CLOSE)
def index() -> str:
    return _index(_year())


@bp.route("/year-end/<int:year>", methods=["POST"])
@require(Permission.BOOKS_CLOSE)
def choose(year: int) -> Answer:
    form = ChoiceForm()
    form.validate_on_submit()
    action = request.form.get("action", "")
    case_ids = _ids(request.form.getlist("case_ids"))
    try:
        made = steps.run(
            lambda: year_end.choose(
                year, case_ids, action, reason=form.reason.data or "", actor=current_actor()
            ),
            name=f"year_end.{action}" if action in year_end.ACTIONS else "year_end.choose",
            actor=current_actor(),
        )
    except NotFound:
        abort(404)
    except DomainError as error:
        flash_error(error)
        return _index(year if budgets.is_loaded(year) else None, form), 422
    if action == "carry":
        flash(_("%(n)s case(s) carried over to %(next)s.", n=len(made), next=year + 1), "success")
    else:
        flash(_("%(n)s case(s) released and closed.", n=len(made)), "success")
    return redirect(url_for("year_end.index", year=year))


@bp.route("/year-end/report")
@require(Permission.REPORTS_VIEW)
def report() -> str:
    year = _year()
    return render_template(
        "year_end/report.html",
        year=year,
        years=budgets.loaded_years(),
        result=year_end.report(current_actor(), year) if year else None,
    )


@bp.route("/year-end/report.xlsx")
@require(Permission.REPORTS_VIEW)
def report_xlsx() -> Response:
    year = _year()
    if year is None:
        abort(404)
    result = year_end.report(current_actor(), year)
    exports.log_export("year_end", actor=current_actor(), details={"year": year})
    db.session.commit()
    return send_file(
        io.BytesIO(year_end.report_workbook(result)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"year-end-{year}.xlsx",
    )
