"""Maintainer tool: merge a {msgid: msgstr} dict into the Chinese catalogue.

    python scripts/fill_translations.py translations.py

where translations.py defines ZH = {...}. Existing translations are kept unless the
dict names them. Run ``make messages`` first so every msgid is in the catalogue.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def main(source: str) -> int:
    zh: dict[str, str] = runpy.run_path(source)["ZH"]
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans_CN")
    for message in catalogue:
        if message.id and message.id in zh:
            message.string = zh[message.id]
            message.flags.discard("fuzzy")
    catalogue.fuzzy = False  # a fuzzy header would keep the whole catalogue from compiling
    catalogue.project = "bangfutong"
    catalogue.version = "1"
    missing = [m.id for m in catalogue if m.id and not m.string]
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=True, omit_header=False)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
