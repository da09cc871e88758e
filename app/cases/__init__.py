"""Aid cases, payments and check-up allowances: the pages."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from app.cases import routes  # noqa: E402,F401  (routes attach themselves to bp)
