"""Log-in, log-out and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.actor import current_actor
from app.auth.forms import ChangePasswordForm, LoginForm
from app.auth.permissions import Permission, public, require
from app.extensions import db, limiter
from app.security import start_session
from app.services import users as user_service
from app.services.errors import DomainError


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no ``//`` or ``/\\`` tricks."""
    home = url_for("home.index")
    if not target:
        return home
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        return home
    return target


def _policy() -> user_service.LoginPolicy:
    return user_service.LoginPolicy.from_config(current_app.config)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = user_service.authenticate(
            form.username.data or "",
            form.password.data or "",
            remote_addr=request.remote_addr,
            policy=_policy(),
        )
        db.session.commit()  # failures count and are audited too
        if outcome.user is not None:
            login_user(outcome.user)
            start_session()
            if outcome.must_change_password:
                flash(_("Please choose a new password before you continue."), "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")))
        flash(outcome.error or "", "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@require(Permission.ACCOUNT_SELF)
def logout() -> Response:
    user_service.end_sessions(current_user, actor=current_actor())
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@require(Permission.ACCOUNT_SELF)
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user_service.change_password(
                current_user,
                form.current_password.data or "",
                form.new_password.data or "",
                policy=_policy(),
                actor=current_actor(),
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "new_password").errors.append(error.message)
        else:
            login_user(current_user._get_current_object())  # session version changed: renew this one
            start_session()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form, policy=_policy())
