"""The administrator's forms; the services check the values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField

from app.models.users import ROLE_LABELS
from app.registry.forms import choices
from app.services.policy import KEYS


class UserForm(FlaskForm):
    username = StringField(_l("User name"))
    full_name = StringField(_l("Real name"))
    role = SelectField(validate_choice=False, label=_l("Role"), choices=choices(ROLE_LABELS, blank=True))
    unit = SelectField(validate_choice=False, label=_l("Union unit"))


class UserNameForm(FlaskForm):
    full_name = StringField(_l("Real name"))


class PolicyForm(FlaskForm):
    key = SelectField(
        validate_choice=False,
        label=_l("Policy value"),
        choices=choices({key: item.label for key, item in KEYS.items()}, blank=True),
    )
    value = StringField(_l("Value"))
    unit = SelectField(validate_choice=False, label=_l("For"))


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class UnitForm(FlaskForm):
    code = StringField(_l("Unit code"))
    name = StringField(_l("Unit name"))
    parent = SelectField(validate_choice=False, label=_l("Parent unit"))


class UnitEditForm(FlaskForm):
    name = StringField(_l("Unit name"))
    parent = SelectField(validate_choice=False, label=_l("Parent unit"))


class RoleForm(FlaskForm):
    role = SelectField(validate_choice=False, label=_l("Role"), choices=choices(ROLE_LABELS, blank=True))
    unit = SelectField(validate_choice=False, label=_l("Union unit"))


class PolicyCopyForm(FlaskForm):
    """Last year's policy values copied forward: the rows ticked (``key|unit id``, ``*`` for all units)."""

    from_year = StringField(_l("Copy from the year"))
    to_year = StringField(_l("Into the year"))
    rows = SelectMultipleField(_l("Values to copy"), validate_choice=False)
