"""A job's page: its progress bar while it runs, its result when it is done."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from app.jobs import routes  # noqa: E402,F401  (routes attach themselves to bp)
