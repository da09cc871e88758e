"""结账 pages. Views stay thin: parse the form, run one step of app/services/periods.py
through the runner, and say how it went; another unit's close is 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.actions import flash_error, show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.books import bp
from app.books.forms import CloseForm, ReopenForm, ReopenRequestForm
from app.extensions import db
from app.models.org import Unit
from app.models.periods import PeriodClose
from app.models.users import User
from app.params import db_int
from app.services import budgets, periods, scope, steps, units
from app.services.errors import DomainError, NotFound

Answer = Response | str | tuple[str, int]


def _month_choices() -> list[tuple[str, str]]:
    return [(str(m), _("Month %(month)s", month=m)) for m in range(1, 13)] + [("0", _("Whole year"))]


def _close_form(year: int | None, *, fresh: bool = False) -> CloseForm:
    form = CloseForm(formdata=None) if fresh else CloseForm()
    own = current_user.unit_id
    visible = scope.visible_units(current_user)
    form.unit.choices = [(u.code, f"{u.code} {u.name}") for u in visible]
    form.year.choices = [(str(y), str(y)) for y in budgets.loaded_years()]
    form.month.choices = _month_choices()
    if fresh:
        form.unit.data = next((u.code for u in visible if u.id == own), "")
        form.year.data = str(year) if year else ""
        last = periods.today().month - 1 if year == periods.today().year else 12
        form.month.data = str(max(last, 1))
    return form


def _number(text: object) -> object:
    """A choice as a number; anything else as typed, for the service to refuse at its field."""
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 6 else text


def _names(closes: list[PeriodClose]) -> dict[int, str]:
    """Who asked for a reopening and who reopened, by user id."""
    ids = {i for c in closes for i in (c.reopen_requested_by_id, c.reopened_by_id) if i is not None}
    return {i: u.display_name for i in ids if (u := db.session.get(User, i)) is not None}


def _index(year: int | None, form: CloseForm | None = None) -> str:
    found = periods.closes(year, scope.visible_unit_ids(current_user)) if year else []
    return render_template(
        "books/index.html",
        year=year,
        years=budgets.loaded_years(),
        closes=found,
        intact={c.id: periods.intact(c) for c in found},
        periods={c.id: periods.period_name(c.year, c.month) for c in found},
        units={c.unit_id: db.session.get(Unit, c.unit_id) for c in found},
        form=form or _close_form(year, fresh=True),
    )


@bp.route("/books")
@require(Permission.BOOKS_VIEW)
def index() -> str:
    return _index(budgets.chosen_year(request.args.get("year", type=db_int)))


def _unit(code: str | None) -> Unit:
    """The unit named on the form, among the caller's; the caller's own when none is."""
    if not code and current_user.unit_id is not None:
        own = db.session.get(Unit, current_user.unit_id)
        if own is not None:
            return own
    return units.registration_unit(
        current_user, code, missing=_("Choose the union unit whose books are closed.")
    )


@bp.route("/books/close", methods=["POST"])
@require(Permission.BOOKS_CLOSE)
def close() -> Answer:
    form = _close_form(None)
    form.validate_on_submit()
    year = _number(form.year.data)
    month = _number(form.month.data)
    if not isinstance(year, int):
        form.year.errors = [*form.year.errors, _("Choose a fiscal year.")]
        return _index(budgets.chosen_year(None), form), 422
    try:
        closing = steps.run(
            lambda: periods.close(
                _unit(form.unit.data), year, month=None if month == 0 else month, actor=current_actor()
            ),
            name="books.close",
            actor=current_actor(),
        )
    except DomainError as error:
        show_on_form(form, error, "month")
        return _index(budgets.chosen_year(year), form), 422
    flash(
        _("The books of %(period)s are closed.", period=periods.period_name(closing.year, closing.month)),
        "success",
    )
    return redirect(url_for("books.detail", close_id=closing.id))


def _found(close_id: int) -> PeriodClose:
    """The close within the caller's units, or 404."""
    try:
        return periods.load(close_id, current_actor())
    except NotFound:
        abort(404)


def _detail(
    close_id: int, request_form: ReopenRequestForm | None = None, reopen_form: ReopenForm | None = None
) -> str:
    closing = _found(close_id)
    return render_template(
        "books/detail.html",
        closing=closing,
        unit=db.session.get(Unit, closing.unit_id),
        period=periods.period_name(closing.year, closing.month),
        intact=periods.intact(closing),
        names=_names([closing]),
        own_request=closing.reopen_requested_by_id == current_user.id,
        request_form=request_form or ReopenRequestForm(formdata=None),
        reopen_form=reopen_form or ReopenForm(formdata=None),
    )


@bp.route("/books/<int:close_id>")
@require(Permission.BOOKS_VIEW)
def detail(close_id: int) -> str:
    return _detail(close_id)


@bp.route("/books/<int:close_id>/reopen-request", methods=["POST"])
@require(Permission.BOOKS_REOPEN)
def reopen_request(close_id: int) -> Answer:
    form = ReopenRequestForm()
    form.validate_on_submit()

    def step() -> PeriodClose:
        closing = periods.load(close_id, current_actor(), lock=True)
        return periods.request_reopen(closing, reason=form.reason.data or "", actor=current_actor())

    try:
        steps.run(step, name="books.reopen_request", actor=current_actor())
    except NotFound:
        abort(404)
    except DomainError as error:
        show_on_form(form, error, "reason")
        return _detail(close_id, request_form=form), 422
    flash(_("Reopening is asked for; a second person reopens the books."), "success")
    return redirect(url_for("books.detail", close_id=close_id))


@bp.route("/books/<int:close_id>/reopen", methods=["POST"])
@require(Permission.BOOKS_REOPEN_APPROVE)
def reopen(close_id: int) -> Answer:
    form = ReopenForm()
    form.validate_on_submit()

    def step() -> PeriodClose:
        return periods.approve_reopen(
            periods.load(close_id, current_actor(), lock=True), actor=current_actor()
        )

    try:
        steps.run(step, name="books.reopen", actor=current_actor())
    except NotFound:
        abort(404)
    except DomainError as error:
        flash_error(error)
        return _detail(close_id, reopen_form=form), 422
    flash(_("The books are reopened: money can be dated in the period again."), "success")
    return redirect(url_for("books.detail", close_id=close_id))
