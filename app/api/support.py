"""API plumbing: bearer tokens, permission checks, problem+json errors, request bodies,
money on the wire, and Idempotency-Key handling."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from flask import Response, g, jsonify, request
from flask_babel import gettext as _

from app.auth.permissions import Permission, role_has
from app.extensions import db
from app.money import InvalidAmount, money_str, to_positive_money
from app.params import INT32_MAX
from app.services import ledger
from app.services import users as user_service
from app.services.audit import Actor
from app.services.errors import DomainError, ValidationFailed

F = TypeVar("F", bound=Callable[..., Any])


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
            if not role_has(user.role, permission):
                return problem(
                    403, "Forbidden", _("Your role does not allow this. Ask an administrator if you need it.")
                )
            g.api_user = user
            try:
                return view(*args, **kwargs)
            except ApiProblem as failure:
                db.session.rollback()
                return problem(failure.status, failure.title, failure.detail, failure.errors)
            except DomainError as error:
                db.session.rollback()
                failure = from_domain(error)
                return problem(failure.status, failure.title, failure.detail, failure.errors)

        guarded.permission = permission  # type: ignore[attr-defined]
        guarded.is_api = True  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def actor() -> Actor:
    return Actor.of(g.api_user, request.remote_addr)


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem(422, "Unprocessable Content", _("The body must be a JSON object."))
    return data


def text(data: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ApiProblem(
            422,
            "Unprocessable Content",
            _("“%(name)s” must be a string.", name=name),
            {name: [_("Must be a string.")]},
        )
    return value


def integer(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > INT32_MAX:
        raise ApiProblem(
            422,
            "Unprocessable Content",
            _("“%(name)s” must be an integer.", name=name),
            {name: [_("Must be an integer.")]},
        )
    return value


def amount(data: dict[str, Any], name: str = "amount") -> Decimal:
    """A positive amount, written as a string with at most two decimals ("300000.00")."""
    value = data.get(name)
    try:
        if not isinstance(value, str):
            raise InvalidAmount(repr(value))
        return to_positive_money(value)
    except InvalidAmount:
        raise ApiProblem(
            422,
            "Unprocessable Content",
            _("“%(name)s” must be a positive amount written as a string, such as “2000.00”.", name=name),
            {name: [_("Must be a positive amount with at most two decimals, as a string.")]},
        ) from None


def money(value: Decimal | None) -> str | None:
    return None if value is None else money_str(value)


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 64 or not key.isprintable():
        raise ApiProblem(422, "Unprocessable Content", _("The Idempotency-Key header is not valid."))
    return f"api:{g.api_user.id}:{key}"


def fund_json(balance: ledger.FundBalance) -> dict[str, object]:
    """The wire shape of a fund (GET /funds and ``flask funds --json`` alike)."""
    fund = balance.fund
    return {
        "code": fund.code,
        "name": fund.name,
        "year": fund.year,
        "unit": fund.unit.code,
        "budget": money_str(balance.budget),
        "committed": money_str(balance.committed),
        "paid": money_str(balance.paid),
        "available": money_str(balance.available),
    }
