"""Aid cases, payments and check-up allowances: the pages."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

# The views attach themselves to bp.
from app.cases import (  # noqa: E402,F401
    actions,
    campaigns,
    checkups,
    confirmations,
    decisions,
    listing,
    papers,
    routes,
)
