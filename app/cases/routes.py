"""Case pages: open, the case with its timeline and the forms of its next steps.
The steps themselves are in app/cases/actions.py, campaigns in app/cases/campaigns.py,
check-ups in app/cases/checkups.py, the list in app/cases/listing.py."""

from __future__ import annotations

import secrets
from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases import bp, confirmations
from app.cases.forms import (
    ApproveForm,
    CancelForm,
    CaseForm,
    CloseForm,
    ObjectionForm,
    PaymentForm,
    RejectForm,
    ReversalForm,
    SubmitForm,
    default_day,
)
from app.confirm import attributes
from app.models.cases import AID_TYPES, CASE_STATUSES, PAYMENT_METHODS, Case
from app.models.ledger import Fund
from app.registry.forms import choices
from app.services import cases, eligibility, funds, ledger, loaders, registry, steps
from app.services import users as user_service
from app.services.batches import queries as batch_queries
from app.services.errors import DomainError, NotFound, ValidationFailed


def _case(case_id: int) -> Case:
    try:
        return loaders.case(case_id, current_actor())
    except NotFound:
        abort(404)


def fund_label(fund: Fund) -> str:
    return f"{fund.year} {fund.code} {fund.name}（{fund.unit.name}）"


@bp.route("/workers/<int:worker_id>/cases/new", methods=["GET", "POST"])
@require(Permission.CASES_CREATE)
def new(worker_id: int) -> str | Response:
    try:
        worker = loaders.worker(worker_id, current_actor())
    except NotFound:
        abort(404)
    payers = funds.for_worker(worker, current_actor(), purpose=cases.HARDSHIP_AID)
    form = CaseForm()
    form.fund_code.choices = choices([(f.id, fund_label(f)) for f in payers])
    if form.validate_on_submit():
        fund = next((f for f in payers if str(f.id) == form.fund_code.data), None)

        def step() -> Case:
            if fund is None:
                raise ValidationFailed({"fund_code": [_("Choose the fund.")]})
            return cases.open_case(
                loaders.worker(worker_id, current_actor()),
                fund=fund,
                aid_type=form.aid_type.data or "",
                amount=(form.amount.data or "").strip(),
                reason=form.reason.data or "",
                actor=current_actor(),
                out_of_pocket=(form.out_of_pocket.data or "").strip(),
            )

        try:
            case = steps.run(step, name="case.create", actor=current_actor())
        except DomainError as error:
            errors = (
                error.errors
                if isinstance(error, ValidationFailed)
                else {error.field or "reason": [error.message]}
            )
            for name, messages in errors.items():
                field = getattr(form, name if name != "amount" else "amount", None)
                if field is not None:
                    field.errors = [*list(field.errors), *messages]
        else:
            flash(_("Application No. %(id)s opened as a draft.", id=case.id), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/new.html", form=form, worker=worker)


@bp.route("/cases/<int:case_id>")
@require(Permission.REGISTRY_VIEW)
def detail(case_id: int) -> str:
    return _detail(_case(case_id))


def _detail(
    case: Case,
    *,
    reversal_refused: tuple[int, ReversalForm] | None = None,
    settle_refused: tuple[int, FlaskForm] | None = None,
    **refused: FlaskForm,
) -> str:
    """The case's page. A refused form (``approve_form=form``, ...) is shown as it was
    sent, its errors at its fields; the other forms start afresh (``formdata=None``: not
    filled from the refused request). Nothing the person typed is lost."""
    from app.cases import decisions  # the panel's module imports this one

    paid = cases.paid_amount(case)
    outstanding = ledger.outstanding_on(case.commitment) if case.commitment else None
    fresh = {
        **decisions.fresh_forms(),
        "submit_form": SubmitForm(formdata=None),
        "cancel_form": CancelForm(formdata=None),
        "objection_form": ObjectionForm(formdata=None, received_on=date.today()),
        "approve_form": ApproveForm(formdata=None, amount=f"{case.requested_amount:.2f}"),
        "reject_form": RejectForm(formdata=None),
        "close_form": CloseForm(formdata=None),
        "payment_form": PaymentForm(
            formdata=None,
            amount=f"{outstanding:.2f}" if outstanding else "",
            paid_on=default_day(case.year),
            token=secrets.token_urlsafe(16),
        ),
    }
    return render_template(
        "cases/detail.html",
        case=case,
        statuses=CASE_STATUSES,
        aid_types=AID_TYPES,
        methods=PAYMENT_METHODS,
        paid=paid,
        outstanding=outstanding,
        reversal_form=ReversalForm(formdata=None),
        reversal_refused=reversal_refused,
        bank_lines=batch_queries.lines_of_case(case.id),
        people=user_service.display_names({e.actor_id for e in case.events}),
        decision=decisions.facts(case, settle_refused),
        confirm={
            "pay": attributes(confirmations.payment(case)),
            "close": attributes(confirmations.closing(case, paid, outstanding)),
            "cancel": attributes(confirmations.cancelling(case)),
            "reversals": {p.id: attributes(confirmations.reversal(p)) for p in case.payments},
        },
        **{**fresh, **refused},
    )


@bp.route("/cases/<int:case_id>/print")
@require(Permission.REGISTRY_VIEW)
def print_form(case_id: int) -> str:
    """帮扶审批表: the approval form to print on A4 and sign."""
    case = _case(case_id)
    return render_template(
        "cases/print.html",
        case=case,
        aid_types=AID_TYPES,
        statuses=CASE_STATUSES,
        paid=cases.paid_amount(case),
        masked_id=registry.masked_id(case.worker),
        categories=eligibility.CATEGORIES,
    )
