"""The wire shapes of 结账 (closing the books of a year or a month, and reopening them),
per ../shared/API.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.api import fields as fl
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
