"""API endpoints of what a decision on a case rests on: home investigations (入户调查),
democratic reviews (民主评议), objections to the public notice (公示异议) and their
settling. The same services as the case's page; each runs as one step, another unit's
case or objection is a 404 and nothing changes. ``GET /cases/{id}`` shows them all, with
what still holds the decision up."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response

from app.api import bp
from app.api import decision_schemas as ds
from app.api import presenters as p
from app.api.support import actor, api_permission, as_json, body
from app.auth.permissions import Permission
from app.services import loaders, steps
from app.services.cases import decisions, objections
from app.services.errors import ValidationFailed

T = TypeVar("T")


def _named(step: Callable[[], T], fields: dict[str, str]) -> Callable[[], T]:
    """The step with the service's field names of its refusals as the request names them
    (the service's ``visited_on`` is the body's ``date``)."""

    def run() -> T:
        try:
            return step()
        except ValidationFailed as error:
            raise ValidationFailed({fields.get(k, k): v for k, v in error.errors.items()}) from error

    return run


@bp.route("/cases/<int:case_id>/investigations", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def add_investigation(case_id: int) -> Response:
    data = body(ds.InvestigationIn)
    step = _named(
        lambda: decisions.record_investigation(
            loaders.case(case_id, actor()),
            visited_on=data.date,
            investigators="\n".join(data.investigators),
            findings=data.findings,
            authorisation_signed=data.authorisation_signed,
            actor=actor(),
        ),
        {"visited_on": "date"},
    )
    return as_json(p.investigation_out(steps.run(step, name="case.investigation", actor=actor())), 201)


@bp.route("/cases/<int:case_id>/reviews", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def add_review(case_id: int) -> Response:
    data = body(ds.ReviewIn)
    step = _named(
        lambda: decisions.record_review(
            loaders.case(case_id, actor()),
            held_on=data.date,
            participants=data.participants,
            result=data.result,
            note=data.note,
            actor=actor(),
        ),
        {"held_on": "date"},
    )
    return as_json(p.review_out(steps.run(step, name="case.review", actor=actor())), 201)


@bp.route("/cases/<int:case_id>/objections", methods=["POST"])
@api_permission(Permission.CASES_CREATE)
def add_objection(case_id: int) -> Response:
    data = body(ds.ObjectionIn)
    step = _named(
        lambda: objections.record_objection(
            loaders.case(case_id, actor()),
            received_on=data.date,
            raised_by=data.raised_by,
            content=data.content,
            actor=actor(),
        ),
        {"received_on": "date"},
    )
    return as_json(p.objection_out(steps.run(step, name="case.object", actor=actor())), 201)


@bp.route("/objections/<int:objection_id>/settle", methods=["POST"])
@api_permission(Permission.CASES_DECIDE)
def settle_objection(objection_id: int) -> Response:
    data = body(ds.SettleIn)
    step = _named(
        lambda: objections.settle_objection(
            loaders.objection(objection_id, actor()), outcome=data.outcome, reason=data.reason, actor=actor()
        ),
        {},
    )
    return as_json(p.objection_out(steps.run(step, name="case.settle", actor=actor())))
