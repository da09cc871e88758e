"""The wire shapes of a household's life on file (../shared/API.md): exit, visits and
follow-up calls, return to hardship (返困)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.api import fields as fl
from app.api.operations import operation, path_id
from app.api.schemas import ApplicantOut, Text, _Body, _codes, _Out
from app.models.episodes import EXIT_REASONS, VISIT_KINDS

ExitReason = _codes(EXIT_REASONS)
VisitKind = _codes(VISIT_KINDS)


class ExitIn(_Body):
    reason: ExitReason
    date: fl.PastDate
    note: Text = ""


class VisitIn(_Body):
    date: fl.PastDate
    kind: VisitKind
    note: fl.Reason


class ReentryIn(_Body):
    reason: fl.Reason
    date: fl.PastDate


class EpisodeOut(_Out):
    opened_on: date
    reentry_reason: str | None
    closed_on: date | None
    exit_reason: str | None
    exit_note: str


class FollowUpOut(_Out):
    months_after: int
    due_on: date
    done_on: date | None


class ApplicantLife(ApplicantOut):
    """The file after an exit or a return: its periods on file, oldest first, and the
    follow-up calls of its latest exit."""

    episodes: list[EpisodeOut]
    follow_ups: list[FollowUpOut]


class VisitOut(_Out):
    id: int
    applicant_id: int
    date: date
    kind: str | None
    note: str
    #: The follow-up call this visit did, when it was one.
    follow_up: FollowUpOut | None


REQUESTS = (ExitIn, VisitIn, ReentryIn)
RESPONSES = (ApplicantLife, VisitOut)


def paths() -> dict[str, Any]:
    return {
        "/applicants/{id}/exit": {
            "post": operation(
                "Close a household's file with a reason (its open cases settled first)",
                200,
                ApplicantLife,
                404,
                409,
                422,
                request=ExitIn,
                path=[path_id()],
            )
        },
        "/applicants/{id}/visits": {
            "post": operation(
                "A visit or call (走访/回访); after an exit it does the next follow-up call",
                201,
                VisitOut,
                404,
                422,
                request=VisitIn,
                path=[path_id()],
            )
        },
        "/applicants/{id}/reentry": {
            "post": operation(
                "返困: the household is on file again, its history kept",
                200,
                ApplicantLife,
                404,
                409,
                422,
                request=ReentryIn,
                path=[path_id()],
            )
        },
    }
