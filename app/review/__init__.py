"""The yearly review pages (年审): rounds, their tasks, and the lists of files to look at."""

from flask import Blueprint

bp = Blueprint("review", __name__)

from app.review import routes  # noqa: E402,F401  (views attach to bp)
