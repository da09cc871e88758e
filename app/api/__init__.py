"""The JSON API of ../shared/API.md: the same services as the pages, other transport."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import routes, units  # noqa: E402,F401  (routes attach themselves to bp)
