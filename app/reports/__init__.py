"""Reports: reconciliation, the budget's table with execution, the audit package."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import routes, up  # noqa: E402,F401  (routes attach themselves to bp)
