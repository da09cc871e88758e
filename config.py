"""Configuration classes, selected by name in ``create_app(config_name)``.

The embedded default is a SQLite file in ``instance/``; ``DATABASE_URL`` selects
another database (PostgreSQL through psycopg 3 in production).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def normalise_database_url(url: str) -> str:
    """Point plain ``postgres://`` / ``postgresql://`` URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'bangfutong.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Key for ID-number encryption and blind indexes; production must set it.
    DATA_KEY: str | None = os.environ.get("DATA_KEY")

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None

    # Seconds a SQLite writer waits for the write lock before giving up.
    SQLITE_BUSY_TIMEOUT = 30

    # Log-in policy (等保 2.0 level 2 by default; see README "Security settings").
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))  # 0: never expire
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 10
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")
    # Days an API token works after it is issued (environment); it ends sooner on lock-out,
    # disable, password reset or revocation.
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
    SESSION_IDLE_MINUTES = 30
    SESSION_MAX_HOURS = 12
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    # Rate-limit counters, shared by every server process: the application's database by
    # default (app/rate_limits.py), or redis://... where the deployment has Redis.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "database://")
    RATELIMIT_HEADERS_ENABLED = True
    # Number of reverse proxies in front of the app whose X-Forwarded-For and X-Forwarded-Proto
    # are trusted (deploy/nginx/bangfutong.conf sets both; 1 behind one nginx).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Caps on an uploaded spreadsheet, checked while it is streamed, before it is parsed
    # (app/services/upload_checks.py): rows below the header, columns, characters in one
    # cell, cells in all, bytes it unpacks to, ZIP members, compression ratio.
    UPLOAD_MAX_ROWS = int(os.environ.get("UPLOAD_MAX_ROWS", "20000"))
    UPLOAD_MAX_COLUMNS = 60
    UPLOAD_MAX_CELL_CHARS = 2000
    UPLOAD_MAX_CELLS = 1_200_000
    UPLOAD_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
    UPLOAD_MAX_MEMBERS = 200
    UPLOAD_MAX_RATIO = 100
    # Background jobs (exports, imports): a running job beats its heartbeat this often; one
    # whose heartbeat is this old was interrupted (its process died). The files they make
    # (audit packages hold personal data) are deleted this many hours after they finish.
    JOBS_FOLDER = os.environ.get("JOBS_FOLDER", "")  # default: instance/jobs
    # Scans attached to documents on file (app/services/registry/attachments.py): kept in this
    # folder under random names, outside the database; one scan at most this many bytes.
    ATTACHMENTS_FOLDER = os.environ.get("ATTACHMENTS_FOLDER", "")  # default: instance/attachments
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
    JOB_HEARTBEAT_SECONDS = 15
    JOB_STALE_SECONDS = 120
    JOB_RESULT_RETENTION_HOURS = int(os.environ.get("JOB_RESULT_RETENTION_HOURS", "24"))
    # Up to this many ledger entries in the year, the reconciliation page checks on the spot
    # (tens of milliseconds); past it, it shows the latest stored run (see README).
    RECONCILE_PAGE_MAX_ENTRIES = int(os.environ.get("RECONCILE_PAGE_MAX_ENTRIES", "20000"))
    # A bank's answer (回盘) for a batch of more lines than this is recorded as a background
    # job with its progress page (about 8 ms a line on PostgreSQL); a smaller one at once.
    BATCH_ANSWER_JOB_LINES = int(os.environ.get("BATCH_ANSWER_JOB_LINES", "200"))
    ENV_NAME = "development"


class DevelopmentConfig(Config):
    DEBUG = False  # `make run` serves without the debugger: it is reachable on the LAN
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"
    DATA_KEY = Config.DATA_KEY or "dev-only-data-key"


class TestingConfig(Config):
    TESTING = True
    ENV_NAME = "testing"
    SECRET_KEY = "testing-secret"  # noqa: S105 (tests only)
    DATA_KEY = "testing-data-key"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite:///" + str(INSTANCE_DIR / "test.sqlite3"))
    )
    WTF_CSRF_ENABLED = False
    # Cheap hashing for speed; production keeps the memory-hard defaults.
    ARGON2_TIME_COST = 1
    # Tests log in hundreds of times a minute from one address; the rate-limit test sets its own.
    LOGIN_RATE_LIMIT = "100000 per minute"
    ARGON2_MEMORY_KIB = 1024


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
