"""The year-end report as a workbook (app/xlsx.py): one row per case carried over or
released, by fund, with the totals."""

from __future__ import annotations

from flask_babel import gettext as _

from app.labels import label
from app.services.year_end.listing import YearEndReport
from app.xlsx import Column, PageSetup, today_in_beijing, workbook


def columns() -> list[Column]:
    return [
        Column(_("Fund"), "code"),
        Column(_("Fund name"), width=24),
        Column(_("Application No."), "int"),
        Column(_("Household"), width=14),
        Column(_("Form of aid")),
        Column(_("Year-end choice"), width=16),
        Column(_("Amount carried over"), "money"),
        Column(_("Amount released"), "money"),
        Column(_("Case of the next year"), "int"),
        Column(_("Reason"), width=30),
        Column(_("Decided by"), width=12),
    ]


def report_workbook(result: YearEndReport, *, unit_name: str = "") -> bytes:
    """What was carried over from the year and released at its end, fund by fund, with a
    totals row; A4 with the unit, the date and the signatures."""
    rows = []
    for entry in result.funds:
        for choice in entry.carried + entry.released:
            carried = choice.action == "carry"
            rows.append(
                [
                    entry.fund.code,
                    entry.fund.name,
                    choice.case_id,
                    choice.case.worker.name,
                    label("aid_type", choice.case.aid_type),
                    label("year_end_action", choice.action),
                    choice.amount if carried else None,
                    None if carried else choice.amount,
                    choice.next_case_id,
                    choice.reason,
                    choice.decided_by_name,
                ]
            )
    title = _("Year-end carry-over")
    heading = _("Carried over and released at the close of %(year)s (yuan)", year=result.year)
    setup = PageSetup(
        unit_name=unit_name,
        printed_on=today_in_beijing(),
        signatures=(_("Head of unit"), _("Head of finance"), _("Prepared by")),
    )
    return workbook(title, columns(), rows, setup=setup, totals=True, heading=heading)
