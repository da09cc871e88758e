"""The wire shapes of 结账 (closing the books of a year or a month), per ../shared/API.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.api import fields as fl
from app.api.operations import operation, path_id
from app.api.schemas import _Body, _Out


class CloseIn(_Body):
    #: The unit whose books are closed; the caller's own when not given.
    unit: fl.OptionalUnit = None


class CloseOut(_Out):
    id: int
    unit: str
    year: int
    #: The month closed, or null for the whole fiscal year.
    month: int | None
    status: str
    closed_at: datetime
    #: SHA-256 of the period's money as it was closed (re-checked by `flask books verify`).
    digest: str


REQUESTS = (CloseIn,)
RESPONSES = (CloseOut,)


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
    }
