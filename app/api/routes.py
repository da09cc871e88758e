"""API endpoints (../shared/API.md). Each validates its input against a model of
app/api/schemas.py, calls the same service as the pages, commits once, and answers the
response model as JSON; refusals are problem+json and change nothing."""

from __future__ import annotations

import tempfile
from datetime import date
from typing import Any

from flask import Response, g, jsonify, send_file
from flask_babel import gettext as _
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.api import bp
from app.api import schemas as s
from app.api.openapi import document
from app.api.support import (
    actor,
    api_permission,
    body,
    fund_json,
    idempotency_key,
    problem,
    query,
)
from app.auth.permissions import Permission, public, role_has
from app.extensions import csrf, db
from app.models.cases import Case, Payment
from app.models.ledger import Fund
from app.models.registry import ModelWorker, Worker
from app.services import audit_export, budgets, cases, ledger, reconciliation, registry, scope, units
from app.services.errors import NotFound
from app.services.registry import WorkerInput

csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry one


def _json(model: BaseModel, status: int = 200) -> Response:
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response


def _year(requested: int | None = None) -> int:
    """The year asked for, or the newest loaded; 404 when no budget of that year is loaded."""
    year = requested or budgets.newest_year()
    if not budgets.is_loaded(year):
        raise NotFound(_("No budget has been loaded for that year."))
    return year


def _visible() -> list[int] | None:
    return scope.visible_unit_ids(g.api_user)


def _worker_out(worker: Worker, *, revealed: str | None = None) -> s.ApplicantOut:
    assessment = registry.assess(worker, _year_or_today())
    return s.ApplicantOut(
        id=worker.id,
        name=worker.name,
        id_number=revealed or registry.masked_id(worker),
        phone=worker.phone,
        employer=worker.employer,
        unit=worker.unit.code,
        household_size=worker.household_size,
        household_monthly_income=worker.household_monthly_income,
        per_capita_income=worker.per_capita_income,
        category=worker.category,
        category_reason=worker.category_reason,
        suggested_category=assessment.suggested,
        category_supported=assessment.supported.get(worker.category, False),
        status=worker.status,
    )


def _year_or_today() -> int:
    return budgets.newest_year() or date.today().year


def _case_out(case: Case) -> s.CaseOut:
    return s.CaseOut(
        id=case.id,
        applicant_id=case.worker_id,
        fund_code=case.fund.code,
        year=case.year,
        aid_type=case.aid_type,
        status=case.status,
        reason=case.reason,
        requested_amount=case.requested_amount,
        approved_amount=case.approved_amount,
        paid_amount=cases.paid_amount(case),
        notice_end=case.notice_end,
    )


def _payment_out(payment: Payment) -> s.PaymentOut:
    return s.PaymentOut(
        id=payment.id,
        case_id=payment.case_id,
        model_worker_id=payment.model_worker_id,
        amount=payment.amount,
        voucher_no=payment.voucher_no,
        paid_on=payment.paid_on,
        method=payment.method,
        reversed=payment.reversal is not None,
    )


def _fund(code: str, year: int) -> Fund:
    fund = ledger.find_fund(code, year)
    visible = _visible()
    if visible is not None and fund.unit_id not in visible:
        raise NotFound(_("Fund %(code)s of %(year)s not found.", code=code, year=year))
    return fund


def _case(case_id: int) -> Case:
    return cases.get_case(case_id, _visible())


