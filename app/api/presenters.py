"""The API's objects, built from the models: one function per kind of object, used by
every endpoint that answers it (and by the command line's JSON)."""

from __future__ import annotations

from app.api import decision_schemas as ds
from app.api import read_schemas as rs
from app.api import schemas as s
from app.models.cases import Case, Payment
from app.models.decisions import CaseObjection, DemocraticReview, HomeInvestigation
from app.models.registry import ModelWorker, Worker
from app.services import budgets, cases, registry
from app.services.cases import decisions


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
        out_of_pocket=case.out_of_pocket,
        payments=[payment_out(payment) for payment in case.payments],
        required=ds.RequiredSteps(**decisions.required(case)),
        missing=decisions.missing(case) if case.status in decisions.UNDECIDED else [],
        investigations=[investigation_out(item) for item in decisions.investigations(case)],
        reviews=[review_out(item) for item in decisions.reviews(case)],
        objections=[objection_out(item) for item in decisions.objections(case)],
    )


def investigation_out(item: HomeInvestigation) -> ds.InvestigationOut:
    return ds.InvestigationOut(
        id=item.id,
        date=item.visited_on,
        investigators=item.names,
        findings=item.findings,
        authorisation_signed=item.authorisation_signed,
    )


def review_out(item: DemocraticReview) -> ds.ReviewOut:
    return ds.ReviewOut(
        id=item.id, date=item.held_on, participants=item.participants, result=item.result, note=item.note
    )


def objection_out(item: CaseObjection) -> ds.ObjectionOut:
    return ds.ObjectionOut(
        id=item.id,
        case_id=item.case_id,
        date=item.received_on,
        raised_by=item.raised_by or None,
        content=item.content,
        outcome=item.outcome,
        settlement_reason=item.settlement_reason,
        settled_at=item.settled_at,
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
