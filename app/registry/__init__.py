"""The registry pages: hardship households and model workers."""

from flask import Blueprint

bp = Blueprint("registry", __name__)

from app.registry import routes  # noqa: E402,F401  (routes attach themselves to bp)