@bp.route("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(document())


@bp.route("/funds")
@api_permission(Permission.FUNDS_VIEW)
def funds() -> Response:
    year = _year(query(s.YearQuery).year)
    balances = ledger.fund_balances(year, _visible())
    return jsonify(s.FundList(year=year, funds=[fund_json(b) for b in balances]).model_dump(mode="json"))


@bp.route("/funds/<code>/ledger")
@api_permission(Permission.FUNDS_VIEW)
def fund_ledger(code: str) -> Response:
    params = query(s.LedgerQuery)
    fund = _fund(code, _year(params.year))
    entries = ledger.ledger_entries(fund, after_seq=params.after, limit=500)
    return _json(
        s.LedgerPage(
            fund=fund.code,
            year=fund.year,
            items=[
                s.LedgerEntryOut(
                    seq=e.seq,
                    id=e.id,
                    kind=e.kind,
                    amount=e.amount,
                    created_at=e.created_at,
                    memo=e.memo,
                    available=e.available_after,
                    committed=e.committed_after,
                    paid=e.paid_after,
                )
                for e in entries
            ],
            next=str(entries[-1].seq) if len(entries) == 500 else None,
        )
    )


@bp.route("/applicants", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def create_applicant() -> Response:
    data = body(s.ApplicantIn)
    result = registry.register(
        WorkerInput(
            **data.model_dump(
                exclude={"household_size", "household_monthly_income", "category", "main_cause", "unit"}
            ),
            main_cause=data.main_cause or "other",
            household_size=str(data.household_size),
            household_monthly_income=f"{data.household_monthly_income:.2f}",
            category=str(data.category),
        ),
        unit=units.registration_unit(g.api_user, data.unit),
        actor=actor(),
    )
    db.session.commit()
    created = s.ApplicantCreated(**_worker_out(result.worker).model_dump(), warnings=result.warnings)
    return _json(created, 201)


@bp.route("/applicants")
@api_permission(Permission.REGISTRY_VIEW)
def search_applicants() -> Response:
    params = query(s.ApplicantQuery)
    reveal = params.reveal == "id_number"
    if reveal and not role_has(g.api_user.role, Permission.ID_REVEAL):
        return problem(
            403, "Forbidden", _("Your role does not allow this. Ask an administrator if you need it.")
        )
    page = registry.search(
        params.q,
        category=params.category,
        status=params.status or None,
        unit_ids=_visible(),
        after=params.after,
        limit=50,
    )
    items = [
        _worker_out(
            worker,
            revealed=registry.reveal_id_number(worker, actor=actor(), purpose="api") if reveal else None,
        )
        for worker in page.items
    ]
    db.session.commit()
    return _json(s.ApplicantPage(items=items, next=page.next))


@bp.route("/model-workers", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def create_model_worker() -> Response:
    data = body(s.ModelWorkerIn)
    worker = registry.register_model_worker(
        name=data.name,
        id_number=data.id_number,
        level=data.level,
        employer=data.employer,
        title_year=str(data.title_year),
        unit=units.registration_unit(g.api_user, data.unit),
        actor=actor(),
    )
    db.session.commit()
    return _json(
        s.ModelWorkerOut(
            id=worker.id,
            name=worker.name,
            level=worker.level,
            id_number=registry.masked_id(worker),
            title_year=worker.title_year,
            entitled=worker.entitled_to_check_up,
        ),
        201,
    )


@bp.route("/cases", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def create_case() -> Response:
    data = body(s.CaseIn)
    worker = registry.get_worker(data.applicant_id, _visible())
    fund = _fund(data.fund_code, data.year or _year_or_today())
    case = cases.open_case(
        worker, fund=fund, aid_type=data.aid_type, amount=data.amount, reason=data.reason, actor=actor()
    )
    db.session.commit()
    return _json(_case_out(case), 201)


def _transition(case_id: int, step: Any) -> Response:
    case = _case(case_id)
    step(case)
    db.session.commit()
    return _json(_case_out(case))


@bp.route("/cases/<int:case_id>/submit", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def submit_case(case_id: int) -> Response:
    return _transition(case_id, lambda case: cases.submit(case, actor=actor()))


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def cancel_case(case_id: int) -> Response:
    data = body(s.CancelIn)
    return _transition(case_id, lambda case: cases.cancel(case, reason=data.reason, actor=actor()))


@bp.route("/cases/<int:case_id>/approve", methods=["POST"])
@api_permission(Permission.CASES_DECIDE)
def approve_case(case_id: int) -> Response:
    data = body(s.ApproveIn)
    return _transition(case_id, lambda case: cases.approve(case, amount=data.amount, actor=actor()))


@bp.route("/cases/<int:case_id>/reject", methods=["POST"])
@api_permission(Permission.CASES_DECIDE)
def reject_case(case_id: int) -> Response:
    data = body(s.ReasonIn)
    return _transition(case_id, lambda case: cases.reject(case, reason=data.reason, actor=actor()))


def _idempotent(key: str | None, create: Any) -> Response:
    """Run a money-moving create once per Idempotency-Key: a replay answers the first result
    (200), the same key with another body is 422, and one still in flight is 409."""
    replayed = (
        key is not None
        and db.session.execute(select(Payment.id).where(Payment.idempotency_key == key)).first() is not None
    )
    try:
        payment = create()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return problem(
            409,
            "Conflict",
            _(
                "A request with this Idempotency-Key is still being processed or"
                " its voucher number is taken; retry."
            ),
        )
    return _json(_payment_out(payment), 200 if replayed else 201)


@bp.route("/cases/<int:case_id>/payments", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def pay_case(case_id: int) -> Response:
    data = body(s.PaymentIn)
    case = _case(case_id)
    key = idempotency_key()

    def create() -> Payment:
        return cases.pay(
            case,
            amount=data.amount,
            voucher_no=data.voucher_no,
            paid_on=data.paid_on,
            method=data.method,
            actor=actor(),
            idempotency_key=key,
        )

    return _idempotent(key, create)


@bp.route("/payments/<int:payment_id>/reversal", methods=["POST"])
@api_permission(Permission.PAYMENTS_REVERSE)
def reverse_payment(payment_id: int) -> Response:
    data = body(s.ReasonIn)
    payment = db.session.get(Payment, payment_id)
    visible = _visible()
    if payment is None or (
        visible is not None and db.session.get(Fund, payment.fund_id).unit_id not in visible
    ):
        raise NotFound(_("No such payment."))
    cases.reverse_payment(payment, reason=data.reason, actor=actor())
    db.session.commit()
    return _json(_payment_out(payment))


@bp.route("/health-checks", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def pay_health_check() -> Response:
    data = body(s.HealthCheckIn)
    worker = db.session.get(ModelWorker, data.model_worker_id)
    if worker is None:
        raise NotFound(_("No such model worker."))
    fund = (
        db.session.execute(select(Fund).where(Fund.purpose == cases.CHECKUP, Fund.year == _year_or_today()))
        .scalars()
        .first()
    )
    if fund is None:
        raise NotFound(_("No check-up fund in the loaded budgets."))
    key = idempotency_key()

    def create() -> Payment:
        return cases.pay_checkup(
            worker,
            fund=fund,
            amount=data.amount,
            voucher_no=data.voucher_no,
            paid_on=data.paid_on,
            actor=actor(),
            idempotency_key=key,
        )

    return _idempotent(key, create)


def _checks(results: list[reconciliation.CheckResult]) -> list[s.CheckOut]:
    return [s.CheckOut(check=c.key, ok=c.ok, problems=c.problems) for c in results]


@bp.route("/reconciliation")
@api_permission(Permission.REPORTS_VIEW)
def reconciliation_report() -> Response:
    result = reconciliation.reconcile(_year(query(s.YearQuery).year), _visible())
    return _json(
        s.ReconciliationOut(
            year=result.year,
            ok=result.ok,
            funds=[
                s.FundReconciliationOut(
                    code=f.fund.code,
                    name=f.fund.name,
                    budget=f.balance.budget,
                    committed=f.balance.committed,
                    paid=f.balance.paid,
                    available=f.balance.available,
                    ledger_sum=f.ledger_sum,
                    ok=f.ok,
                    checks=_checks(f.checks),
                )
                for f in result.funds
            ],
            department=s.DepartmentOut(
                special_public_total=result.special_public_total,
                budget_total=result.budget_total,
                checks=_checks(result.department),
            ),
        )
    )


@bp.route("/audit/export")
@api_permission(Permission.AUDIT_EXPORT)
def audit_package() -> Response:
    year = _year(query(s.YearQuery).year)
    audit_export.log_export(year, actor=actor())
    db.session.commit()
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it)
    audit_export.write_package(year, scratch, actor=actor())
    scratch.seek(0)
    return send_file(
        scratch, mimetype="application/zip", as_attachment=True, download_name=f"audit-{year}.zip"
    )
