"""API endpoints of 结账 (../shared/API.md): closing the fiscal year, or a month, of the
caller's unit; the year's closes; reopening closed books (an administrator asks with a
reason, a second person reopens). While a close holds no money moves in it (409 through
every door)."""

from __future__ import annotations

from flask import Response, g, request
from flask_babel import gettext as _

from app.api import book_schemas as bk
from app.api import bp
from app.api.support import actor, api_permission, as_json, body, loaded_year, query
from app.auth.permissions import Permission
from app.extensions import db
from app.models.org import Unit
from app.models.periods import WHOLE_YEAR, PeriodClose
from app.models.year_end import YearEndChoice
from app.services import periods, steps, units, year_end


def close_out(closing: PeriodClose) -> bk.CloseOut:
    unit = db.session.get(Unit, closing.unit_id)
    return bk.CloseOut(
        id=closing.id,
        unit=unit.code if unit else "",
        year=closing.year,
        month=None if closing.month == WHOLE_YEAR else closing.month,
        status=closing.status,
        closed_at=closing.closed_at,
        closed_by=closing.closed_by_name,
        digest=closing.digest,
        intact=periods.intact(closing),
        reopen_reason=closing.reopen_reason,
        reopen_requested_at=closing.reopen_requested_at,
        reopened_at=closing.reopened_at,
    )


def _close(year: int, month: int | None) -> Response:
    data = body(bk.CloseIn) if request.get_data() else bk.CloseIn()

    def step() -> PeriodClose:
        unit = units.registration_unit(
            g.api_user, data.unit, missing=_("Name the union unit whose books are closed.")
        )
        return periods.close(unit, year, month=month, actor=actor())

    return as_json(close_out(steps.run(step, name="books.close", actor=actor())))


@bp.route("/years/<int:year>/close", methods=["POST"])
@api_permission(Permission.BOOKS_CLOSE)
def close_year(year: int) -> Response:
    return _close(year, None)


@bp.route("/years/<int:year>/months/<int:month>/close", methods=["POST"])
@api_permission(Permission.BOOKS_CLOSE)
def close_month(year: int, month: int) -> Response:
    return _close(year, month)


@bp.route("/period-closes")
@api_permission(Permission.BOOKS_VIEW)
def list_closes() -> Response:
    year = loaded_year(query(bk.CloseQuery).year)
    found = periods.closes(year, actor().scope.ids)
    return as_json(bk.CloseList(year=year, closes=[close_out(c) for c in found]))


@bp.route("/period-closes/<int:close_id>/reopen-request", methods=["POST"])
@api_permission(Permission.BOOKS_REOPEN)
def request_books_reopen(close_id: int) -> Response:
    data = body(bk.ReopenRequestIn)

    def step() -> PeriodClose:
        closing = periods.load(close_id, actor(), lock=True)
        return periods.request_reopen(closing, reason=data.reason, actor=actor())

    return as_json(close_out(steps.run(step, name="books.reopen_request", actor=actor())))


@bp.route("/period-closes/<int:close_id>/reopen", methods=["POST"])
@api_permission(Permission.BOOKS_REOPEN_APPROVE)
def reopen_books(close_id: int) -> Response:
    def step() -> PeriodClose:
        closing = periods.load(close_id, actor(), lock=True)
        return periods.approve_reopen(closing, actor=actor())

    return as_json(close_out(steps.run(step, name="books.reopen", actor=actor())))
def carried_out(choice: YearEndChoice) -> bk.CarriedCaseOut:
    return bk.CarriedCaseOut(
        case_id=choice.case_id,
        status=choice.case.status,
        action=choice.action,
        amount=choice.amount,
        next_case_id=choice.next_case_id,
        next_fund_code=choice.next_fund.code if choice.next_fund else None,
        next_year=choice.next_fund.year if choice.next_fund else None,
    )


@bp.route("/years/<int:year>/carry-over", methods=["POST"])
@api_permission(Permission.BOOKS_CLOSE)
def carry_over(year: int) -> Response:
    """年终结转: carry over or release open cases of the year, all or nothing."""
    data = body(bk.CarryOverIn)
    made = steps.run(
        lambda: year_end.choose(year, data.case_ids, data.action, reason=data.reason, actor=actor()),
        name=f"year_end.{data.action}",
        actor=actor(),
    )
    return as_json(bk.CarryOverOut(year=year, action=data.action, cases=[carried_out(c) for c in made]))
