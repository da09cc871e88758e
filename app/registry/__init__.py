"""The registry pages: hardship households and model workers."""

from flask import Blueprint

bp = Blueprint("registry", __name__)

from app.registry import attachments, households, model_workers, spreadsheets  # noqa: E402,F401  (views attach to bp)
