"""Application logging that cannot leak personal data or be forged by input.

Every line is scrubbed of ID-number-like sequences, and carriage returns and line
feeds inside a message are escaped, so a value such as ``"x\\nINFO admin logged in"``
stays on one line.
"""

from __future__ import annotations

import logging
import sys

from app.privacy import scrub

_HANDLER_NAME = "bangfutong-safe"


class SafeFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        text = super().formatMessage(record)
        return scrub(text).replace("\r", "\\r").replace("\n", "\\n")

    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]
        return scrub(super().formatException(ei))


def install_safe_logging(level: int = logging.INFO) -> None:
    """Send the root logger (and so Flask's and Werkzeug's) through :class:`SafeFormatter`."""
    root = logging.getLogger()
    if any(handler.get_name() == _HANDLER_NAME for handler in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
