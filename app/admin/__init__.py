"""The administrator's pages: users (create, reset a password, unlock, disable, revoke API
tokens) and the yearly policy values. The rules are in app/services/users.py and
app/services/policy.py; the command line offers the same (``flask users``, ``flask policy``)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import routes  # noqa: E402,F401  (routes attach themselves to bp)
