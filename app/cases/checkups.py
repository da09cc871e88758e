"""Model-worker check-up pages: the year's roster per check-up fund, and paying one. Each
row's form gets its own request token when drawn; a refused payment answers 422 with the
roster and that row as it was sent, the message beside its field; a payment asks for
confirmation first (app/confirm.py)."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import confirm
from app.actions import flash_error, show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases import bp, confirmations
from app.cases.forms import CheckupForm, default_day
from app.params import db_int
from app.services import budgets, cases, funds, loaders, registry, steps
from app.services.errors import DomainError, NotFound, ValidationFailed


def _page(year: int, refused: tuple[int, int, CheckupForm] | None = None) -> str:
    """The year's check-up roster; with ``refused`` (fund id, model worker id, form), that
    row's form as it was sent, its errors beside its fields."""
    groups, uncovered = cases.roster(current_actor(), year)
    checkup_funds = funds.in_scope(current_actor(), purpose=cases.CHECKUP, year=year)
    shown = [worker for group in groups for worker in group.workers] + uncovered
    forms: dict[tuple[int, int], CheckupForm] = {}
    confirms = {}
    for group in groups:
        for worker in group.workers:
            key = (group.fund.id, worker.id)
            forms[key] = CheckupForm(
                formdata=None,
                amount=f"{group.status.allowance:.2f}",
                paid_on=default_day(group.fund.year),
                token=secrets.token_urlsafe(16),
            )
            confirms[key] = confirm.attributes(confirmations.checkup(worker, group.fund))
    if refused is not None:
        forms[(refused[0], refused[1])] = refused[2]
    return render_template(
        "cases/checkups.html",
        year=year,
        groups=groups,
        uncovered=uncovered,
        forms=forms,
        confirms=confirms,
        no_model_workers=not shown and bool(checkup_funds),
        masked={m.id: registry.masked_id(m) for m in shown},
    )


@bp.route("/checkups")
@require(Permission.REGISTRY_VIEW)
def checkups() -> str:
    return _page(budgets.working_year(request.args.get("year", type=db_int)))


@bp.route("/checkups/<int:fund_id>/<int:model_worker_id>", methods=["POST"])
@require(Permission.PAYMENTS_MAKE)
def pay_checkup(fund_id: int, model_worker_id: int) -> str | Response | tuple[str, int]:
    try:
        fund = loaders.fund_by_id(fund_id, current_actor())
        worker = loaders.model_worker(model_worker_id, current_actor())
    except NotFound:
        abort(404)
    form = CheckupForm()
    form.validate_on_submit()

    def again() -> tuple[str, int]:
        return _page(fund.year, (fund.id, worker.id, form)), 422

    if form.paid_on.data is None:
        if not form.paid_on.errors:
            form.paid_on.errors = [_("Enter the date of payment, such as 2015-03-01.")]
        return again()
    if confirm.needed():  # once confirmed the service checks, after a replay of the same token
        try:
            cases.check_payment(
                amount=form.amount.decimal(),
                voucher_no=form.voucher_no.data or "",
                paid_on=form.paid_on.data,
                method="cash",
                year=fund.year,
            )
        except DomainError as error:
            show_on_form(form, error, "amount")
            return again()
        return confirm.page(
            confirmations.checkup(worker, fund), back=url_for("cases.checkups", year=fund.year)
        )
    try:
        steps.run(
            lambda: cases.pay_checkup(
                worker,
                fund=fund,
                amount=form.amount.decimal(),
                voucher_no=form.voucher_no.data or "",
                paid_on=form.paid_on.data,
                actor=current_actor(),
                idempotency_key=f"form:{current_user.id}:{form.token.data}" if form.token.data else None,
            ),
            name="checkup.pay",
            actor=current_actor(),
            subject=steps.Subject("model_worker", worker.id, worker.unit_id),
        )
    except DomainError as error:
        if error.field is None and not isinstance(error, ValidationFailed):
            flash_error(error)  # about the person or the fund (paid already, places used up): at the top
        else:
            show_on_form(form, error, "amount")
        return again()
    flash(_("Check-up allowance paid to %(name)s.", name=worker.name), "success")
    return redirect(url_for("cases.checkups", year=fund.year))
