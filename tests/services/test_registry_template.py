"""The registry import template: whole text columns for long numbers, drop-downs of the
Chinese words, an instructions sheet, and a sample row that never imports."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from app.extensions import db
from app.labels import label
from app.models import Worker
from app.services import eligibility, registry_import
from app.services.registry_import import COLUMNS, REQUIRED
from tests.conftest import ACTOR
from tests.registry_helpers import make_id

TODAY = date(2015, 6, 1)
HEADINGS = {field: heading for field, heading in COLUMNS}
LETTERS = {field: get_column_letter(i) for i, (field, _h) in enumerate(COLUMNS, start=1)}


@pytest.fixture
def template(ctx):
    return load_workbook(io.BytesIO(registry_import.template_workbook()))


def _typed_below_the_sample(template, seq: int, **values: object) -> bytes:
    """The template as a caseworker fills it: a row typed under the sample, in words."""
    row = {
        "name": f"职工{seq}",
        "id_number": make_id(seq),
        "phone": "13900139000",
        "employer": "桥西区机械厂",
        "household_size": 2,
        "household_monthly_income": 1200,
        "category": label("category", 2),
        "category_reason": "略高于低保线，本人患病",
        "main_cause": label("cause", "illness_self"),
        "secondary_cause": label("cause", "education"),
    } | values
    sheet = template.worksheets[0]
    line = sheet.max_row + 1
    for field, value in row.items():
        sheet[f"{LETTERS[field]}{line}"] = value
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def test_id_phone_and_card_columns_are_text_as_whole_columns(template):
    sheet = template.worksheets[0]
    for field in ("id_number", "phone", "bank_account"):
        dimension = sheet.column_dimensions[LETTERS[field]]
        # the column's own style: a cell typed anywhere below takes it, so 18 digits stay text
        assert dimension.number_format == "@", field
    assert sheet[f"{LETTERS['id_number']}2"].data_type == "s"
    assert sheet.column_dimensions[LETTERS["household_size"]].number_format != "@"
    assert sheet.freeze_panes == "A2"


def test_category_and_causes_are_drop_downs_of_the_chinese_words(template):
    sheet = template.worksheets[0]
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list" and validation.showErrorMessage
        sheet_name, cells = validation.formula1.split("!")
        source = template[sheet_name.strip("'")]
        first, last = (c.replace("$", "") for c in cells.split(":"))
        words = [c.value for row in source[first:last] for c in row]
        for cell_range in validation.sqref.ranges:
            lists[cell_range.coord.split(":")[0][:1]] = (words, cell_range.max_row)
    assert template[sheet_name.strip("'")].sheet_state == "hidden"
    category_words, reach = lists[LETTERS["category"]]
    assert category_words == [str(v) for v in eligibility.CATEGORIES.values()]
    assert reach >= 10_000
    assert lists[LETTERS["main_cause"]][0] == [str(v) for v in eligibility.CAUSES.values()]
    assert lists[LETTERS["secondary_cause"]][0] == [str(v) for v in eligibility.CAUSES.values()]
    assert not any(w.isascii() for w in category_words)


def test_the_instructions_sheet_lists_every_column(template):
    assert template.sheetnames[:2] == ["困难职工", "说明"]
    rows = list(template["说明"].iter_rows(values_only=True))
    assert rows[0] == ("列名", "是否必填", "格式", "可选值")
    by_column = {r[0]: r for r in rows[1:] if r[0]}
    for field, heading in COLUMNS:
        assert by_column[heading][1] == ("必填" if field in REQUIRED else "选填"), heading
        assert by_column[heading][2], heading
    assert "文本" in by_column[HEADINGS["id_number"]][2]
    for word in eligibility.CAUSES.values():
        assert str(word) in by_column[HEADINGS["main_cause"]][3]
    assert "第二类" in by_column[HEADINGS["category"]][3]
    assert any("示例" in (r[2] or "") for r in rows)


def test_the_sample_row_is_marked_and_never_imports(budget_2015, template):
    sheet = template.worksheets[0]
    assert sheet["A2"].value.startswith("【示例】") and sheet["A2"].comment is not None
    content = registry_import.template_workbook()
    report, created = registry_import.import_file(
        "template.xlsx", content, unit=budget_2015.budget.unit, actor=ACTOR, today=TODAY
    )
    assert created == 0 and report.valid == [] and report.errors == []
    (sample,) = report.samples
    assert sample.row == 2 and "示例" in sample.messages[0]
    assert db.session.execute(select(func.count(Worker.id))).scalar_one() == 0


@pytest.mark.parametrize("change", [{"姓名": "张三"}, {"身份证号": make_id(77)}])
def test_an_edited_sample_is_still_skipped_by_what_is_left_of_its_mark(budget_2015, template, change):
    sheet = template.worksheets[0]
    if "姓名" in change:  # the mark removed, the sample's ID number left
        sheet["A2"] = change["姓名"]
    else:  # a real ID number typed in, the mark left
        sheet[f"{LETTERS['id_number']}2"] = change["身份证号"]
    buffer = io.BytesIO()
    template.save(buffer)
    report = registry_import.check_file("template.xlsx", buffer.getvalue(), today=TODAY)
    assert report.valid == [] and len(report.samples) == 1


def test_a_row_typed_below_the_sample_imports_with_the_chinese_words(budget_2015, template):
    content = _typed_below_the_sample(template, 41)
    report, created = registry_import.import_file(
        "filled.xlsx", content, unit=budget_2015.budget.unit, actor=ACTOR, today=TODAY
    )
    assert created == 1, [r.messages for r in report.rows]
    assert [r.status for r in report.rows] == ["sample", "ok"]
    worker = db.session.execute(select(Worker)).scalar_one()
    assert (worker.category, worker.main_cause, worker.secondary_cause) == (2, "illness_self", "education")


@pytest.mark.parametrize("category", ["2", "第二类", 2])
def test_the_importer_takes_the_code_the_short_word_or_the_number(budget_2015, template, category):
    report = registry_import.check_file(
        "filled.xlsx", _typed_below_the_sample(template, 42, category=category), today=TODAY
    )
    assert [r.cleaned.category for r in report.valid] == [2], [r.messages for r in report.rows]
