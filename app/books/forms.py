"""The forms of the 结账 pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField


class CloseForm(FlaskForm):
    """Close a month or the whole year of a unit's books."""

    unit = SelectField(_l("Union unit whose books are closed"), validate_choice=False)
    year = SelectField(_l("Fiscal year"), validate_choice=False)
    month = SelectField(_l("Period to close"), validate_choice=False)


class ReopenRequestForm(FlaskForm):
    reason = TextAreaField(_l("Why the books are to be reopened"))


class ReopenForm(FlaskForm):
    """The second person's button: only the CSRF token."""
