"""The signed-in user as the audit log's actor."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from app.services.audit import Actor


def current_actor() -> Actor:
    """The signed-in user as the services' request context (computed once a request)."""
    # Keyed by the request: a test (or a CLI-started request) may hold one app context,
    # and so one ``g``, across several requests of different users.
    this = request._get_current_object()  # type: ignore[attr-defined]
    cached = g.get("page_actor")
    if cached is None or cached[0] is not this:
        cached = (this, Actor.of(current_user, request.remote_addr, door="page"))
        g.page_actor = cached
    return cached[1]  # type: ignore[no-any-return]
