"""The wire shapes of a household's life on file (../shared/API.md): exit, visits and
follow-up calls, return to hardship (返困)."""

from __future__ import annotations

from datetime import date

from app.api import fields as fl
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
