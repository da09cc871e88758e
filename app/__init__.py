"""帮扶通: hardship-aid case management for trade unions."""

from __future__ import annotations

import os

from flask import Flask, has_request_context, redirect, request, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user

from app.database import configure_sqlite
from app.extensions import babel, csrf, db, login_manager, migrate
from config import CONFIGS, INSTANCE_DIR

# Endpoints a user who must first change the one-time password may still reach.
_PASSWORD_EXEMPT = frozenset({"auth.change_password", "auth.logout"})


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def create_app(config_name: str | None = None, **overrides: object) -> Flask:
    """Build the application for ``development``, ``testing`` or ``production``."""
    config_name = config_name or os.environ.get("APP_CONFIG", "development")
    app = Flask(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    _check_production_settings(app, config_name)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "migrations"))
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT"])

    from app import models  # noqa: F401  (register the tables with the metadata)
    from app.auth import bp as auth_bp
    from app.auth.loader import install_user_loader
    from app.cli import register_cli
    from app.funds import bp as funds_bp
    from app.money import capitals, format_yuan

    install_user_loader(login_manager)
    app.register_blueprint(auth_bp)
    app.register_blueprint(funds_bp)
    register_cli(app)

    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["capitals"] = capitals
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.globals["get_locale"] = get_locale

    @app.before_request
    def _require_login() -> object:
        # Deny by default: only endpoints marked public skip the log-in check.
        view = app.view_functions.get(request.endpoint or "")
        if request.endpoint is None or request.endpoint == "static" or getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in _PASSWORD_EXEMPT:
            return redirect(url_for("auth.change_password"))
        return None

    return app


def _select_locale() -> str:
    """Chinese unless the page is asked for in English (``?lang=en``)."""
    if has_request_context():
        chosen = request.args.get("lang") or request.cookies.get("lang")
        if chosen in ("zh_CN", "en"):
            return chosen
    return "zh_CN"


def _check_production_settings(app: Flask, config_name: str) -> None:
    if config_name != "production":
        return
    if not app.config.get("SECRET_KEY"):
        raise ConfigurationError("SECRET_KEY must be set in the environment in production.")
    if not app.config.get("DATA_KEY"):
        raise ConfigurationError("DATA_KEY must be set in the environment in production.")
    if app.debug:
        raise ConfigurationError("Debug mode is refused in production.")
