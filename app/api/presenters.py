"""The API's objects, built from the models: one function per kind of object, used by
every endpoint that answers it (and by the command line's JSON)."""

from __future__ import annotations

from app.api import read_schemas as rs
from app.api import schemas as s
from app.models.cases import Case, Payment
from app.models.registry import ModelWorker, Worker
from app.services import budgets, cases, registry


def current_year() -> int:
    """The year a request names none of: the newest loaded budget's, or this year."""
    return budgets.working_year()


def worker_out(worker: Worker, *, revealed: str | None = None) -> s.ApplicantOut:
    assessment = registry.assess(worker, current_year())
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


def model_worker_out(worker: ModelWorker) -> s.ModelWorkerOut:
    return s.ModelWorkerOut(
        id=worker.id,
        name=worker.name,
        level=worker.level,
        id_number=registry.masked_id(worker),
        title_year=worker.title_year,
        entitled=worker.entitled_to_check_up,
    )


def case_out(case: Case) -> s.CaseOut:
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


def case_detail(case: Case) -> rs.CaseDetail:
    return rs.CaseDetail(
        **case_out(case).model_dump(),
        unit=case.worker.unit.code,
        campaign_id=case.campaign_id,
        payments=[payment_out(payment) for payment in case.payments],
    )


def payment_out(payment: Payment) -> s.PaymentOut:
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
