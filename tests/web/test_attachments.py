"""Scans attached to the documents on file: kept in the attachments folder under a random
name (0600) with their SHA-256, refused when they lie about their type or are too big,
downloaded only within the unit's scope and every download audited, and listed by SHA-256
in the audit package's manifest."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import Attachment, AuditEntry, Evidence, User
from app.services.audit import Actor
from app.services.audit_export import package
from app.services.registry import attachments
from tests.conftest import PASSWORD
from tests.units.test_two_districts import city  # noqa: F401 (the fixture)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def _login(client, make_user, username: str, unit: str, role: str = "caseworker") -> None:
    make_user(role, username, unit=unit)
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302


def _send(client, worker_id: int, data: bytes, name: str, **fields: str):
    form = {"kind": "household_register", "reference": "户口簿", "received_on": "2015-03-02", **fields}
    form["file"] = FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream")
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(form)
    return client.post(
        f"/workers/{worker_id}/evidence", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _downloads() -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == "worker.attachment_download"))


def _folder(app) -> Path:
    with app.test_request_context():
        return attachments.folder()


def test_a_scan_is_kept_under_a_random_name_readable_by_the_server_only(app, client, make_user, city):  # noqa: F811
    worker_id = city["711002"]["worker"]
    _login(client, make_user, "cw-qiaoxi", "711002")
    scan = png()
    answer = _send(client, worker_id, scan, "户口簿 扫描.png")
    assert answer.status_code == 302
    item = db.session.execute(select(Attachment)).scalar_one()
    assert item.sha256 == hashlib.sha256(scan).hexdigest() and item.size == len(scan)
    assert item.original_name == "户口簿 扫描.png" and item.content_type == "image/png"
    kept = list(_folder(app).iterdir())
    assert [p.name for p in kept] == [item.stored_name] and "户口簿" not in item.stored_name
    assert kept[0].read_bytes() == scan
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    page = client.get(f"/workers/{worker_id}").get_data(as_text=True)
    assert f'href="/attachments/{item.id}"' in page and "扫描件 户口簿 扫描</a>" in page and "（PNG，" in page
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "worker.attachment")
    ).scalar_one()
    assert json.loads(entry.details)["new"]["sha256"] == item.sha256


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (png(), "低保证.pdf"),  # a PNG named .pdf
        (PDF, "户口簿.png"),  # a PDF named .png
        (b"MZ\x90\x00 not a scan at all", "扫描.jpg"),  # a program named .jpg
        (b"<html><script>alert(1)</script></html>", "扫描.png"),
        (PDF[:40], "半截.pdf"),  # not whole
        (JPEG[:30], "半截.jpg"),
        (
            PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>"),
            "脚本.pdf",
        ),
        (png(), "扫描.exe"),
    ],
)
def test_a_file_that_lies_about_its_type_is_refused_at_its_field_and_nothing_kept(
    app,
    client,
    make_user,
    city,  # noqa: F811
    data,
    name,
):
    worker_id = city["711002"]["worker"]
    _login(client, make_user, "cw-qiaoxi", "711002")
    evidence_before = _count(Evidence)
    answer = _send(client, worker_id, data, name)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert '<p class="error" id="file-error">' in page
    assert any(word in page for word in ("内容并非完整的", "只能上传", "含有脚本"))
    assert _count(Evidence) == evidence_before and _count(Attachment) == 0  # not even the document
    assert not _folder(app).exists() or list(_folder(app).iterdir()) == []
    refused = (
        db.session.execute(select(AuditEntry).where(AuditEntry.action == "step.refused")).scalars().all()
    )
    assert refused  # the refusal is on the audit log like any other


def test_a_file_over_the_cap_is_refused(app, client, make_user, city):  # noqa: F811
    app.config["ATTACHMENT_MAX_BYTES"] = 2 * 1024 * 1024
    worker_id = city["711002"]["worker"]
    _login(client, make_user, "cw-qiaoxi", "711002")
    big = PDF[:-7] + b"\n%" + b"0" * (2 * 1024 * 1024) + b"\n%%EOF\n"
    answer = _send(client, worker_id, big, "大扫描.pdf")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert '<p class="error" id="file-error">文件超过 2 MB' in page
    assert _count(Attachment) == 0
    assert _send(client, worker_id, PDF, "小扫描.pdf").status_code == 302  # under the cap: kept
    assert _count(Attachment) == 1


def test_without_a_scan_the_document_is_recorded_and_a_bad_date_is_shown_at_its_field(
    client,
    make_user,
    city,  # noqa: F811
):
    worker_id = city["711002"]["worker"]
    _login(client, make_user, "cw-qiaoxi", "711002")
    answer = client.post(
        f"/workers/{worker_id}/evidence", data={"kind": "household_register", "received_on": "很多"}
    )
    assert answer.status_code == 422
    assert 'id="received_on-error">请' in answer.get_data(as_text=True)
    answer = client.post(
        f"/workers/{worker_id}/evidence", data={"kind": "household_register", "received_on": "2015-03-02"}
    )
    assert answer.status_code == 302 and _count(Evidence) == 1 and _count(Attachment) == 0


def test_a_download_is_served_within_the_unit_and_audited_never_across_units(app, client, make_user, city):  # noqa: F811
    worker_id = city["711002"]["worker"]
    _login(client, make_user, "cw-qiaoxi", "711002")
    _send(client, worker_id, JPEG, "病历.jpg")
    item = db.session.execute(select(Attachment)).scalar_one()
    client.post("/logout")

    _login(client, make_user, "cw-qiaodong", "711003")
    for path in (f"/attachments/{item.id}", f"/attachments/{item.id + 1000}"):
        answer = client.get(path)
        assert answer.status_code == 404 and JPEG not in answer.data
    assert _downloads() == 0  # nothing served, nothing recorded
    client.post("/logout")

    _login(client, make_user, "cw-qiaoxi-2", "711002", role="reviewer")
    with client.get(f"/attachments/{item.id}") as answer:
        assert answer.status_code == 200 and answer.data == JPEG
        assert answer.mimetype == "image/jpeg"
        assert answer.headers["Content-Disposition"] == "attachment; filename*=UTF-8''%E7%97%85%E5%8E%86.jpg"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "worker.attachment_download")
    ).scalar_one()
    assert json.loads(entry.details)["sha256"] == item.sha256 and entry.object_id == str(worker_id)
    client.post("/logout")

    _login(client, make_user, "au-city", "7110", role="auditor")
    log = client.get("/audit/?actions=worker.attachment_download").get_data(as_text=True)
    assert "下载扫描件" in log


def test_the_audit_package_lists_the_units_scans_by_sha256(app, client, make_user, city):  # noqa: F811
    _login(client, make_user, "cw-qiaoxi", "711002")
    _send(client, city["711002"]["worker"], PDF, "低保证.pdf")
    client.post("/logout")
    _login(client, make_user, "cw-qiaodong", "711003")
    _send(client, city["711003"]["worker"], png(), "户口簿.png")
    ours, theirs = db.session.execute(select(Attachment).order_by(Attachment.id)).scalars().all()

    for unit, listed, unlisted in (("711002", ours, theirs), ("711003", theirs, ours)):
        auditor = make_user("auditor", f"au-{unit}", unit=unit)
        actor = Actor.of(db.session.get(User, auditor.id))
        manifest = package.write_package(2015, io.BytesIO(), actor=actor)
        db.session.rollback()
        assert manifest["attachments"] == [
            {
                "id": listed.id,
                "evidence": listed.evidence_id,
                "worker": listed.evidence.worker_id,
                "name": listed.original_name,
                "size": listed.size,
                "sha256": listed.sha256,
            }
        ]
        assert unlisted.sha256 not in str(manifest)
