"""The next fiscal year for tests: a 2016 budget of unit 711002 made from the shipped 2015
file, with its own figures, so that two years are loaded side by side.

The 2016 file keeps the 2015 project codes (the funds carried over into are found by
code), and takes ``2015 − hardship`` off the hardship fund and every total above it (the
转移支付 income line, the special public table, the department's income and expenditure),
so every subtotal still adds up."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.services import budgets
from tests.conftest import ACTOR, BUDGET_FILE

HARDSHIP_CODE = "2015100001"
CHECKUP_CODE = "2015100002"


def _less(value: str, delta: Decimal) -> str:
    return str((Decimal(value) - delta).quantize(Decimal("0.01")))


def budget_2016_document(hardship: str = "280000.00", checkup: str | None = None) -> dict[str, Any]:
    """The 2016 budget: the hardship fund at ``hardship`` yuan (and the check-up fund at
    ``checkup``, or as in 2015)."""
    document = copy.deepcopy(budgets.read_budget_file(BUDGET_FILE))
    document["year"] = 2016
    document["title"] = "2016年张家口市桥西区区级部门预算"
    deltas = {HARDSHIP_CODE: Decimal("300000.00") - Decimal(hardship)}
    if checkup is not None:
        deltas[CHECKUP_CODE] = Decimal("23000.00") - Decimal(checkup)
    delta = sum(deltas.values(), Decimal("0.00"))
    for table in document["tables"]:
        if table["kind"] == "special_public":
            table["total"] = _less(table["total"], delta)
            for line in table["lines"]:
                if line["project_code"] in deltas:
                    line["amount"] = _less(line["amount"], deltas[line["project_code"]])
                    line["sources"]["general"] = line["amount"]
        if table["kind"] == "income":
            table["total"] = _less(table["total"], delta)
            general = table["lines"][0]
            general["amount"] = _less(general["amount"], delta)
            general["sources"]["general"] = general["amount"]
            transfer = next(child for child in general["children"] if child["code"] == "87")
            transfer["amount"] = _less(transfer["amount"], delta)
    summary = document["summary"]
    summary["income"] = _less(summary["income"], delta)
    summary["expenditure"] = _less(summary["expenditure"], delta)
    summary["income_by_source"]["general"] = summary["income"]
    summary["expenditure_by_kind"]["special_public"] = _less(
        summary["expenditure_by_kind"]["special_public"], delta
    )
    return document


def write_budget_2016(folder: Path, **figures: str) -> Path:
    """The 2016 budget file, written into ``folder`` (for `flask budget load` and the pages)."""
    path = folder / "budget-711002-2016.json"
    path.write_text(
        json.dumps(budget_2016_document(**figures), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path


def load_budget_2016(folder: Path, **figures: str) -> budgets.LoadResult:
    """Load the 2016 budget from a file written for the test (as `flask budget load` reads one)."""
    from app.extensions import db

    result = budgets.load_budget(budgets.read_budget_file(write_budget_2016(folder, **figures)), actor=ACTOR)
    db.session.commit()
    return result
