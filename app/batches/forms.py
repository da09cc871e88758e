"""The batch pages' forms; the rules are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Form, HiddenField, SelectChoice, SelectField, SelectMultipleField


class BatchFilterForm(Form):
    """The list's filter, read from the query string (a GET form: no CSRF token)."""

    fund = SelectField(_l("Fund"), validate_choice=False)
    year = SelectField(_l("Year"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)


class PrepareForm(FlaskForm):
    """编制代发批次: the fund, the bank's file layout and the cases chosen."""

    fund = SelectField(_l("Fund"), validate_choice=False)
    template = SelectField(_l("Bank file layout"), validate_choice=False)
    case_ids = SelectMultipleField(_l("Cases paid by the batch"), validate_choice=False)
    campaign = HiddenField()


class StepForm(FlaskForm):
    """A batch's step (approve, cancel): only the CSRF token."""


class FileForm(FlaskForm):
    format = SelectField(
        _l("File format"),
        validate_choice=False,
        choices=[SelectChoice("xlsx", "XLSX"), SelectChoice("csv", "CSV")],
    )


class AnswerForm(FlaskForm):
    file = FileField(_l("The bank's answer file (.xlsx or .csv)"))


class ConfirmAnswerForm(FlaskForm):
    token = HiddenField()
