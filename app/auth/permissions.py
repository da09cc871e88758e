"""Roles and their permissions: the one table that says who may do what.

Every view declares the permission it needs with :func:`require` (or is marked
:func:`public`); the app refuses to start with a view that declares neither, and a
request to such a view is refused. Deny by default.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort, has_request_context, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from app.services import duties

F = TypeVar("F", bound=Callable[..., Any])


class Permission(StrEnum):
    FUNDS_VIEW = "funds.view"  # fund balances and ledgers
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    ID_REVEAL = "registry.reveal_id"  # see a whole ID number (logged)
    CASES_CREATE = "cases.create"
    CASES_DECIDE = "cases.decide"  # approve or reject
    PAYMENTS_MAKE = "payments.make"
    PAYMENTS_REVERSE = "payments.reverse"
    VOUCHERS_VIEW = "vouchers.view"  # the accounting vouchers (记账凭证): finance and audit
    BATCHES_VIEW = "batches.view"  # the bank payment batches (代发批次) and their lines
    REPORTS_VIEW = "reports.view"
    AUDIT_VIEW = "audit.view"  # the audit log's administration view
    AUDIT_EXPORT = "audit.export"
    USERS_MANAGE = "users.manage"
    BUDGETS_MANAGE = "budgets.manage"
    BUDGETS_REVISE = "budgets.revising"  # 预算调整: record a revision under its document number
    POLICY_MANAGE = "policy.manage"
    FOUR_EYES_EXCEPTION = "four_eyes.exception"  # one-person office exception
    UNITS_VIEW = "units.view"  # the tree of union units one sees
    UNITS_MANAGE = "units.manage"  # add, move and rename units
    BOOKS_VIEW = "books.view"  # 结账: the closes of the books, their digests and reopenings
    BOOKS_CLOSE = "books.closing"  # 结账: close a month or a year
    BOOKS_REOPEN = "books.reopening"  # ask for closed books to be reopened
    BOOKS_REOPEN_APPROVE = "books.reopen_approval"  # the second person who reopens closed books
    REVIEW_START = "review.start"  # 年审: start a unit's yearly review round
    REPORTS_SEND = "reports.sending"  # 上报: send the unit's report up; accept or return one from below
    DUPLICATES_REVIEW = "registry.duplicates"  # 查重: settle files that share a person, across units
    ACCOUNT_SELF = "account.self"  # change one's own password, log out


_EVERYONE = {Permission.FUNDS_VIEW, Permission.REPORTS_VIEW, Permission.UNITS_VIEW, Permission.ACCOUNT_SELF}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "caseworker": frozenset(
        _EVERYONE
        | {Permission.REGISTRY_VIEW, Permission.REGISTRY_EDIT, Permission.ID_REVEAL, Permission.CASES_CREATE}
    ),
    "reviewer": frozenset(
        _EVERYONE
        | {
            Permission.REGISTRY_VIEW,
            Permission.CASES_DECIDE,
            Permission.REPORTS_SEND,
            Permission.DUPLICATES_REVIEW,
            Permission.REVIEW_START,
        }
    ),
    "finance": frozenset(
        _EVERYONE
        | {
            Permission.REGISTRY_VIEW,
            Permission.PAYMENTS_MAKE,
            Permission.PAYMENTS_REVERSE,
            Permission.BOOKS_VIEW,
            Permission.BOOKS_CLOSE,
            Permission.BUDGETS_REVISE,
            Permission.BOOKS_REOPEN_APPROVE,
            Permission.VOUCHERS_VIEW,
            Permission.BATCHES_VIEW,
            Permission.REPORTS_SEND,
        }
    ),
    # Reads everything, changes nothing; the only role that sees the audit log.
    "auditor": frozenset(
        _EVERYONE
        | {
            Permission.REGISTRY_VIEW,
            Permission.AUDIT_VIEW,
            Permission.AUDIT_EXPORT,
            Permission.VOUCHERS_VIEW,
            Permission.BATCHES_VIEW,
            Permission.BOOKS_VIEW,
        }
    ),
    # Users, years, budgets and parameters; pays and approves nothing, and cannot
    # read the audit log's administration view alone.
    "admin": frozenset(
        _EVERYONE
        | {
            Permission.USERS_MANAGE,
            Permission.BUDGETS_MANAGE,
            Permission.POLICY_MANAGE,
            Permission.FOUR_EYES_EXCEPTION,
            Permission.UNITS_MANAGE,
            Permission.BOOKS_VIEW,
            Permission.BOOKS_REOPEN,
            Permission.BOOKS_REOPEN_APPROVE,
        }
    ),
}


#: What an account created or enabled again in the app cannot do until a second
#: administrator approves it (app/services/duties.py): move money, manage people.
HELD_BACK = frozenset(
    {
        Permission.CASES_DECIDE,
        Permission.PAYMENTS_MAKE,
        Permission.PAYMENTS_REVERSE,
        Permission.USERS_MANAGE,
        Permission.FOUR_EYES_EXCEPTION,
        Permission.BUDGETS_MANAGE,
        Permission.POLICY_MANAGE,
        Permission.UNITS_MANAGE,
        Permission.BOOKS_CLOSE,
        Permission.BOOKS_REOPEN,
        Permission.BUDGETS_REVISE,
        Permission.BOOKS_REOPEN_APPROVE,
    }
)


class AwaitingApproval(Forbidden):
    """403 for an account that waits for a second administrator's approval."""

    def __init__(self) -> None:
        super().__init__(str(duties.AWAITING))


def role_has(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def held_back(user: Any) -> bool:
    """Whether the account waits for a second administrator (asked once per request)."""
    # Per request (its environ): a test's app context outlives many requests, so ``g`` may too.
    cache: dict[int, bool] = request.environ.setdefault("app.held_back", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = duties.awaits_approval(user.id)
    return cache[user.id]


def refusal(user: Any, permission: Permission) -> Forbidden | None:
    """Why ``user`` may not do ``permission`` (``None``: they may)."""
    if not role_has(user.role, permission):
        return Forbidden()
    if permission in HELD_BACK and held_back(user):
        return AwaitingApproval()
    return None


def can(permission: Permission) -> bool:
    """Whether the signed-in user holds ``permission`` (for templates and views)."""
    return bool(current_user.is_authenticated and refusal(current_user, permission) is None)


def require(permission: Permission) -> Callable[[F], F]:
    """Declare the permission a view needs; others get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(403)
            refused = refusal(current_user, permission)
            if refused is not None:
                raise refused
            return view(*args, **kwargs)

        guarded.permission = permission  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view as reachable without logging in (the log-in page itself)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def declared(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, "is_public", False) or getattr(view, "permission", None))
