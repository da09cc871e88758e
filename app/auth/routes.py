"""Log-in, log-out and the first password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.access import public
from app.auth.forms import ChangePasswordForm, LoginForm
from app.extensions import db
from app.models.users import User
from app.services import users as user_service


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no ``//`` or ``/\\`` tricks."""
    if not target:
        return url_for("funds.index")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return url_for("funds.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("funds.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.execute(
            select(User).where(User.username == form.username.data)
        ).scalar_one_or_none()
        if user_service.verify_password(user, form.password.data or "") and user and user.active:
            login_user(user)
            if user.must_change_password:
                flash(_("Please choose your own password before you continue."), "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong user name or password."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    user_service.end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not user_service.verify_password(current_user, form.current_password.data or ""):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            user_service.set_password(current_user, form.new_password.data or "")
            db.session.commit()
            login_user(current_user)  # the session version changed: renew this session
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("funds.index"))
    return render_template("auth/change_password.html", form=form)
