"""Changes of a user's role, unit or state that wait for a second administrator (三员分立 in
spirit): a user's role and unit changed, and the pending changes approved or refused. The
rules are in app/services/duties.py; ``flask users set-role`` is the operator's door."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import confirm
from app.actions import perform, show_on_form
from app.admin import bp
from app.admin.common import managed_unit as _unit
from app.admin.common import unit_choices as _unit_choices
from app.admin.common import user_in_scope as _user
from app.admin.forms import RoleForm
from app.auth.actor import current_actor
from app.auth.permissions import Permission, require
from app.labels import label
from app.models.users import RoleChange
from app.services import duties, steps
from app.services.errors import DomainError, NotFound


def unit_text(unit) -> str:  # type: ignore[no-untyped-def]
    return f"{unit.code} {unit.name}" if unit else _("All units")


def role_text(change: RoleChange) -> str:
    """``审核/审批人 → 财务`` (a new user: the role alone)."""
    new = label("role", change.new_role)
    return f"{label('role', change.old_role)} → {new}" if change.kind == "change" else new


def deciding(change: RoleChange, *, approve: bool) -> confirm.Confirmation:
    """批准 / 拒绝 asks first, naming the person, the role and the unit."""
    facts = (
        confirm.Fact(_("User name"), change.user.username),
        confirm.Fact(_("Change"), label("role_change_kind", change.kind)),
        confirm.Fact(_("Role"), role_text(change)),
        confirm.Fact(_("Union unit"), unit_text(change.new_unit)),
        confirm.Fact(_("Requested by"), change.requested_by_name),
    )
    if approve:
        return confirm.Confirmation(
            title=_("Confirm approving the change"),
            lead=_("%(name)s gets this role at once and may act in it.", name=change.user.username),
            facts=facts,
            button=_("Approve"),
        )
    return confirm.Confirmation(
        title=_("Confirm refusing the change"),
        lead=_(
            "The change does not take effect; a new or re-enabled account of %(name)s is disabled.",
            name=change.user.username,
        ),
        facts=facts,
        button=_("Refuse"),
    )


def _change(change_id: int) -> RoleChange:
    try:
        return duties.load(change_id, current_actor())
    except NotFound:
        abort(404)


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def user_role(user_id: int) -> str | Response:
    """Another role or unit: a reviewer, finance officer or administrator waits for a second
    administrator's approval."""
    user = _user(user_id)
    form = RoleForm()
    form.unit.choices = _unit_choices(_("All units"))
    if not form.is_submitted():
        form.role.data = user.role
        form.unit.data = user.unit.code if user.unit else ""
    if form.validate_on_submit():
        try:
            change = steps.run(
                lambda: duties.change_role(
                    user,
                    form.role.data or "",
                    (unit.code if (unit := _unit(form.unit.data)) else None),
                    actor=current_actor(),
                ),
                name="user.role_change",
                actor=current_actor(),
                subject=steps.Subject("user", user.id, user.unit_id),
            )
        except DomainError as error:
            show_on_form(form, error, "role")
        else:
            if change.status == "pending":
                flash(
                    _(
                        "The change of %(name)s awaits a second administrator's approval.",
                        name=user.username,
                    ),
                    "warning",
                )
            else:
                flash(_("The role of %(name)s is changed.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_role.html", form=form, person=user)


@bp.route("/role-changes/<int:change_id>/approve", methods=["POST"])
@require(Permission.USERS_MANAGE)
def approve_change(change_id: int) -> str | Response:
    return _decide(change_id, approve=True)


@bp.route("/role-changes/<int:change_id>/refuse", methods=["POST"])
@require(Permission.USERS_MANAGE)
def refuse_change(change_id: int) -> str | Response:
    return _decide(change_id, approve=False)


def _decide(change_id: int, *, approve: bool) -> str | Response:
    """批准 or 驳回 a waiting change, after its confirmation."""
    change = _change(change_id)
    if confirm.needed():
        return confirm.page(deciding(change, approve=approve), back=url_for("admin.users"))
    name = change.user.username
    perform(
        lambda: (duties.approve if approve else duties.refuse)(change_id, actor=current_actor()),
        _("The change of %(name)s is approved and in effect.", name=name)
        if approve
        else _("The change of %(name)s is refused.", name=name),
        unit_id=change.new_unit_id,
        object_type="role_change",
        object_id=change_id,
        name="role_change.approve" if approve else "role_change.refuse",
    )
    return redirect(url_for("admin.users"))


def pending_rows() -> list[dict[str, object]]:
    """The users page's list of what waits, each with its two buttons' confirmations."""
    return [
        {
            "change": change,
            "role": role_text(change),
            "unit": unit_text(change.new_unit),
            "own": change.requested_by_id == current_user.id or change.user_id == current_user.id,
            "approving": confirm.attributes(deciding(change, approve=True)),
            "refusing": confirm.attributes(deciding(change, approve=False)),
        }
        for change in duties.pending(current_actor().scope)
    ]
