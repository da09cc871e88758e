"""API plumbing: bearer tokens, permission checks, problem+json errors, request bodies,
money on the wire, and Idempotency-Key handling."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from app.api import schemas, validation
from app.api.formats import IDEMPOTENCY_KEY_PATTERN
from app.auth.permissions import AwaitingApproval, Permission, refusal
from app.extensions import db
from app.services import budgets, ledger
from app.services import users as user_service
from app.services.audit import Actor
from app.services.errors import DomainError, NotFound, ValidationFailed

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", errors: dict[str, list[str]] | None = None):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors or {}


def problem(
    status: int, title: str, detail: str = "", errors: dict[str, list[str]] | None = None
) -> Response:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
        "errors": errors or {},
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def from_domain(error: DomainError) -> ApiProblem:
    if isinstance(error, ValidationFailed):
        return ApiProblem(422, "Unprocessable Content", error.message, error.errors)
    field = {error.field: [error.message]} if error.field else {}
    titles = {404: "Not Found", 409: "Conflict", 422: "Unprocessable Content"}
    return ApiProblem(error.status, titles.get(error.status, "Error"), error.message, field)


def api_permission(permission: Permission) -> Callable[[F], F]:
    """Bearer-token authentication and the same permission table as the pages."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _sep, token = header.partition(" ")
            user = (
                user_service.user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
            )
            if user is None:
                db.session.rollback()
                return problem(401, "Unauthorized", _("A valid bearer token is required."))
            db.session.commit()  # the token's last-used time
            refused = refusal(user, permission)
            if isinstance(refused, AwaitingApproval):
                return problem(403, "Forbidden", refused.description or "")
            if refused is not None:
                return problem(
                    403, "Forbidden", _("Your role does not allow this. Ask an administrator if you need it.")
                )
            g.api_user = user
            g.api_actor = Actor.of(user, request.remote_addr, door="api")
            try:
                return view(*args, **kwargs)
            except ApiProblem as failure:
                db.session.rollback()
                return problem(failure.status, failure.title, failure.detail, failure.errors)
            except ValidationError as error:
                db.session.rollback()
                return problem(
                    422,
                    "Unprocessable Content",
                    _("The request is not valid: see the messages per field."),
                    validation.field_errors(error),
                )
            except DomainError as error:
                db.session.rollback()
                failure = from_domain(error)
                return problem(failure.status, failure.title, failure.detail, failure.errors)

        guarded.permission = permission  # type: ignore[attr-defined]
        guarded.is_api = True  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def actor() -> Actor:
    """The caller as the services' request context: who, from where, and their units."""
    return g.api_actor  # type: ignore[no-any-return]


def body(model: type[M]) -> M:
    """The request's JSON body, validated against ``model`` (422 with a message per field)."""
    return validation.parse_body(model, request.get_data())


def query(model: type[M]) -> M:
    """The request's query parameters, validated against ``model``."""
    return validation.parse_query(model, request.args)


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if len(key) > 64 or not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise ApiProblem(422, "Unprocessable Content", _("The Idempotency-Key header is not valid."))
    return f"api:{g.api_user.id}:{key.strip()}"


def fund_json(balance: ledger.FundBalance) -> dict[str, object]:
    """The wire shape of a fund (GET /funds and ``flask funds --json`` alike)."""
    fund = balance.fund
    return schemas.FundOut(
        code=fund.code,
        name=fund.name,
        year=fund.year,
        unit=fund.unit.code,
        budget=balance.budget,
        committed=balance.committed,
        paid=balance.paid,
        available=balance.available,
        at_bank=balance.at_bank,
    ).model_dump(mode="json")


def as_json(model: BaseModel, status: int = 200) -> Response:
    """A response model as the JSON answer."""
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response


def loaded_year(requested: int | None = None) -> int:
    """The year asked for, or the newest loaded; 404 when no budget of that year is loaded."""
    year = requested or budgets.newest_year()
    if not budgets.is_loaded(year):
        raise NotFound(_("No budget has been loaded for that year."))
    return year  # type: ignore[return-value]
