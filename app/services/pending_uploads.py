"""An uploaded sheet between its check and its import: never on disk in plain text.

A sheet holds whole ID numbers. Between the check (the report shown) and the person's
"import", it waits in ``instance/imports/`` sealed with AES-256-GCM under a key derived
from ``DATA_KEY`` (another purpose than the database's values), written 0600 and bound to
its owner and token. Starting the import opens it and deletes it at once: the job works
on the bytes in memory, so a killed import leaves nothing behind. What is not claimed is
deleted after :data:`TTL_SECONDS`; the sweep runs at app start, at each upload and each
import's start, and also removes anything else found there (an older version's plain
files, a half-written seal).

The request's upload itself is kept in memory, not in a temporary file
(:class:`InMemoryUploadsRequest`; ``MAX_CONTENT_LENGTH`` bounds it).
"""

from __future__ import annotations

import io
import os
import re
import secrets
import time
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, Request, current_app

TTL_SECONDS = 3600
_SEALED = re.compile(r"^(\d+)-([A-Za-z0-9_-]{16,64})\.(xlsx|csv)\.sealed$")


class InMemoryUploadsRequest(Request):
    """Uploaded files held in memory, never spooled to a temporary file on disk."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


def folder(app: Flask | None = None) -> Path:
    path = Path((app or current_app).instance_path) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _key(app: Flask | None = None) -> bytes:
    secret = (app or current_app).config.get("DATA_KEY") or ""
    if not secret:
        raise RuntimeError("DATA_KEY is not configured")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"bangfutong/uploads/v1").derive(
        secret.encode("utf-8")
    )


def _name(user_id: int, token: str, kind: str) -> str:
    return f"{user_id}-{token}.{kind}.sealed"


def save(user_id: int, kind: str, content: bytes) -> str:
    """Seal a checked upload (``kind`` "xlsx" or "csv") for its owner; return its token."""
    sweep()
    token = secrets.token_urlsafe(16)
    name = _name(user_id, token, kind)
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(_key()).encrypt(nonce, content, name.encode())
    path = folder() / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(sealed)
    return token


def take(user_id: int, token: str) -> tuple[str, str, bytes] | None:
    """Open and delete the owner's sealed upload: (kind, its name, the bytes), or None
    when there is none (expired, someone else's, damaged, sealed under another key)."""
    sweep()
    for kind in ("xlsx", "csv"):
        name = _name(user_id, token, kind)
        if not _SEALED.match(name):
            return None
        path = folder() / name
        try:
            sealed = path.read_bytes()
        except FileNotFoundError:
            continue
        finally:
            path.unlink(missing_ok=True)
        try:
            return (
                kind,
                f"{user_id}-{token}.{kind}",
                AESGCM(_key()).decrypt(sealed[:12], sealed[12:], name.encode()),
            )
        except (InvalidTag, ValueError):
            return None
    return None


def sweep(app: Flask | None = None, *, max_age: int = TTL_SECONDS) -> int:
    """Delete expired seals and anything in the folder that is not a seal; return how many."""
    removed = 0
    oldest = time.time() - max_age
    for path in folder(app).iterdir():
        try:
            if path.is_dir() or (_SEALED.match(path.name) and path.stat().st_mtime >= oldest):
                continue
            path.unlink(missing_ok=True)
            removed += 1
        except FileNotFoundError:  # another process swept it first
            continue
    return removed
