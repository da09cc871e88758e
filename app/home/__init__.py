"""The home page (工作台): what waits for the signed-in person; and the policy banner every
page shows until the working year's policy values are set."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from app.home import routes  # noqa: E402,F401  (routes attach themselves to bp)
