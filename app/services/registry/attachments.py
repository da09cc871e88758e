"""Attachments (附件): scans of the documents on a household's file.

A scan is a PDF, JPEG or PNG file, recognised by its content, never by its name: the name
must end the way the content begins (a PNG named ``.pdf`` is refused), the file must be
whole (a PDF with its ``%%EOF``, a JPEG with its end marker, a PNG with its ``IEND``
chunk), and a PDF that would run something (JavaScript, a launch action, an embedded
file) is refused. Its size is capped (``ATTACHMENT_MAX_BYTES``).

The file is kept outside the database, in ``ATTACHMENTS_FOLDER`` (default
``instance/attachments``), under a random name readable by the server's user only; the
database keeps the name it was uploaded under, its type, size and SHA-256. A download is
served only to someone whose units hold the file, and is written to the audit log.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models.registry import ATTACHMENT_FORMATS, Attachment, Evidence, Worker
from app.services.audit import Actor, record
from app.services.errors import InvalidInput, NotFound
from app.services.inputs import clean_text
from app.services.scope import Scope

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
#: The endings a file's name may have, by the type its content must be.
EXTENSIONS = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: What a PDF may not hold: it is a scan to read, not a program to run.
_PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/OpenAction")


class AttachmentRefused(InvalidInput):
    """An uploaded scan refused: not what it says it is, too large, or empty."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class Upload:
    """A scan as it came in (at most the cap and one byte of it), with the random name it
    will be kept under; :func:`attach` checks it before anything is kept."""

    name: str
    data: bytes
    stored_name: str


def folder() -> Path:
    configured = current_app.config.get("ATTACHMENTS_FOLDER") or ""
    return Path(configured or Path(current_app.instance_path) / "attachments")


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _content_type(data: bytes) -> str | None:
    """The type the content is, or None when it is none of the three or not whole."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return PDF
    if data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data[-64:]:
        return JPEG
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR" and b"IEND" in data[-16:]:
        return PNG
    return None


def receive(stream: IO[bytes], filename: str) -> Upload:
    """Read an uploaded scan, at most the cap and one byte (more is refused by :func:`check`)."""
    return Upload(
        name=clean_text(Path(filename or "").name, 200),
        data=stream.read(max_bytes() + 1),
        stored_name=secrets.token_hex(16),
    )


def check(upload: Upload) -> str:
    """The scan's type (its MIME type) if it may be kept; otherwise raises
    :class:`AttachmentRefused` with the reason, at the ``file`` field."""
    limit = max_bytes()
    if not upload.data:
        raise AttachmentRefused(_("Choose the scan to attach (PDF, JPG or PNG)."))
    if len(upload.data) > limit:
        raise AttachmentRefused(
            _("The file is larger than %(mb)s MB: scan it again at a lower resolution.", mb=limit // 2**20)
        )
    claimed = EXTENSIONS.get(Path(upload.name).suffix.lower())
    if claimed is None:
        raise AttachmentRefused(_("Only PDF, JPG or PNG scans can be attached."))
    actual = _content_type(upload.data)
    if actual is None or actual != claimed:
        raise AttachmentRefused(
            _(
                "The file's name says %(format)s, but its content is not a whole %(format)s file:"
                " only whole PDF, JPG or PNG scans.",
                format=ATTACHMENT_FORMATS[claimed],
            )
        )
    if actual == PDF and any(marker in upload.data for marker in _PDF_ACTIVE):
        raise AttachmentRefused(_("The PDF holds scripts or embedded files: attach a plain scan."))
    return actual


def write(upload: Upload) -> Path:
    """Put the scan in the folder under its random name, readable by the server only.
    Writing it twice (a retried step) leaves the same file."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = target / upload.stored_name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(upload.data)
    os.chmod(path, 0o600)
    return path


def discard(upload: Upload | None) -> None:
    """Remove the file of a scan whose step was refused (nothing on file points to it)."""
    if upload is not None:
        (folder() / upload.stored_name).unlink(missing_ok=True)


def attach(evidence: Evidence, upload: Upload, *, actor: Actor) -> Attachment:
    """Check the scan, keep it and record it on the document; audited under the file.
    Refused, nothing is kept (the caller discards the file of a step that fails later)."""
    content_type = check(upload)
    write(upload)
    item = Attachment(
        evidence_id=evidence.id,
        stored_name=upload.stored_name,
        original_name=upload.name,
        content_type=content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        uploaded_by_id=actor.user_id,
    )
    db.session.add(item)
    db.session.flush()
    record(
        "worker.attachment",
        actor=actor,
        object_type="worker",
        object_id=evidence.worker_id,
        unit_id=evidence.worker.unit_id,
        details={
            "new": {
                "attachment": item.id,
                "evidence": evidence.id,
                "name": item.original_name,
                "size": item.size,
                "sha256": item.sha256,
            }
        },
    )
    return item


def get_attachment(attachment_id: int, unit_ids: list[int] | None) -> Attachment:
    """The attachment, if a unit of ``unit_ids`` (None: every unit) holds its file."""
    item = db.session.get(Attachment, attachment_id)
    if item is None or (unit_ids is not None and item.evidence.worker.unit_id not in unit_ids):
        raise NotFound(_("No such attachment."))
    return item


def open_for_download(item: Attachment, *, actor: Actor) -> Path:
    """The path of the scan to send, after recording the download in the audit log (the
    caller commits before sending). A file missing from the folder is a NotFound."""
    path = folder() / item.stored_name
    if not path.is_file():
        raise NotFound(_("The scan is missing from the attachments folder."))
    record(
        "worker.attachment_download",
        actor=actor,
        object_type="worker",
        object_id=item.evidence.worker_id,
        unit_id=item.evidence.worker.unit_id,
        details={"attachment": item.id, "name": item.original_name, "sha256": item.sha256},
    )
    return path


def manifest_rows(scope: Scope) -> list[dict[str, object]]:
    """The attachments of the files ``scope`` holds, as the audit package's manifest lists
    them: id, document, name, size and SHA-256 (the scans themselves stay in the folder)."""
    query = (
        select(Attachment, Evidence.worker_id)
        .join(Evidence, Attachment.evidence_id == Evidence.id)
        .join(Worker, Evidence.worker_id == Worker.id)
        .order_by(Attachment.id)
    )
    if not scope.is_everywhere:
        query = query.where(Worker.unit_id.in_(scope.unit_ids))
    return [
        {
            "id": item.id,
            "evidence": item.evidence_id,
            "worker": worker_id,
            "name": item.original_name,
            "size": item.size,
            "sha256": item.sha256,
        }
        for item, worker_id in db.session.execute(query)
    ]
