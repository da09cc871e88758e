"""The registry import template caseworkers download (困难职工导入模板).

Its first sheet has the header row, one sample row, and below it room to type: the
columns of ID, mobile and bank card numbers are text as whole columns (an ID number
typed on row 3 stays ``130703…``, not ``1.30703E+17``), and category and causes are
drop-down lists of the Chinese words (:mod:`app.labels`' tables, on a hidden sheet
选项). The sheet 说明 lists every column: whether it is required, its format and the
values allowed. The sample row is marked 【示例】 and the importer always skips it
(:func:`is_sample`), so leaving it in imports nothing it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from app.labels import label
from app.services import eligibility
from app.xlsx import TEXT_FORMAT, Column, add_sheet, new_book, to_bytes

SAMPLE_MARK = "【示例】"
SAMPLE_ID = "110105197001019999"  # valid, and used by no one
SHEET = "困难职工"
#: How far down the drop-downs reach (the importer reads up to 200,000 rows).
LAST_ROW = 200_001
#: Fields whose whole column is text: long numbers keep every digit.
TEXT_FIELDS = ("id_number", "phone", "bank_account", "rights_case_ref")


@dataclass(frozen=True)
class Spec:
    """What the instructions say of a column, and the drop-down list it offers."""

    format: str
    choices: tuple[str, ...] = ()


def _category_words() -> tuple[str, ...]:
    return tuple(label("category", code) for code in eligibility.CATEGORIES)


def _cause_words() -> tuple[str, ...]:
    return tuple(label("cause", code) for code in eligibility.CAUSES)


def specs() -> dict[str, Spec]:
    """Each field's format in words and its allowed values (the label tables' words)."""
    return {
        "name": Spec(_("Text, up to 50 characters.")),
        "id_number": Spec(_("18-character resident ID number (the last may be X); a text column.")),
        "phone": Spec(_("11-digit mobile number; a text column.")),
        "employer": Spec(_("Text.")),
        "address": Spec(_("Text.")),
        "household_size": Spec(_("Whole number of people, 1 to 30, the worker included.")),
        "household_monthly_income": Spec(_("Yuan per month, such as 1800 or 1800.50.")),
        "category": Spec(_("Choose from the list (the number 1 to 4 is accepted too)."), _category_words()),
        "category_reason": Spec(_("Text: why the household is in this category.")),
        "main_cause": Spec(_("Choose from the list."), _cause_words()),
        "secondary_cause": Spec(_("Choose from the list, or leave empty."), _cause_words()),
        "disaster_event": Spec(_("Category 3: the disaster or accident.")),
        "disaster_date": Spec(_("A date such as 2015-03-01.")),
        "rights_case_ref": Spec(_("Category 4: the case number of the rights dispute; a text column.")),
        "bank_name": Spec(_("Text.")),
        "bank_account": Spec(_("Bank card number, 12 to 19 digits; a text column.")),
    }


def sample_row() -> dict[str, str]:
    return {
        "name": SAMPLE_MARK + "张三",
        "id_number": SAMPLE_ID,
        "phone": "13800138000",
        "employer": "桥西区某公司",
        "address": "桥西区某街1号",
        "household_size": "3",
        "household_monthly_income": "1500",
        "category": label("category", 1),
        "category_reason": "家庭人均收入低于低保线",
        "main_cause": label("cause", "illness_self"),
        "bank_name": "中国工商银行",
    }


def is_sample(name: str, id_number: str) -> bool:
    """Whether an imported row is the template's sample (its mark or its ID number)."""
    return name.strip().startswith((SAMPLE_MARK, "[示例]", "示例")) or id_number.strip() == SAMPLE_ID


def template_workbook(columns: list[tuple[str, str]], required: set[str]) -> bytes:
    """The template for the importer's ``columns`` (field, heading) and ``required`` fields."""
    book = new_book()
    all_specs = specs()
    typed = [Column(heading, "code" if field in TEXT_FIELDS else "text") for field, heading in columns]
    sample = sample_row()
    sheet = add_sheet(book, SHEET, typed, [[sample.get(field, "") for field, _h in columns]])
    sheet.auto_filter.ref = None
    grey = PatternFill("solid", fgColor="EDEDED")
    for cell in sheet[2]:
        cell.fill = grey
        cell.font = Font(italic=True, color="666666")
    sheet["A2"].comment = Comment(_("Sample row: it is never imported. Type your rows below it."), "帮扶通")
    choices = book.create_sheet("选项")
    validations = []
    for index, (field, heading) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if field in TEXT_FIELDS:
            # the whole column is text, so what is typed below the sample keeps every digit
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        spec = all_specs[field]
        if not spec.choices:
            continue
        list_column = get_column_letter(len(validations) + 1)
        choices.cell(row=1, column=len(validations) + 1, value=heading)
        for row, word in enumerate(spec.choices, start=2):
            choices.cell(row=row, column=len(validations) + 1, value=word)
        source = f"{quote_sheetname(choices.title)}!${list_column}$2:${list_column}${len(spec.choices) + 1}"
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=heading,
            error=_("Choose a value from the list."),
        )
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        validations.append(validation)
    for validation in validations:
        sheet.add_data_validation(validation)
    choices.sheet_state = "hidden"
    _instructions(book, columns, required, all_specs)
    book.move_sheet("说明", offset=-1)  # after the data sheet, before the hidden lists
    return to_bytes(book)


def _instructions(book, columns, required, all_specs) -> None:  # type: ignore[no-untyped-def]
    rows = [
        [
            heading,
            _("Required") if field in required else _("Optional"),
            all_specs[field].format,
            "；".join(all_specs[field].choices),
        ]
        for field, heading in columns
    ]
    rows.append(["", "", "", ""])
    rows.append([_("Row 2"), "", _("The sample row is never imported; delete it or leave it."), ""])
    sheet = add_sheet(
        book,
        "说明",
        [
            Column(_("Column"), width=14),
            Column(_("Required?"), width=8),
            Column(_("Format"), width=50),
            Column(_("Allowed values"), width=60),
        ],
        rows,
    )
    sheet.auto_filter.ref = None
