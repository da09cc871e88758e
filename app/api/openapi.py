"""The OpenAPI 3.1 description of /api/v1, kept beside the code and tested against it."""

from __future__ import annotations

from typing import Any

MONEY = {"type": "string", "pattern": r"^[0-9]{1,12}\.[0-9]{2}$", "examples": ["300000.00"]}
MONEY_IN = {"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$", "examples": ["2000.00"]}
PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _responses(ok: str, schema: dict[str, Any], *codes: int) -> dict[str, Any]:
    responses: dict[str, Any] = {
        ok: {"description": "OK", "content": {"application/json": {"schema": schema}}}
    }
    texts = {
        401: "No token, or a bad one",
        403: "The role may not do this",
        404: "Unknown id",
        409: "Conflict with the rules",
        422: "Invalid request",
    }
    for code in codes:
        responses[str(code)] = {
            "description": texts[code],
            "content": {"application/problem+json": {"schema": PROBLEM}},
        }
    return responses


def _post(
    summary: str,
    request: dict[str, Any] | None,
    ok: str,
    schema: dict[str, Any],
    *codes: int,
    idempotent: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": _responses(ok, schema, 401, 403, *codes)}
    if request is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request}}}
    if idempotent:
        operation["parameters"] = [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 64},
            }
        ]
    return {"post": operation}


def _id(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    }


