"""The wire shapes of 结账 (closing the books of a year or a month, and reopening them),
per ../shared/API.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from app.api import fields as fl
from app.api import formats as f
from app.api.operations import operation, path_id
from app.api.schemas import Id, Money, Text, _Body, _codes, _Out, _Query
from app.models.year_end import YEAR_END_ACTIONS


class CloseIn(_Body):
    #: The unit whose books are closed; the caller's own when not given.
    unit: fl.OptionalUnit = None


class ReopenRequestIn(_Body):
    #: Why the closed books are to be reopened (kept with the close and in the audit log).
    reason: fl.Reason


class CloseQuery(_Query):
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class CloseOut(_Out):
    id: int
    unit: str
    year: int
    #: The month closed, or null for the whole fiscal year.
    month: int | None
    #: `closed`, `reopen_requested` (still closed) or `reopened`.
    status: str
    closed_at: datetime
    closed_by: str
    #: SHA-256 of the period's money as it was closed (re-checked by `flask books verify`).
    digest: str
    #: Whether the period's money, recomputed now, still has that digest.
    intact: bool
    reopen_reason: str | None
    reopen_requested_at: datetime | None
    reopened_at: datetime | None


class CloseList(_Out):
    year: int
    closes: list[CloseOut]


class CarryOverIn(_Body):
    """年终结转: carry over (``carry``) or release (``release``) open cases of the year."""

    case_ids: Annotated[list[Id], Field(min_length=1, max_length=1000)]
    action: _codes(YEAR_END_ACTIONS)  # type: ignore[valid-type]
    #: Why: required to release; a note to carry over.
    reason: Text = ""

    #: Releasing needs a reason with something visible in it.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"action": {"const": "release"}}},
            "then": {"required": ["reason"], "properties": {"reason": {"pattern": f.VISIBLE_TEXT_PATTERN}}},
        }
    )


class CarriedCaseOut(_Out):
    case_id: int
    #: The case's status after the choice (``closed``).
    status: str
    action: str
    #: What was still committed: released in the year, committed again in the next when carried.
    amount: Money
    #: The case of the next year holding the carried commitment (null when released).
    next_case_id: int | None
    next_fund_code: str | None
    next_year: int | None


class CarryOverOut(_Out):
    year: int
    action: str
    cases: list[CarriedCaseOut]


REQUESTS = (CloseIn, ReopenRequestIn, CarryOverIn)
RESPONSES = (CloseOut, CloseList, CarryOverOut)


def paths() -> dict[str, Any]:
    return {
        "/years/{year}/close": {
            "post": operation(
                "结账: close the fiscal year of the caller's unit (no money moves in it afterwards)",
                200,
                CloseOut,
                404,
                409,
                422,
                request=CloseIn,
                path=[path_id("year")],
            )
        },
        "/years/{year}/carry-over": {
            "post": operation(
                "年终结转: carry over open cases of the year into the next year's fund of the same code,"
                " or release them (all or nothing)",
                200,
                CarryOverOut,
                404,
                409,
                422,
                request=CarryOverIn,
                path=[path_id("year")],
            )
        },
        "/years/{year}/months/{month}/close": {
            "post": operation(
                "结账: close a month of the caller's unit (nothing can be dated in it afterwards)",
                200,
                CloseOut,
                404,
                409,
                422,
                request=CloseIn,
                path=[path_id("year"), path_id("month", 1, 12)],
            )
        },
        "/period-closes": {
            "get": operation(
                "结账: the year's closes of the caller's units, newest first, each digest re-checked",
                200,
                CloseList,
                404,
                422,
                query=CloseQuery,
            )
        },
        "/period-closes/{id}/reopen-request": {
            "post": operation(
                "Ask for closed books to be reopened, with a reason (an administrator; still closed until"
                " a second person reopens them)",
                200,
                CloseOut,
                404,
                409,
                422,
                request=ReopenRequestIn,
                path=[path_id()],
            )
        },
        "/period-closes/{id}/reopen": {
            "post": operation(
                "Reopen closed books: a second person, not the one who asked (409 for the same person)",
                200,
                CloseOut,
                404,
                409,
                path=[path_id()],
            )
        },
    }
