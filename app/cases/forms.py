"""Case forms; the rules are the services'. The payment form carries a one-time token
so a double-clicked submit pays once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField

from app.models.cases import AID_TYPES, PAYMENT_METHODS
from app.registry.forms import choices
from app.services.eligibility import CATEGORIES


class CaseForm(FlaskForm):
    fund_code = SelectField(validate_choice=False, label=_l("Fund"))
    aid_type = SelectField(
        validate_choice=False, label=_l("Form of aid"), choices=choices(AID_TYPES, blank=True)
    )
    amount = StringField(_l("Amount requested (yuan; 0 for help without money)"))
    reason = TextAreaField(_l("Reason"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"))


class ApproveForm(FlaskForm):
    amount = StringField(_l("Amount approved (yuan)"))
    note = TextAreaField(_l("Note"))


class PaymentForm(FlaskForm):
    amount = StringField(_l("Amount (yuan)"))
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
    amount = StringField(_l("Amount (yuan)"))
    voucher_no = StringField(_l("Voucher number"))
    paid_on = DateField(_l("Paid on"))
    token = HiddenField()
