"""Personal data on screen, in logs and in the audit trail: resident ID numbers masked.

A resident ID number (居民身份证号码) is 18 characters: 17 digits and a check
character (digit or X). Shown masked it keeps the first four and last four:
``1307**********1234``.
"""

from __future__ import annotations

import re

# 18 characters not embedded in a longer run of letters or digits.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])([0-9]{4})[0-9]{10}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_id_number(id_number: str) -> str:
    """``130702198001011234`` → ``1307**********1234``."""
    value = id_number.strip().upper()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def scrub(text: str) -> str:
    """Mask every ID-number-like sequence in free text (log lines, audit details)."""
    return _ID_LIKE.sub(lambda m: m.group(1) + "*" * 10 + m.group(2).upper(), text)
