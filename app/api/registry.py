"""API endpoints of the registry (../shared/API.md): hardship files and model workers."""

from __future__ import annotations

from flask import Response, g, request
from flask_babel import gettext as _

from app.api import bp
from app.api import presenters as p
from app.api import schemas as s
from app.api.support import actor, api_permission, as_json, body, problem, query
from app.auth.permissions import Permission, role_has
from app.extensions import db
from app.services import loaders, registry, steps, units
from app.services.registry import WorkerInput


@bp.route("/applicants", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def create_applicant() -> Response:
    data = body(s.ApplicantIn)
    fields = data.model_dump(
        exclude={"household_size", "household_monthly_income", "category", "main_cause", "unit"}
    )
    worker_input = WorkerInput(
        **fields,
        main_cause=data.main_cause or "other",
        household_size=str(data.household_size),
        household_monthly_income=f"{data.household_monthly_income:.2f}",
        category=str(data.category),
    )
    result = steps.run(
        lambda: registry.register(
            worker_input, unit=units.registration_unit(g.api_user, data.unit), actor=actor()
        ),
        name="worker.register",
        actor=actor(),
    )
    created = s.ApplicantCreated(**p.worker_out(result.worker).model_dump(), warnings=result.warnings)
    return as_json(created, 201)


def _may_reveal() -> bool:
    return role_has(g.api_user.role, Permission.ID_REVEAL)


@bp.route("/applicants")
@api_permission(Permission.REGISTRY_VIEW)
def search_applicants() -> Response:
    if "reveal" in request.args:
        # Whole ID numbers are shown one household at a time, never a page of them.
        message = _("Whole ID numbers are shown one household at a time: ask for that household.")
        return problem(422, "Unprocessable Content", message, {"reveal": [message]})
    params = query(s.ApplicantQuery)
    page = registry.search(
        params.q,
        category=params.category,
        status=params.status or None,
        unit_ids=actor().scope.ids,
        after=params.after,
        limit=50,
    )
    items = [p.worker_out(worker) for worker in page.items]
    return as_json(s.ApplicantPage(items=items, next=page.next))


@bp.route("/applicants/<int:applicant_id>")
@api_permission(Permission.REGISTRY_VIEW)
def get_applicant(applicant_id: int) -> Response:
    params = query(s.RevealQuery)
    reveal = params.reveal == "id_number"
    if reveal and not _may_reveal():
        return problem(
            403, "Forbidden", _("Your role does not allow this. Ask an administrator if you need it.")
        )
    worker = loaders.worker(applicant_id, actor())
    revealed = None
    if reveal:
        purpose, note = registry.api_purpose(params.purpose)
        try:
            revealed = registry.reveal_id_number(worker, actor=actor(), purpose=purpose, note=note)
        except registry.RevealLimitReached as refused:
            db.session.commit()  # the auditor's entry stays; nothing was shown
            response = problem(429, "Too Many Requests", refused.message)
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
    db.session.commit()
    return as_json(p.worker_out(worker, revealed=revealed))


@bp.route("/model-workers", methods=["POST"])
@api_permission(Permission.REGISTRY_EDIT)
def create_model_worker() -> Response:
    data = body(s.ModelWorkerIn)
    worker = steps.run(
        lambda: registry.register_model_worker(
            name=data.name,
            id_number=data.id_number,
            level=data.level,
            employer=data.employer,
            title_year=str(data.title_year),
            unit=units.registration_unit(g.api_user, data.unit),
            actor=actor(),
        ),
        name="model_worker.register",
        actor=actor(),
    )
    return as_json(p.model_worker_out(worker), 201)
