"""The wire shapes of 结账 (closing the books of a year or a month), per ../shared/API.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from app.api import fields as fl
from app.api import formats as f
from app.api.schemas import Id, Money, Text, _Body, _codes, _Out
from app.models.year_end import YEAR_END_ACTIONS


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


REQUESTS = (CloseIn, CarryOverIn)
RESPONSES = (CloseOut, CarryOverOut)
