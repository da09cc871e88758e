"""Text as users type it, made safe to store: trimmed, cut to length, and without
control characters (they forge log lines and spreadsheet cells)."""

from __future__ import annotations


def clean_text(value: str | None, limit: int, *, multiline: bool = False) -> str:
    """``value`` stripped, printable characters only (and line breaks when ``multiline``)."""
    return "".join(ch for ch in (value or "").strip() if ch.isprintable() or (multiline and ch == "\n"))[
        :limit
    ]
