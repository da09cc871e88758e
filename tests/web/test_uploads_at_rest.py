"""An uploaded sheet holds whole ID numbers: no file the product leaves behind holds one in
plain text — after an import, after an import whose process was killed midway, after a
backup, and after a refused upload. Every byte of every file under the test's folder is
read (the instance folder, the jobs folder, the SQLite database; ZIP members unpacked);
on PostgreSQL the backup's dump stands for the database."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from app.extensions import db
from app.services import pending_uploads
from tests.conftest import PASSWORD, wait_for_job
from tests.registry_helpers import make_id
from tests.services.test_registry_import import _row, _xlsx

SEQUENCES = range(501, 541)


def _sheet() -> tuple[bytes, list[str]]:
    ids = [make_id(seq) for seq in SEQUENCES]
    return _xlsx([_row(seq) for seq in SEQUENCES]), ids


def _leaks(root: Path, ids: list[str]) -> list[str]:
    """Files under ``root`` holding a whole ID number, ZIP members read unpacked."""
    found = []
    needles = [i.encode() for i in ids] + [i.lower().encode() for i in ids if i.endswith("X")]
    for path in (p for p in root.rglob("*") if p.is_file()):
        contents = [("", path.read_bytes())]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                contents += [(f"!{name}", archive.read(name)) for name in archive.namelist()]
        found += [f"{path}{member}" for member, data in contents if any(n in data for n in needles)]
    return found


def _upload(client, content: bytes, name: str = "名单.xlsx") -> str:
    return client.post(
        "/workers/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    ).get_data(as_text=True)


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def _imports(app) -> list[Path]:
    return sorted(pending_uploads.folder(app).iterdir())


def test_an_upload_waits_sealed_and_an_import_leaves_no_id_number_on_disk(app, client, auth, world, tmp_path):
    auth.login("caseworker")
    content, ids = _sheet()
    page = _upload(client, content)
    waiting = _imports(app)
    assert len(waiting) == 1 and waiting[0].stat().st_mode & 0o777 == 0o600
    assert _leaks(tmp_path, ids) == []  # sealed while it waits for "import"
    started = client.post("/workers/import/confirm", data={"token": _token(page), "unit": "711002"})
    assert _imports(app) == []  # taken at the start: the job holds it in memory
    finished = wait_for_job(client, started.headers["Location"])
    assert f"已建档 {len(SEQUENCES)} 户" in finished
    assert _leaks(tmp_path, ids) == []


def test_a_refused_upload_is_answered_at_the_file_field_and_keeps_nothing(app, client, auth, world, tmp_path):
    auth.login("caseworker")
    page = _upload(client, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "名单.xlsx")
    assert re.search(r'<p class="error" id="file-error">[^<]*PNG', page)
    assert 'aria-invalid="true"' in page
    assert _imports(app) == []


_KILLED = textwrap.dedent(
    """
    import os, re, signal, sys, time
    from io import BytesIO
    from app import create_app

    url, instance, jobs, username, password = sys.argv[1:6]
    content = sys.stdin.buffer.read()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=instance, JOBS_FOLDER=jobs)
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302

    def upload():
        page = client.post("/workers/import", data={"file": (BytesIO(content), "名单.xlsx")},
                           content_type="multipart/form-data").get_data(as_text=True)
        return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)

    upload()  # a second upload, left waiting
    client.post("/workers/import/confirm", data={"token": upload(), "unit": "711002"})
    time.sleep(0.05)  # the job is under way
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_an_import_killed_midway_leaves_no_id_number_on_disk(app, auth, world, tmp_path, make_app):
    user = auth.login("caseworker")
    user_id = user.id
    content, ids = _sheet()
    instance = Path(app.instance_path)
    username = user.username
    db.session.commit()
    db.session.remove()  # the other process needs SQLite's write lock
    killed = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [
            sys.executable,
            "-c",
            _KILLED,
            app.config["SQLALCHEMY_DATABASE_URI"],
            str(instance),
            app.config["JOBS_FOLDER"],
            username,
            PASSWORD,
        ],
        input=content,
        capture_output=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    # What an older version left: the plain sheet of a killed import, and an expired seal.
    folder = pending_uploads.folder(app)
    (folder / f"{user_id}-LeftByAKilledImport.xlsx").write_bytes(content)
    expired = folder / f"{user_id}-{'e' * 22}.xlsx.sealed"
    expired.write_bytes(b"sealed long ago")
    os.utime(expired, (1, 1))
    assert _leaks(tmp_path, ids) != []
    make_app()  # the app starts again: swept
    left = _imports(app)
    assert [p.name.endswith(".sealed") for p in left] == [True]  # the upload left waiting, sealed
    assert _leaks(tmp_path, ids) == []


def test_a_backup_after_an_import_holds_no_whole_id_number(app, client, auth, world, tmp_path):
    auth.login("caseworker")
    content, ids = _sheet()
    started = client.post(
        "/workers/import/confirm", data={"token": _token(_upload(client, content)), "unit": "711002"}
    )
    assert f"已建档 {len(SEQUENCES)} 户" in wait_for_job(client, started.headers["Location"])
    out = Path(app.instance_path) / "backups" / "backup.zip"
    out.parent.mkdir(exist_ok=True)
    created = app.test_cli_runner().invoke(args=["backup", "create", "--out", str(out)])
    assert created.exit_code == 0, created.output
    assert out.stat().st_mode & 0o777 == 0o600
    assert _leaks(tmp_path, ids) == []
