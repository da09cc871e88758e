"""The wire shapes of 结账 (closing the books of a year or a month, and reopening them),
per ../shared/API.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from app.api import fields as fl
from app.api.operations import operation, path_id
from app.api.schemas import _Body, _Out, _Query


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


REQUESTS = (CloseIn, ReopenRequestIn)
RESPONSES = (CloseOut, CloseList)


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
