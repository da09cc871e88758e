"""Importing the registry from CSV (UTF-8, UTF-8 with BOM, GB18030) and XLSX."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Worker
from app.services import registry_import
from app.services.registry_import import COLUMNS, ImportFileInvalid
from tests.conftest import ACTOR
from tests.registry_helpers import make_id

TODAY = date(2015, 6, 1)
HEADER = [heading for _field, heading in COLUMNS]


def _row(seq, **changes):
    row = {
        "姓名": f"职工{seq}",
        "身份证号": make_id(seq),
        "手机号": "13800138000",
        "工作单位": "桥西区机械厂",
        "家庭住址": "新华街",
        "家庭人口": "3",
        "家庭月收入": "1500",
        "困难类别": "1",
        "类别理由": "低于低保线",
        "致困主因": "本人患大病",
        "致困次因": "",
        "灾害或事故": "",
        "灾害日期": "",
        "维权案号": "",
        "开户银行": "",
        "银行卡号": "",
    }
    row.update(changes)
    return [row[h] for h in HEADER]


def _mixed_rows():
    return [
        _row(1),  # good
        _row(2, 身份证号="110105198001010014"),  # wrong check digit
        _row(3, 致困主因="子女教育", 困难类别="2", 家庭月收入="1800.50"),  # good
        _row(4, 手机号="12345"),  # bad phone
        _row(5, 家庭月收入="一千五"),  # bad income
        _row(1, 姓名="重复的人"),  # same ID as row 2 of the file
        _row(6, 身份证号=make_id(6).lower()),  # good, lower-case x or not
    ]


def _csv(rows, encoding):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows, *, numeric_ids=False):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        values = list(row)
        if numeric_ids:
            values[1] = int(values[1][:17] + "0") if values[1][:17].isdigit() else values[1]
        values[5] = int(values[5]) if values[5].isdigit() else values[5]  # household size as a number
        with contextlib.suppress(ValueError):
            values[6] = float(values[6])  # income as a spreadsheet number
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FILES = {
    "utf-8.csv": lambda: _csv(_mixed_rows(), "utf-8"),
    "utf-8-bom.csv": lambda: _csv(_mixed_rows(), "utf-8-sig"),
    "gb18030.csv": lambda: _csv(_mixed_rows(), "gb18030"),
    "sheet.xlsx": lambda: _xlsx(_mixed_rows()),
}


@pytest.mark.parametrize("filename", sorted(FILES))
def test_mixed_good_and_bad_rows_are_reported_in_every_encoding(budget_2015, filename):
    content = FILES[filename]()
    report = registry_import.check_file(filename, content, today=TODAY)
    assert [r.row for r in report.valid] == [2, 4, 8]
    errors = {r.row: " ".join(r.messages) for r in report.errors}
    assert set(errors) == {3, 5, 6, 7}
    assert "校验码" in errors[3]
    assert "手机号" in errors[5]
    assert "月收入" in errors[6]
    assert "第 2 行" in errors[7]
    assert (
        db.session.execute(select(func.count()).select_from(Worker)).scalar_one() == 0
    )  # checking writes nothing

    unit = budget_2015.budget.unit
    report, created = registry_import.import_file(filename, content, unit=unit, actor=ACTOR, today=TODAY)
    db.session.commit()
    assert created == 3
    names = set(db.session.execute(select(Worker.name)).scalars())
    assert names == {"职工1", "职工3", "职工6"}
    third = db.session.execute(select(Worker).where(Worker.name == "职工3")).scalar_one()
    assert str(third.household_monthly_income) == "1800.50" and third.main_cause == "education"

    # The same file again creates nothing twice.
    again, created_again = registry_import.import_file(filename, content, unit=unit, actor=ACTOR, today=TODAY)
    db.session.commit()
    assert created_again == 0
    assert [r.row for r in again.duplicates] == [2, 4, 8]
    assert db.session.execute(select(func.count()).select_from(Worker)).scalar_one() == 3


def test_id_numbers_saved_as_spreadsheet_numbers_are_refused(budget_2015):
    report = registry_import.check_file("numbers.xlsx", _xlsx([_row(7)], numeric_ids=True), today=TODAY)
    assert report.valid == []
    assert "文本格式" in report.errors[0].messages[0]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("list.txt", b"x", "xlsx"),
        ("fake.xlsx", b"not a zip", "XLSX"),
        ("empty.csv", b"", "空"),
        ("broken.csv", b"\xff\xfe\xfa\x80\x81", "编码"),
        ("columns.csv", "姓名,手机号\n张三,13800138000\n".encode(), "身份证号"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(budget_2015, filename, content, message):
    with pytest.raises(ImportFileInvalid) as refused:
        registry_import.check_file(filename, content)
    assert message in refused.value.message


def test_the_template_has_every_column_and_a_sample_that_never_imports(budget_2015):
    book = load_workbook(io.BytesIO(registry_import.template_workbook()))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[0] == HEADER
    report = registry_import.check_file("template.xlsx", registry_import.template_workbook(), today=TODAY)
    assert report.valid == [] and [r.row for r in report.samples] == [2]
