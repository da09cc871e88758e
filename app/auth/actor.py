"""The signed-in user as the audit log's actor."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from app.services.audit import Actor


def current_actor() -> Actor:
    return Actor.of(current_user, request.remote_addr)
