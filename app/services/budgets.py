"""Loading a department budget file (部门预算) and the funds it sets up.

A budget file is JSON (see ``data/budget-711002-2015.json``). Loading checks that
every figure adds up before anything is stored; the first line that does not is
named in the error. Loading the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models.budget import SECTION_EXPENDITURE, SECTION_INCOME, Budget, BudgetLine
from app.models.ledger import Fund
from app.models.org import FiscalYear, Unit
from app.money import ZERO, InvalidAmount, format_yuan, to_money
from app.services import ledger, units
from app.services.audit import Actor, record
from app.services.errors import BudgetConflict, BudgetInvalid

FORMAT = "bangfutong/department-budget@1"
SOURCES = ("general", "fund", "special_account", "other")
EXPENDITURE_KINDS = ("personnel", "normal_public", "special_public", "special_projects", "other")
#: The table whose project lines become funds in the ledger.
FUND_TABLE = "special_public"


@dataclass
class LoadResult:
    budget: Budget
    created: bool
    funds: list[Fund] = field(default_factory=list)


@dataclass
class _Line:
    """A parsed, checked line, in document order."""

    table: str
    section: str
    path: str
    data: dict[str, Any]
    amount: Decimal | None
    sources: dict[str, Decimal | None]
    parent: _Line | None
    children: list[_Line] = field(default_factory=list)


#: A department budget is a few kilobytes; a file far larger is not one.
BUDGET_FILE_MAX_BYTES = 5 * 1024 * 1024


def read_budget_file(path: str | Path) -> dict[str, Any]:
    """Read and parse a budget file; raise :class:`BudgetInvalid` if it is not JSON."""
    try:
        with Path(path).open("rb") as stream:
            raw = stream.read(BUDGET_FILE_MAX_BYTES + 1)  # never more than the cap in memory
        if len(raw) > BUDGET_FILE_MAX_BYTES:
            raise BudgetInvalid(
                _("The budget file is larger than %(mb)s MB.", mb=BUDGET_FILE_MAX_BYTES // (1024 * 1024))
            )
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BudgetInvalid(_("Cannot read the budget file: %(error)s", error=str(exc))) from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BudgetInvalid(_("The budget file is not valid JSON (line %(line)s).", line=exc.lineno)) from exc
    except RecursionError:  # nested deeper than any budget
        raise BudgetInvalid(_("The budget file is not valid JSON (line %(line)s).", line=1)) from None
    if not isinstance(document, dict):
        raise BudgetInvalid(_("The budget file must hold one JSON object."))
    return document


def digest_of(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _amount(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        # Numbers in JSON become floats; amounts must be written as strings.
        raise BudgetInvalid(
            _('%(where)s: amounts must be written as strings such as "300000.00".', where=where)
        )
    try:
        return to_money(value)
    except InvalidAmount as exc:
        raise BudgetInvalid(
            _("%(where)s: %(value)s is not an amount in yuan.", where=where, value=value)
        ) from exc


def _require(document: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = document.get(key)
    if not isinstance(value, kind):
        raise BudgetInvalid(_("%(where)s: the field “%(key)s” is missing or wrong.", where=where, key=key))
    return value


def _mismatch(where: str, label: str, stated: Decimal | None, computed: Decimal) -> BudgetInvalid:
    return BudgetInvalid(
        _(
            "%(where)s: %(label)s %(stated)s does not equal the sum of its parts %(computed)s.",
            where=where,
            label=label,
            stated=format_yuan(stated or ZERO),
            computed=format_yuan(computed),
        )
    )


def _parse_lines(
    raw_lines: Any, table: str, section: str, parent: _Line | None, out: list[_Line]
) -> list[_Line]:
    if not isinstance(raw_lines, list):
        raise BudgetInvalid(_("Table “%(table)s”: “lines” must be a list.", table=table))
    parsed = []
    for raw in raw_lines:
        number = len(out) + 1
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
            raise BudgetInvalid(
                _("Table “%(table)s”, line %(number)s: a line needs a name.", table=table, number=number)
            )
        path = _(
            "Table “%(table)s”, line %(number)s “%(name)s”", table=table, number=number, name=raw["name"]
        )
        raw_sources = raw.get("sources") or {}
        if not isinstance(raw_sources, dict) or set(raw_sources) - set(SOURCES):
            raise BudgetInvalid(_("%(where)s: unknown source of funds.", where=path))
        line = _Line(
            table=table,
            section=section,
            path=path,
            data=raw,
            amount=_amount(raw.get("amount"), path),
            sources={key: _amount(raw_sources.get(key), path) for key in SOURCES},
            parent=parent,
        )
        out.append(line)
        line.children = _parse_lines(raw.get("children", []), table, section, line, out)
        parsed.append(line)
    return parsed


def _sum(values: Iterator[Decimal | None]) -> Decimal:
    return sum((value or ZERO for value in values), ZERO)


def check_budget(document: dict[str, Any]) -> list[_Line]:
    """Check every figure of a budget document; return its lines in document order.

    Raises :class:`BudgetInvalid` naming the first line or total that does not add up.
    """
    if document.get("format") != FORMAT:
        raise BudgetInvalid(_("Unknown budget file format; expected %(format)s.", format=FORMAT))
    year = _require(document, "year", int, _("Budget"))
    if not 2000 <= year <= 2999:
        raise BudgetInvalid(_("Budget: the year %(year)s is out of range.", year=year))
    unit = _require(document, "unit", dict, _("Budget"))
    _require(unit, "code", str, _("Unit"))
    _require(unit, "name", str, _("Unit"))
    summary = _require(document, "summary", dict, _("Budget"))
    tables = _require(document, "tables", list, _("Budget"))

    lines: list[_Line] = []
    table_totals: dict[str, tuple[str, Decimal]] = {}
    parsed_tables: list[tuple[str, Decimal, list[_Line]]] = []
    for raw_table in tables:
        if not isinstance(raw_table, dict):
            raise BudgetInvalid(_("Budget: each table must be an object."))
        title = _require(raw_table, "title", str, _("Budget"))
        kind = _require(raw_table, "kind", str, title)
        section = raw_table.get("section")
        if section not in (SECTION_INCOME, SECTION_EXPENDITURE):
            raise BudgetInvalid(_("Table “%(table)s”: unknown section.", table=title))
        if kind in table_totals:
            raise BudgetInvalid(_("Table “%(table)s” appears twice.", table=title))
        total = _amount(raw_table.get("total"), title) or ZERO
        top = _parse_lines(raw_table.get("lines"), title, section, None, lines)
        parsed_tables.append((title, total, top))
        table_totals[kind] = (section, total)

    for line in lines:
        if line.children:
            computed = _sum(child.amount for child in line.children)
            if computed != (line.amount or ZERO):
                raise _mismatch(line.path, _("the subtotal"), line.amount, computed)
        if any(value is not None for value in line.sources.values()):
            computed = _sum(iter(line.sources.values()))
            if computed != (line.amount or ZERO):
                raise _mismatch(line.path, _("the amount"), line.amount, computed)
    # Tables after lines, so the most specific line at fault is the one named.
    for title, total, top in parsed_tables:
        computed = _sum(line.amount for line in top)
        if computed != total:
            raise _mismatch(title, _("the table total"), total, computed)

    income = _amount(summary.get("income"), _("Income total")) or ZERO
    expenditure = _amount(summary.get("expenditure"), _("Expenditure total")) or ZERO
    balance = _amount(summary.get("balance"), _("Income minus expenditure")) or ZERO
    income_tables = _sum(t for s, t in table_totals.values() if s == SECTION_INCOME)
    if income_tables != income:
        raise _mismatch(_("Income total"), _("the income total"), income, income_tables)
    by_source = summary.get("income_by_source") or {}
    if by_source:
        computed = _sum(_amount(by_source.get(key), _("Income by source")) for key in SOURCES)
        if computed != income:
            raise _mismatch(_("Income by source"), _("the income total"), income, computed)
    by_kind = summary.get("expenditure_by_kind") or {}
    for kind in EXPENDITURE_KINDS:
        stated = _amount(by_kind.get(kind), _("Expenditure by kind"))
        actual = table_totals.get(kind, (SECTION_EXPENDITURE, ZERO))[1]
        if (stated or ZERO) != actual:
            raise BudgetInvalid(
                _(
                    "Expenditure by kind “%(kind)s”: %(stated)s does not equal its table's total %(actual)s.",
                    kind=kind,
                    stated=format_yuan(stated or ZERO),
                    actual=format_yuan(actual),
                )
            )
    expenditure_tables = _sum(t for s, t in table_totals.values() if s == SECTION_EXPENDITURE)
    if expenditure_tables != expenditure:
        raise _mismatch(_("Expenditure total"), _("the expenditure total"), expenditure, expenditure_tables)
    if income - expenditure != balance:
        raise BudgetInvalid(
            _(
                "Income minus expenditure is %(computed)s, but the budget states %(stated)s.",
                computed=format_yuan(income - expenditure),
                stated=format_yuan(balance),
            )
        )

    codes = [line.data.get("project_code") for line in lines if line.data.get("project_code")]
    if len(codes) != len(set(codes)):
        raise BudgetInvalid(_("Budget: a project code appears twice."))
    return lines


def newest_year() -> int | None:
    """The newest fiscal year with a budget loaded (the year pages show by default)."""
    return db.session.execute(select(func.max(FiscalYear.year))).scalar_one()


def loaded_years() -> list[int]:
    """The years with a budget loaded, newest first."""
    return list(db.session.execute(select(FiscalYear.year).order_by(FiscalYear.year.desc())).scalars())


def chosen_year(requested: int | None) -> int | None:
    """The year a page shows: the one asked for when its budget is loaded, otherwise the
    newest loaded; ``None`` before any budget is loaded. The one rule for every page."""
    return requested if is_loaded(requested) else newest_year()


def working_year(requested: int | None = None) -> int:
    """:func:`chosen_year`, or this calendar year before any budget is loaded (what a
    household's assessment is made against)."""
    return chosen_year(requested) or date.today().year


def is_loaded(year: int | None) -> bool:
    """Whether a budget of ``year`` has been loaded (a year anything can be asked of)."""
    return year is not None and db.session.get(FiscalYear, year) is not None


def load_budget(document: dict[str, Any], *, actor: Actor) -> LoadResult:
    """Check and store a budget, create its funds and allocate their budgets.

    The budget's unit is created at the top of the tree if it does not exist yet; an
    existing unit keeps its place and name.

    Nothing is stored if any check fails (:class:`BudgetInvalid`). The same document
    loaded again returns the stored budget unchanged; a different one for the same
    unit and year raises :class:`BudgetConflict`.
    """
    lines = check_budget(document)
    digest = digest_of(document)
    year: int = document["year"]
    # The department (部门, e.g. 711) is the finance bureau's grouping, not a union unit:
    # where the unit sits in the union's tree is the tree's business (app/services/units.py).
    unit = units.ensure_top_unit(document["unit"]["code"], document["unit"]["name"], actor=actor)

    existing = db.session.execute(
        select(Budget).where(Budget.unit_id == unit.id, Budget.year == year)
    ).scalar_one_or_none()
    if existing is not None:
        if existing.digest == digest:
            funds = list(
                db.session.execute(
                    select(Fund).where(Fund.unit_id == unit.id, Fund.year == year).order_by(Fund.code)
                ).scalars()
            )
            return LoadResult(budget=existing, created=False, funds=funds)
        raise BudgetConflict(
            _(
                "A different budget of unit %(unit)s for %(year)s is already loaded.",
                unit=unit.code,
                year=year,
            )
        )

    if db.session.get(FiscalYear, year) is None:
        db.session.add(FiscalYear(year=year))
    summary = document["summary"]
    budget = Budget(
        unit=unit,
        year=year,
        title=str(document.get("title") or f"{year} {unit.name}"),
        total_income=to_money(summary["income"]),
        total_expenditure=to_money(summary["expenditure"]),
        digest=digest,
    )
    db.session.add(budget)
    db.session.flush()

    stored: dict[int, BudgetLine] = {}
    funds = []
    for position, line in enumerate(lines, start=1):
        data = line.data
        row = BudgetLine(
            budget_id=budget.id,
            parent_id=stored[id(line.parent)].id if line.parent is not None else None,
            position=position,
            section=line.section,
            table=line.table,
            code=data.get("code"),
            name=data["name"],
            functional_class=data.get("functional_class"),
            economic_class=data.get("economic_class"),
            project_code=data.get("project_code"),
            amount=line.amount,
            source_general=line.sources["general"],
            source_fund=line.sources["fund"],
            source_special_account=line.sources["special_account"],
            source_other=line.sources["other"],
        )
        db.session.add(row)
        db.session.flush()
        stored[id(line)] = row
        if row.project_code and table_kind(document, line.table) == FUND_TABLE:
            funds.append(_open_fund(unit, year, row, data, actor))
    record(
        "budget.load",
        actor=actor,
        object_type="budget",
        object_id=budget.id,
        unit_id=unit.id,
        details={
            "new": {
                "title": budget.title,
                "year": year,
                "income": str(budget.total_income),
                "expenditure": str(budget.total_expenditure),
                "lines": len(lines),
                "funds": [fund.code for fund in funds],
                "digest": digest,
            }
        },
    )
    return LoadResult(budget=budget, created=True, funds=funds)


def table_kind(document: dict[str, Any], title: str) -> str:
    return next(t["kind"] for t in document["tables"] if t["title"] == title)


def _open_fund(unit: Unit, year: int, line: BudgetLine, data: dict[str, Any], actor: Actor) -> Fund:
    fund = Fund(
        unit_id=unit.id,
        year=year,
        code=line.project_code or "",
        name=line.name,
        functional_class=line.functional_class,
        economic_class=line.economic_class,
        managing_department=data.get("managing_department"),
        purpose=data.get("purpose", "hardship_aid"),
        budget_line_id=line.id,
    )
    db.session.add(fund)
    db.session.flush()
    ledger.create_fund_accounts(fund)
    if line.amount and line.amount > ZERO:
        ledger.allocate(fund, line.amount, memo=_("Budget %(year)s", year=year), actor=actor)
    return fund
