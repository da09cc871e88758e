"""Fund balances and ledgers."""

from flask import Blueprint

bp = Blueprint("funds", __name__)

from app.funds import revisions, routes, vouchers  # noqa: E402,F401  (routes attach themselves to bp)
