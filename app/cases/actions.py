"""The steps of a case from its page: submit, cancel, object, approve, reject, close, pay,
reverse. Each runs one service step (app/services/steps.run). A refusal answers 422 with
the case's page, the form as it was sent and the message at its field; a money or
irreversible step first asks for confirmation (app/confirm.py)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app import confirm
from app.actions import flash_error, show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.auth.routes import safe_next
from app.cases import bp, confirmations
from app.cases.campaigns import campaign_page
from app.cases.forms import (
    ApproveForm,
    CancelForm,
    CloseForm,
    ObjectionForm,
    PaymentForm,
    RejectForm,
    ReversalForm,
    SubmitForm,
)
from app.cases.routes import _case, _detail
from app.models.cases import Case
from app.services import cases, ledger, loaders, steps
from app.services.errors import DomainError, NotFound, ValidationFailed

Answer = Response | tuple[str, int] | str


def refused(
    case: Case, form: FlaskForm, step: Callable[[], object], name: str, default_field: str
) -> DomainError | None:
    """Run the form's step; on a refusal put its messages at the form's fields."""
    subject = steps.Subject("case", case.id, case.unit_id)
    try:
        steps.run(step, name=name, actor=current_actor(), subject=subject)
    except DomainError as error:
        if error.field is None and not isinstance(error, ValidationFailed):
            flash_error(error)  # about the step itself (four eyes, the case's state): at the top
        else:
            show_on_form(form, error, default_field)
        return error
    return None


def _step(
    case: Case,
    form: FlaskForm,
    key: str,
    step: Callable[[], object],
    *,
    name: str,
    success: str,
    default_field: str = "note",
    confirmation: confirm.Confirmation | None = None,
) -> Answer:
    """One step of the case from its page: confirmed first if it asks to be, then run;
    refused, the page again (422) with ``form`` as sent under ``key``."""
    form.validate_on_submit()
    if confirmation is not None and confirm.needed():
        return confirm.page(confirmation, back=url_for("cases.detail", case_id=case.id))
    if refused(case, form, step, name, default_field) is not None:
        return _detail(case, **{key: form}), 422
    flash(success, "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/submit", methods=["POST"])
@require(Permission.CASES_CREATE)
def submit(case_id: int) -> Answer:
    case = _case(case_id)
    form = SubmitForm()
    return _step(
        case,
        form,
        "submit_form",
        lambda: cases.submit(case, note=form.note.data or "", actor=current_actor()),
        name="case.submit",
        success=_("Submitted."),
    )


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@require(Permission.CASES_CREATE)
def cancel(case_id: int) -> Answer:
    case = _case(case_id)
    form = CancelForm()
    return _step(
        case,
        form,
        "cancel_form",
        lambda: cases.cancel(case, reason=form.note.data or "", actor=current_actor()),
        name="case.cancel",
        success=_("Cancelled."),
        confirmation=confirmations.cancelling(case),
    )


@bp.route("/cases/<int:case_id>/objection", methods=["POST"])
@require(Permission.CASES_CREATE)
def objection(case_id: int) -> Answer:
    case = _case(case_id)
    form = ObjectionForm()
    return _step(
        case,
        form,
        "objection_form",
        lambda: cases.record_objection(
            case,
            received_on=form.received_on.data,
            raised_by=form.raised_by.data or "",
            content=form.content.data or "",
            actor=current_actor(),
        ),
        name="case.object",
        success=_("The objection is recorded; the case waits on notice until it is settled."),
        default_field="content",
    )


@bp.route("/cases/<int:case_id>/approve", methods=["POST"])
@require(Permission.CASES_DECIDE)
def approve(case_id: int) -> Answer:
    case = _case(case_id)
    form = ApproveForm()
    return _step(
        case,
        form,
        "approve_form",
        lambda: cases.approve(
            case, amount=form.amount.decimal(), note=form.note.data or "", actor=current_actor()
        ),
        name="case.approve",
        success=_("Approved."),
        default_field="amount",
    )


@bp.route("/cases/<int:case_id>/reject", methods=["POST"])
@require(Permission.CASES_DECIDE)
def reject(case_id: int) -> Answer:
    case = _case(case_id)
    form = RejectForm()
    return _step(
        case,
        form,
        "reject_form",
        lambda: cases.reject(case, reason=form.note.data or "", actor=current_actor()),
        name="case.reject",
        success=_("Rejected."),
    )


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@require(Permission.CASES_DECIDE)
def close(case_id: int) -> Answer:
    case = _case(case_id)
    form = CloseForm()
    outstanding = ledger.outstanding_on(case.commitment) if case.commitment else None
    return _step(
        case,
        form,
        "close_form",
        lambda: cases.close(case, note=form.note.data or "", actor=current_actor()),
        name="case.close",
        success=_("Closed."),
        confirmation=confirmations.closing(case, cases.paid_amount(case), outstanding),
    )


def _typed_payment(case: Case, form: PaymentForm) -> DomainError | None:
    """What the payment would refuse in its typed fields. Asked before the person
    confirms; once confirmed, the service checks (after a replay of the same form's
    token, which pays nothing twice and so is no refusal)."""
    if form.paid_on.data is None:
        if not form.paid_on.errors:
            form.paid_on.errors = [_("Enter the date of payment, such as 2015-03-01.")]
        return ValidationFailed({"paid_on": list(form.paid_on.errors)})
    if not confirm.needed():
        return None
    try:
        cases.check_payment(
            amount=form.amount.decimal(),
            voucher_no=form.voucher_no.data or "",
            paid_on=form.paid_on.data,
            method=form.method.data or "",
            year=case.year,
        )
    except DomainError as error:
        show_on_form(form, error, "amount")
        return error
    return None


@bp.route("/cases/<int:case_id>/payments", methods=["POST"])
@require(Permission.PAYMENTS_MAKE)
def pay(case_id: int) -> Answer:
    """发放, from the case's page or from a campaign's roster (``return_to``)."""
    case = _case(case_id)
    form = PaymentForm()
    form.validate_on_submit()
    roster = case.campaign if form.return_to.data and case.campaign is not None else None
    back = safe_next(form.return_to.data) if roster is not None else url_for("cases.detail", case_id=case.id)

    def again() -> tuple[str, int]:
        if roster is not None:
            return campaign_page(roster, refused_line=(case.id, form)), 422
        return _detail(case, payment_form=form), 422

    if _typed_payment(case, form) is not None:
        return again()
    if confirm.needed():
        confirmation = (
            confirmations.roster_payment(case, roster) if roster is not None else confirmations.payment(case)
        )
        return confirm.page(confirmation, back=back)
    paying = lambda: cases.pay(  # noqa: E731
        case,
        amount=form.amount.decimal(),
        voucher_no=form.voucher_no.data or "",
        paid_on=form.paid_on.data,
        method=form.method.data or "",
        actor=current_actor(),
        idempotency_key=f"form:{current_user.id}:{form.token.data}" if form.token.data else None,
    )
    if refused(case, form, paying, "case.pay", "amount") is not None:
        return again()
    flash(_("Payment recorded."), "success")
    return redirect(back)


@bp.route("/payments/<int:payment_id>/reversal", methods=["POST"])
@require(Permission.PAYMENTS_REVERSE)
def reverse(payment_id: int) -> Answer:
    try:
        payment = loaders.payment(payment_id, current_actor())
    except NotFound:
        abort(404)
    if payment.case is None:
        abort(404)
    case = payment.case
    form = ReversalForm()
    form.validate_on_submit()
    if not (form.reason.data or "").strip():
        form.reason.errors = [_("Write why the payment is reversed.")]
        return _detail(case, reversal_refused=(payment.id, form)), 422
    if confirm.needed():
        return confirm.page(confirmations.reversal(payment), back=url_for("cases.detail", case_id=case.id))
    was_closed = case.status == "closed"
    reversing = lambda: cases.reverse_payment(  # noqa: E731
        payment, reason=form.reason.data or "", actor=current_actor()
    )
    if refused(case, form, reversing, "payment.reverse", "reason") is not None:
        return _detail(case, reversal_refused=(payment.id, form)), 422
    flash(
        _(
            "The payment is reversed; both entries stay in the ledger."
            " The case is open again: pay it correctly or close it."
        )
        if was_closed
        else _("The payment is reversed; both entries stay in the ledger."),
        "success",
    )
    return redirect(url_for("cases.detail", case_id=case.id))
