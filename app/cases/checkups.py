"""Model-worker check-up pages: the year's roster per check-up fund, and paying one."""

from __future__ import annotations

import secrets
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.actions import perform
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases import bp
from app.cases.forms import CheckupForm
from app.params import db_int
from app.services import budgets, cases, loaders, registry
from app.services.errors import NotFound


@bp.route("/checkups")
@require(Permission.REGISTRY_VIEW)
def checkups() -> str:
    year = budgets.working_year(request.args.get("year", type=db_int))
    groups, uncovered = cases.roster(current_actor(), year)
    shown = [worker for group in groups for worker in group.workers] + uncovered
    return render_template(
        "cases/checkups.html",
        year=year,
        groups=groups,
        uncovered=uncovered,
        form=CheckupForm(paid_on=date.today(), token=secrets.token_urlsafe(16)),
        masked={m.id: registry.masked_id(m) for m in shown},
    )


@bp.route("/checkups/<int:fund_id>/<int:model_worker_id>", methods=["POST"])
@require(Permission.PAYMENTS_MAKE)
def pay_checkup(fund_id: int, model_worker_id: int) -> Response:
    try:
        fund = loaders.fund_by_id(fund_id, current_actor())
        worker = loaders.model_worker(model_worker_id, current_actor())
    except NotFound:
        abort(404)
    form = CheckupForm()
    if not form.validate_on_submit() or form.paid_on.data is None:
        flash(_("Enter the amount, the voucher number and the date of payment."), "danger")
        return redirect(url_for("cases.checkups", year=fund.year))
    perform(
        lambda: cases.pay_checkup(
            worker,
            fund=fund,
            amount=form.amount.decimal(),
            voucher_no=form.voucher_no.data or "",
            paid_on=form.paid_on.data,
            actor=current_actor(),
            idempotency_key=f"form:{current_user.id}:{form.token.data}" if form.token.data else None,
        ),
        _("Check-up allowance paid to %(name)s.", name=worker.name),
        unit_id=worker.unit_id,
        object_type="model_worker",
        object_id=worker.id,
        name="checkup.pay",
    )
    return redirect(url_for("cases.checkups", year=fund.year))
