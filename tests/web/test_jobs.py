"""Long exports and imports run as background jobs whose page shows a progress bar."""

from __future__ import annotations

import io
import json
import os
import threading
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from app.database import read_only
from app.extensions import db
from app.models import AuditEntry, User
from app.models.jobs import Job
from app.models.types import utcnow
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


def test_a_job_whose_process_died_is_shown_as_interrupted_not_running_for_ever(client, auth, world):
    user_id = auth.login("caseworker").id
    # Two jobs no thread of this process runs: one whose heartbeat stopped an hour ago (its
    # server was restarted), one beating in another server process a moment ago.
    dead = Job(
        kind="audit_package", user_id=user_id, status="running", heartbeat_at=utcnow() - timedelta(hours=1)
    )
    elsewhere = Job(kind="audit_package", user_id=user_id, status="running", heartbeat_at=utcnow())
    db.session.add_all([dead, elsewhere])
    db.session.commit()
    dead_id, elsewhere_id = dead.id, elsewhere.id
    page = client.get(f"/jobs/{dead_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert "任务被中断" in page and "flash-danger" in page
    assert 'http-equiv="refresh"' in client.get(f"/jobs/{elsewhere_id}").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Job, dead_id).status == "failed"
    assert db.session.get(Job, elsewhere_id).status == "running"


def test_a_running_job_beats_its_heartbeat(app, client, auth, world):
    app.config["JOB_HEARTBEAT_SECONDS"] = 0.05
    user_id = auth.login("caseworker").id
    finish = threading.Event()
    job_id = jobs.start(
        "test", user_id=user_id, work=lambda _progress: (finish.wait(60), ("好了。", None))[1]
    ).id
    first = db.session.get(Job, job_id).heartbeat_at
    db.session.rollback()
    deadline = time.monotonic() + 30
    while db.session.get(Job, job_id).heartbeat_at == first:
        db.session.rollback()
        assert time.monotonic() < deadline, "no heartbeat"
        time.sleep(0.05)
    db.session.rollback()
    finish.set()
    assert "好了。" in wait_for_job(client, f"/jobs/{job_id}")


def test_a_failed_job_leaves_no_half_written_file(client, auth, world):
    user_id = auth.login("auditor").id
    written: list[Path] = []

    def work(progress: jobs.Progress) -> tuple[str, str]:
        partial = progress.folder / f"{progress.job_id}-audit-2015.zip"
        partial.write_bytes(b"PK half a package")
        written.append(partial)
        raise RuntimeError("disk full")

    job_id = jobs.start("audit_package", user_id=user_id, work=work).id
    assert "任务失败" in wait_for_job(client, f"/jobs/{job_id}")
    assert written and not written[0].exists()


def test_finished_files_are_deleted_when_their_retention_ends(app, client, auth, world):
    """Audit packages hold personal data: a day after they are made they are deleted (and
    the deletion is in the audit log); a younger one stays downloadable."""
    user_id = auth.login("auditor").id
    folder = jobs.folder()
    now = utcnow()
    old = Job(kind="audit_package", user_id=user_id, status="done", finished_at=now - timedelta(hours=25))
    young = Job(kind="audit_package", user_id=user_id, status="done", finished_at=now - timedelta(hours=1))
    db.session.add_all([old, young])
    db.session.flush()
    old.result_name, young.result_name = f"{old.id}-audit-2015.zip", f"{young.id}-audit-2015.zip"
    db.session.commit()
    old_id, young_id = old.id, young.id
    (folder / f"{old_id}-audit-2015.zip").write_bytes(b"old package")
    (folder / f"{young_id}-audit-2015.zip").write_bytes(b"young package")
    stray = folder / "999-audit-2015.zip"  # left by a server that died while writing it
    stray.write_bytes(b"half")
    two_days_ago = (now - timedelta(days=2)).timestamp()
    os.utime(stray, (two_days_ago, two_days_ago))

    result = app.test_cli_runner().invoke(args=["jobs", "tidy"])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    assert not (folder / f"{old_id}-audit-2015.zip").exists() and not stray.exists()
    assert client.get(f"/jobs/{old_id}/download").status_code == 404
    page = client.get(f"/jobs/{old_id}").get_data(as_text=True)
    assert "文件已删除" in page and "下载" not in page.split("</nav>")[-1]
    with client.get(f"/jobs/{young_id}/download") as download:
        assert download.status_code == 200 and download.data == b"young package"
    logged = db.session.execute(
        select(AuditEntry.details).where(AuditEntry.action == "jobs.results_removed")
    ).scalar_one()
    assert json.loads(logged) == {"files": 2}
    # Nothing left to do: a second run deletes nothing and logs nothing more.
    assert app.test_cli_runner().invoke(args=["jobs", "tidy"]).exit_code == 0
    db.session.rollback()
    assert (
        db.session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "jobs.results_removed")
        ).scalar_one()
        == 1
    )


def test_my_jobs_lists_only_mine_newest_first_to_come_back_to(client, auth, world):
    user_id = auth.login("caseworker", "mine").id
    assert "您还没有发起过导出或导入任务" in client.get("/jobs/").get_data(as_text=True)
    first = jobs.start("registry_import", user_id=user_id, work=lambda _p: ("导入完成。", None)).id
    second = jobs.start("reconciliation", user_id=user_id, work=lambda _p: ("对账完成。", None)).id
    wait_for_job(client, f"/jobs/{second}")
    wait_for_job(client, f"/jobs/{first}")
    other = auth.make_user("caseworker", "theirs")
    theirs = jobs.start("audit_package", user_id=other.id, work=lambda _p: ("别人的。", None)).id
    deadline = time.monotonic() + 60
    while db.session.get(Job, theirs).status == "running":
        db.session.rollback()  # let the job's thread record its end
        assert time.monotonic() < deadline, "their job did not end"
        time.sleep(0.05)
    db.session.rollback()
    page = client.get("/jobs/").get_data(as_text=True)
    assert page.index(f'href="/jobs/{second}"') < page.index(f'href="/jobs/{first}"')
    assert "档案导入" in page and "对账完成。" in page and "已完成" in page
    assert "别人的。" not in page and "审计包" not in page.split("<table")[1]
    assert 'href="/jobs/"' in client.get("/").get_data(as_text=True)  # reachable from every page
