"""Aid cases, payments and check-up allowances: the pages."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

# The views attach themselves to bp.
from app.cases import actions, campaigns, checkups, confirmations, listing, papers, routes  # noqa: E402,F401
