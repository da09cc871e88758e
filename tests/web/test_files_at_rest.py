"""Files the product writes hold personal data (an audit package carries every household):
they are created readable by the service's own account only, never 0644."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import wait_for_job


def test_an_audit_package_on_disk_is_readable_by_the_service_only(app, client, auth, world):
    auth.login("auditor")
    started = client.post("/audit/export/start", data={"year": "2015"}, follow_redirects=True)
    assert "已生成" in wait_for_job(client, started.request.path)
    folder = Path(app.config["JOBS_FOLDER"])
    written = [p for p in folder.rglob("*") if p.is_file()]
    assert written, "the package is on disk until it is downloaded or expires"
    for path in written:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is open to others"
