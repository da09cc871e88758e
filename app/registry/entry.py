"""What the pages that enter something new share (a household's file, an import, a model
worker): the union unit that will hold it, and how a refused entry is shown on its form."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from app.actions import show_on_form
from app.models.org import Unit
from app.registry.forms import choices
from app.services import scope, units
from app.services.errors import DomainError


def visible_units() -> list[Unit]:
    return scope.visible_units(current_user)


def unit_choices() -> list[SelectChoice]:
    """The units the user may file under, for a form's unit field."""
    return choices([(u.code, f"{u.code} {u.name}") for u in visible_units()])


def chosen_unit(code: str | None) -> Unit:
    """The unit chosen on the form, by the same rule as the API's (units.registration_unit)."""
    return units.registration_unit(current_user, code or None)


def show_refusal(form: FlaskForm, error: DomainError) -> None:
    show_on_form(form, error, "name", flashed=("members",))
    flash(_("The file was not saved: correct the fields marked below."), "danger")
