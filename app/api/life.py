"""API endpoints of a household's life on file (../shared/API.md): exit, visits and
follow-up calls, return to hardship (返困). Each runs as one step; another unit's
applicant is a 404 and nothing changes."""

from __future__ import annotations

from flask import Response

from app.api import bp
from app.api import life_schemas as ls
from app.api import presenters as p
from app.api.support import actor, api_permission, as_json, body
from app.auth.permissions import Permission
from app.models.registry import Visit, Worker
from app.services import loaders, registry, steps


def life_out(worker: Worker) -> ls.ApplicantLife:
    life = registry.life_of(worker)
    return ls.ApplicantLife(
        **p.worker_out(worker).model_dump(),
        episodes=[ls.EpisodeOut.model_validate(e) for e in life.episodes],
        follow_ups=[ls.FollowUpOut.model_validate(f) for f in life.follow_ups],
    )


@bp.route("/applicants/<int:applicant_id>/exit", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def exit_applicant(applicant_id: int) -> Response:
    data = body(ls.ExitIn)

    def step() -> Worker:
        worker = loaders.worker(applicant_id, actor(), lock=True)
        registry.exit_household(worker, reason=data.reason, on=data.date, note=data.note, actor=actor())
        return worker

    return as_json(life_out(steps.run(step, name="worker.exit", actor=actor())))


@bp.route("/applicants/<int:applicant_id>/reentry", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def reenter_applicant(applicant_id: int) -> Response:
    data = body(ls.ReentryIn)

    def step() -> Worker:
        worker = loaders.worker(applicant_id, actor(), lock=True)
        registry.reenter_household(worker, reason=data.reason, on=data.date, actor=actor())
        return worker

    return as_json(life_out(steps.run(step, name="worker.reentry", actor=actor())))


@bp.route("/applicants/<int:applicant_id>/visits", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def add_applicant_visit(applicant_id: int) -> Response:
    data = body(ls.VisitIn)

    def step() -> ls.VisitOut:
        worker = loaders.worker(applicant_id, actor(), lock=True)
        visit, done = registry.record_visit(
            worker, visited_on=data.date, kind=data.kind, notes=data.note, actor=actor()
        )
        return _visit_out(visit, done)

    return as_json(steps.run(step, name="worker.visit", actor=actor()), 201)


def _visit_out(visit: Visit, done: object) -> ls.VisitOut:
    return ls.VisitOut(
        id=visit.id,
        applicant_id=visit.worker_id,
        date=visit.visited_on,
        kind=visit.kind,
        note=visit.notes,
        follow_up=ls.FollowUpOut.model_validate(done) if done is not None else None,
    )
