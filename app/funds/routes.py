"""The fund balance page and a fund's ledger (the home page is app/home)."""

from __future__ import annotations

import io
from datetime import date

from flask import abort, render_template, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import DateField, Form, SelectField
from wtforms.validators import Optional

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases.listing import all_or
from app.extensions import db
from app.funds import bp
from app.funds.charts import month_charts
from app.models.ledger import TRANSFER_KIND_LABELS, Fund
from app.money import ZERO
from app.params import db_int
from app.services import budgets, exports, funds, ledger, ledger_book, scope
from app.services.errors import DomainError

#: Entries on one page of a fund's ledger.
LEDGER_PAGE = 100
#: Entries on one printed ledger at most (a longer one is printed by narrower dates).
PRINT_MAX = 3000


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
        for name in ("budget", "committed", "paid", "available", "at_bank")
    }
    fund_charts = month_charts(balances)
    return render_template(
        "funds/index.html", years=years, year=year, balances=balances, totals=totals, charts=fund_charts
    )


class LedgerFilterForm(Form):
    """The ledger's filter, read from the query string (a GET form: no CSRF token)."""

    date_from = DateField(_l("Voucher date from"), validators=[Optional()])
    date_to = DateField(_l("Voucher date to"), validators=[Optional()])
    kind = SelectField(_l("Entry"), validate_choice=False)


def _ledger_of(code: str) -> tuple[Fund, int]:
    """The fund ``code`` of the year asked for, among the user's units (else 404)."""
    year = _chosen_year(_years())
    if year is None:
        abort(404)
    try:
        return funds.find(current_actor(), code, year, request.args.get("unit") or None), year
    except DomainError:  # unknown, another unit's, or several units' with none named
        abort(404)


def _ledger_filter() -> tuple[LedgerFilterForm, ledger_book.LedgerFilter]:
    """The form as sent (a bad date gets its message at the field and is left out)."""
    form = LedgerFilterForm(MultiDict(request.args))
    form.kind.choices = all_or(TRANSFER_KIND_LABELS)
    form.validate()
    chosen = ledger_book.LedgerFilter(
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
        kind=form.kind.data if form.kind.data in TRANSFER_KIND_LABELS else None,
        after_seq=max(request.args.get("after", default=0, type=db_int), 0),
    )
    return form, chosen


def _filter_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k != "page" and v}


@bp.route("/funds/<code>/ledger")
@require(Permission.FUNDS_VIEW)
def ledger_page(code: str) -> str:
    fund, year = _ledger_of(code)
    form, chosen = _ledger_filter()
    totals = ledger_book.ledger_totals(fund, chosen)
    pages = max(1, -(-totals.count // LEDGER_PAGE))
    page = min(max(request.args.get("page", default=1, type=db_int), 1), pages)
    return render_template(
        "funds/ledger.html",
        fund=fund,
        year=year,
        balance=ledger.balance(fund),
        form=form,
        rows=ledger_book.ledger_rows(fund, chosen, offset=(page - 1) * LEDGER_PAGE, limit=LEDGER_PAGE),
        totals=totals,
        page=page,
        pages=pages,
        args=_filter_args(),
    )


@bp.route("/funds/<code>/ledger/print")
@require(Permission.FUNDS_VIEW)
def ledger_print(code: str) -> str:
    """The ledger of the filter on A4 paper: every row, the unit, the date, signature lines."""
    fund, year = _ledger_of(code)
    _form, chosen = _ledger_filter()
    totals = ledger_book.ledger_totals(fund, chosen)
    return render_template(
        "funds/ledger_print.html",
        fund=fund,
        year=year,
        chosen=chosen,
        rows=ledger_book.ledger_rows(fund, chosen, limit=PRINT_MAX),
        totals=totals,
        cut=totals.count > PRINT_MAX,
        today=date.today(),
    )


@bp.route("/funds/<code>/ledger.xlsx")
@require(Permission.FUNDS_VIEW)
def ledger_xlsx(code: str) -> Response:
    fund, year = _ledger_of(code)
    _form, chosen = _ledger_filter()
    today = date.today()
    actor = current_actor()
    content = ledger_book.ledger_workbook(fund, chosen, unit_name=fund.unit.name, today=today)
    details: dict[str, object] = {"format": "xlsx", "fund": fund.code, "year": year, "unit": fund.unit.code}
    details.update(
        {k: v for k, v in _filter_args().items() if k in ("date_from", "date_to", "kind", "after")}
    )
    exports.log_export("ledger", actor=actor, details=details)
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"ledger-{fund.code}-{year}.xlsx",
    )
