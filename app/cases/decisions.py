"""What a decision on a case rests on, from its page: the home investigation (入户调查),
the democratic review (民主评议), the objections to the public notice (公示异议) and their
settling, and what still holds the decision up (app/services/cases/decisions.py).
The panel is templates/cases/_decision.html."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases import bp
from app.cases.actions import Answer, _step, refused
from app.cases.decision_forms import InvestigationForm, ReviewForm, SettleObjectionForm
from app.cases.routes import _case, _detail
from app.models.cases import Case
from app.models.decisions import OBJECTION_OUTCOMES, REVIEW_RESULTS
from app.money import ZERO
from app.services import loaders
from app.services import users as user_service
from app.services.cases import caps, decisions, objections
from app.services.errors import NotFound


def fresh_forms() -> dict[str, Any]:
    return {
        "investigation_form": InvestigationForm(formdata=None),
        "review_form": ReviewForm(formdata=None),
    }


def facts(case: Case, settle_refused: tuple[int, FlaskForm] | None = None) -> dict[str, Any]:
    """What the panel shows: the required steps, what is missing, what is recorded, the
    objections to the public notice with a form to settle each one still open (the refused
    one, ``settle_refused`` (objection id, form), as it was sent), and the living-aid cap
    with what is left of it."""
    living = None
    if case.aid_type == caps.LIVING:
        cap = caps.living_cap(case.worker, case.year)
        if cap is not None:
            granted = caps.living_granted(case.worker_id, case.year, case.id)
            living = {"cap": cap.amount, "granted": granted, "left": max(cap.amount - granted, ZERO)}
    raised = decisions.objections(case)
    settle_forms = {item.id: SettleObjectionForm(formdata=None) for item in raised if not item.settled}
    if settle_refused is not None:
        settle_forms[settle_refused[0]] = settle_refused[1]
    return {
        "required": decisions.required(case),
        "missing": decisions.missing(case) if case.status in decisions.UNDECIDED else [],
        "investigations": decisions.investigations(case),
        "reviews": decisions.reviews(case),
        "results": REVIEW_RESULTS,
        "objections": raised,
        "outcomes": OBJECTION_OUTCOMES,
        "settle_forms": settle_forms,
        "people": user_service.display_names(
            {item.settled_by_id for item in raised} | {item.recorded_by_id for item in raised}
        ),
        "undecided": case.status in decisions.UNDECIDED,
        "living": living,
    }


@bp.route("/cases/<int:case_id>/investigations", methods=["POST"])
@require(Permission.CASES_CREATE)
def investigation(case_id: int) -> Answer:
    case = _case(case_id)
    form = InvestigationForm()
    return _step(
        case,
        form,
        "investigation_form",
        lambda: decisions.record_investigation(
            case,
            visited_on=form.visited_on.data,
            investigators=form.investigators.data or "",
            findings=form.findings.data or "",
            authorisation_signed=bool(form.authorisation_signed.data),
            actor=current_actor(),
        ),
        name="case.investigation",
        success=_("The home investigation is recorded."),
        default_field="findings",
    )


@bp.route("/cases/<int:case_id>/reviews", methods=["POST"])
@require(Permission.CASES_CREATE)
def review(case_id: int) -> Answer:
    case = _case(case_id)
    form = ReviewForm()
    return _step(
        case,
        form,
        "review_form",
        lambda: decisions.record_review(
            case,
            held_on=form.held_on.data,
            participants=form.participants.data,
            result=form.result.data or "",
            note=form.note.data or "",
            actor=current_actor(),
        ),
        name="case.review",
        success=_("The democratic review is recorded."),
        default_field="note",
    )


@bp.route("/objections/<int:objection_id>/settle", methods=["POST"])
@require(Permission.CASES_DECIDE)
def settle_objection(objection_id: int) -> Answer:
    """Settle one objection as upheld or dismissed, with the reason; refused, the case's
    page again (422) with this objection's form as it was sent."""
    try:
        item = loaders.objection(objection_id, current_actor())
    except NotFound:
        abort(404)
    case = item.case
    form = SettleObjectionForm()
    form.validate_on_submit()
    settling = lambda: objections.settle_objection(  # noqa: E731
        item, outcome=form.outcome.data or "", reason=form.reason.data or "", actor=current_actor()
    )
    if refused(case, form, settling, "case.settle", "reason") is not None:
        return _detail(case, settle_refused=(item.id, form)), 422
    flash(_("The objection is settled."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))
