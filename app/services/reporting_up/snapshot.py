"""What a unit's report (上报) says: its figures and those of every unit below it, for one
period, as plain JSON values (money as strings with two places), frozen when submitted.

- ``funds``: each fund of the year — budget, paid, committed, at the bank and available at
  the moment of submission (they add up: budget = paid + committed + at_bank + available),
  and what was paid up to the period's last day (截至期末已执行).
- ``categories`` and ``causes``: the households on file (在档: not exited, not out of
  hardship) by 建档类别 and by main cause of hardship (致困原因), with the persons they
  count, and the totals.
- ``units``: the same households counted per unit of the subtree, so the level above sees
  who holds what.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models.ledger import Fund
from app.models.org import Unit
from app.models.registry import ON_FILE, Worker
from app.money import money_str
from app.services import budget_report, ledger, periods
from app.services.eligibility import CATEGORIES, CAUSES
from app.services.scope import subtree_ids


def period_end(year: int, month: int) -> date:
    """The period's last day: 31 December for the whole year (``month`` 0)."""
    return periods.bounds(year, month)[1]


def figures(unit: Unit, year: int, month: int) -> dict[str, Any]:
    """The report's figures for ``unit`` and the units below it."""
    unit_ids = subtree_ids(unit.id)
    end = period_end(year, month)
    funds = []
    for fund in db.session.execute(
        select(Fund).where(Fund.unit_id.in_(unit_ids), Fund.year == year).order_by(Fund.unit_id, Fund.code)
    ).scalars():
        balance = ledger.balance(fund)
        funds.append(
            {
                "unit": fund.unit.code,
                "code": fund.code,
                "name": fund.name,
                "budget": money_str(balance.budget),
                "paid": money_str(balance.paid),
                "committed": money_str(balance.committed),
                "at_bank": money_str(balance.at_bank),
                "available": money_str(balance.available),
                "paid_to_period_end": money_str(budget_report.executed_to(fund, end)),
            }
        )
    on_file = (Worker.unit_id.in_(unit_ids), Worker.status == ON_FILE)

    def counted(column: Any) -> dict[str, dict[str, int]]:
        rows = db.session.execute(
            select(column, func.count(), func.coalesce(func.sum(Worker.household_size), 0))
            .where(*on_file)
            .group_by(column)
        ).all()
        return {str(key): {"households": int(n), "persons": int(p)} for key, n, p in rows if key is not None}

    by_category = counted(Worker.category)
    by_cause = counted(Worker.main_cause)
    per_unit = db.session.execute(
        select(Unit.code, Unit.name, func.count(Worker.id), func.coalesce(func.sum(Worker.household_size), 0))
        .join(Worker, Worker.unit_id == Unit.id)
        .where(*on_file)
        .group_by(Unit.code, Unit.name)
        .order_by(Unit.code)
    ).all()
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "year": year,
        "month": month,
        "period_end": end.isoformat(),
        "funds": funds,
        "categories": {str(k): by_category.get(str(k), {"households": 0, "persons": 0}) for k in CATEGORIES},
        "causes": {k: by_cause[k] for k in CAUSES if k in by_cause},
        "units": [
            {"code": code, "name": name, "households": int(n), "persons": int(p)}
            for code, name, n, p in per_unit
        ],
        "households": sum(v["households"] for v in by_category.values()),
        "persons": sum(v["persons"] for v in by_category.values()),
    }


def canonical(figures_: dict[str, Any]) -> str:
    """The one text the digest is taken of: sorted keys, no spaces, UTF-8 as it is."""
    return json.dumps(figures_, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
