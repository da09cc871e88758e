"""What an auditor reads in the audit package and the registry export: amounts as plain
numbers, codes as words (the code beside them in a 代码 column), Beijing time to the
second, people by name, payees named, ID and mobile numbers masked; and the workbook's
sheets typed, frozen, filtered and set up for A4."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.services import audit_export

BEIJING_SECOND = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _package(world):
    audit_export.log_export(2015, actor=world.auditor)  # as the page and the CLI do first
    db.session.commit()
    out = io.BytesIO()
    audit_export.write_package(2015, out, actor=world.auditor)
    archive = zipfile.ZipFile(out)
    tables = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            tables[name] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return archive, tables


def test_payments_carry_amounts_words_codes_payee_and_names(world):
    _archive, tables = _package(world)
    by_voucher = {row["凭证号"]: row for row in tables["payments.csv"]}
    bank = by_voucher["V2"]
    assert bank["金额"] == "1234.50"  # a plain number: no grouping, two decimals
    assert (bank["方式"], bank["方式代码"]) == ("银行转账", "bank_transfer")
    assert bank["收款人"] == "户1" and bank["经办人"] == "赵财务"
    assert by_voucher["TJ1"]["收款人"] == "劳模甲"
    assert by_voucher["V1"]["已红冲"] == "是"
    (reversal,) = tables["reversals.csv"]
    assert (reversal["红冲金额"], reversal["收款人"], reversal["经办人"]) == ("1000.00", "户1", "赵财务")
    assert BEIJING_SECOND.fullmatch(reversal["时间（北京时间）"])


def test_the_ledger_and_cases_show_words_with_codes_beside_them_in_beijing_time(world):
    _archive, tables = _package(world)
    kinds = {(row["类型"], row["类型代码"]) for row in tables["ledger.csv"]}
    assert ("审批承诺", "commitment") in kinds and ("红冲", "reversal") in kinds
    for row in tables["ledger.csv"]:
        assert BEIJING_SECOND.fullmatch(row["时间（北京时间）"]), row
        assert re.fullmatch(r"-?\d+\.\d{2}", row["金额"]), row
    medical = next(row for row in tables["cases.csv"] if row["帮扶方式代码"] == "medical")
    assert (medical["帮扶方式"], medical["姓名"], medical["批准金额"]) == ("医疗救助", "户1", "4000.00")
    assert (medical["经办人"], medical["审批人"]) == ("王经办", "李审核")
    assert medical["状态"] == "已批准" and medical["状态代码"] == "approved"


def test_the_audit_log_names_people_in_beijing_time(world):
    _archive, tables = _package(world)
    log = tables["audit_log.csv"]
    payments = [row for row in log if row["操作代码"] == "ledger.payment"]
    assert payments and {row["用户"] for row in payments} == {"赵财务"}
    assert all(BEIJING_SECOND.fullmatch(row["时间（北京时间）"]) for row in log)
    assert log[-1]["操作代码"] == "export.audit_package" and log[-1]["用户"] == "钱审计"


def test_the_registry_masks_id_and_mobile_numbers_and_names_the_category(world, client, auth):
    _archive, tables = _package(world)
    first = tables["registry.csv"][0]
    assert re.fullmatch(r"\d{4}\*{10}\d{3}[\dX]", first["身份证号"])
    assert first["手机号"] == "138****8000"
    assert first["困难类别"].startswith("第一类") and first["类别代码"] == "1"
    assert first["家庭月收入"] == "1500.00" and first["状态"] == "在档"
    auth.login("auditor")
    text = client.get("/workers/export.csv").get_data(as_text=True)
    assert "138****8000" in text and "13800138000" not in text
    book = load_workbook(io.BytesIO(client.get("/workers/export.xlsx").data))
    sheet = book["困难职工档案"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    header = [c.value for c in sheet[1]]
    assert len(rows) == len(tables["registry.csv"])
    assert rows[0][header.index("手机号")] == "138****8000"
    assert rows[0][header.index("家庭月收入")] == 1500
    assert sheet.cell(row=2, column=header.index("家庭月收入") + 1).number_format == "#,##0.00"
    logged = db.session.execute(select(AuditEntry).where(AuditEntry.action == "export.registry")).scalars()
    assert '"xlsx"' in [e.details for e in logged][-1]


def test_the_workbook_holds_numbers_dates_and_a_page_set_up(world):
    archive, _tables = _package(world)
    book = load_workbook(io.BytesIO(archive.read("audit.xlsx")))
    sheet = book["发放"]
    header = [c.value for c in sheet[1]]
    amount = sheet.cell(row=2, column=header.index("金额") + 1)
    paid_on = sheet.cell(row=2, column=header.index("发放日期") + 1)
    assert isinstance(amount.value, int | float) and amount.number_format == "#,##0.00"
    assert isinstance(paid_on.value, datetime) and paid_on.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.orientation == "landscape"
    assert "桥西区总工会" in sheet.oddHeader.left.text and "审核人" in sheet.oddFooter.left.text
    assert all(sheet.column_dimensions[c].width for c in "ABCDEFGHIJKLM")
    logged = book["审计日志"]
    moment = logged.cell(row=2, column=2)
    assert isinstance(moment.value, datetime) and moment.value.microsecond == 0


def test_a_table_longer_than_a_sheet_goes_on_in_the_next_sheet(ctx, monkeypatch):
    from decimal import Decimal

    from app.services.audit_export import writers
    from app.xlsx import Column

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 2)
    out = io.BytesIO()
    rows = [[n, Decimal(n)] for n in range(1, 6)]
    with writers.open_archive(out) as archive:
        entry = writers.write_xlsx(
            archive, "t.xlsx", [("台账", [Column("序号", "int"), Column("金额", "money")], iter(rows))]
        )
    assert entry.rows == 5
    book = load_workbook(io.BytesIO(zipfile.ZipFile(out).read("t.xlsx")))
    assert book.sheetnames == ["台账", "台账2", "台账3"]
    assert [[c.value for c in r] for r in book["台账3"].iter_rows()] == [["序号", "金额"], [5, 5]]
