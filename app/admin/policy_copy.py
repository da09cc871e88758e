"""Copying the policy values forward (政策参数结转): each of last year's values beside this
year's, the administrator ticks those to copy (app/services/policy_copy.py), then reviews
and changes them on the policy page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.actions import show_on_form
from app.admin import bp
from app.admin.forms import PolicyCopyForm
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.models.org import Unit
from app.params import db_int
from app.services import budgets, periods, policy, policy_copy, steps
from app.services.errors import DomainError

Answer = Response | str | tuple[str, int]


def _row_value(key: str, unit_id: int | None) -> str:
    return f"{key}|{unit_id if unit_id is not None else '*'}"


def _pair(text: str) -> tuple[str, int | None] | None:
    key, _sep, unit = text.partition("|")
    if unit == "*":
        return key, None
    return (key, int(unit)) if unit.isdigit() and len(unit) < 10 else None


def _year(text: object, default: int) -> int:
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 6 else default


def _page(from_year: int, to_year: int, form: PolicyCopyForm, status: int = 200) -> Answer:
    try:
        pairs = policy_copy.side_by_side(from_year, to_year, actor=current_actor())
    except DomainError as error:
        show_on_form(form, error, "to_year")
        pairs, status = [], 422
    units = {u.id: u for u in db.session.execute(select(Unit)).scalars()}
    page = render_template(
        "admin/policy_copy.html",
        form=form,
        from_year=from_year,
        to_year=to_year,
        pairs=pairs,
        row_value=_row_value,
        units=units,
        labels={key: item.label for key, item in policy.KEYS.items()},
    )
    return (page, status) if status != 200 else page


@bp.route("/policy/copy")
@require(Permission.POLICY_MANAGE)
def policy_copy_page() -> Answer:
    newest = budgets.newest_year() or periods.today().year
    to_year = request.args.get("to", type=db_int) or newest + 1
    from_year = request.args.get("from", type=db_int) or to_year - 1
    form = PolicyCopyForm(formdata=None, from_year=str(from_year), to_year=str(to_year))
    return _page(from_year, to_year, form)


@bp.route("/policy/copy", methods=["POST"])
@require(Permission.POLICY_MANAGE)
def policy_copy_post() -> Answer:
    form = PolicyCopyForm()
    form.validate_on_submit()
    from_year = _year(form.from_year.data, 0)
    to_year = _year(form.to_year.data, 0)
    pairs = [p for p in (_pair(text) for text in form.rows.data or []) if p is not None]
    try:
        written = steps.run(
            lambda: policy_copy.copy_forward(
                from_year, to_year, actor=current_actor(), pairs=pairs, replace=True
            ),
            name="policy.copy",
            actor=current_actor(),
        )
    except DomainError as error:
        show_on_form(form, error, "rows")
        fallback = budgets.newest_year() or periods.today().year
        return _page(from_year or fallback - 1, to_year or fallback, form, 422)
    flash(
        _(
            "%(count)s policy values copied into %(year)s: review them here.",
            count=len(written),
            year=to_year,
        ),
        "success",
    )
    return redirect(url_for("admin.policy_values", year=to_year))
