"""The words a person sees on a page, and the code words and English among them.

:func:`visible_text` is a page's text as a person sees it: without tags, scripts and
styles, with the option labels, what the boxes and buttons show (their values), and the
title, placeholder, aria-label and alt attributes. :func:`leaks_in` finds in a text every
code of the label tables (``app.labels.tables()``) and every Latin word of three letters
or more but the few of :data:`ALLOWED`. Used by tests/web/test_no_english.py; an export's
text (a CSV, a sheet converted by LibreOffice) can be checked the same way.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from app.labels import tables

#: Latin words a person may see as they are, each for a reason.
ALLOWED = {
    "XLSX": "the spreadsheet format, as Excel and WPS name it on their own menus",
    "CSV": "the text-table format, likewise",
    "ZIP": "the archive the audit package comes in",
    "API": "the interface for other systems, named in the standard's own terms",
    "UTF": "UTF-8, the encoding a CSV file may be in, as every editor names it",
    "SHA": "SHA-256, the fingerprint algorithm the audit package names (its standard's name)",
    "PDF": "a scan's file type, as scanners, phones and file managers name it",
    "JPG": "likewise, a photographed or scanned picture",
    "PNG": "likewise",
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]+[A-Za-z]")  # 3 letters or more; a code_with_underscores is one
HEX_DIGEST = re.compile(r"\b[0-9a-f]{16,}\b")
INVISIBLE_INPUTS = {"hidden", "checkbox", "radio", "password", "file"}  # their value is not shown
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label"}


class VisibleText(HTMLParser):
    """The text of a page as a person sees it (and hears it from a screen reader)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        self.parts.extend(v for k, v in attrs if k in SHOWN_ATTRIBUTES and v)
        if tag == "input" and values.get("type", "text") not in INVISIBLE_INPUTS and values.get("value"):
            self.parts.append(values["value"] or "")  # a button's words, or what a box holds

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = VisibleText()
    parser.feed(page)
    parser.close()
    return "\n".join(parser.parts)


def code_words() -> dict[str, str]:
    """Every code of the label tables with a Latin letter in it -> its kind."""
    return {
        str(code): kind
        for kind, table in tables().items()
        for code in table
        if isinstance(code, str) and re.search(r"[A-Za-z]", code)
    }


def leaks_in(text_seen: str, codes: dict[str, str], data_words: tuple[str, ...] = ()) -> dict[str, str]:
    """What in ``text_seen`` is a code word or a Latin word not allowed: each (as
    ``code 'spouse' (relation)`` or ``word 'Save'``) with the text around its first place."""
    for word in data_words:  # names people typed (user names): data, not product words
        text_seen = re.sub(rf"(?<![A-Za-z0-9_.]){re.escape(word)}(?![A-Za-z0-9_])", " ", text_seen)
    text_seen = HEX_DIGEST.sub(" ", text_seen)  # a fingerprint (the audit chain's head) to compare
    found: dict[str, str] = {}
    for code, kind in codes.items():
        match = re.search(rf"(?<![A-Za-z0-9_.]){re.escape(code)}(?![A-Za-z0-9_])", text_seen)
        if match:
            found[f"code {code!r} ({kind})"] = _around(text_seen, match.start())
    for match in LATIN_WORD.finditer(text_seen):
        if match.group().upper() not in ALLOWED and match.group() not in codes:
            found.setdefault(f"word {match.group()!r}", _around(text_seen, match.start()))
    return found


def _around(text_seen: str, at: int) -> str:
    return " ".join(text_seen[max(at - 30, 0) : at + 40].split())
