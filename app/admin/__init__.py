"""The administrator's pages: users (create, reset a password, unlock, disable, revoke API
tokens), the yearly policy values, and the tree of union units (app/admin/units.py). The
rules are in app/services/users.py, policy.py and units.py; the command line offers the
same (``flask users``, ``flask policy``, ``flask units``)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import duties, policy_copy, routes, units  # noqa: E402,F401  (routes attach themselves to bp)
