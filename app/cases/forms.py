"""Case forms; the rules are the services'. The payment forms carry a one-time token,
new each time the form is drawn, so a double-clicked submit pays once. Each step of a
case has its own form with its own labelled note (ids differ, names stay ``note``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField

from app.cases.decision_forms import DayField
from app.models.cases import AID_TYPES, PAYMENT_METHODS
from app.money import InvalidAmount, parse_typed_amount
from app.registry.forms import choices
from app.services.eligibility import CATEGORIES
from app.services.errors import InvalidInput


class AmountField(StringField):
    """An amount as a person types it (``1,234.50``, ``２，０００``), read by the pages' one
    parser, :func:`app.money.parse_typed_amount`, as the API reads its own with the wire
    parser: the service is handed a ``Decimal``, and whether it is allowed stays its rule."""

    def decimal(self) -> Decimal | None:
        """The amount, or None when the field was left empty. Text that is not an amount
        raises :class:`InvalidInput` for this field, saying why (``100,00`` is not 100)."""
        if not (self.data or "").strip():
            return None
        try:
            return parse_typed_amount(self.data)
        except InvalidAmount as refused:
            raise InvalidInput(refused.explain(), field=self.name) from None


class CaseForm(FlaskForm):
    fund_code = SelectField(validate_choice=False, label=_l("Fund"))
    aid_type = SelectField(
        validate_choice=False, label=_l("Form of aid"), choices=choices(AID_TYPES, blank=True)
    )
    amount = StringField(_l("Amount requested (yuan; 0 for help without money)"))
    out_of_pocket = StringField(_l("Out-of-pocket amount from the evidence (yuan; medical aid only)"))
    reason = TextAreaField(_l("Reason"))


def default_day(year: int, today: date | None = None) -> date | None:
    """The date a form for the fiscal ``year`` starts with: today when today is in that
    year; for another year none (a person types the real date rather than correct a wrong one)."""
    today = today or date.today()
    return today if today.year == year else None


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"))


class SubmitForm(FlaskForm):
    note = TextAreaField(_l("Note with the submission (optional)"), id="submit-note")


class CancelForm(FlaskForm):
    note = TextAreaField(_l("Why the application is cancelled"), id="cancel-note")


class ObjectionForm(FlaskForm):
    """公示异议: an objection received while the case is on public notice."""

    received_on = DayField(_l("Date the objection was received"), id="objection-date")
    raised_by = StringField(_l("Raised by (leave empty when anonymous)"), id="objection-raised-by")
    content = TextAreaField(_l("What the objection is"), id="objection-note")


class RejectForm(FlaskForm):
    note = TextAreaField(_l("Why the application is rejected"), id="reject-note")


class CloseForm(FlaskForm):
    note = TextAreaField(_l("Note on closing the case (optional)"), id="close-note")


class ApproveForm(FlaskForm):
    amount = AmountField(_l("Amount approved (yuan)"))
    note = TextAreaField(_l("Note on the approval (optional)"))


class PaymentForm(FlaskForm):
    amount = AmountField(_l("Amount (yuan)"))
    voucher_no = StringField(_l("Voucher number"))
    paid_on = DateField(_l("Paid on"))
    method = SelectField(validate_choice=False, label=_l("Method"), choices=choices(PAYMENT_METHODS))
    token = HiddenField()
    return_to = HiddenField()


class ReversalForm(FlaskForm):
    reason = StringField(_l("Why it is reversed"))


class CampaignForm(FlaskForm):
    fund_code = SelectField(validate_choice=False, label=_l("Fund"))
    name = StringField(_l("Campaign"))
    amount_each = StringField(_l("Sum for each household (yuan)"))
    category = SelectField(
        validate_choice=False,
        label=_l("Households of category"),
        choices=choices({"": _l("All categories"), **{str(k): v for k, v in CATEGORIES.items()}}),
    )


class CheckupForm(FlaskForm):
    amount = AmountField(_l("Amount (yuan)"))
    voucher_no = StringField(_l("Voucher number"))
    paid_on = DateField(_l("Paid on"))
    token = HiddenField()
