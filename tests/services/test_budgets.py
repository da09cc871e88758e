"""The 2015 budget of unit 711002 loads exactly as the seed states, and only then."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Budget, BudgetLine, FiscalYear, Fund, Transfer, Unit
from app.services import budgets, ledger, units
from app.services.errors import BudgetConflict, BudgetInvalid
from tests.conftest import ACTOR, BUDGET_FILE


def _document() -> dict:
    return json.loads(BUDGET_FILE.read_text(encoding="utf-8"))


def _line(name: str) -> BudgetLine:
    return db.session.execute(select(BudgetLine).where(BudgetLine.name == name)).scalar_one()


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Unit, FiscalYear, Budget, BudgetLine, Fund, Transfer)
    )


def test_every_figure_equals_the_seed(budget_2015):
    budget = budget_2015.budget
    assert budget.unit.code == "711002"
    assert budget.unit.name == "张家口市桥西区总工会"
    assert budget.unit.parent is None  # the department code 711 is not a union unit
    assert budget.year == 2015
    assert budget.total_income == Decimal("665604.71")
    assert budget.total_expenditure == Decimal("665604.71")

    expected = {
        "一般预算拨款": "665604.71",
        "非限额补助": "365604.71",
        "转移支付": "300000.00",
        "一、工资福利支出": "54568.80",
        "4、社会保障缴费": "54568.80",
        "（2）基本医疗保险费": "25584.84",
        "（3）大病医疗保险费": "1560.00",
        "（4）公务员医疗补助": "25647.84",
        "（6）生育保险": "1776.12",
        "二、对个人和家庭的补助": "280317.30",
        "2、退休费": "229817.10",
        "（1）退休金": "68744.40",
        "（2）退休人员补贴": "81984.00",
        "（3）退休人员特殊补贴": "720.00",
        "（4）退休人员年终一次性生活补助": "5728.70",
        "（5）退休人员上述项目之外的补贴": "72640.00",
        "9、住房公积金": "50500.20",
        "2、住宅取暖费": "4600.00",
        "（3）退休住宅取暖费": "4600.00",
        "7、离退休人员公用经费": "3118.61",
        "（5）退休干部公用经费": "1200.00",
        "（6）退休干部特需费": "200.00",
        "（8）退休人员福利费": "1718.61",
        "困难职工帮扶资金": "300000.00",
        "省部级劳模体检费": "23000.00",
    }
    for name, amount in expected.items():
        assert _line(name).amount == Decimal(amount), name

    housing = _line("9、住房公积金")
    assert (housing.functional_class, housing.economic_class) == ("2210201", "30311")
    assert _line("1、基本工资").amount is None  # blank in the seed: not budgeted

    table_totals = dict(
        db.session.execute(
            select(BudgetLine.table, func.sum(BudgetLine.amount))
            .where(BudgetLine.parent_id.is_(None))
            .group_by(BudgetLine.table)
        ).all()
    )
    assert table_totals == {
        "收入预算安排表": Decimal("665604.71"),
        "人员经费支出预算安排表": Decimal("334886.10"),
        "正常公用经费支出安排表": Decimal("7718.61"),
        "专项公用经费支出安排表": Decimal("323000.00"),
    }


def test_the_special_projects_become_funds_with_their_budgets(budget_2015):
    funds = {fund.code: fund for fund in budget_2015.funds}
    assert set(funds) == {"2015100001", "2015100002"}
    hardship = funds["2015100001"]
    assert hardship.name == "困难职工帮扶资金"
    assert (hardship.functional_class, hardship.economic_class) == ("2012902", "30399")
    assert hardship.managing_department == "区委办"
    figures = {b.fund.code: b for b in ledger.fund_balances(2015)}
    assert figures["2015100001"].budget == Decimal("300000.00")
    assert figures["2015100001"].available == Decimal("300000.00")
    assert figures["2015100002"].available == Decimal("23000.00")
    assert figures["2015100002"].paid == figures["2015100002"].committed == Decimal("0.00")


def test_loading_the_same_file_twice_doubles_nothing(budget_2015):
    before = _counts()
    again = budgets.load_budget(budgets.read_budget_file(BUDGET_FILE), actor=ACTOR)
    db.session.commit()
    assert again.created is False
    assert again.budget.id == budget_2015.budget.id
    assert _counts() == before
    assert sum(b.budget for b in ledger.fund_balances(2015)) == Decimal("323000.00")


def test_the_department_code_is_not_a_unit(budget_2015):
    codes = db.session.execute(select(Unit.code)).scalars().all()
    assert codes == ["711002"]  # no unit 711 made up from the department
    assert budget_2015.budget.unit.parent is None


def test_a_unit_moved_under_a_city_stays_there_when_its_budget_is_loaded_again(ctx):
    city = units.create_unit("7100", "张家口市总工会", None, actor=ACTOR)
    district = units.create_unit("711002", "桥西区总工会（旧名）", "7100", actor=ACTOR)
    db.session.commit()
    budgets.load_budget(_document(), actor=ACTOR)
    db.session.commit()
    db.session.expire_all()
    assert (district.parent_id, district.name) == (city.id, "桥西区总工会（旧名）")
    units.move_unit("711002", None, actor=ACTOR)
    units.move_unit("711002", "7100", actor=ACTOR)
    budgets.load_budget(_document(), actor=ACTOR)  # the same file again: nothing changes
    db.session.commit()
    db.session.expire_all()
    assert district.parent_id == city.id
    assert db.session.execute(select(func.count()).select_from(Unit)).scalar_one() == 2


def _tamper(path: list, value) -> dict:
    document = copy.deepcopy(_document())
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


def _personnel_line(document: dict, *indexes: int) -> list:
    path: list = ["tables", 1, "lines"]
    for position, index in enumerate(indexes):
        path += [index] if position == 0 else ["children", index]
    return path


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        # A leaf changed by one fen: its subtotal no longer adds up.
        ([*_personnel_line({}, 0, 3, 1), "amount"], "25584.85", "4、社会保障缴费"),
        # A leaf's sources no longer add up to its amount.
        ([*_personnel_line({}, 1, 1, 0), "sources"], {"general": "68744.41"}, "（1）退休金"),
        # A table total that is not the sum of its lines.
        (["tables", 2, "total"], "7718.62", "正常公用经费支出安排表"),
        # A special project changed: the table total no longer adds up.
        (["tables", 3, "lines", 0, "amount"], "310000.00", "困难职工帮扶资金"),
        # The summary's expenditure by kind disagrees with the table.
        (["summary", "expenditure_by_kind", "special_public"], "323000.01", "special_public"),
        # Income and expenditure no longer balance.
        (["summary", "balance"], "1.00", "1.00"),
        # An amount written as a JSON number (a float) is refused.
        (["tables", 3, "lines", 1, "amount"], 23000.0, "省部级劳模体检费"),
        (["tables", 3, "lines", 1, "amount"], "23000.001", "省部级劳模体检费"),
    ],
)
def test_a_tampered_budget_is_refused_whole_naming_the_line(ctx, path, value, named):
    before = _counts()
    with pytest.raises(BudgetInvalid) as refused:
        budgets.load_budget(_tamper(path, value), actor=ACTOR)
    db.session.rollback()
    assert named in refused.value.message
    assert _counts() == before == (0, 0, 0, 0, 0, 0)


def test_a_different_budget_for_a_loaded_year_is_refused(budget_2015):
    document = _document()
    document["title"] = "修订后的预算"
    before = _counts()
    with pytest.raises(BudgetConflict):
        budgets.load_budget(document, actor=ACTOR)
    db.session.rollback()
    assert _counts() == before


@pytest.mark.parametrize(
    "content", ["", "not json", "[]", '{"format": "other"}', '{"format": "bangfutong/department-budget@1"}']
)
def test_unreadable_files_are_refused(ctx, tmp_path, content):
    path = tmp_path / "budget.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BudgetInvalid):
        budgets.load_budget(budgets.read_budget_file(path), actor=ACTOR)
    assert _counts() == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 200_000 + b"]" * 200_000, "JSON"),  # nested past Python's recursion limit
        (b" " * (6 * 1024 * 1024) + b"{}", "5 MB"),  # far larger than any budget
    ],
)
def test_a_hostile_budget_file_is_refused_with_a_reason(ctx, tmp_path, content, reason):
    path = tmp_path / "budget.json"
    path.write_bytes(content)
    with pytest.raises(BudgetInvalid) as refused:
        budgets.read_budget_file(path)
    assert reason in refused.value.message
