"""帮扶通: hardship-aid case management for trade unions."""

from __future__ import annotations

import os

from flask import Flask, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale

from app.database import configure_sqlite
from app.extensions import babel, csrf, db, login_manager, migrate
from config import CONFIGS, INSTANCE_DIR

MIGRATIONS_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "migrations"))


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def create_app(config_name: str | None = None, **overrides: object) -> Flask:
    """Build the application for ``development``, ``testing`` or ``production``."""
    config_name = config_name or os.environ.get("APP_CONFIG", "development")
    # INSTANCE_PATH (an override; tests give each their own folder) or the checkout's instance/.
    instance = str(overrides.pop("INSTANCE_PATH", None) or INSTANCE_DIR)
    app = Flask(__name__, template_folder="../templates", instance_path=instance)
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    from app.params import DbIntConverter

    app.url_map.converters["int"] = DbIntConverter
    _check_production_settings(app, config_name)
    # Every file the product writes (the database, backups, uploads, job results such as
    # audit packages) can hold personal data: readable by the service's own account only.
    os.umask(0o077)
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    from app.services import pending_uploads

    # Uploads are held in memory, never spooled to a temporary file; what a killed
    # process left in instance/imports/ is swept now (app/services/pending_uploads.py).
    app.request_class = pending_uploads.InMemoryUploadsRequest
    pending_uploads.sweep(app)

    from app.log import install_safe_logging

    install_safe_logging()
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT"])

    from app import models  # noqa: F401  (register the tables with the metadata)
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.audit import bp as audit_bp
    from app.auth import bp as auth_bp
    from app.auth.loader import install_user_loader
    from app.auth.permissions import Permission, can
    from app.batches import bp as batches_bp
    from app.books import bp as books_bp
    from app.cases import bp as cases_bp
    from app.cli import register_cli
    from app.errors import install_error_pages
    from app.funds import bp as funds_bp
    from app.home import bp as home_bp
    from app.jobs import bp as jobs_bp
    from app.labels import label
    from app.money import capitals, format_yuan
    from app.registry import bp as registry_bp
    from app.reports import bp as reports_bp
    from app.review import bp as review_bp
    from app.security import check_every_view_declares, install_security
    from app.year_end import bp as year_end_bp

    install_user_loader(login_manager)
    install_security(app)
    install_error_pages(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(funds_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(registry_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(batches_bp)
    app.register_blueprint(books_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(year_end_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(admin_bp)
    register_cli(app)
    check_every_view_declares(app)

    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["capitals"] = capitals
    app.jinja_env.filters["label"] = lambda code, kind: label(kind, code)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals.update(get_locale=get_locale, can=can, Permission=Permission)
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
    if app.debug or os.environ.get("FLASK_DEBUG") not in (None, "", "0", "false"):
        raise ConfigurationError("Debug mode is refused in production.")
