"""Forms of what a decision rests on: the home investigation, the democratic review and
the settling of an objection to the public notice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField

from app.models.decisions import OBJECTION_OUTCOMES, REVIEW_RESULTS
from app.registry.forms import choices


class DayField(DateField):
    """A date; one that is not a date is left to the service, which says so in the same
    words as for a missing one (the typed text is shown back as it was)."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class InvestigationForm(FlaskForm):
    visited_on = DayField(_l("Date of the visit"), id="investigation-date")
    investigators = TextAreaField(_l("Investigators (at least two, one a line)"))
    findings = TextAreaField(_l("Findings"))
    authorisation_signed = BooleanField(_l("The family signed the authorisation to check its finances"))


class ReviewForm(FlaskForm):
    held_on = DayField(_l("Date of the review"), id="review-date")
    participants = StringField(_l("Number of participants"))
    result = SelectField(
        validate_choice=False, label=_l("Result"), choices=choices(REVIEW_RESULTS, blank=True)
    )
    note = TextAreaField(_l("Note on the review (optional)"), id="review-note")


class SettleObjectionForm(FlaskForm):
    """How an objection to the public notice is settled, and why."""

    outcome = SelectField(
        validate_choice=False,
        label=_l("Outcome of the objection"),
        choices=choices(OBJECTION_OUTCOMES, blank=True),
    )
    reason = TextAreaField(_l("Why the objection is upheld or dismissed"))
