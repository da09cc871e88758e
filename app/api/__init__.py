"""The JSON API of ../shared/API.md: the same services as the pages, other transport."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The endpoints attach themselves to bp.
from app.api import (  # noqa: E402,F401
    batches,
    books,
    cases,
    decisions,
    life,
    policy,
    registry,
    reviews,
    revisions,
    routes,
    transfers,
    unit_reports,
    units,
)
