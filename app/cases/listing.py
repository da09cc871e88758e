"""帮扶申请 list: search, filters, dates, totals, pages and the XLSX export of exactly what
is filtered; and 新建, which first asks whose application it is (a household of one's
own units), then goes on to that household's new-case form. The queries are the
services' (app/services/cases/queries.py); this module only reads the filter."""

from __future__ import annotations

import io
from datetime import date

from flask import render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import DateField, Form, SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases import bp
from app.extensions import db
from app.models.cases import AID_TYPES, CASE_STATUSES
from app.params import db_int
from app.registry.forms import choices
from app.services import budgets, exports, funds, scope
from app.services.audit import Actor
from app.services.cases import queries, sheets

PAGE_SIZE = 50


def all_or(options: dict[object, object] | list[tuple[object, object]]) -> list[SelectChoice]:
    """A filter's choices: 全部 (no filter) first, then the options."""
    return [SelectChoice("", _("All")), *choices(options)]


class CaseFilterForm(Form):
    """The list's filter, read from the query string (a GET form: no CSRF token)."""

    q = StringField(_l("Search"))
    status = SelectField(_l("Status"), validate_choice=False)
    aid_type = SelectField(_l("Form of aid"), validate_choice=False)
    fund = SelectField(_l("Fund"), validate_choice=False)
    unit = SelectField(_l("Union unit"), validate_choice=False)
    year = SelectField(_l("Year"), validate_choice=False)
    opened_from = DateField(_l("Opened from"), validators=[Optional()])
    opened_to = DateField(_l("Opened to"), validators=[Optional()])


def _filter_form(actor: Actor) -> tuple[CaseFilterForm, queries.CaseFilter]:
    """The form as sent (bad dates get a message at their field and are left out) and the
    filter it means; a value that is not one of the choices is ignored."""
    form = CaseFilterForm(MultiDict(request.args))
    units = scope.units_in(actor.scope)
    fund_codes = sorted({(f.code, f.name) for f in funds.in_scope(actor)})
    years = budgets.loaded_years()
    form.status.choices = all_or(CASE_STATUSES)
    form.aid_type.choices = all_or(AID_TYPES)
    form.fund.choices = all_or([(code, f"{code} {name}") for code, name in fund_codes])
    form.unit.choices = all_or([(u.code, f"{u.code} {u.name}") for u in units])
    form.year.choices = all_or([(y, y) for y in years])
    form.validate()
    unit = next((u for u in units if u.code == form.unit.data), None)
    year = request.args.get("year", type=db_int)
    chosen = queries.CaseFilter(
        q=form.q.data or "",
        status=form.status.data if form.status.data in CASE_STATUSES else None,
        aid_type=form.aid_type.data if form.aid_type.data in AID_TYPES else None,
        fund_code=form.fund.data if form.fund.data in {code for code, _n in fund_codes} else None,
        unit_ids=scope.subtree_ids(unit.id) if unit is not None else None,
        year=year if year in years else None,
        opened_from=None if form.opened_from.errors else form.opened_from.data,
        opened_to=None if form.opened_to.errors else form.opened_to.data,
    )
    return form, chosen


def _query_args() -> dict[str, str]:
    """The filter's query string without the page number (for the pager and the export)."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


@bp.route("/cases")
@require(Permission.REGISTRY_VIEW)
def index() -> str:
    actor = current_actor()
    form, chosen = _filter_form(actor)
    listing = queries.case_list(
        actor, chosen, page=request.args.get("page", default=1, type=db_int), per_page=PAGE_SIZE
    )
    return render_template("cases/index.html", form=form, listing=listing, args=_query_args())


@bp.route("/cases.xlsx")
@require(Permission.REGISTRY_VIEW)
def export_xlsx() -> Response:
    actor = current_actor()
    _form, chosen = _filter_form(actor)
    today = date.today()
    content = sheets.case_list_workbook(actor, chosen, today=today)
    exports.log_export("cases", actor=actor, details={"format": "xlsx", **chosen.described()})
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"cases-{today.isoformat()}.xlsx",
    )


@bp.route("/cases/new")
@require(Permission.CASES_CREATE)
def choose_household() -> str:
    """新建: find the household the application is for, then open its new-case form."""
    q = request.args.get("q", "")
    found = queries.households_for_new_case(current_actor(), q)
    return render_template("cases/choose_household.html", q=q, found=found)
