"""The list of bank payment batches (filters, counts and totals: paid, failed, at the
bank) and preparing a batch (编制): the approved cases of a fund — or of one campaign's
roster — each with its outstanding amount, chosen with check boxes; a case that cannot
be paid says why. A refusal shows at its field with every choice kept as it was sent."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from app.actions import show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.batches import bp
from app.batches.forms import BatchFilterForm, PrepareForm
from app.cases.listing import all_or
from app.cases.routes import fund_label
from app.models.batches import BATCH_STATUSES, PaymentBatch
from app.models.cases import Campaign
from app.models.ledger import Fund
from app.params import db_int
from app.registry.forms import choices
from app.services import bank_files, batches, budgets, cases, funds, loaders, steps
from app.services.batches import queries
from app.services.errors import DomainError, NotFound, ValidationFailed


@bp.route("/batches")
@require(Permission.BATCHES_VIEW)
def index() -> str:
    actor = current_actor()
    form = BatchFilterForm(MultiDict(request.args))
    codes = sorted({(f.code, f.name) for f in funds.in_scope(actor)})
    years = budgets.loaded_years()
    form.fund.choices = all_or([(code, f"{code} {name}") for code, name in codes])
    form.year.choices = all_or([(y, y) for y in years])
    form.status.choices = all_or(BATCH_STATUSES)
    year = request.args.get("year", type=db_int)
    chosen = queries.BatchFilter(
        fund_code=form.fund.data if form.fund.data in {c for c, _n in codes} else None,
        year=year if year in years else None,
        status=form.status.data if form.status.data in BATCH_STATUSES else None,
    )
    listing = queries.batch_list(actor, chosen, page=request.args.get("page", default=1, type=db_int))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("batches/index.html", form=form, listing=listing, args=args)


def _campaign(text: str | None) -> Campaign | None:
    if not text:
        return None
    try:
        return loaders.campaign(db_int(text), current_actor())
    except (ValueError, NotFound):
        abort(404)


def _case_ids(values: list[str]) -> list[int]:
    try:
        return [db_int(v) for v in values]
    except ValueError:
        raise ValidationFailed({"case_ids": [_("Choose the cases the batch pays.")]}) from None


@bp.route("/batches/new", methods=["GET", "POST"])
@require(Permission.PAYMENTS_MAKE)
def new() -> tuple[str, int] | Response:
    """编制代发批次, of a fund's approved cases (``?fund=``) or a campaign's (``?campaign=``)."""
    actor = current_actor()
    payers = funds.in_scope(actor, purpose=cases.HARDSHIP_AID)
    form = PrepareForm()
    form.fund.choices = choices([(f.id, fund_label(f)) for f in payers])
    form.template.choices = choices(
        [(code, t.name) for code, t in sorted(bank_files.load_templates().items())]
    )
    campaign = _campaign(request.values.get("campaign"))
    fund: Fund | None
    if campaign is not None:
        fund = campaign.fund
    else:
        wanted = request.values.get("fund") or ""
        fund = next((f for f in payers if str(f.id) == wanted), None if wanted else next(iter(payers), None))
    status = 200
    if request.method == "POST":

        def step() -> PaymentBatch:
            if not form.validate_on_submit() or fund is None:
                raise ValidationFailed({"fund": [_("Choose the fund.")]})
            return batches.prepare(
                fund,
                _case_ids(form.case_ids.data or []),
                actor=actor,
                template_code=form.template.data or "",
            )

        try:
            batch = steps.run(step, name="batch.create", actor=actor)
        except DomainError as error:
            show_on_form(form, error, "case_ids")
            status = 422
        else:
            flash(
                _(
                    "Batch %(no)s is prepared: %(n)s lines. Another finance officer approves it.",
                    no=batch.batch_no,
                    n=len(batch.lines),
                ),
                "success",
            )
            return redirect(url_for("batches.detail", batch_id=batch.id))
    else:
        form.fund.data = str(fund.id) if fund is not None else ""
        form.template.data = bank_files.DEFAULT_TEMPLATE
    found = queries.candidates(actor, fund, campaign_id=campaign.id if campaign else None) if fund else []
    chosen = (
        set(form.case_ids.data or [])
        if request.method == "POST"
        else {str(c.case.id) for c in found if not c.reason}
    )
    return (
        render_template(
            "batches/new.html",
            form=form,
            fund=fund,
            campaign=campaign,
            candidates=found,
            chosen=chosen,
            choosable=[c for c in found if not c.reason],
        ),
        status,
    )
