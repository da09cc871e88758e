"""API endpoints (../shared/API.md). Each parses JSON, calls the same service as the
pages, commits once, and answers JSON; refusals are problem+json and change nothing."""

from __future__ import annotations

import tempfile
from datetime import date
from typing import Any

from flask import Response, g, jsonify, request, send_file
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.api import bp
from app.api.openapi import document
from app.api.support import (
    ApiProblem,
    actor,
    amount,
    api_permission,
    body,
    fund_json,
    idempotency_key,
    integer,
    money,
    problem,
    text,
)
from app.auth.permissions import Permission, public, role_has
from app.extensions import csrf, db
from app.models.cases import Case, Payment
from app.models.ledger import Fund
from app.models.org import FiscalYear
from app.models.registry import ModelWorker, Worker
from app.params import db_int
from app.services import audit_export, budgets, cases, ledger, reconciliation, registry, scope
from app.services.errors import NotFound
from app.services.registry import WorkerInput

csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site request can carry one


def _year() -> int:
    year = request.args.get("year", type=db_int) or budgets.newest_year()
    if year is None:
        raise ApiProblem(404, "Not Found", _("No budget has been loaded yet."))
    return year


def _visible() -> list[int] | None:
    return scope.visible_unit_ids(g.api_user)


def _worker_json(worker: Worker, *, revealed: str | None = None) -> dict[str, Any]:
    assessment = registry.assess(worker, _year_or_today())
    return {
        "id": worker.id,
        "name": worker.name,
        "id_number": revealed or registry.masked_id(worker),
        "phone": worker.phone,
        "employer": worker.employer,
        "unit": worker.unit.code,
        "household_size": worker.household_size,
        "household_monthly_income": money(worker.household_monthly_income),
        "per_capita_income": money(worker.per_capita_income),
        "category": worker.category,
        "category_reason": worker.category_reason,
        "suggested_category": assessment.suggested,
        "category_supported": assessment.supported.get(worker.category, False),
        "status": worker.status,
    }


def _year_or_today() -> int:
    return budgets.newest_year() or date.today().year


def _case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "applicant_id": case.worker_id,
        "fund_code": case.fund.code,
        "year": case.year,
        "aid_type": case.aid_type,
        "status": case.status,
        "reason": case.reason,
        "requested_amount": money(case.requested_amount),
        "approved_amount": money(case.approved_amount),
        "paid_amount": money(cases.paid_amount(case)),
        "notice_end": case.notice_end.isoformat() if case.notice_end else None,
    }


def _payment_json(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "case_id": payment.case_id,
        "model_worker_id": payment.model_worker_id,
        "amount": money(payment.amount),
        "voucher_no": payment.voucher_no,
        "paid_on": payment.paid_on.isoformat(),
        "method": payment.method,
        "reversed": payment.reversal is not None,
    }


def _created(payload: dict[str, Any]) -> Response:
    response = jsonify(payload)
    response.status_code = 201
    return response


