"""The JSON API of ../shared/API.md: the same services as the pages, other transport."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The endpoints attach themselves to bp.
from app.api import batches, books, cases, life, policy, registry, reviews, routes, units  # noqa: E402,F401
