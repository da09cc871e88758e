"""Long exports and imports run as background jobs whose page shows a progress bar."""

from __future__ import annotations

import io
import threading
import time
import zipfile

from sqlalchemy import func, select, update

from app.database import read_only
from app.extensions import db
from app.models import AuditEntry, User
from app.models.jobs import Job
from app.services import jobs
from app.services.errors import InvalidInput
from tests.conftest import wait_for_job


def test_the_audit_package_is_prepared_in_the_background_and_downloaded(client, auth, world):
    auditor = auth.login("auditor")
    audit_page = client.get("/audit/").get_data(as_text=True)
    assert "生成 2015 年度审计包" in audit_page
    started = client.post("/audit/export/start", data={"year": "2015"}, follow_redirects=True)
    assert started.request.path.startswith("/jobs/")
    assert "<progress" in started.get_data(as_text=True)
    finished = wait_for_job(client, started.request.path)
    assert "2015 年度审计包已生成" in finished and "下载" in finished
    with client.get(f"{started.request.path}/download") as download:
        assert download.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert "manifest.json" in archive.namelist() and "ledger.csv" in archive.namelist()
    exports = db.session.execute(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "export.audit_package", AuditEntry.actor_id == auditor.id)
    ).scalar_one()
    assert exports == 1
    # Someone else's job is no one else's business.
    auth.logout()
    auth.login("auditor", "another-auditor")
    assert client.get(started.request.path).status_code == 404
    assert client.get(f"{started.request.path}/download").status_code == 404


def test_the_page_shows_how_far_a_job_has_got_and_then_its_result(app, client, auth, world):
    user = auth.login("caseworker")
    halfway, finish = threading.Event(), threading.Event()

    def work(progress: jobs.Progress) -> tuple[str, None]:
        progress(3, 10, "正在检查各行")
        halfway.set()
        assert finish.wait(timeout=60)
        progress(10, 10, "正在建档")
        return "完成了。", None

    job = jobs.start("test", user_id=db.session.get(User, user.id).id, work=work)
    assert halfway.wait(timeout=60)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    db.session.rollback()
    assert (
        'http-equiv="refresh"' in page
        and 'value="30"' in page
        and "3 / 10" in page
        and "正在检查各行" in page
    )
    finish.set()
    done = wait_for_job(client, f"/jobs/{job.id}")
    assert "完成了。" in done and 'value="100"' in done
    assert client.get(f"/jobs/{job.id}/download").status_code == 404  # it made no file


def test_a_failed_job_says_why(client, auth, world):
    user = auth.login("caseworker")

    def work(progress: jobs.Progress) -> tuple[str, None]:
        progress(1, 4, "正在检查各行")
        raise InvalidInput("表头缺少以下列：姓名。")

    job = jobs.start("test", user_id=user.id, work=work)
    page = wait_for_job(client, f"/jobs/{job.id}")
    assert "表头缺少以下列：姓名。" in page and "flash-danger" in page


def test_a_job_that_only_read_still_ends_when_someone_else_is_writing(app, client, auth, world):
    """The work reads in a reader's transaction; meanwhile another request writes and still
    holds the write lock when the work returns. The job must still be recorded as done (on
    SQLite its stale reader's transaction cannot become a writer: it used to die there)."""
    user_id = auth.login("caseworker").id
    read, release = threading.Event(), threading.Event()

    def work(progress: jobs.Progress) -> tuple[str, None]:
        read_only(db.session)
        db.session.execute(select(func.count()).select_from(User)).scalar_one()
        read.set()
        assert release.wait(timeout=60)
        return "读完了。", None

    job_id = jobs.start("test", user_id=user_id, work=work).id
    assert read.wait(timeout=60)
    db.session.rollback()  # the test's own session holds no lock either
    other = db.engine.connect()
    try:
        with other.begin():
            other.execute(update(User).where(User.id == user_id).values(failed_logins=0))
            release.set()
            time.sleep(0.3)  # the work returns and tries to record its end while we hold the lock
    finally:
        other.close()
    page = wait_for_job(client, f"/jobs/{job_id}")
    assert "读完了。" in page
    assert db.session.get(Job, job_id).status == "done"
