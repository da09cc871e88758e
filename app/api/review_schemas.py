"""The wire shapes of the yearly review (年审): a round started for a unit and year, its
tasks, and a task done with an outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.api import fields as fl
from app.api.life_schemas import ExitReason
from app.api.operations import operation, path_id
from app.api.schemas import Category, Money, MoneyIn, Text, _Body, _codes, _Out
from app.models.reviews import REVIEW_OUTCOMES

Outcome = _codes(REVIEW_OUTCOMES)


class ReviewRoundIn(_Body):
    year: fl.whole(2000, 2100)  # type: ignore[valid-type]
    #: The last day of the review (today or later).
    deadline: fl.DeadlineDate
    unit: fl.OptionalUnit = None


class ReviewTaskIn(_Body):
    outcome: Outcome
    #: With ``change``: the new household figures and category.
    household_size: fl.whole(1, 30) | None = None  # type: ignore[valid-type]
    household_monthly_income: MoneyIn | None = None
    category: Category | None = None
    #: With ``exit``: why the household leaves the file.
    exit_reason: ExitReason | None = None
    note: Text = ""


class ReviewTaskOut(_Out):
    id: int
    round_id: int
    applicant_id: int
    year: int
    #: ``open`` until done; ``overdue`` when the round's deadline has passed.
    status: str
    outcome: str | None
    done_on: dt.date | None
    category_before: int
    household_size_before: int
    household_monthly_income_before: Money
    category_after: int | None
    household_size_after: int | None
    household_monthly_income_after: Money | None
    exit_reason: str | None
    note: str


class ReviewRoundOut(_Out):
    id: int
    unit: str
    year: int
    starts_on: dt.date
    deadline: dt.date
    total: int
    done: int
    overdue: int
    tasks: list[ReviewTaskOut]


REQUESTS = (ReviewRoundIn, ReviewTaskIn)
RESPONSES = (ReviewRoundOut, ReviewTaskOut)


def paths() -> dict[str, Any]:
    """年审: a unit's yearly review round and its tasks."""
    return {
        "/review-rounds": {
            "post": operation(
                "年审: start the unit's yearly review round, a task for every file on record",
                201,
                ReviewRoundOut,
                409,
                422,
                request=ReviewRoundIn,
            )
        },
        "/review-rounds/{id}": {
            "get": operation(
                "A yearly review round with its tasks", 200, ReviewRoundOut, 404, path=[path_id()]
            )
        },
        "/review-tasks/{id}/complete": {
            "post": operation(
                "Do a review task: keep, change the category with new figures, or exit",
                200,
                ReviewTaskOut,
                404,
                409,
                422,
                request=ReviewTaskIn,
                path=[path_id()],
            )
        },
    }
