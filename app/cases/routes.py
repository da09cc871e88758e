"""Case pages: open, the case with its timeline, decisions, payments, reversals.
Campaigns are in app/cases/campaigns.py, check-ups in app/cases/checkups.py,
the list in app/cases/listing.py."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.actions import flash_error, perform, show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.auth.routes import safe_next
from app.cases import bp
from app.cases.forms import (
    ApproveForm,
    CaseForm,
    NoteForm,
    PaymentForm,
    ReversalForm,
)
from app.models.cases import AID_TYPES, CASE_STATUSES, PAYMENT_METHODS, Case
from app.models.ledger import Fund
from app.registry.forms import choices
from app.services import cases, eligibility, funds, ledger, loaders, registry, steps
from app.services.errors import DomainError, NotFound, ValidationFailed


def _case(case_id: int) -> Case:
    try:
        return loaders.case(case_id, current_actor())
    except NotFound:
        abort(404)


def _act(case: Case, action: Callable[[], object], message: str, name: str = "case.change") -> Response:
    """One service call on the case, then back to the case's page."""
    perform(action, message, unit_id=case.unit_id, object_type="case", object_id=case.id, name=name)
    return redirect(url_for("cases.detail", case_id=case.id))


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
            )

        try:
            case = steps.run(step, name="case.create", actor=current_actor())
        except DomainError as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"reason": [error.message]}
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
    case: Case, *, approve_form: ApproveForm | None = None, payment_form: PaymentForm | None = None
) -> str:
    """The case's page; with a refused form, that form as it was sent, its errors at
    their fields (nothing the person typed is lost)."""
    return render_template(
        "cases/detail.html",
        case=case,
        statuses=CASE_STATUSES,
        aid_types=AID_TYPES,
        methods=PAYMENT_METHODS,
        paid=cases.paid_amount(case),
        outstanding=ledger.outstanding_on(case.commitment) if case.commitment else None,
        note_form=NoteForm(),
        approve_form=approve_form or ApproveForm(amount=f"{case.requested_amount:.2f}"),
        payment_form=payment_form or PaymentForm(paid_on=date.today(), token=secrets.token_urlsafe(16)),
        reversal_form=ReversalForm(),
    )


def _refused(
    case: Case, form: ApproveForm | PaymentForm, step: Callable[[], object], name: str
) -> DomainError | None:
    """Run the form's step; on a refusal put its messages at the form's fields."""
    subject = steps.Subject("case", case.id, case.unit_id)
    try:
        steps.run(step, name=name, actor=current_actor(), subject=subject)
    except DomainError as error:
        if error.field is None and not isinstance(error, ValidationFailed):
            flash_error(error)  # about the step itself (four eyes, the case's state): at the top
        else:
            show_on_form(form, error, "amount")
        return error
    return None


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


def _note() -> str:
    form = NoteForm()
    form.validate_on_submit()
    return form.note.data or ""


@bp.route("/cases/<int:case_id>/submit", methods=["POST"])
@require(Permission.CASES_CREATE)
def submit(case_id: int) -> Response:
    case = _case(case_id)
    return _act(case, lambda: cases.submit(case, actor=current_actor()), _("Submitted."), "case.submit")


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@require(Permission.CASES_CREATE)
def cancel(case_id: int) -> Response:
    case = _case(case_id)
    return _act(
        case,
        lambda: cases.cancel(case, reason=_note(), actor=current_actor()),
        _("Cancelled."),
        "case.cancel",
    )


@bp.route("/cases/<int:case_id>/objection", methods=["POST"])
@require(Permission.CASES_CREATE)
def objection(case_id: int) -> Response:
    case = _case(case_id)
    return _act(
        case,
        lambda: cases.raise_objection(case, note=_note(), actor=current_actor()),
        _("The objection is recorded; the case is back for review."),
        "case.object",
    )


@bp.route("/cases/<int:case_id>/approve", methods=["POST"])
@require(Permission.CASES_DECIDE)
def approve(case_id: int) -> Response:
    case = _case(case_id)
    form = ApproveForm()
    form.validate_on_submit()
    approving = lambda: cases.approve(  # noqa: E731
        case, amount=form.amount.decimal(), note=form.note.data or "", actor=current_actor()
    )
    if _refused(case, form, approving, "case.approve") is not None:
        return _detail(case, approve_form=form), 422  # type: ignore[return-value]
    flash(_("Approved."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/reject", methods=["POST"])
@require(Permission.CASES_DECIDE)
def reject(case_id: int) -> Response:
    case = _case(case_id)
    return _act(
        case, lambda: cases.reject(case, reason=_note(), actor=current_actor()), _("Rejected."), "case.reject"
    )


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@require(Permission.CASES_DECIDE)
def close(case_id: int) -> Response:
    case = _case(case_id)
    return _act(
        case, lambda: cases.close(case, note=_note(), actor=current_actor()), _("Closed."), "case.close"
    )


@bp.route("/cases/<int:case_id>/payments", methods=["POST"])
@require(Permission.PAYMENTS_MAKE)
def pay(case_id: int) -> Response:
    case = _case(case_id)
    form = PaymentForm()
    back = safe_next(form.return_to.data) if form.return_to.data else None  # paid from a roster
    if not form.validate_on_submit() or form.paid_on.data is None:
        if form.paid_on.data is None and not form.paid_on.errors:
            form.paid_on.errors = [_("Enter the date of payment, such as 2015-03-01.")]
        if back:
            flash(_("Enter the amount, the voucher number and the date of payment."), "danger")
            return redirect(back)
        return _detail(case, payment_form=form), 422  # type: ignore[return-value]
    paying = lambda: cases.pay(  # noqa: E731
        case,
        amount=form.amount.decimal(),
        voucher_no=form.voucher_no.data or "",
        paid_on=form.paid_on.data,
        method=form.method.data or "",
        actor=current_actor(),
        idempotency_key=f"form:{current_user.id}:{form.token.data}" if form.token.data else None,
    )
    refusal = _refused(case, form, paying, "case.pay")
    if refusal is not None:
        if back:
            flash_error(refusal)  # the roster shows the refusal's message
            return redirect(back)
        return _detail(case, payment_form=form), 422  # type: ignore[return-value]
    flash(_("Payment recorded."), "success")
    return redirect(back or url_for("cases.detail", case_id=case.id))


@bp.route("/payments/<int:payment_id>/reversal", methods=["POST"])
@require(Permission.PAYMENTS_REVERSE)
def reverse(payment_id: int) -> Response:
    try:
        payment = loaders.payment(payment_id, current_actor())
    except NotFound:
        abort(404)
    if payment.case is None:
        abort(404)
    case = payment.case
    form = ReversalForm()
    form.validate_on_submit()
    return _act(
        case,
        lambda: cases.reverse_payment(payment, reason=form.reason.data or "", actor=current_actor()),
        _(
            "The payment is reversed; both entries stay in the ledger."
            " The case is open again: pay it correctly or close it."
        )
        if case.status == "closed"
        else _("The payment is reversed; both entries stay in the ledger."),
        "payment.reverse",
    )
