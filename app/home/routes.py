"""The home page by role, its charts, and the policy banner of every page."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.auth.permissions import Permission, can, held_back, require
from app.extensions import db
from app.funds.charts import month_charts
from app.home import bp
from app.money import ZERO
from app.params import db_int
from app.services import budgets, cases, duties, home, ledger, scope
from app.services.policy import KEYS


@bp.route("/")
@require(Permission.ACCOUNT_SELF)
def index() -> str:
    context: dict[str, Any] = {}
    if current_user.role == "auditor":
        # Walking the chain empties the session (it reads the log in batches and lets go
        # of each): done first, then the signed-in user is taken back into the session.
        context["chain"] = home.chain_status()
        db.session.add(current_user._get_current_object())
    loaded = budgets.chosen_year(request.args.get("year", type=db_int))
    year = loaded or budgets.working_year()
    units = scope.visible_unit_ids(current_user)
    balances = ledger.fund_balances(loaded, units) if loaded is not None else []
    fund_charts = month_charts(balances)
    if current_user.role == "auditor":
        context["role_changes"] = duties.history(scope.scope_of(current_user))
    context["held_back"] = held_back(current_user)
    context["own_change"] = duties.pending_of(current_user.id)
    if current_user.role == "auditor" and loaded is not None:
        context["reconciliation"] = home.reconciliation_status(
            loaded, units, current_app.config["RECONCILE_PAGE_MAX_ENTRIES"]
        )
    return render_template(
        "home/index.html",
        year=year,
        loaded=loaded,
        years=budgets.loaded_years(),
        sections=home.sections_for(current_user, units, year),
        balances=balances,
        totals={
            name: sum((getattr(b, name) for b in balances), ZERO) for name in ("budget", "paid", "available")
        },
        charts=fund_charts,
        recent=cases.recent_payments(units) if can(Permission.REGISTRY_VIEW) else [],
        **context,
    )


@bp.app_context_processor
def policy_banner() -> dict[str, Any]:
    """``policy_gap()`` for base.html: the working year and the labels of the required policy
    values it lacks (empty once set). Lazy, and silent when the database cannot answer (an
    error page must still render)."""

    def policy_gap() -> dict[str, Any] | None:
        if not current_user.is_authenticated or current_user.must_change_password:
            return None
        try:
            year = budgets.working_year()
            missing = home.missing_required_policy(year)
        except SQLAlchemyError:
            db.session.rollback()
            return None
        if not missing:
            return None
        return {"year": year, "labels": [str(KEYS[key].label) for key in missing]}

    return {"policy_gap": policy_gap}
