"""The registry pages: hardship households and model workers."""

from flask import Blueprint

bp = Blueprint("registry", __name__)

from app.registry import (  # noqa: E402,F401  (views attach to bp)
    attachments,
    exits,
    households,
    model_workers,
    spreadsheets,
    transfers,
)
