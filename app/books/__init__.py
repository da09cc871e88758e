"""结账 pages: a unit's closes of the books by year (months and the whole year), closing a
period (finance), asking for a close to be reopened (an administrator, with a reason) and
reopening it (a second person), each close's digest re-checked. The rules are the
service's (app/services/periods.py)."""

from flask import Blueprint

bp = Blueprint("books", __name__)

from app.books import routes  # noqa: E402,F401  (the views attach themselves to bp)
