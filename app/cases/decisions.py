"""What a decision on a case rests on, from its page: the home investigation (入户调查)
and the democratic review (民主评议), and which required step is still missing
(app/services/cases/decisions.py). The panel is templates/cases/_decision.html."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases import bp
from app.cases.actions import Answer, _step
from app.cases.decision_forms import InvestigationForm, ReviewForm
from app.cases.routes import _case
from app.models.cases import Case
from app.models.decisions import REVIEW_RESULTS
from app.money import ZERO
from app.services.cases import caps, decisions


def fresh_forms() -> dict[str, Any]:
    return {
        "investigation_form": InvestigationForm(formdata=None),
        "review_form": ReviewForm(formdata=None),
    }


def facts(case: Case) -> dict[str, Any]:
    """What the panel shows: the required steps, what is missing, what is recorded, and
    the living-aid cap with what is left of it."""
    living = None
    if case.aid_type == caps.LIVING:
        cap = caps.living_cap(case.worker, case.year)
        if cap is not None:
            granted = caps.living_granted(case.worker_id, case.year, case.id)
            living = {"cap": cap.amount, "granted": granted, "left": max(cap.amount - granted, ZERO)}
    return {
        "required": decisions.required(case),
        "missing": decisions.missing(case) if case.status in decisions.UNDECIDED else [],
        "investigations": decisions.investigations(case),
        "reviews": decisions.reviews(case),
        "results": REVIEW_RESULTS,
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
