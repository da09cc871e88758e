"""The union's tree of units, for the administrator: the units they see, a new unit below
their own (anywhere for a federation-wide administrator), and a unit below theirs moved
or renamed. The rules are in app/services/units.py; ``flask units`` offers the same."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.actions import show_on_form
from app.admin import bp
from app.admin.forms import UnitEditForm, UnitForm
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.database import with_retries
from app.extensions import db
from app.models.org import Unit
from app.registry.forms import choices
from app.services import units
from app.services.errors import DomainError


def _parent_choices(*, leave_out: Unit | None = None) -> list:
    """The units the admin sees, indented as in the tree; the top only for an admin of all."""
    options = [
        (row.unit.code, "\u3000" * row.depth + f"{row.unit.code} {row.unit.name}")
        for row in units.tree(current_user)
        if row.unit is not leave_out
    ]
    if current_user.unit_id is None:
        options.insert(0, ("", _("(the top of the tree)")))
    return choices(options)


def _changeable(unit_id: int) -> Unit:
    for unit in units.changeable_by(current_user):
        if unit.id == unit_id:
            return unit
    abort(404)


@bp.route("/units")
@require(Permission.UNITS_MANAGE)
def unit_tree() -> str:
    changeable = {unit.id for unit in units.changeable_by(current_user)}
    return render_template("admin/units.html", rows=units.tree(current_user), changeable=changeable)


@bp.route("/units/new", methods=["GET", "POST"])
@require(Permission.UNITS_MANAGE)
def new_unit() -> str | Response:
    form = UnitForm()
    form.parent.choices = _parent_choices()
    if form.validate_on_submit():
        try:
            unit = units.create_unit(
                form.code.data or "", form.name.data or "", form.parent.data or None, actor=current_actor()
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error, "code")
        else:
            flash(_("Unit %(code)s %(name)s created.", code=unit.code, name=unit.name), "success")
            return redirect(url_for("admin.unit_tree"))
    return render_template("admin/unit_form.html", form=form, unit=None)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@require(Permission.UNITS_MANAGE)
def edit_unit(unit_id: int) -> str | Response:
    unit = _changeable(unit_id)
    code = unit.code
    form = UnitEditForm()
    form.parent.choices = _parent_choices(leave_out=unit)
    if not form.is_submitted():
        form.name.data, form.parent.data = unit.name, unit.parent.code if unit.parent else ""
    if form.validate_on_submit():

        def step() -> None:
            units.rename_unit(code, form.name.data or "", actor=current_actor())
            units.move_unit(code, form.parent.data or None, actor=current_actor())
            db.session.commit()

        try:
            # Two moves at once that would close a loop: PostgreSQL lets one wait or picks
            # a deadlock victim, which is run again and then sees the other's move.
            with_retries(step, rollback=db.session.rollback)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error, "parent")
        else:
            flash(_("Unit %(code)s saved.", code=code), "success")
            return redirect(url_for("admin.unit_tree"))
    return render_template("admin/unit_form.html", form=form, unit=unit)
