"""A fund's budget revisions (预算调整) page: the budget as loaded, each revision with its
document number (文号), the current budget, and for a finance officer of the unit the form
that records a revision (app/services/budget_revisions.py holds every rule)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.actions import show_on_form
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.cases.forms import AmountField
from app.extensions import db
from app.funds import bp
from app.funds.routes import _ledger_of
from app.models.budget import BudgetRevision, BudgetRevisionLine
from app.models.ledger import Fund
from app.registry.forms import choices
from app.services import budget_revisions, ledger, steps
from app.services.errors import DomainError, InvalidInput

#: How the form states the change, in the person's words.
HOW_LABELS = {
    budget_revisions.HOW_INCREASE: _l("Increase the budget by"),
    budget_revisions.HOW_DECREASE: _l("Decrease the budget by"),
    budget_revisions.HOW_SET: _l("Set the budget to"),
}


class RevisionForm(FlaskForm):
    how = SelectField(_l("How the budget changes"), validate_choice=False, choices=choices(HOW_LABELS))
    amount = AmountField(_l("Amount (yuan)"))
    reference = StringField(_l("Document number of the revision (文号)"))
    revised_on = DateField(_l("Date of the revision"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the revision"))


def _history(fund: Fund) -> list[tuple[BudgetRevision, BudgetRevisionLine]]:
    rows = db.session.execute(
        db.select(BudgetRevision, BudgetRevisionLine)
        .join(BudgetRevisionLine, BudgetRevisionLine.revision_id == BudgetRevision.id)
        .where(BudgetRevisionLine.fund_id == fund.id)
        .order_by(BudgetRevision.id)
    ).all()
    return [(revision, line) for revision, line in rows]


def _page(fund: Fund, year: int, form: RevisionForm) -> str:
    return render_template(
        "funds/revisions.html",
        fund=fund,
        year=year,
        balance=ledger.balance(fund),
        original=budget_revisions.original_budget(fund),
        history=_history(fund),
        form=form,
    )


@bp.route("/funds/<code>/revisions")
@require(Permission.FUNDS_VIEW)
def revisions(code: str) -> str:
    fund, year = _ledger_of(code)
    return _page(fund, year, RevisionForm(formdata=None))


@bp.route("/funds/<code>/revisions", methods=["POST"])
@require(Permission.BUDGETS_REVISE)
def revise(code: str) -> Response | tuple[str, int]:
    fund, year = _ledger_of(code)
    form = RevisionForm()
    form.validate()  # the date's own error stays at its field; every rule is the service's
    fund_id, unit_code = fund.id, fund.unit.code
    try:
        if form.revised_on.errors:
            raise InvalidInput(" ".join(str(e) for e in form.revised_on.errors), field="revised_on")
        amount = form.amount.decimal()
        if amount is None:
            raise InvalidInput(_("Give the amount."), field="amount")
        revised_on: date | None = form.revised_on.data
        steps.run(
            lambda: budget_revisions.revise_fund(
                db.session.get(Fund, fund_id),  # type: ignore[arg-type]
                how=form.how.data or "",
                amount=amount,
                reason=form.reason.data or "",
                reference=form.reference.data or "",
                revised_on=revised_on,
                actor=current_actor(),
            ),
            name="budget.revise",
            actor=current_actor(),
        )
    except DomainError as error:
        form.revised_on.errors = []
        show_on_form(form, error, "amount")
        fund = db.session.get(Fund, fund_id)  # type: ignore[assignment]
        return _page(fund, year, form), 422
    flash(_("The budget is revised."), "success")
    return redirect(url_for("funds.revisions", code=code, year=year, unit=unit_code))
