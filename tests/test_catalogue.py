"""Every word the product shows has its Chinese translation in the catalogue."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("app/**.py", "python"), ("templates/**.html", "jinja2")]


def _source_msgids() -> set[str]:
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=[(p, m) for p, m in METHODS], keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_in_the_code_is_translated():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    assert not catalogue.fuzzy, "the catalogue header is fuzzy: pybabel would not compile it"
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_source_msgids() - set(translated))
    assert missing == [], "run `make messages` and translate: " + ", ".join(missing[:20])


def test_no_translation_breaks_formatting():
    """Flask-Babel %-formats every message: a stray % in a translation would be a 500."""
    import re

    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if not message.id:
            continue
        placeholders = set(re.findall(r"%\((\w+)\)s", message.id))
        assert set(re.findall(r"%\((\w+)\)s", message.string)) == placeholders, message.id
        assert not re.search(r"%(?!\(\w+\)s|%)", message.string), message.id
        assert not re.search(r"%(?!\(\w+\)s|%)", message.id), message.id
