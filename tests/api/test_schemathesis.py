"""Schemathesis fuzzes every API operation from the app's own OpenAPI document: no
server error, no response that breaks the schema, and every refusal is problem+json
and changes nothing (the books still balance afterwards)."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from stdnum.cn import ric

from app.api import formats
from app.auth.permissions import ROLE_PERMISSIONS, Permission
from app.extensions import db
from app.models import Case, CaseEvent, Fund, ModelWorker, Payment, Transfer, User, Worker
from app.services import ledger, policy
from app.services import users as user_service
from tests.conftest import ACTOR

# Schemathesis's in-process WSGI transport does not close streamed file responses (the
# audit package); a real server does. That one warning is not the app's to fix.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

#: Which permission each operation needs, so the fuzzer calls it as a role that may.
NEEDS = {
    ("GET", "/funds"): Permission.FUNDS_VIEW,
    ("GET", "/funds/{code}/ledger"): Permission.FUNDS_VIEW,
    ("POST", "/applicants"): Permission.REGISTRY_EDIT,
    ("GET", "/applicants"): Permission.REGISTRY_VIEW,
    ("POST", "/model-workers"): Permission.REGISTRY_EDIT,
    ("POST", "/cases"): Permission.CASES_CREATE,
    ("POST", "/cases/{id}/submit"): Permission.CASES_CREATE,
    ("POST", "/cases/{id}/cancel"): Permission.CASES_CREATE,
    ("POST", "/cases/{id}/approve"): Permission.CASES_DECIDE,
    ("POST", "/cases/{id}/reject"): Permission.CASES_DECIDE,
    ("POST", "/cases/{id}/payments"): Permission.PAYMENTS_MAKE,
    ("POST", "/payments/{id}/reversal"): Permission.PAYMENTS_REVERSE,
    ("POST", "/health-checks"): Permission.PAYMENTS_MAKE,
    ("GET", "/reconciliation"): Permission.REPORTS_VIEW,
    ("GET", "/audit/export"): Permission.AUDIT_EXPORT,
    ("GET", "/applicants/{id}"): Permission.REGISTRY_VIEW,
    ("GET", "/cases"): Permission.REGISTRY_VIEW,
    ("GET", "/cases/{id}"): Permission.REGISTRY_VIEW,
    ("GET", "/payments/{id}"): Permission.REGISTRY_VIEW,
    ("GET", "/units"): Permission.UNITS_VIEW,
    **{("PUT", f"/policy/{{year}}/{key}"): Permission.POLICY_MANAGE for key in policy.KEYS},
    ("POST", "/payment-batches"): Permission.PAYMENTS_MAKE,
    ("GET", "/payment-batches/{id}"): Permission.PAYMENTS_MAKE,
    ("POST", "/payment-batches/{id}/approve"): Permission.PAYMENTS_MAKE,
    ("POST", "/payment-batches/{id}/cancel"): Permission.PAYMENTS_MAKE,
    ("GET", "/payment-batches/{id}/file"): Permission.PAYMENTS_MAKE,
    ("POST", "/payment-batches/{id}/returns"): Permission.PAYMENTS_MAKE,
    ("POST", "/years/{year}/close"): Permission.BOOKS_CLOSE,
    ("POST", "/years/{year}/months/{month}/close"): Permission.BOOKS_CLOSE,
    ("GET", "/period-closes"): Permission.BOOKS_VIEW,
    ("POST", "/period-closes/{id}/reopen-request"): Permission.BOOKS_REOPEN,
    ("POST", "/period-closes/{id}/reopen"): Permission.BOOKS_REOPEN_APPROVE,
    ("POST", "/years/{year}/carry-over"): Permission.BOOKS_CLOSE,
    ("POST", "/applicants/{id}/exit"): Permission.REGISTRY_EDIT,
    ("POST", "/cases/{id}/investigations"): Permission.CASES_CREATE,
    ("POST", "/cases/{id}/reviews"): Permission.CASES_CREATE,
    ("POST", "/cases/{id}/objections"): Permission.CASES_CREATE,
    ("POST", "/objections/{id}/settle"): Permission.CASES_DECIDE,
    ("POST", "/applicants/{id}/visits"): Permission.REGISTRY_EDIT,
    ("POST", "/applicants/{id}/reentry"): Permission.REGISTRY_EDIT,
    ("POST", "/unit-reports"): Permission.REPORTS_SEND,
    ("POST", "/applicants/{id}/transfer"): Permission.REGISTRY_EDIT,
    ("GET", "/file-transfers"): Permission.REGISTRY_EDIT,
    ("POST", "/file-transfers/{id}/accept"): Permission.REGISTRY_EDIT,
    ("POST", "/file-transfers/{id}/decline"): Permission.REGISTRY_EDIT,
    ("POST", "/file-transfers/{id}/withdraw"): Permission.REGISTRY_EDIT,
    ("GET", "/duplicate-flags"): Permission.DUPLICATES_REVIEW,
    ("POST", "/duplicate-flags/{id}/decide"): Permission.DUPLICATES_REVIEW,
    ("GET", "/unit-reports"): Permission.REPORTS_VIEW,
    ("GET", "/unit-reports/{id}"): Permission.REPORTS_VIEW,
    ("POST", "/unit-reports/{id}/accept"): Permission.REPORTS_SEND,
    ("POST", "/unit-reports/{id}/return"): Permission.REPORTS_SEND,
    ("POST", "/funds/{code}/revisions"): Permission.BUDGETS_REVISE,
    ("GET", "/budget-revisions"): Permission.FUNDS_VIEW,
    ("POST", "/review-rounds"): Permission.REVIEW_START,
    ("GET", "/review-rounds/{id}"): Permission.REGISTRY_VIEW,
    ("POST", "/review-tasks/{id}/complete"): Permission.REGISTRY_EDIT,
}


def _resident_id(draw_date: date, region: str, serial: int) -> str:
    body = f"{region}{draw_date:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18


# The document's named formats (app/api/formats.py), so that data generated as valid is.
schemathesis.openapi.format(
    formats.RESIDENT_ID,
    st.builds(
        _resident_id,
        st.dates(min_value=date(1870, 1, 1), max_value=date.today()),
        st.sampled_from(["130703", "110105", "130702"]),
        st.integers(0, 999),
    ),
)
schemathesis.openapi.format(formats.UNIT_CODE, st.just("711002"))  # the fuzzing users' unit
schemathesis.openapi.format(
    formats.FISCAL_YEAR_DATE, st.dates(date(2015, 1, 1), date(2015, 12, 31)).map(date.isoformat)
)
schemathesis.openapi.format(formats.PAST_DATE, st.dates(max_value=date.today()).map(date.isoformat))
schemathesis.openapi.format(
    formats.DEADLINE_DATE, st.dates(min_value=date.today(), max_value=date(2100, 12, 31)).map(date.isoformat)
)
schemathesis.openapi.format(
    formats.PAST_DATE_OR_EMPTY, st.just("") | st.dates(max_value=date.today()).map(date.isoformat)
)


@pytest.fixture
def tokens(app, world, make_user):
    headers = {}
    for role in ROLE_PERMISSIONS:
        # The administrator federation-wide: a policy value without a unit holds everywhere.
        user = make_user(role, f"fuzz-{role}", unit=None if role == "admin" else "711002")
        headers[role] = {
            "Authorization": "Bearer " + user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
        }
    db.session.commit()
    return headers


def _counts() -> tuple[int, ...]:
    db.session.rollback()
    return tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Case, CaseEvent, Payment, Transfer, Worker, ModelWorker)
    )


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_document_describes_every_operation(app, world):
    labels = {f"{op.method.upper()} {op.path}" for op in _operations(app)}
    assert labels == {f"{method} {path}" for method, path in NEEDS}


@pytest.mark.parametrize(("method", "path"), sorted(NEEDS))
def test_the_api_keeps_its_own_contract(app, world, tokens, method, path):
    """Schemathesis-generated requests (valid and invalid) for one operation."""
    operation = next(op for op in _operations(app) if (op.method.upper(), op.path) == (method, path))
    permission = NEEDS[(method, path)]
    # The administrator only where no other role may (setting policy values).
    role = next(r for r in sorted(ROLE_PERMISSIONS, key="admin".__eq__) if permission in ROLE_PERMISSIONS[r])

    @given(case=operation.as_strategy())
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case):
        before = _counts()
        response = case.call_and_validate(headers=tokens[role])
        assert response.status_code < 500
        db.session.rollback()
        if response.status_code >= 400:
            assert _counts() == before, "a refused request changed data"
        for fund in db.session.execute(select(Fund)).scalars():
            b = ledger.balance(fund)
            assert b.budget == b.paid + b.committed + b.available and b.available >= 0

    fuzz()
