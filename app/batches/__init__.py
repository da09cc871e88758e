"""Bank payment batches (代发批次): the pages. The list and preparing a batch are in
:mod:`.listing`, a batch's page and its steps in :mod:`.pages`, the bank's answer file
(回盘: upload, check report, confirm) in :mod:`.answers`. The rules are the services'
(app/services/batches/)."""

from flask import Blueprint

bp = Blueprint("batches", __name__)

# The views attach themselves to bp.
from app.batches import answers, listing, pages  # noqa: E402,F401
