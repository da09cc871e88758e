"""年终结转: the year end of the funds — each open case of a closing year carried over into
the next year's fund of the same code, or released; the year-end report of both.

The year's close (app/services/periods.py) refuses while any case still holds money of
the year: the office chooses for every open case here first (one by one or all at once),
as a finance office closes no year with a commitment nobody has decided on.
"""

from app.services.year_end.choices import (
    ACTIONS,
    NoFundNextYear,
    NothingToCarry,
    choose,
    next_fund,
    outstanding,
)
from app.services.year_end.listing import FundYearEnd, OpenCase, YearEndReport, open_cases, report
from app.services.year_end.workbook import report_workbook

__all__ = [
    "ACTIONS",
    "FundYearEnd",
    "NoFundNextYear",
    "NothingToCarry",
    "OpenCase",
    "YearEndReport",
    "choose",
    "next_fund",
    "open_cases",
    "outstanding",
    "report",
    "report_workbook",
]
