"""上报: reports sent up the union's tree (issue 20): ``snapshot`` (what a report says,
frozen and hashed), ``flow`` (submit, accept, return; who may), ``workbook`` (the report in
the layout the level above reads)."""

from app.models.periods import WHOLE_YEAR
from app.services.periods import period_name
from app.services.reporting_up.flow import (
    ChildState,
    ReportRefused,
    accept,
    below,
    figures_of,
    history,
    intact,
    load,
    may_review,
    send_back,
    standing,
    submit,
)

__all__ = [
    "WHOLE_YEAR",
    "ChildState",
    "ReportRefused",
    "accept",
    "below",
    "figures_of",
    "history",
    "intact",
    "load",
    "may_review",
    "period_name",
    "send_back",
    "standing",
    "submit",
]
