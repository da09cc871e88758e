"""What the cases' money and irreversible steps ask the person to confirm (app/confirm.py):
发放, 红冲, 结案, 撤销, 劳模体检 payments, a campaign's 整批审批 and its roster payments.
The figures come from the objects; what the person types is named by its field."""

from __future__ import annotations

from decimal import Decimal

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth.permissions import Permission, require
from app.cases import bp
from app.confirm import Confirmation, Fact, money, typed, words
from app.extensions import db
from app.models.cases import PAYMENT_METHODS, Campaign, Case, Payment
from app.models.ledger import Fund
from app.models.registry import ModelWorker
from app.money import InvalidAmount


def _fund(fund: Fund) -> Fact:
    return Fact(_("Fund"), f"{fund.year} {fund.code} {fund.name}")


def _case(case: Case) -> Fact:
    return Fact(_("Application"), _("Application No. %(id)s", id=case.id))


def payment(case: Case) -> Confirmation:
    return Confirmation(
        title=_("Confirm the payment"),
        lead=_(
            "This pays %(name)s from the fund; a payment made can only be undone by a reversal.",
            name=case.worker.name,
        ),
        facts=(
            Fact(_("Payee"), case.worker.name),
            _case(case),
            _fund(case.fund),
            typed(_("Amount"), "amount", money=True),
            typed(_("Voucher number"), "voucher_no"),
            typed(_("Paid on"), "paid_on"),
            typed(_("Method"), "method", choices={k: str(v) for k, v in PAYMENT_METHODS.items()}),
        ),
        button=_("Confirm and pay"),
    )


def roster_payment(case: Case, campaign: Campaign) -> Confirmation:
    return Confirmation(
        title=_("Confirm the payment"),
        lead=_("This records that %(name)s received the campaign's sum in cash.", name=case.worker.name),
        facts=(
            Fact(_("Payee"), case.worker.name),
            Fact(_("Campaign"), campaign.name),
            _fund(campaign.fund),
            money(_("Amount"), campaign.amount_each),
            typed(_("Voucher number"), "voucher_no"),
            typed(_("Paid on"), "paid_on"),
        ),
        button=_("Confirm and pay"),
    )


def checkup(worker: ModelWorker, fund: Fund) -> Confirmation:
    return Confirmation(
        title=_("Confirm the check-up allowance"),
        lead=_(
            "This pays %(name)s the check-up allowance from the fund; it is paid once a year.",
            name=worker.name,
        ),
        facts=(
            Fact(_("Payee"), worker.name),
            _fund(fund),
            typed(_("Amount"), "amount", money=True),
            typed(_("Voucher number"), "voucher_no"),
            typed(_("Paid on"), "paid_on"),
        ),
        button=_("Confirm and pay"),
    )


def reversal(paid: Payment) -> Confirmation:
    payee = paid.case.worker.name if paid.case is not None else ""
    return Confirmation(
        title=_("Confirm the reversal"),
        lead=_(
            "The payment is reversed by an entry of its own (红冲); the amount goes back to the case."
            " This cannot be undone."
        ),
        facts=(
            Fact(_("Payee"), payee),
            _fund(db.session.get(Fund, paid.fund_id)),
            money(_("Amount reversed"), paid.amount),
            Fact(_("Voucher number"), paid.voucher_no),
            Fact(_("Paid on"), paid.paid_on.isoformat()),
            typed(_("Why it is reversed"), "reason"),
        ),
        button=_("Confirm the reversal"),
    )


def closing(case: Case, paid: Decimal, outstanding: Decimal | None) -> Confirmation:
    facts = [Fact(_("Payee"), case.worker.name), _case(case), _fund(case.fund), money(_("Paid"), paid)]
    if outstanding:
        facts.append(money(_("Released back to the fund"), outstanding))
    return Confirmation(
        title=_("Confirm closing the case"),
        lead=_(
            "Once closed, nothing more is paid on this case; what is still committed goes back to the fund."
        ),
        facts=(*facts, typed(_("Note on closing the case (optional)"), "note")),
        button=_("Close the case"),
    )


def cancelling(case: Case) -> Confirmation:
    return Confirmation(
        title=_("Confirm cancelling the application"),
        lead=_("A cancelled application cannot be taken up again; a new one would have to be opened."),
        facts=(
            Fact(_("Worker"), case.worker.name),
            _case(case),
            _fund(case.fund),
            money(_("Requested"), case.requested_amount),
            typed(_("Why the application is cancelled"), "note"),
        ),
        button=_("Cancel the application"),
    )


def campaign_approval(campaign: Campaign, households: int, total: Decimal) -> Confirmation:
    return Confirmation(
        title=_("Confirm approving the whole campaign"),
        lead=_("Every household's sum is committed against the fund at once, all or nothing."),
        facts=(
            Fact(_("Campaign"), campaign.name),
            _fund(campaign.fund),
            Fact(_("Households"), str(households)),
            money(_("Sum for each household"), campaign.amount_each),
            money(_("Total"), total),
        ),
        button=_("Approve the whole campaign"),
    )


def campaign_cancel(campaign: Campaign, households: int) -> Confirmation:
    return Confirmation(
        title=_("Confirm cancelling the campaign"),
        lead=_("The campaign and every household's application in it are cancelled; this cannot be undone."),
        facts=(
            Fact(_("Campaign"), campaign.name),
            _fund(campaign.fund),
            Fact(_("Households"), str(households)),
        ),
        button=_("Cancel the campaign"),
    )


@bp.route("/amounts/words")
@require(Permission.ACCOUNT_SELF)
def amount_words() -> Response | tuple[Response, int]:
    """A typed amount in figures and 大写, for the confirmation dialog (read-only)."""
    try:
        return jsonify(text=words(request.args.get("amount", "")))
    except InvalidAmount as refused:
        return jsonify(error=refused.explain()), 422
