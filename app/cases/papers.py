"""Papers to print on A4 and sign: a cash payment's 领款凭证, the 公示 list of the cases on
public notice, a campaign's 发放花名册 (the layout is print.css; the data app/services/papers)."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases import bp
from app.params import db_int
from app.services import budgets, papers
from app.services.errors import NotFound


@bp.route("/payments/<int:payment_id>/voucher")
@require(Permission.REGISTRY_VIEW)
def payment_voucher(payment_id: int) -> str:
    """领款凭证: a cash payment, with the amount in figures and in capitals, to be signed."""
    try:
        item = papers.voucher(payment_id, current_actor())
    except NotFound:
        abort(404)
    return render_template("cases/paper_voucher.html", voucher=item, today=date.today())


@bp.route("/cases/notice-list")
@require(Permission.REGISTRY_VIEW)
def notice_list() -> str:
    """公示名单: the year's cases on public notice, with the supervision phone and the period."""
    year = budgets.working_year(request.args.get("year", type=db_int))
    item = papers.notice_list(current_actor(), year, current_user.unit_id)
    return render_template("cases/paper_notice.html", notice=item, today=date.today())


@bp.route("/campaigns/<int:campaign_id>/roster")
@require(Permission.REGISTRY_VIEW)
def campaign_roster(campaign_id: int) -> str:
    """发放花名册 to print: unit, date, each household's line to sign, the signatures below."""
    try:
        item = papers.roster(campaign_id, current_actor())
    except NotFound:
        abort(404)
    return render_template("cases/paper_roster.html", roster=item, today=date.today())
