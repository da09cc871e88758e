"""Send-warmth campaign pages: plan a campaign, its roster (发放花名册), approve or cancel it.
Approving and cancelling ask for confirmation first (app/confirm.py); each roster line's
payment form gets a new request token each time it is drawn, so a double submit pays once
and a line whose payment was reversed can be paid again. A line's payment is made by
``cases.pay`` (app/cases/actions.py), which answers a refusal with :func:`campaign_page`."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import confirm
from app.actions import perform, show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, can, require
from app.cases import bp, confirmations
from app.cases.forms import CampaignForm, NoteForm, PaymentForm, default_day
from app.cases.routes import fund_label
from app.extensions import db
from app.models.cases import CASE_STATUSES, Campaign
from app.registry.forms import choices
from app.services import cases, funds, loaders, registry, scope, steps
from app.services.errors import DomainError, NotFound, ValidationFailed


@bp.route("/campaigns", methods=["GET", "POST"])
@require(Permission.REGISTRY_VIEW)
def campaigns() -> tuple[str, int] | Response:
    payers = funds.in_scope(current_actor(), purpose=cases.HARDSHIP_AID)
    status = 200
    form = CampaignForm()
    form.fund_code.choices = choices([(f.id, fund_label(f)) for f in payers])
    if request.method == "POST":
        if not can(Permission.CASES_CREATE):
            abort(403)
        fund = next((f for f in payers if str(f.id) == form.fund_code.data), None)

        def step() -> Campaign:
            if not form.validate_on_submit() or fund is None:
                raise ValidationFailed({"fund_code": [_("Choose the fund.")]})
            return cases.plan_campaign(
                fund=fund,
                name=form.name.data or "",
                amount_each=(form.amount_each.data or "").strip(),
                category=int(form.category.data) if (form.category.data or "").isdigit() else None,
                unit_ids=scope.subtree_ids(fund.unit_id),
                actor=current_actor(),
            )

        try:
            campaign = steps.run(step, name="campaign.plan", actor=current_actor())
        except DomainError as error:
            show_on_form(form, error, "name")
            status = 422
        else:
            flash(
                _("%(n)s households chosen; the campaign waits for approval.", n=len(campaign.cases)),
                "success",
            )
            return redirect(url_for("cases.campaign", campaign_id=campaign.id))
    query = select(Campaign).where(current_actor().scope.where(Campaign.unit_id)).order_by(Campaign.id.desc())
    rows = list(db.session.execute(query).scalars())
    return render_template("cases/campaigns.html", rows=rows, form=form), status


def _campaign(campaign_id: int) -> Campaign:
    try:
        return loaders.campaign(campaign_id, current_actor())
    except NotFound:
        abort(404)


@bp.route("/campaigns/<int:campaign_id>")
@require(Permission.REGISTRY_VIEW)
def campaign(campaign_id: int) -> str:
    """The campaign and its roster (发放花名册), printable on A4."""
    return campaign_page(_campaign(campaign_id))


def _lines(item: Campaign) -> list:
    return [c for c in item.cases if c.status != "cancelled"]


def campaign_page(item: Campaign, *, refused_line: tuple[int, PaymentForm] | None = None) -> str:
    """The campaign's page; with ``refused_line`` (case id, form), that line's payment form
    as it was sent, its errors beside its fields."""
    lines = _lines(item)
    total = sum((item.amount_each for _line in lines), Decimal("0.00"))
    forms = {
        c.id: PaymentForm(formdata=None, paid_on=default_day(item.fund.year), token=secrets.token_urlsafe(16))
        for c in lines
        if c.status == "approved"
    }
    if refused_line is not None:
        forms[refused_line[0]] = refused_line[1]
    return render_template(
        "cases/campaign.html",
        campaign=item,
        lines=lines,
        paid={c.id: cases.paid_amount(c) for c in lines},
        statuses=CASE_STATUSES,
        masked={c.id: registry.masked_id(c.worker) for c in lines},
        total=total,
        blocked=cases.campaign_blocked_lines(item) if item.status == "draft" else {},
        note_form=NoteForm(formdata=None),
        forms=forms,
        confirm={
            "approve": confirm.attributes(confirmations.campaign_approval(item, len(lines), total)),
            "cancel": confirm.attributes(confirmations.campaign_cancel(item, len(lines))),
            "lines": {
                c.id: confirm.attributes(confirmations.roster_payment(c, item))
                for c in lines
                if c.id in forms
            },
        },
    )


def _campaign_act(
    item: Campaign, action: Callable[[], object], message: str, name: str, confirmation: confirm.Confirmation
) -> str | Response:
    if confirm.needed():
        return confirm.page(confirmation, back=url_for("cases.campaign", campaign_id=item.id))
    perform(action, message, unit_id=item.unit_id, object_type="campaign", object_id=item.id, name=name)
    return redirect(url_for("cases.campaign", campaign_id=item.id))


@bp.route("/campaigns/<int:campaign_id>/approve", methods=["POST"])
@require(Permission.CASES_DECIDE)
def approve_campaign(campaign_id: int) -> str | Response:
    item = _campaign(campaign_id)
    lines = _lines(item)
    return _campaign_act(
        item,
        lambda: cases.approve_campaign(item, actor=current_actor()),
        _("The campaign is approved; its sums are committed."),
        "campaign.approve",
        confirmations.campaign_approval(
            item, len(lines), sum((item.amount_each for _line in lines), Decimal("0.00"))
        ),
    )


@bp.route("/campaigns/<int:campaign_id>/cancel", methods=["POST"])
@require(Permission.CASES_CREATE)
def cancel_campaign(campaign_id: int) -> str | Response:
    item = _campaign(campaign_id)
    return _campaign_act(
        item,
        lambda: cases.cancel_campaign(item, actor=current_actor()),
        _("The campaign is cancelled."),
        "campaign.cancel",
        confirmations.campaign_cancel(item, len(_lines(item))),
    )
