"""Request-level protection: deny by default, session lifetimes, headers, rate limits.

- Every endpoint must be public or declare a permission; the app will not start
  otherwise, and an undeclared endpoint is refused at request time as well.
- A session ends after ``SESSION_IDLE_MINUTES`` without a request and after
  ``SESSION_MAX_HOURS`` in all; bumping the user's session version ends every
  session of that user at once (see ``app/auth/loader.py``).
- Security headers on every response (Flask-Talisman), ``Cache-Control: no-store``
  on everything a signed-in user sees, log-in attempts rate-limited per address.
"""

from __future__ import annotations

import time

from flask import Flask, Response, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from app.auth.permissions import declared
from app.extensions import limiter, login_manager

# Endpoints a user who must first change the password may still reach.
PASSWORD_EXEMPT = frozenset({"auth.change_password", "auth.logout"})

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class UndeclaredEndpoint(RuntimeError):
    """A view declares neither a permission nor that it is public."""


def check_every_view_declares(app: Flask) -> None:
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not declared(view)
    ]
    if missing:
        raise UndeclaredEndpoint(f"views without a permission: {', '.join(sorted(missing))}")


def start_session() -> None:
    """Call right after ``login_user``: starts the idle and absolute clocks."""
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now


def install_security(app: Flask) -> None:
    production = app.config.get("ENV_NAME") == "production"
    proxies = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if proxies:
        # Behind nginx the client's address and the scheme it used come in X-Forwarded-For and
        # X-Forwarded-Proto (deploy/nginx/bangfutong.conf): the log, the rate limits and
        # request.is_secure then see the client's, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    # One Talisman per app: its settings live on the instance, not in app.config.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=production,
        strict_transport_security=production,
        strict_transport_security_max_age=31536000,
        session_cookie_secure=production,
        session_cookie_http_only=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
    )
    from app import rate_limits  # noqa: F401  (registers the database:// rate-limit store)

    limiter.init_app(app)

    @app.before_request
    def _access() -> Response | None:
        endpoint = request.endpoint
        if endpoint is None or endpoint == "static":
            return None
        view = app.view_functions.get(endpoint)
        if getattr(view, "is_public", False) or getattr(view, "is_api", False):
            return None  # API views check their bearer token and permission themselves
        if not current_user.is_authenticated:
            return login_manager.unauthorized()  # type: ignore[no-any-return]
        if _session_expired():
            logout_user()
            session.clear()
            flash(_("Your session has ended. Please log in again."), "info")
            return redirect(
                url_for("auth.login", next=request.full_path if request.method == "GET" else None)
            )
        session["seen_at"] = int(time.time())
        if current_user.must_change_password and endpoint not in PASSWORD_EXEMPT:
            return redirect(url_for("auth.change_password"))
        if view is None or not declared(view):
            abort(403)
        return None

    @app.after_request
    def _no_store(response: Response) -> Response:
        # Signed-in pages and every API answer may carry personal data: never cached.
        if request.endpoint != "static" and (
            request.path.startswith("/api/") or (current_user and current_user.is_authenticated)
        ):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


def _session_expired() -> bool:
    from flask import current_app

    now = time.time()
    started = session.get("auth_at")
    seen = session.get("seen_at", started)
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return True
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    total = current_app.config["SESSION_MAX_HOURS"] * 3600
    return now - seen > idle or now - started > total
