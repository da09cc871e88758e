"""Users and policy values, for the administrator. A one-time password is shown once, on
the page that answers the request that made it, and never stored in clear."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import confirm
from app.actions import perform, show_on_form
from app.admin import bp
from app.admin import duties as duties_pages
from app.admin.common import managed_unit as _unit
from app.admin.common import unit_choices as _unit_choices
from app.admin.common import user_in_scope as _user
from app.admin.forms import ActionForm, PolicyForm, UserForm, UserNameForm
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.extensions import db
from app.models.org import Unit
from app.models.types import utcnow
from app.models.users import User
from app.params import db_int
from app.services import budgets, duties, policy, scope, steps, user_names
from app.services import users as user_service
from app.services.errors import DomainError


@bp.route("/users")
@require(Permission.USERS_MANAGE)
def users() -> str:
    people = user_service.users_in(scope.visible_unit_ids(current_user))
    waiting = duties_pages.pending_rows()
    return render_template(
        "admin/users.html",
        people=people,
        pending=waiting,
        held={row["change"].user_id for row in waiting if row["change"].kind != "change"},
        tokens=user_service.live_token_counts(),
        token_use=user_service.token_use(),
        action=ActionForm(),
        disabling={person.id: confirm.attributes(disabling(person)) for person in people},
        now=utcnow(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def new_user() -> str | Response:
    form = UserForm()
    form.unit.choices = _unit_choices(_("All units"))
    if form.validate_on_submit():
        try:
            unit = _unit(form.unit.data)
            user, password = user_service.create_user(
                form.username.data or "",
                form.role.data or "",
                unit.code if unit else None,
                actor=current_actor(),
                full_name=form.full_name.data or "",
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error, "username")
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            if duties.pending_of(user.id) is not None:
                flash(
                    _("The change of %(name)s awaits a second administrator's approval.", name=user.username),
                    "warning",
                )
            return render_template("admin/password.html", user=user, password=password)
    return render_template("admin/user_form.html", form=form)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def edit_user(user_id: int) -> str | Response:
    """Change a user's real name (姓名): audited, shown on papers, exports and the audit log."""
    user = _user(user_id)
    form = UserNameForm()
    if not form.is_submitted():
        form.full_name.data = user.full_name
    if form.validate_on_submit():
        try:
            steps.run(
                lambda: user_names.set_full_name(user, form.full_name.data or "", actor=current_actor()),
                name="user.set_name",
                actor=current_actor(),
                subject=steps.Subject("user", user.id, user.unit_id),
            )
        except DomainError as error:
            show_on_form(form, error, "full_name")
        else:
            flash(_("The real name of %(name)s is saved.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_name.html", form=form, person=user)


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@require(Permission.USERS_MANAGE)
def reset_password(user_id: int) -> str | Response:
    user = _user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        password = user_service.reset_password(user, actor=current_actor())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(
        _(
            "A new one-time password was set for %(name)s; every session of theirs has ended.",
            name=user.username,
        ),
        "success",
    )
    if duties.awaits_approval(user.id):
        flash(duties.AWAITING_RESET, "warning")
    return render_template("admin/password.html", user=user, password=password)


def _step(user_id: int, action, message) -> Response:  # type: ignore[no-untyped-def]
    """One button on a user's row: the service step, then back to the list."""
    user = _user(user_id)
    if ActionForm().validate_on_submit():
        perform(
            lambda: action(user),
            message(user.username),
            unit_id=user.unit_id,
            object_type="user",
            object_id=user.id,
        )
    return redirect(url_for("admin.users"))


def disabling(user: User) -> confirm.Confirmation:
    """停用 asks first: it ends every session and API token of the person at once."""
    return confirm.Confirmation(
        title=_("Confirm disabling the user"),
        lead=_(
            "%(name)s can no longer log in; every session and API token of theirs stops working at once.",
            name=user.username,
        ),
        facts=(
            confirm.Fact(_("User name"), user.username),
            confirm.Fact(_("Role"), str(user.role_label)),
            confirm.Fact(
                _("Union unit"), f"{user.unit.code} {user.unit.name}" if user.unit else _("All units")
            ),
        ),
        button=_("Disable"),
    )


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@require(Permission.USERS_MANAGE)
def disable(user_id: int) -> str | Response:
    if confirm.needed():
        return confirm.page(disabling(_user(user_id)), back=url_for("admin.users"))
    return _step(
        user_id,
        lambda user: user_service.set_active(user, False, actor=current_actor()),
        lambda name: _("%(name)s is disabled: every session and API token stopped working.", name=name),
    )


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@require(Permission.USERS_MANAGE)
def enable(user_id: int) -> Response:
    return _step(
        user_id,
        lambda user: user_service.set_active(user, True, actor=current_actor()),
        lambda name: _("%(name)s may log in again.", name=name),
    )


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@require(Permission.USERS_MANAGE)
def unlock(user_id: int) -> Response:
    return _step(
        user_id,
        lambda user: user_service.unlock(user, actor=current_actor()),
        lambda name: _("%(name)s is unlocked.", name=name),
    )


@bp.route("/users/<int:user_id>/revoke-tokens", methods=["POST"])
@require(Permission.USERS_MANAGE)
def revoke_tokens(user_id: int) -> Response:
    return _step(
        user_id,
        lambda user: user_service.revoke_tokens(user, actor=current_actor()),
        lambda name: _("Every API token of %(name)s is revoked.", name=name),
    )


@bp.route("/policy", methods=["GET", "POST"])
@require(Permission.POLICY_MANAGE)
def policy_values() -> str | Response:
    # Policy values may be set for a year before its budget is loaded (next year's line).
    year = request.args.get("year", type=db_int) or budgets.newest_year()
    if year is None:
        abort(404)
    form = PolicyForm()
    form.unit.choices = _unit_choices(_("All units"))
    if form.validate_on_submit():
        try:
            steps.run(
                lambda: policy.set_value(
                    year,
                    form.key.data or "",
                    form.value.data or "",
                    unit=_unit(form.unit.data),
                    actor=current_actor(),
                ),
                name="policy.set",
                actor=current_actor(),
            )
        except DomainError as error:
            show_on_form(form, error, "value")
        else:
            flash(_("Policy value saved."), "success")
            return redirect(url_for("admin.policy_values", year=year))
    visible = scope.visible_unit_ids(current_user)
    rows = [
        row
        for row in policy.values_for(year)
        if visible is None or row.unit_id is None or row.unit_id in visible
    ]
    units = {u.id: u for u in db.session.execute(select(Unit)).scalars()}
    return render_template(
        "admin/policy.html",
        form=form,
        year=year,
        rows=rows,
        units=units,
        labels={key: item.label for key, item in policy.KEYS.items()},
    )
