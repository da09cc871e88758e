"""Backups that can be trusted: a consistent copy taken while the app is in use, with
a checksum, and a restore that checks the checksum before it touches anything.

SQLite: the online backup API (readers and writers carry on). PostgreSQL: pg_dump's
custom format, restored with pg_restore. Each backup is one ZIP holding the dump and
a manifest (database kind, schema revision, time, SHA-256 of the dump).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from app.models.types import utcnow
from app.services.errors import DomainError

DUMP_NAME = "database.dump"


class BackupError(DomainError):
    """The backup could not be written, or a file is not a sound backup."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_args(engine: Engine) -> tuple[list[str], dict[str, str]]:
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return [*args, "-d", url.database or ""], env


def create(engine: Engine, out: Path) -> dict[str, Any]:
    """Write a backup ZIP of the database behind ``engine``; return its manifest."""
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DUMP_NAME
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(str(engine.url.database))
            target = sqlite3.connect(str(dump))
            try:
                source.backup(target)  # a consistent snapshot, page by page, while others work
            finally:
                target.close()
                source.close()
        else:
            args, env = _pg_args(engine)
            result = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
                ["pg_dump", "--format=custom", "--no-owner", *args, "-f", str(dump)],  # noqa: S607
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
        manifest = {
            "format": "bangfutong/backup@1",
            "database": engine.dialect.name,
            "revision": revision,
            "created_at": utcnow().isoformat(),
            "sha256": _sha256(dump),
            "size": dump.stat().st_size,
        }
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(dump, DUMP_NAME)
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest


def restore(engine: Engine, backup: Path) -> dict[str, Any]:
    """Check a backup and restore it into the (empty or to-be-replaced) database."""
    try:
        archive = zipfile.ZipFile(backup)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError("not a backup file") from exc
    with archive, tempfile.TemporaryDirectory() as scratch:
        try:
            manifest = json.loads(archive.read("manifest.json"))
            archive.extract(DUMP_NAME, scratch)
        except (KeyError, ValueError) as exc:
            raise BackupError("the backup has no manifest or no dump") from exc
        dump = Path(scratch) / DUMP_NAME
        if manifest.get("sha256") != _sha256(dump):
            raise BackupError("the checksum does not match: the backup is damaged")
        if manifest.get("database") != engine.dialect.name:
            raise BackupError(f"a {manifest.get('database')} backup cannot go into {engine.dialect.name}")
        engine.dispose()
        if engine.dialect.name == "sqlite":
            target = Path(str(engine.url.database))
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(dump, target)
        else:
            args, env = _pg_args(engine)
            result = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
                ["pg_restore", "--clean", "--if-exists", "--no-owner", *args, str(dump)],  # noqa: S607
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
    return manifest
