"""API endpoints of the yearly review (年审): start a unit's round, read it, do a task. Each
runs as one step; another unit's round or task is a 404 and nothing changes."""

from __future__ import annotations

from datetime import date

from flask import Response, g

from app.api import bp
from app.api import review_schemas as rs
from app.api.support import actor, api_permission, as_json, body
from app.auth.permissions import Permission
from app.models.reviews import ReviewRound, ReviewTask
from app.services import loaders, steps, units, yearly_review


def task_out(task: ReviewTask, today: date) -> rs.ReviewTaskOut:
    status = "done" if task.done_on else ("overdue" if yearly_review.is_overdue(task, today) else "open")
    return rs.ReviewTaskOut(
        id=task.id,
        round_id=task.round_id,
        applicant_id=task.worker_id,
        year=task.year,
        status=status,
        outcome=task.outcome,
        done_on=task.done_on,
        category_before=task.category_before,
        household_size_before=task.size_before,
        household_monthly_income_before=task.income_before,
        category_after=task.category_after,
        household_size_after=task.size_after,
        household_monthly_income_after=task.income_after,
        exit_reason=task.exit_reason,
        note=task.note,
    )


def round_out(review_round: ReviewRound) -> rs.ReviewRoundOut:
    today = date.today()
    unit_ids = actor().scope.ids
    progress = yearly_review.progress(review_round, unit_ids, today)
    tasks = yearly_review.tasks_of(review_round, show="all", unit_ids=unit_ids, today=today)
    return rs.ReviewRoundOut(
        id=review_round.id,
        unit=review_round.unit.code,
        year=review_round.year,
        starts_on=review_round.starts_on,
        deadline=review_round.deadline,
        total=progress.total,
        done=progress.done,
        overdue=progress.overdue,
        tasks=[task_out(t, today) for t in tasks],
    )


@bp.route("/review-rounds", methods=["POST"])
@api_permission(Permission.REVIEW_START)
def start_review_round() -> Response:
    data = body(rs.ReviewRoundIn)

    def step() -> ReviewRound:
        unit = units.registration_unit(g.api_user, data.unit)
        return yearly_review.start_round(year=data.year, deadline=data.deadline, unit=unit, actor=actor())

    return as_json(round_out(steps.run(step, name="review_round.start", actor=actor())), 201)


@bp.route("/review-rounds/<int:round_id>")
@api_permission(Permission.REGISTRY_VIEW)
def review_round(round_id: int) -> Response:
    return as_json(round_out(loaders.review_round(round_id, actor())))


@bp.route("/review-tasks/<int:task_id>/complete", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def complete_review_task(task_id: int) -> Response:
    data = body(rs.ReviewTaskIn)
    figures = yearly_review.NewFigures(
        household_size="" if data.household_size is None else str(data.household_size),
        household_monthly_income=(
            "" if data.household_monthly_income is None else f"{data.household_monthly_income:.2f}"
        ),
        category="" if data.category is None else str(data.category),
    )

    def step() -> ReviewTask:
        task = loaders.review_task(task_id, actor(), lock=True)
        worker = loaders.worker(task.worker_id, actor(), lock=True)
        return yearly_review.complete_task(
            task,
            worker,
            outcome=data.outcome,
            figures=figures,
            exit_reason=data.exit_reason or "",
            note=data.note,
            actor=actor(),
        )

    return as_json(task_out(steps.run(step, name="review_task.complete", actor=actor()), date.today()))
