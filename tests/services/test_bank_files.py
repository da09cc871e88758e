"""Bank file templates as data: each shipped template writes a batch the bank can take
(columns in order, whole accounts, exact amounts and totals) and reads back the bank's
answer made from that file; a wrong answer is refused naming the row, and a malformed
template is refused when the templates are loaded."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from app.services import bank_files
from app.services.bank_files import BankFileRefused, BankTemplateInvalid, BatchHeader, ReturnLine
from app.services.errors import NotFound
from tests.bank_file_helpers import HEADER, LINES, TOTAL, answer, file_rows

TEMPLATES = ("generic", "icbc_payroll", "ccb_payroll")
CASES = [(code, fmt) for code in TEMPLATES for fmt in ("xlsx", "csv")]
#: What each template's columns hold for the first line, by header.
FIRST_LINE = {
    "generic": {
        "序号": "1",
        "明细编号": "17",
        "收款人姓名": "张三",
        "收款人账号": "6222020409001234567",
        "开户银行": "中国工商银行张家口桥西支行",
        "金额": "1234.50",
        "用途": "送温暖慰问金",
        "批次号": "DF2015-0007",
    },
    "icbc_payroll": {
        "账号": "6222020409001234567",
        "姓名": "张三",
        "金额": "1234.50",
        "备注": "DF2015-0007-17",
        "用途": "送温暖慰问金",
    },
    "ccb_payroll": {
        "序号": "1",
        "账号": "6222020409001234567",
        "户名": "张三",
        "金额": "1234.50",
        "跨行标识": "1",
        "行名": "中国工商银行张家口桥西支行",
        "联行号": "",
        "摘要": "送温暖慰问金",
        "备注": "DF2015-0007-17",
    },
}
PAID_ON = {"generic": "2015-01-21", "icbc_payroll": "20150121", "ccb_payroll": "20150121"}


def _header_start(code: str, rows: list[list[str]]) -> int:
    first = bank_files.template(code).headers[0]
    return next(i for i, row in enumerate(rows) if row and row[0] == first)


def test_the_shipped_templates_load_with_their_sources_said(ctx):
    templates = bank_files.load_templates()
    assert set(TEMPLATES) <= set(templates)
    assert templates["generic"].name == "通用代发模板"
    assert "工商银行" in templates["icbc_payroll"].name and "建设银行" in templates["ccb_payroll"].name
    for template in templates.values():
        assert "假定" in template.description or "自定" in template.description
    with pytest.raises(NotFound):
        bank_files.template("no_such_bank")


@pytest.mark.parametrize(("code", "fmt"), CASES)
def test_a_batch_file_has_the_columns_in_order_whole_accounts_and_the_total(ctx, code, fmt):
    data, filename, mimetype = bank_files.render_batch_file(code, fmt, HEADER, LINES)
    template = bank_files.template(code)
    assert filename.endswith(f"DF2015-0007.{fmt}")
    assert mimetype.startswith("text/csv" if fmt == "csv" else "application/vnd.openxmlformats")
    rows = file_rows(fmt, data)
    start = _header_start(code, rows)
    assert rows[start] == template.headers
    lines = rows[start + 1 : start + 4]
    first = dict(zip(template.headers, lines[0] + [""] * 9, strict=False))
    want = dict(FIRST_LINE[code])
    if fmt == "xlsx":  # a number cell reads back as a number
        want["金额"] = "1234.5"
    assert first == want
    account = template.headers.index(next(h for h in want if want[h] == "6222020409001234567"))
    assert [row[account] for row in lines] == [line.account_number for line in LINES]
    amount = template.headers.index("金额")
    assert sum(Decimal(row[amount]) for row in lines) == TOTAL
    name = template.column_of("payee_name")
    assert lines[2][name] == "'=HYPERLINK(1)"  # never a formula
    after = rows[start + 4 :]
    if template.total_label:
        assert after[0][0] == "合计" and Decimal(after[0][amount]) == TOTAL
    else:
        assert after == []
    above = {row[0]: row[1] if len(row) > 1 else "" for row in rows[:start]}
    if code == "generic":
        assert above["单位名称"] == "张家口市桥西区总工会"
        assert above["付款账号"] == "0407003109300012345"
        assert above["总笔数"] == "3"
        assert Decimal(above["总金额"]) == TOTAL
    if code == "ccb_payroll":
        assert above["付款账号"] == "0407003109300012345" and above["总笔数"] == "3"
        assert lines[1][template.headers.index("跨行标识")] == "0"  # a CCB card is 本行


@pytest.mark.parametrize("code", TEMPLATES)
def test_in_xlsx_accounts_are_text_cells_and_amounts_numbers_without_grouping(ctx, code):
    data, _name, _mime = bank_files.render_batch_file(code, "xlsx", HEADER, LINES)
    template = bank_files.template(code)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == template.headers[0])
    first = header_row[0].row + 1
    account = sheet.cell(row=first, column=template.column_of("account_number") + 1)
    amount = sheet.cell(row=first, column=template.column_of("amount") + 1)
    assert account.data_type == "s" and account.number_format == "@"
    assert account.value == "6222020409001234567"
    assert amount.data_type == "n" and amount.number_format == "0.00"


def test_a_batch_whose_header_does_not_match_its_lines_is_not_written(ctx):
    wrong = BatchHeader(batch_no="DF1", unit_name="会", date=date(2015, 1, 20), count=3, total=Decimal("1"))
    with pytest.raises(ValueError, match=r"add up to 1734\.55"):
        bank_files.render_batch_file("generic", "csv", wrong, LINES)


@pytest.mark.parametrize(("code", "fmt"), CASES)
def test_the_answer_made_from_the_file_is_read_back(ctx, code, fmt):
    data, _name, _mime = bank_files.render_batch_file(code, fmt, HEADER, LINES)
    day = PAID_ON[code]
    content = answer(
        bank_files.template(code),
        fmt,
        data,
        [("成功", "", day), ("失败", "户名与账号不符", ""), ("成功", "", day)],
    )
    got = bank_files.read_return_file(code, f"回盘.{fmt}", content)
    start = _header_start(code, file_rows(fmt, data)) + 1  # 0-based header → 1-based row
    reference = "DF2015-0007"  # from the reference, or (generic) the 批次号 column
    assert got == [
        ReturnLine(17, "paid", "", date(2015, 1, 21), start + 1, Decimal("1234.50"), "张三",
                   "6222020409001234567", reference),
        ReturnLine(18, "failed", "户名与账号不符", None, start + 2, Decimal("500.00"), "李四",
                   "6217000130000123456", reference),
        ReturnLine(25, "paid", "", date(2015, 1, 21), start + 3, Decimal("0.05"), "=HYPERLINK(1)",
                   "0009001234567890123", reference),
    ]  # fmt: skip


def _refusal(code: str, fmt: str, edits: dict[tuple[int, int], object], results=None) -> BankFileRefused:  # type: ignore[no-untyped-def]
    data, _name, _mime = bank_files.render_batch_file(code, fmt, HEADER, LINES)
    day = PAID_ON[code]
    rows = results or [("成功", "", day)] * 3
    content = answer(bank_files.template(code), fmt, data, rows, edits)
    with pytest.raises(BankFileRefused) as refused:
        bank_files.read_return_file(code, f"回盘.{fmt}", content)
    return refused.value


@pytest.mark.parametrize(("code", "fmt"), CASES)
def test_an_answer_with_a_wrong_column_is_refused_naming_the_header_row(ctx, code, fmt):
    template = bank_files.template(code)
    header = len(template.header_rows) + 1
    refused = _refusal(code, fmt, {(header, template.column_of("amount") + 1): "实发金额"})
    assert refused.row == header and str(header) in refused.message
    assert "实发金额" in refused.message


@pytest.mark.parametrize(("code", "fmt"), CASES)
def test_an_answer_with_an_unknown_result_word_is_refused_naming_the_row(ctx, code, fmt):
    template = bank_files.template(code)
    second = len(template.header_rows) + 3
    refused = _refusal(code, fmt, {(second, len(template.columns) + 1): "已退回"})
    assert refused.row == second and str(second) in refused.message and "已退回" in refused.message


@pytest.mark.parametrize(("code", "fmt"), CASES)
@pytest.mark.parametrize("amount", ["1,234.50", "1234.505", "1e3", "-5.00", ""])
def test_an_answer_with_a_malformed_amount_is_refused_naming_the_row(ctx, code, fmt, amount):
    template = bank_files.template(code)
    third = len(template.header_rows) + 4
    refused = _refusal(code, fmt, {(third, template.column_of("amount") + 1): amount})
    assert refused.row == third and str(third) in refused.message


@pytest.mark.parametrize(
    ("edit", "results", "why"),
    [
        ("reference", None, "names no line"),
        ("duplicate", None, "already in row"),
        (None, [("成功", "", "")] * 3, "date"),
        (None, [("失败", "", "")] * 3, "reason"),
        ("total", None, "add up"),
        ("count", None, "says 4 lines, it has 3"),
    ],
)
def test_other_answers_that_do_not_match_are_refused_naming_the_row(ctx, edit, results, why):
    template = bank_files.template("generic")
    first = len(template.header_rows) + 2
    reference = template.column_of("line_id") + 1
    edits = {
        "reference": {(first, reference): "第十七"},
        "duplicate": {(first + 1, reference): "17"},
        "total": {(first + 3, template.column_of("amount") + 1): "1734.56"},
        "count": {(6, 2): "4"},  # the 总笔数 row above the columns
        None: {},
    }[edit]
    content = answer(template, "csv", _generic_csv(), results or [("成功", "", "2015-01-21")] * 3, edits)
    with force_locale("en"), pytest.raises(BankFileRefused) as refused:
        bank_files.read_return_file("generic", "回盘.csv", content)
    assert refused.value.row is not None and f"Row {refused.value.row}" in refused.value.message
    assert why in refused.value.message


@pytest.mark.parametrize(
    ("fmt", "account"),
    [("xlsx", 6222020409001234567), ("csv", "6.22202E+18"), ("csv", "622202040900123****")],
)
def test_an_answer_whose_account_lost_digits_is_refused_naming_the_row(ctx, fmt, account):
    """Saved by a spreadsheet that took the card for a number, or masked by the bank."""
    template = bank_files.template("icbc_payroll")
    refused = _refusal("icbc_payroll", fmt, {(3, template.column_of("account_number") + 1): account})
    assert refused.row == 3 and "3" in refused.message


def _generic_csv() -> bytes:
    return bank_files.render_batch_file("generic", "csv", HEADER, LINES)[0]


def test_a_file_of_another_layout_is_refused(ctx):
    data = bank_files.render_batch_file("generic", "csv", HEADER, LINES)[0]
    with pytest.raises(BankFileRefused):
        bank_files.read_return_file("icbc_payroll", "回盘.csv", data)
    with pytest.raises(BankFileRefused):
        bank_files.read_return_file("generic", "回盘.txt", data)


GOOD = (Path(bank_files.TEMPLATES_DIR) / "generic.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda t: t.replace('formats = ["xlsx", "csv"]', 'formats = ["xls"]'), "formats"),
        (lambda t: t.replace('field = "amount"', 'field = "amout"'), "unknown field 'amout'"),
        (lambda t: t.replace('{ header = "金额", field = "amount" },', ""), "no column holds 'amount'"),
        (lambda t: t.replace('reference = "明细编号"', 'reference = "收款人姓名"'), "reference"),
        (lambda t: t.replace('paid = ["成功"]', 'paid = ["失败"]'), "both paid and failed"),
        (lambda t: t.replace('sheet = "代发明细"', 'sheet = "代发明细"\ncolour = "red"'), "unknown key"),
        (lambda t: t.replace('code = "generic"', 'code = "Generic Bank"'), "code"),
        (lambda t: t.replace('header = "批次号", field = "batch_no"', 'header = "用途", field = "memo"'),
         "share a header"),
        (lambda t: t.replace('field = "unit_name"', 'field = "unit"'), "unknown field 'unit'"),
        (lambda t: t.replace("[returns]", "[returns\n"), "not a TOML file"),
    ],
)  # fmt: skip
def test_a_malformed_template_is_refused_at_load_naming_the_file(tmp_path, change, why):
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(change(GOOD).replace('"generic"', '"other"'), encoding="utf-8")
    with pytest.raises(BankTemplateInvalid, match=r"broken\.toml") as refused:
        bank_files.load_from(tmp_path)
    assert why in str(refused.value)


def test_two_templates_with_one_code_are_refused(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(BankTemplateInvalid, match=r"b\.toml: code 'generic' is already used"):
        bank_files.load_from(tmp_path)
