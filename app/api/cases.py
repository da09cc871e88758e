"""API endpoints of cases, payments and check-ups (../shared/API.md). Every change runs
as one step (:func:`app.services.steps.run`): the object is loaded within the caller's
units and locked by the service, a refusal is rolled back and recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response

from app.api import bp
from app.api import presenters as p
from app.api import read_schemas as rs
from app.api import schemas as s
from app.api.support import actor, api_permission, as_json, body, idempotency_key, query
from app.auth.permissions import Permission
from app.models.cases import Case, Payment
from app.services import cases, funds, loaders, steps
from app.services.cases import payments
from app.services.scope import Scope, units_in


@bp.route("/cases", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def create_case() -> Response:
    data = body(s.CaseIn)

    def step() -> Case:
        worker = loaders.worker(data.applicant_id, actor())
        fund = funds.for_worker_by_code(
            worker,
            actor(),
            code=data.fund_code,
            year=data.year or p.current_year(),
            purpose=cases.HARDSHIP_AID,
        )
        return cases.open_case(
            worker,
            fund=fund,
            aid_type=data.aid_type,
            amount=data.amount,
            reason=data.reason,
            actor=actor(),
            out_of_pocket=data.out_of_pocket,
        )

    return as_json(p.case_out(steps.run(step, name="case.create", actor=actor())), 201)


@bp.route("/cases")
@api_permission(Permission.REGISTRY_VIEW)
def list_cases() -> Response:
    params = query(rs.CaseQuery)
    unit_ids = None
    if params.unit:
        unit_ids = [u.id for u in units_in(actor().scope) if u.code == params.unit]
        unit_ids = [u.id for u in units_in(Scope.below(unit_ids[0]))] if unit_ids else [-1]
    page = cases.list_cases(
        actor(),
        status=params.status,
        fund_code=params.fund_code,
        year=params.year,
        unit_ids=unit_ids,
        before=params.after,
    )
    return as_json(rs.CasePage(items=[p.case_out(case) for case in page.items], next=page.next))


@bp.route("/cases/<int:case_id>")
@api_permission(Permission.REGISTRY_VIEW)
def get_case(case_id: int) -> Response:
    return as_json(p.case_detail(loaders.case(case_id, actor())))



def _transition(case_id: int, name: str, change: Callable[[Case], Any]) -> Response:
    def step() -> Case:
        case = loaders.case(case_id, actor())
        change(case)
        return case

    return as_json(p.case_out(steps.run(step, name=name, actor=actor())))


@bp.route("/cases/<int:case_id>/submit", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def submit_case(case_id: int) -> Response:
    return _transition(case_id, "case.submit", lambda case: cases.submit(case, actor=actor()))


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def cancel_case(case_id: int) -> Response:
    data = body(s.CancelIn)
    return _transition(
        case_id, "case.cancel", lambda case: cases.cancel(case, reason=data.reason, actor=actor())
    )


@bp.route("/cases/<int:case_id>/approve", methods=["POST"])
@api_permission(Permission.CASES_DECIDE)
def approve_case(case_id: int) -> Response:
    data = body(s.ApproveIn)
    return _transition(
        case_id, "case.approve", lambda case: cases.approve(case, amount=data.amount, actor=actor())
    )


@bp.route("/cases/<int:case_id>/reject", methods=["POST"])
@api_permission(Permission.CASES_DECIDE)
def reject_case(case_id: int) -> Response:
    data = body(s.ReasonIn)
    return _transition(
        case_id, "case.reject", lambda case: cases.reject(case, reason=data.reason, actor=actor())
    )


def _paid(name: str, create: Callable[[], Payment]) -> Response:
    """A money-moving create run once per Idempotency-Key: a replay answers the first
    result (200); the same key with another body is 422 (IdempotencyMismatch)."""
    payment = steps.run(create, name=name, actor=actor())
    return as_json(p.payment_out(payment), 200 if payments.was_replayed(payment) else 201)


@bp.route("/cases/<int:case_id>/payments", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def pay_case(case_id: int) -> Response:
    data = body(s.PaymentIn)
    key = idempotency_key()
    return _paid(
        "case.pay",
        lambda: cases.pay(
            loaders.case(case_id, actor()),
            amount=data.amount,
            voucher_no=data.voucher_no,
            paid_on=data.paid_on,
            method=data.method,
            actor=actor(),
            idempotency_key=key,
        ),
    )


@bp.route("/payments/<int:payment_id>")
@api_permission(Permission.REGISTRY_VIEW)
def get_payment(payment_id: int) -> Response:
    return as_json(p.payment_out(loaders.payment(payment_id, actor())))


@bp.route("/payments/<int:payment_id>/reversal", methods=["POST"])
@api_permission(Permission.PAYMENTS_REVERSE)
def reverse_payment(payment_id: int) -> Response:
    data = body(s.ReasonIn)

    def step() -> Payment:
        payment = loaders.payment(payment_id, actor())
        cases.reverse_payment(payment, reason=data.reason, actor=actor())
        return payment

    return as_json(p.payment_out(steps.run(step, name="payment.reverse", actor=actor())))


@bp.route("/health-checks", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def pay_health_check() -> Response:
    data = body(s.HealthCheckIn)
    key = idempotency_key()
    return _paid(
        "checkup.pay",
        lambda: cases.pay_checkup(
            loaders.model_worker(data.model_worker_id, actor()),
            amount=data.amount,
            voucher_no=data.voucher_no,
            paid_on=data.paid_on,
            actor=actor(),
            idempotency_key=key,
        ),
    )
