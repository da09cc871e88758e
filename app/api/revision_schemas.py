"""The wire shapes of budget revisions (预算调整): one fund's change entered through the
API, and the revisions of a year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr

from app.api import fields as fl
from app.api import formats as f
from app.api.operations import operation
from app.api.schemas import AmountIn, Money, _Body, _Out, _Query

#: A document number (文号), e.g. 桥财预〔2015〕12号: one visible line.
Reference = Annotated[StrictStr, Field(min_length=1, max_length=100, pattern=f.VISIBLE_LINE_PATTERN)]


class RevisionIn(_Body):
    year: fl.whole(2000, 2999)  # type: ignore[valid-type]
    #: ``increase`` or ``decrease`` the budget by ``amount``, or ``set`` it to ``amount``.
    how: Literal["increase", "decrease", "set"] = "increase"
    amount: AmountIn
    reason: fl.Reason
    reference: Reference
    #: The revision's date, in the fund's year (a date in a closed month is a 409).
    revised_on: fl.FiscalDate
    unit: fl.OptionalUnit = None


class RevisionQuery(_Query):
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class RevisionLineOut(_Out):
    fund_code: str
    budget_before: Money
    change: Money  # signed: a decrease is negative
    budget_after: Money


class RevisionOut(_Out):
    id: int
    unit: str
    year: int
    #: ``file`` (a revised budget file) or ``entry`` (one fund's change entered by hand).
    source: Literal["file", "entry"]
    reference: str
    revised_on: date
    reason: str
    #: The department's totals after the revision.
    total_income: Money
    total_expenditure: Money
    created_at: datetime
    lines: list[RevisionLineOut]


class RevisionList(_Out):
    year: int
    revisions: list[RevisionOut]


REQUESTS = (RevisionIn,)
RESPONSES = (RevisionOut, RevisionList)


def paths() -> dict[str, Any]:
    code = [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "/funds/{code}/revisions": {
            "post": operation(
                "预算调整: revise a fund's budget up, down or to an amount, under a document number"
                " (文号); a decrease below what is paid, committed and at the bank is a 409",
                201,
                RevisionOut,
                404,
                409,
                422,
                request=RevisionIn,
                path=code,
                idempotent=True,
            )
        },
        "/budget-revisions": {
            "get": operation(
                "The year's budget revisions of the caller's units, oldest first",
                200,
                RevisionList,
                404,
                422,
                query=RevisionQuery,
            )
        },
    }