def document() -> dict[str, Any]:
    year = {"name": "year", "in": "query", "required": False, "schema": {"type": "integer"}}
    case = {"$ref": "#/components/schemas/Case"}
    payment = {"$ref": "#/components/schemas/Payment"}
    paths: dict[str, Any] = {
        "/funds": {
            "get": {
                "summary": "Every fund of the year",
                "parameters": [year],
                "responses": _responses(
                    "200",
                    {
                        "type": "object",
                        "properties": {
                            "year": {"type": "integer"},
                            "funds": {"type": "array", "items": {"$ref": "#/components/schemas/Fund"}},
                        },
                    },
                    401,
                    403,
                    404,
                ),
            }
        },
        "/funds/{code}/ledger": {
            "get": {
                "summary": "A fund's ledger, oldest first, with running balance",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    year,
                ],
                "responses": _responses("200", {"type": "object"}, 401, 403, 404),
            }
        },
        "/applicants": {
            **_post(
                "Register a hardship worker",
                {"$ref": "#/components/schemas/ApplicantIn"},
                "201",
                {"$ref": "#/components/schemas/Applicant"},
                409,
                422,
            ),
            "get": {
                "summary": "Search the registry",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "category",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 4},
                    },
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                    {"name": "after", "in": "query", "schema": {"type": "string"}},
                    {"name": "reveal", "in": "query", "schema": {"type": "string", "enum": ["id_number"]}},
                ],
                "responses": _responses(
                    "200",
                    {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Applicant"}},
                            "next": {"type": ["string", "null"]},
                        },
                    },
                    401,
                    403,
                ),
            },
        },
        "/model-workers": _post(
            "Register a model worker",
            {
                "type": "object",
                "required": ["name", "id_number", "level", "employer", "title_year"],
                "properties": {
                    "name": {"type": "string"},
                    "id_number": {"type": "string"},
                    "level": {"type": "string", "enum": ["national", "provincial", "city"]},
                    "employer": {"type": "string"},
                    "title_year": {"type": "integer"},
                },
            },
            "201",
            {"type": "object"},
            409,
            422,
        ),
        "/cases": _post(
            "Open an aid application",
            {
                "type": "object",
                "required": ["applicant_id", "fund_code", "aid_type", "amount", "reason"],
                "properties": {
                    "applicant_id": {"type": "integer"},
                    "fund_code": {"type": "string"},
                    "aid_type": {
                        "type": "string",
                        "enum": ["living", "medical", "education", "legal", "training", "employment"],
                    },
                    "amount": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
            "201",
            case,
            404,
            409,
            422,
        ),
        "/cases/{id}/submit": _post("Submit a case", None, "200", case, 404, 409),
        "/cases/{id}/cancel": _post("Cancel a case", None, "200", case, 404, 409),
        "/cases/{id}/approve": _post(
            "Approve a case (amount ≤ requested)",
            {"type": "object", "properties": {"amount": MONEY_IN}},
            "200",
            case,
            404,
            409,
            422,
        ),
        "/cases/{id}/reject": _post(
            "Reject a case",
            {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
            "200",
            case,
            404,
            409,
            422,
        ),
        "/cases/{id}/payments": _post(
            "Pay an approved case",
            {"$ref": "#/components/schemas/PaymentIn"},
            "201",
            payment,
            404,
            409,
            422,
            idempotent=True,
        ),
        "/payments/{id}/reversal": _post(
            "Reverse a payment (红冲)",
            {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
            "200",
            payment,
            404,
            409,
            422,
        ),
        "/health-checks": _post(
            "Pay a model worker's check-up allowance",
            {
                "type": "object",
                "required": ["model_worker_id", "amount", "voucher_no", "paid_on"],
                "properties": {
                    "model_worker_id": {"type": "integer"},
                    "amount": MONEY_IN,
                    "voucher_no": {"type": "string"},
                    "paid_on": {"type": "string", "format": "date"},
                },
            },
            "201",
            payment,
            404,
            409,
            422,
            idempotent=True,
        ),
        "/reconciliation": {
            "get": {
                "summary": "Per fund checks and the department totals",
                "parameters": [year],
                "responses": _responses("200", {"type": "object"}, 401, 403, 404),
            }
        },
        "/audit/export": {
            "get": {
                "summary": "The audit package (ZIP)",
                "parameters": [year],
                "responses": {
                    "200": {"description": "ZIP", "content": {"application/zip": {}}},
                    **{k: v for k, v in _responses("200", {}, 401, 403, 404).items() if k != "200"},
                },
            }
        },
    }
    for path, item in paths.items():
        if "{id}" in path:
            for operation in item.values():
                operation.setdefault("parameters", []).insert(0, _id("id"))
    return {
        "openapi": "3.1.0",
        "info": {"title": "帮扶通 API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["title", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {"type": "object"},
                    },
                },
                "Fund": {
                    "type": "object",
                    "required": ["code", "name", "year", "budget", "committed", "paid", "available"],
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "year": {"type": "integer"},
                        "unit": {"type": "string"},
                        "budget": MONEY,
                        "committed": MONEY,
                        "paid": MONEY,
                        "available": MONEY,
                    },
                },
                "ApplicantIn": {
                    "type": "object",
                    "required": [
                        "name",
                        "id_number",
                        "phone",
                        "employer",
                        "household_size",
                        "household_monthly_income",
                        "category",
                    ],
                    "properties": {
                        "name": {"type": "string"},
                        "id_number": {"type": "string"},
                        "phone": {"type": "string"},
                        "employer": {"type": "string"},
                        "household_size": {"type": "integer"},
                        "household_monthly_income": MONEY_IN,
                        "category": {"type": "integer", "minimum": 1, "maximum": 4},
                        "category_reason": {"type": "string"},
                        "main_cause": {"type": "string"},
                    },
                },
                "Applicant": {
                    "type": "object",
                    "required": ["id", "name", "id_number", "category"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "id_number": {"type": "string"},
                        "category": {"type": "integer"},
                        "suggested_category": {"type": ["integer", "null"]},
                        "household_monthly_income": MONEY,
                    },
                },
                "Case": {
                    "type": "object",
                    "required": ["id", "status", "requested_amount", "approved_amount", "paid_amount"],
                    "properties": {
                        "id": {"type": "integer"},
                        "status": {
                            "type": "string",
                            "enum": [
                                "draft",
                                "submitted",
                                "notice",
                                "approved",
                                "rejected",
                                "paid",
                                "closed",
                                "cancelled",
                            ],
                        },
                        "requested_amount": MONEY,
                        "approved_amount": {"type": ["string", "null"]},
                        "paid_amount": MONEY,
                    },
                },
                "PaymentIn": {
                    "type": "object",
                    "required": ["amount", "voucher_no", "paid_on", "method"],
                    "properties": {
                        "amount": MONEY_IN,
                        "voucher_no": {"type": "string"},
                        "paid_on": {"type": "string", "format": "date"},
                        "method": {"type": "string", "enum": ["cash", "bank_transfer"]},
                    },
                },
                "Payment": {
                    "type": "object",
                    "required": ["id", "amount"],
                    "properties": {
                        "id": {"type": "integer"},
                        "amount": MONEY,
                        "voucher_no": {"type": "string"},
                        "reversed": {"type": "boolean"},
                    },
                },
            },
        },
    }
