"""The wire shapes of 上报 (a unit's report sent up the tree; app/services/reporting_up)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StrictStr

from app.api import fields as fl
from app.api.operations import operation, path_id
from app.api.schemas import _Body, _Out, _Query


class ReportIn(_Body):
    year: fl.whole(1900, 2100)
    #: The month reported, or null (left out) for the whole fiscal year.
    month: fl.whole(1, 12) | None = None
    note: Annotated[StrictStr, Field(max_length=2000)] = ""


class ReportReturnIn(_Body):
    #: Why the report goes back to its unit (shown to the unit).
    reason: fl.Reason


class ReportQuery(_Query):
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class ReportOut(_Out):
    id: int
    unit: str
    year: int
    #: The month reported, or null for the whole fiscal year.
    month: int | None
    #: 1 for the first report of the period; each one sent again after a return is one more.
    version: int
    #: `submitted` (waiting for the level above), `accepted` or `returned`.
    status: str
    submitted_at: datetime
    submitted_by: str
    reviewed_at: datetime | None
    reviewed_by: str | None
    return_reason: str | None
    #: SHA-256 of the frozen figures; `intact` says whether they still hash to it.
    digest: str
    intact: bool


class ReportDetail(ReportOut):
    #: The figures as they were frozen when the report was sent.
    figures: dict[str, Any]


class ReportList(_Out):
    items: list[ReportOut]


REQUESTS = (ReportIn, ReportReturnIn, ReportQuery)
RESPONSES = (ReportOut, ReportDetail, ReportList)


def paths() -> dict[str, Any]:
    one = [path_id()]
    return {
        "/unit-reports": {
            "post": operation(
                "上报: send the caller's unit's report for a period that is over to the level above",
                201,
                ReportOut,
                404,
                409,
                422,
                request=ReportIn,
            ),
            "get": operation(
                "The reports of the caller's units, newest first", 200, ReportList, 422, query=ReportQuery
            ),
        },
        "/unit-reports/{id}": {
            "get": operation("One report with its frozen figures", 200, ReportDetail, 404, path=one)
        },
        "/unit-reports/{id}/accept": {
            "post": operation(
                "The level above accepts a report (not its own unit, not who sent it)",
                200,
                ReportOut,
                404,
                409,
                path=one,
            )
        },
        "/unit-reports/{id}/return": {
            "post": operation(
                "The level above returns a report with a reason; the unit sends the period again",
                200,
                ReportOut,
                404,
                409,
                422,
                request=ReportReturnIn,
                path=one,
            )
        },
    }
