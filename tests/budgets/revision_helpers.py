"""Revised budget files made for the tests: the shipped 2015 budget with its special projects
moved, every subtotal and total moved with them (or, on purpose, one left behind)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.conftest import BUDGET_FILE


def _add(value: str | None, change: Decimal) -> str:
    return f"{Decimal(value or '0') + change:.2f}"


def revised_document(
    projects: dict[str, str | None], *, added: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The 2015 budget with each project code's amount set (``None``: left out of the file),
    plus ``added`` project lines; income (transfer payment) and every total follow."""
    document = json.loads(Path(BUDGET_FILE).read_text(encoding="utf-8"))
    special = next(t for t in document["tables"] if t["kind"] == "special_public")
    change = Decimal("0")
    kept = []
    for line in special["lines"]:
        new = projects.get(line["project_code"], line["amount"])
        if new is None:
            change -= Decimal(line["amount"])
            continue
        change += Decimal(new) - Decimal(line["amount"])
        line["amount"] = new
        line["sources"] = {"general": new}
        kept.append(line)
    for line in (added or {}).values():
        line = copy.deepcopy(line)
        change += Decimal(line["amount"])
        kept.append(line)
    special["lines"] = kept
    special["total"] = _add(special["total"], change)
    income = next(t for t in document["tables"] if t["kind"] == "income")
    income["total"] = _add(income["total"], change)
    general = income["lines"][0]
    general["amount"] = _add(general["amount"], change)
    general["sources"] = {"general": general["amount"]}
    # The largest source (非限额补助) bears the change, so a file may drop every project.
    transfer = max(general["children"], key=lambda c: Decimal(c.get("amount") or "0"))
    transfer["amount"] = _add(transfer["amount"], change)
    summary = document["summary"]
    for key in ("income", "expenditure"):
        summary[key] = _add(summary[key], change)
    summary["income_by_source"]["general"] = summary["income"]
    summary["expenditure_by_kind"]["special_public"] = special["total"]
    return document


def write(document: dict[str, Any], path: Path) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


NEW_PROJECT = {
    "functional_class": "2012902",
    "economic_class": "30399",
    "project_code": "2015100003",
    "name": "职工大病医疗互助补助",
    "amount": "40000.00",
    "sources": {"general": "40000.00"},
    "managing_department": "区委办",
    "purpose": "hardship_aid",
}
