"""The year-end form: which cases (``case_ids``, one or many), carry over or release (the
button pressed, ``action``), and why."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField


class ChoiceForm(FlaskForm):
    reason = StringField(_l("Reason or note (required to release)"))
