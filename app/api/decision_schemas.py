"""The wire shapes of what a decision on a case rests on: the home investigation (入户调查),
the democratic review (民主评议), objections to the public notice (公示异议) and their
settling; and the operations that record them, listed here for the OpenAPI document
(app/api/openapi.py builds each with its one helper)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictBool

from app.api import fields as fl
from app.api.operations import operation, path_id
from app.api.schemas import Short, Text, _Body, _codes, _Out
from app.models.decisions import OBJECTION_OUTCOMES, REVIEW_RESULTS
from app.services.cases.decisions import MAX_PARTICIPANTS

ReviewResult = _codes(REVIEW_RESULTS)
ObjectionOutcome = _codes(OBJECTION_OUTCOMES)
#: One investigator's name.
Name = Annotated[Short, Field(max_length=64)]


class InvestigationIn(_Body):
    date: fl.PastDate
    #: At least two different people (the service refuses fewer: 422 on ``investigators``).
    investigators: Annotated[list[Name], Field(max_length=50)]
    findings: fl.Reason
    #: The family signed the authorisation to check its finances (家庭经济状况核对授权书).
    authorisation_signed: StrictBool


class ReviewIn(_Body):
    date: fl.PastDate
    participants: fl.whole(1, MAX_PARTICIPANTS)  # type: ignore[valid-type]
    result: ReviewResult
    note: Text = ""


class ObjectionIn(_Body):
    #: The day the objection was received, within the case's public notice.
    date: fl.PastDate
    #: Who raised it; left out or "" for an anonymous objection.
    raised_by: Annotated[Short, Field(max_length=100)] = ""
    content: fl.Reason


class SettleIn(_Body):
    outcome: ObjectionOutcome
    reason: fl.Reason


class InvestigationOut(_Out):
    id: int
    date: date
    investigators: list[str]
    findings: str
    authorisation_signed: bool


class ReviewOut(_Out):
    id: int
    date: date
    participants: int
    result: ReviewResult
    note: str


class ObjectionOut(_Out):
    id: int
    case_id: int
    date: date
    #: None: anonymous.
    raised_by: str | None
    content: str
    #: None while the objection is not settled.
    outcome: ObjectionOutcome | None
    settlement_reason: str | None
    settled_at: datetime | None


class RequiredSteps(_Out):
    investigation: bool
    review: bool


#: path -> (summary, success status, response, problems, request).
OPERATIONS: dict[str, tuple[str, int, type[BaseModel], tuple[int, ...], type[BaseModel]]] = {
    "/cases/{id}/investigations": (
        "Record a home investigation (入户调查) of an undecided case",
        201,
        InvestigationOut,
        (404, 409, 422),
        InvestigationIn,
    ),
    "/cases/{id}/reviews": (
        "Record a democratic review (民主评议) of an undecided case",
        201,
        ReviewOut,
        (404, 409, 422),
        ReviewIn,
    ),
    "/cases/{id}/objections": (
        "Record an objection (公示异议) to a case on public notice; the decision waits until it is settled",
        201,
        ObjectionOut,
        (404, 409, 422),
        ObjectionIn,
    ),
    "/objections/{id}/settle": (
        "Settle an objection as upheld or dismissed, with the reason (an upheld one leaves only rejection)",
        200,
        ObjectionOut,
        (404, 409, 422),
        SettleIn,
    ),
}

REQUESTS = (InvestigationIn, ReviewIn, ObjectionIn, SettleIn)
RESPONSES = (InvestigationOut, ReviewOut, ObjectionOut, RequiredSteps)


def paths() -> dict[str, Any]:
    return {
        path: {"post": operation(summary, ok, response, *problems, request=request, path=[path_id()])}
        for path, (summary, ok, response, problems, request) in OPERATIONS.items()
    }
