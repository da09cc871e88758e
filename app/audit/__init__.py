"""The auditor's view of the audit log."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from app.audit import routes  # noqa: E402,F401  (routes attach themselves to bp)
