"""A report sent up (上报) as the workbook the level above reads: the fund execution, the
households on file by 建档类别 and by 致困原因, and per unit — from the frozen figures, with
the report's number, version, state and SHA-256 above each table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.labels import label
from app.models.unit_reports import UnitReport
from app.services.periods import period_name
from app.services.reporting_up.flow import figures_of
from app.xlsx import Column, PageSetup, add_sheet, new_book, to_bytes, today_in_beijing

FUND_COLUMNS = [
    Column("单位代码", "code", 12),
    Column("项目代码", "code", 12),
    Column("项目名称", width=28),
    Column("预算", "money"),
    Column("已支付", "money"),
    Column("已承诺", "money"),
    Column("在银行", "money"),
    Column("可用", "money"),
    Column("截至期末已执行", "money"),
]
COUNT_COLUMNS = [Column("项目", width=28), Column("户数", "int"), Column("人数", "int")]
UNIT_COLUMNS = [
    Column("单位代码", "code", 12),
    Column("单位", width=24),
    Column("户数", "int"),
    Column("人数", "int"),
]


def _total(figures: dict[str, Any]) -> list[Any]:
    return [_("Total"), figures["households"], figures["persons"]]


def report_workbook(report: UnitReport) -> bytes:
    figures = figures_of(report)
    unit = figures["unit"]
    period = period_name(report.year, report.month)
    preamble: list[tuple[str, Any, str]] = [
        ("报送单位", f"{unit['name']}（{unit['code']}）", "text"),
        ("报告期", period, "text"),
        ("报告编号", f"{report.id}（第 {report.version} 版）", "text"),
        ("状态", label("report_status", report.status), "text"),
        ("SHA-256", report.digest, "text"),
    ]
    setup = PageSetup(
        unit_name=unit["name"],
        printed_on=today_in_beijing(),
        signatures=(_("Head of unit"), _("Head of finance"), _("Prepared by")),
    )
    book = new_book()
    add_sheet(
        book,
        "资金执行",
        FUND_COLUMNS,
        (
            [
                f["unit"],
                f["code"],
                f["name"],
                *(Decimal(f[k]) for k in ("budget", "paid", "committed", "at_bank", "available")),
                Decimal(f["paid_to_period_end"]),
            ]
            for f in figures["funds"]
        ),
        setup=setup,
        totals=True,
        heading=f"{unit['name']} {period} 资金执行情况（单位：元）",
        preamble=preamble,
    )
    add_sheet(
        book,
        "建档类别",
        COUNT_COLUMNS,
        [
            *(
                [label("category", int(code)), v["households"], v["persons"]]
                for code, v in sorted(figures["categories"].items())
            ),
            _total(figures),
        ],
        setup=setup,
        totals=False,
        heading=f"{unit['name']} {period} 在档困难职工 按建档类别",
        preamble=preamble,
    )
    add_sheet(
        book,
        "致困原因",
        COUNT_COLUMNS,
        [
            *([label("cause", code), v["households"], v["persons"]] for code, v in figures["causes"].items()),
            _total(figures),
        ],
        setup=setup,
        totals=False,
        heading=f"{unit['name']} {period} 在档困难职工 按致困原因",
        preamble=preamble,
    )
    add_sheet(
        book,
        "各单位",
        UNIT_COLUMNS,
        [
            *([u["code"], u["name"], u["households"], u["persons"]] for u in figures["units"]),
            ["", _("Total"), figures["households"], figures["persons"]],
        ],
        setup=setup,
        totals=False,
        heading=f"{unit['name']} {period} 在档困难职工 按单位",
        preamble=preamble,
    )
    return to_bytes(book)
