"""The pieces of an OpenAPI operation: a schema reference, query parameters from a query
model, a path id, and an operation with the problems it may answer (app/api/openapi.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.api import formats as f
from app.api import schemas as s

REF = "#/components/schemas/{model}"
_PROBLEMS = {
    401: "No token, or a bad one",
    403: "The role may not do this",
    404: "Unknown id, or no budget for the year",
    409: "Conflict with the rules (over budget, over a cap, wrong state, duplicate)",
    422: "Invalid request",
    429: "Too many whole ID numbers seen by this person in 24 hours (see Retry-After)",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """A query model's fields as query parameters (the non-null branch of optional ones)."""
    schema = model.model_json_schema()
    parameters = []
    for name, prop in schema["properties"].items():
        branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in schema.get("required", []),
                "schema": branches[0],
            }
        )
    return parameters


def _path_id(name: str = "id", low: int = 0, high: int = 2**31 - 1) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": low, "maximum": high},
    }


def _operation(
    summary: str,
    ok: int,
    response: type[BaseModel] | None,
    *problems: int,
    request: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    path: list[dict[str, Any]] | None = None,
    idempotent: bool = False,
    media: str = "application/json",
) -> dict[str, Any]:
    content = {media: {"schema": _ref(response)} if response else {}}
    responses: dict[str, Any] = {str(ok): {"description": "OK", "content": content}}
    if ok == 201 and idempotent:
        responses["200"] = {"description": "A replay of the first request", "content": content}
    for code in (401, 403, *problems):
        responses[str(code)] = {
            "description": _PROBLEMS[code],
            "content": {"application/problem+json": {"schema": _ref(s.Problem)}},
        }
    parameters = list(path or []) + (_parameters(query) if query else [])
    if idempotent:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 64, "pattern": f.IDEMPOTENCY_KEY_PATTERN},
            }
        )
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(request)}},
        }
    return operation
