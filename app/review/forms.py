"""Yearly review forms: the service checks every value (app/services/yearly_review); the
forms carry the CSRF token, keep what was typed and show each message at its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional


class StartForm(FlaskForm):
    """年审: the unit, the year and the deadline of a new round."""

    unit = SelectField(_l("Union unit under review"), validate_choice=False, choices=[])
    year = StringField(_l("Year of the review"))
    deadline = DateField(_l("Deadline of the review"), validators=[Optional()])


class TaskForm(FlaskForm):
    """A review task's outcome; the new figures when the category changes, the reason when
    the household leaves the file."""

    outcome = SelectField(_l("Outcome of the review"), validate_choice=False, choices=[])
    household_size = StringField(_l("Household size"))
    household_monthly_income = StringField(_l("Household monthly income (yuan)"))
    category = SelectField(_l("New category"), validate_choice=False, choices=[])
    exit_reason = SelectField(_l("Reason for leaving"), validate_choice=False, choices=[])
    note = TextAreaField(_l("Note"))