def _date(data: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(text(data, name))
    except ValueError:
        raise ApiProblem(
            422,
            "Unprocessable Content",
            _("Enter the date as 2015-03-01."),
            {name: [_("Enter the date as 2015-03-01.")]},
        ) from None


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
    year = _year()
    return jsonify({"year": year, "funds": [fund_json(b) for b in ledger.fund_balances(year, _visible())]})


@bp.route("/funds/<code>/ledger")
@api_permission(Permission.FUNDS_VIEW)
def fund_ledger(code: str) -> Response:
    fund = _fund(code, _year())
    after = request.args.get("after", default=0, type=db_int)
    entries = ledger.ledger_entries(fund, after_seq=max(after, 0), limit=500)
    return jsonify(
        {
            "fund": fund.code,
            "year": fund.year,
            "items": [
                {
                    "seq": e.seq,
                    "id": e.id,
                    "kind": e.kind,
                    "amount": money(e.amount),
                    "created_at": e.created_at.isoformat(),
                    "memo": e.memo,
                    "available": money(e.available_after),
                    "committed": money(e.committed_after),
                    "paid": money(e.paid_after),
                }
                for e in entries
            ],
            "next": str(entries[-1].seq) if len(entries) == 500 else None,
        }
    )


@bp.route("/applicants", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def create_applicant() -> Response:
    data = body()
    if g.api_user.unit is None:
        raise ApiProblem(422, "Unprocessable Content", _("Choose the union unit that holds the file."))
    strings = {
        name: text(data, name, required=False)
        for name in (
            "name",
            "id_number",
            "phone",
            "employer",
            "address",
            "category_reason",
            "main_cause",
            "secondary_cause",
            "disaster_event",
            "disaster_date",
            "rights_case_ref",
        )
    }
    if "household_monthly_income" in data and not isinstance(data["household_monthly_income"], str):
        raise ApiProblem(
            422,
            "Unprocessable Content",
            _("Amounts must be strings."),
            {"household_monthly_income": [_('Must be a string such as "1800.00".')]},
        )
    result = registry.register(
        WorkerInput(
            **{**strings, "main_cause": strings["main_cause"] or "other"},
            household_size=str(integer(data, "household_size")),
            household_monthly_income=text(data, "household_monthly_income"),
            category=str(integer(data, "category")),
        ),
        unit=g.api_user.unit,
        actor=actor(),
    )
    db.session.commit()
    return _created({**_worker_json(result.worker), "warnings": result.warnings})


@bp.route("/applicants")
@api_permission(Permission.REGISTRY_VIEW)
def search_applicants() -> Response:
    category = request.args.get("category", type=db_int)
    page = registry.search(
        request.args.get("q", ""),
        category=category,
        status=request.args.get("status") or None,
        unit_ids=_visible(),
        after=request.args.get("after"),
        limit=50,
    )
    reveal = request.args.get("reveal") == "id_number"
    if reveal and not role_has(g.api_user.role, Permission.ID_REVEAL):
        return problem(
            403, "Forbidden", _("Your role does not allow this. Ask an administrator if you need it.")
        )
    items = [
        _worker_json(
            worker,
            revealed=registry.reveal_id_number(worker, actor=actor(), purpose="api") if reveal else None,
        )
        for worker in page.items
    ]
    db.session.commit()
    return jsonify({"items": items, "next": page.next})


@bp.route("/model-workers", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def create_model_worker() -> Response:
    data = body()
    if g.api_user.unit is None:
        raise ApiProblem(422, "Unprocessable Content", _("Choose the union unit that holds the file."))
    title_year = data.get("title_year")
    worker = registry.register_model_worker(
        name=text(data, "name"),
        id_number=text(data, "id_number"),
        level=text(data, "level"),
        employer=text(data, "employer"),
        title_year=str(title_year)
        if isinstance(title_year, int) and not isinstance(title_year, bool)
        else "",
        unit=g.api_user.unit,
        actor=actor(),
    )
    db.session.commit()
    return _created(
        {
            "id": worker.id,
            "name": worker.name,
            "level": worker.level,
            "id_number": registry.masked_id(worker),
            "title_year": worker.title_year,
            "entitled": worker.entitled_to_check_up,
        }
    )


@bp.route("/cases", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def create_case() -> Response:
    data = body()
    worker = registry.get_worker(integer(data, "applicant_id"), _visible())
    fund = _fund(text(data, "fund_code"), _year_or_today() if "year" not in data else integer(data, "year"))
    raw_amount = data.get("amount")
    if not isinstance(raw_amount, str):
        raise ApiProblem(
            422,
            "Unprocessable Content",
            _("Amounts must be strings."),
            {"amount": [_("Must be a string such as “2000.00”.")]},
        )
    case = cases.open_case(
        worker,
        fund=fund,
        aid_type=text(data, "aid_type"),
        amount=raw_amount,
        reason=text(data, "reason"),
        actor=actor(),
    )
    db.session.commit()
    return _created(_case_json(case))


def _transition(case_id: int, step: Any) -> Response:
    case = _case(case_id)
    step(case)
    db.session.commit()
    return jsonify(_case_json(case))


@bp.route("/cases/<int:case_id>/submit", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def submit_case(case_id: int) -> Response:
    return _transition(case_id, lambda case: cases.submit(case, actor=actor()))


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def cancel_case(case_id: int) -> Response:
    data = request.get_json(silent=True) or {}
    reason = data.get("reason") if isinstance(data, dict) and isinstance(data.get("reason"), str) else ""
    return _transition(case_id, lambda case: cases.cancel(case, reason=reason, actor=actor()))


@bp.route("/cases/<int:case_id>/approve", methods=["POST"])
@api_permission(Permission.CASES_DECIDE)
def approve_case(case_id: int) -> Response:
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise ApiProblem(422, "Unprocessable Content", _("The body must be a JSON object."))
    value = amount(data) if "amount" in data else None
    return _transition(case_id, lambda case: cases.approve(case, amount=value, actor=actor()))


@bp.route("/cases/<int:case_id>/reject", methods=["POST"])
@api_permission(Permission.CASES_DECIDE)
def reject_case(case_id: int) -> Response:
    reason = text(body(), "reason")
    return _transition(case_id, lambda case: cases.reject(case, reason=reason, actor=actor()))


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
    response = jsonify(_payment_json(payment))
    response.status_code = 200 if replayed else 201
    return response


@bp.route("/cases/<int:case_id>/payments", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def pay_case(case_id: int) -> Response:
    data = body()
    case = _case(case_id)
    value, voucher, paid_on = amount(data), text(data, "voucher_no"), _date(data, "paid_on")
    method = text(data, "method")
    key = idempotency_key()

    def create() -> Payment:
        return cases.pay(
            case,
            amount=f"{value:.2f}",
            voucher_no=voucher,
            paid_on=paid_on,
            method=method,
            actor=actor(),
            idempotency_key=key,
        )

    return _idempotent(key, create)


@bp.route("/payments/<int:payment_id>/reversal", methods=["POST"])
@api_permission(Permission.PAYMENTS_REVERSE)
def reverse_payment(payment_id: int) -> Response:
    data = body()
    payment = db.session.get(Payment, payment_id)
    visible = _visible()
    if payment is None or (
        visible is not None and db.session.get(Fund, payment.fund_id).unit_id not in visible
    ):
        raise NotFound(_("No such payment."))
    cases.reverse_payment(payment, reason=text(data, "reason"), actor=actor())
    db.session.commit()
    return jsonify(_payment_json(payment))


@bp.route("/health-checks", methods=["POST"])
@api_permission(Permission.PAYMENTS_MAKE)
def pay_health_check() -> Response:
    data = body()
    worker = db.session.get(ModelWorker, integer(data, "model_worker_id"))
    if worker is None:
        raise NotFound(_("No such model worker."))
    fund = (
        db.session.execute(select(Fund).where(Fund.purpose == cases.CHECKUP, Fund.year == _year_or_today()))
        .scalars()
        .first()
    )
    if fund is None:
        raise NotFound(_("No check-up fund in the loaded budgets."))
    value, voucher, paid_on = amount(data), text(data, "voucher_no"), _date(data, "paid_on")
    key = idempotency_key()

    def create() -> Payment:
        return cases.pay_checkup(
            worker,
            fund=fund,
            amount=f"{value:.2f}",
            voucher_no=voucher,
            paid_on=paid_on,
            actor=actor(),
            idempotency_key=key,
        )

    return _idempotent(key, create)


@bp.route("/reconciliation")
@api_permission(Permission.REPORTS_VIEW)
def reconciliation_report() -> Response:
    result = reconciliation.reconcile(_year(), _visible())
    return jsonify(
        {
            "year": result.year,
            "ok": result.ok,
            "funds": [
                {
                    "code": f.fund.code,
                    "name": f.fund.name,
                    "budget": money(f.balance.budget),
                    "committed": money(f.balance.committed),
                    "paid": money(f.balance.paid),
                    "available": money(f.balance.available),
                    "ledger_sum": money(f.ledger_sum),
                    "ok": f.ok,
                    "checks": [{"check": c.key, "ok": c.ok, "problems": c.problems} for c in f.checks],
                }
                for f in result.funds
            ],
            "department": {
                "special_public_total": money(result.special_public_total),
                "budget_total": money(result.budget_total),
                "checks": [{"check": c.key, "ok": c.ok, "problems": c.problems} for c in result.department],
            },
        }
    )


@bp.route("/audit/export")
@api_permission(Permission.AUDIT_EXPORT)
def audit_package() -> Response:
    year = _year()
    if db.session.get(FiscalYear, year) is None:
        raise NotFound(_("No budget has been loaded yet."))
    audit_export.log_export(year, actor=actor())
    db.session.commit()
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it)
    audit_export.write_package(year, scratch, actor=actor())
    scratch.seek(0)
    return send_file(
        scratch, mimetype="application/zip", as_attachment=True, download_name=f"audit-{year}.zip"
    )
