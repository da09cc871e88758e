"""The year end (年终结转): open cases of a closing year carried over or released, and the
year-end report."""

from flask import Blueprint

bp = Blueprint("year_end", __name__)

from app.year_end import routes  # noqa: E402,F401  (routes attach themselves to bp)
