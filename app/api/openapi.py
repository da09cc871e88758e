"""The OpenAPI 3.1 description of /api/v1. Every body, query and response schema is
generated from the pydantic models that validate and build them (app/api/schemas.py and
each feature's schema module); this file lists the core operations and gathers the
features' own (``PARTS``)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from pydantic.json_schema import models_json_schema

from app.api import (
    batch_schemas,
    book_schemas,
    decision_schemas,
    life_schemas,
    report_schemas,
    review_schemas,
    revision_schemas,
    transfer_schemas,
)
from app.api import formats as f
from app.api import read_schemas as rs
from app.api import review_schemas as vs
from app.api import schemas as s
from app.api.operations import REF
from app.api.operations import operation as _operation
from app.api.operations import path_id as _path_id
from app.services import policy

#: The features whose schema modules list their own operations (``paths()``) beside their
#: REQUESTS and RESPONSES; a new feature adds its module here.
PARTS = (
    batch_schemas,
    book_schemas,
    decision_schemas,
    life_schemas,
    report_schemas,
    review_schemas,
    revision_schemas,
    transfer_schemas,
)


def _policy_paths() -> dict[str, Any]:
    """One operation per policy key, since the value each takes differs (app/services/policy.py)."""
    year = {
        "name": "year",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": policy.FIRST_YEAR, "maximum": policy.LAST_YEAR},
    }
    paths = {}
    for key in policy.KEYS:
        operation = _operation(
            f"Set the yearly policy value {key}", 200, rs.PolicyOut, 422, request=rs.PolicyIn, path=[year]
        )
        operation["requestBody"]["content"]["application/json"]["schema"] = rs.policy_body(key)
        operation["description"] = (
            "Without `unit` the value holds for every unit: only a federation-wide administrator"
            " may set that (422 on `unit` otherwise)."
        )
        paths[f"/policy/{{year}}/{key}"] = {"put": operation}
    return paths


def _review_paths() -> dict[str, Any]:
    """年审: a unit's yearly review round and its tasks."""
    return {
        "/review-rounds": {
            "post": _operation(
                "年审: start the unit's yearly review round, a task for every file on record",
                201,
                vs.ReviewRoundOut,
                409,
                422,
                request=vs.ReviewRoundIn,
            )
        },
        "/review-rounds/{id}": {
            "get": _operation(
                "A yearly review round with its tasks", 200, vs.ReviewRoundOut, 404, path=[_path_id()]
            )
        },
        "/review-tasks/{id}/complete": {
            "post": _operation(
                "Do a review task: keep, change the category with new figures, or exit",
                200,
                vs.ReviewTaskOut,
                404,
                409,
                422,
                request=vs.ReviewTaskIn,
                path=[_path_id()],
            )
        },
    }


def document() -> dict[str, Any]:
    return _document(date.today().year)


@lru_cache(maxsize=2)
def _document(this_year: int) -> dict[str, Any]:
    code = [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}]
    paths: dict[str, Any] = {
        "/funds": {"get": _operation("Every fund of the year", 200, s.FundList, 404, 422, query=s.YearQuery)},
        "/funds/{code}/ledger": {
            "get": _operation(
                "A fund's ledger, oldest first, with running balance",
                200,
                s.LedgerPage,
                404,
                422,
                query=s.LedgerQuery,
                path=code,
            )
        },
        "/applicants": {
            "post": _operation(
                "Register a hardship worker", 201, s.ApplicantCreated, 409, 422, request=s.ApplicantIn
            ),
            "get": _operation("Search the registry", 200, s.ApplicantPage, 422, query=s.ApplicantQuery),
        },
        "/model-workers": {
            "post": _operation(
                "Register a model worker", 201, s.ModelWorkerOut, 409, 422, request=s.ModelWorkerIn
            )
        },
        "/applicants/{id}": {
            "get": _operation(
                "One hardship file",
                200,
                s.ApplicantOut,
                404,
                422,
                429,
                query=s.RevealQuery,
                path=[_path_id()],
            )
        },
        "/cases": {
            "post": _operation("Open an aid application", 201, s.CaseOut, 404, 409, 422, request=s.CaseIn),
            "get": _operation("Cases, newest first", 200, rs.CasePage, 422, query=rs.CaseQuery),
        },
        "/cases/{id}": {
            "get": _operation(
                "One case with its payments, what its decision rests on and what still holds it up",
                200,
                rs.CaseDetail,
                404,
                path=[_path_id()],
            )
        },
        "/payments/{id}": {"get": _operation("One payment", 200, s.PaymentOut, 404, path=[_path_id()])},
        "/cases/{id}/submit": {
            "post": _operation("Submit a case", 200, s.CaseOut, 404, 409, path=[_path_id()])
        },
        "/cases/{id}/cancel": {
            "post": _operation(
                "Cancel a case", 200, s.CaseOut, 404, 409, 422, request=s.CancelIn, path=[_path_id()]
            )
        },
        "/cases/{id}/approve": {
            "post": _operation(
                "Approve a case (amount ≤ requested)",
                200,
                s.CaseOut,
                404,
                409,
                422,
                request=s.ApproveIn,
                path=[_path_id()],
            )
        },
        "/cases/{id}/reject": {
            "post": _operation(
                "Reject a case", 200, s.CaseOut, 404, 409, 422, request=s.ReasonIn, path=[_path_id()]
            )
        },
        "/cases/{id}/payments": {
            "post": _operation(
                "Pay an approved case",
                201,
                s.PaymentOut,
                404,
                409,
                422,
                request=s.PaymentIn,
                path=[_path_id()],
                idempotent=True,
            )
        },
        "/payments/{id}/reversal": {
            "post": _operation(
                "Reverse a payment (红冲)",
                200,
                s.PaymentOut,
                404,
                409,
                422,
                request=s.ReasonIn,
                path=[_path_id()],
            )
        },
        "/health-checks": {
            "post": _operation(
                "Pay a model worker's check-up allowance",
                201,
                s.PaymentOut,
                404,
                409,
                422,
                request=s.HealthCheckIn,
                idempotent=True,
            )
        },
        "/reconciliation": {
            "get": _operation(
                "Per fund checks and the department totals",
                200,
                s.ReconciliationOut,
                404,
                422,
                query=s.YearQuery,
            )
        },
        "/units": {"get": _operation("The units the caller sees", 200, s.UnitList)},
        "/audit/export": {
            "get": _operation(
                "The audit package (ZIP)", 200, None, 404, 422, query=s.YearQuery, media="application/zip"
            )
        },
    }
    paths.update(_policy_paths())
    for part in PARTS:
        paths.update(part.paths())
    _refs, definitions = models_json_schema(
        [(model, "validation") for module in (s, rs, *PARTS) for model in module.REQUESTS]
        + [(model, "serialization") for module in (s, rs, *PARTS) for model in module.RESPONSES],
        ref_template=REF,
    )
    schemas = definitions["$defs"]
    # A title is awarded in a year gone by or this one (the service's bound moves each year).
    schemas["ModelWorkerIn"]["properties"]["title_year"]["maximum"] = this_year
    # A review round is of this year or the next (app/services/yearly_review).
    schemas["ReviewRoundIn"]["properties"]["year"]["maximum"] = this_year + 1
    # A yearly review may be started for a year gone by, this one or the next.
    schemas["ReviewRoundIn"]["properties"]["year"]["maximum"] = this_year + 1
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "帮扶通 API",
            "version": "1",
            "description": "Named string formats: "
            + " ".join(f"`{name}`: {meaning}" for name, meaning in f.FORMATS.items()),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
    }
