"""The files in deploy/ as a district's IT person installs them: the systemd units pass
``systemd-analyze verify``, the nginx site passes ``nginx -t``, and the product answers
through that nginx (TLS) and gunicorn with deploy/gunicorn.conf.py in production settings.

.ci/run installs nginx-light; where a tool is missing here the test says so and is skipped."""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from http.client import HTTPConnection, HTTPSConnection
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
SERVER_NAME = "bangfu.example.org"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _units(folder: Path) -> list[Path]:
    """The units with the install path pointed at this checkout, whose venv has the programs."""
    made = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        copy = folder / unit.name
        text = unit.read_text(encoding="utf-8").replace("/srv/bangfutong", str(ROOT))
        copy.write_text(text, encoding="utf-8")
        made.append(copy)
    return made


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_every_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    units = _units(tmp_path)
    names = {unit.name for unit in units}
    assert {"bangfutong-web.service", "bangfutong-backup.timer", "bangfutong-checks.timer"} <= names
    for timer in (u for u in units if u.suffix == ".timer"):
        assert timer.with_suffix(".service").name in names, f"{timer.name} has no service to start"
    checked = subprocess.run(  # noqa: S603 (our own files)
        [str(SYSTEMD_ANALYZE), "verify", *map(str, units)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    # The check is real: a unit naming a program that is not there fails it.
    broken = tmp_path / "broken.service"
    broken.write_text(units[-1].read_text().replace(f"{ROOT}/.venv/bin/", "/nowhere/"))
    refused = subprocess.run([str(SYSTEMD_ANALYZE), "verify", str(broken)], capture_output=True, check=False)  # noqa: S603
    assert refused.returncode != 0


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "fullchain.pem", folder / "privkey.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


def _nginx_config(folder: Path, *, http_port: int, https_port: int, app_port: int) -> Path:
    cert_file, key_file = _certificate(folder)
    site = (
        (DEPLOY / "nginx" / "bangfutong.conf")
        .read_text(encoding="utf-8")
        .replace("/etc/ssl/bangfutong/fullchain.pem", str(cert_file))
        .replace("/etc/ssl/bangfutong/privkey.pem", str(key_file))
        .replace("/var/log/nginx/", f"{folder}/")
        .replace("listen [::]:80;", "")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    )
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "".join(
        f"{kind}_temp_path {folder}/{kind};\n" for kind in TEMP_KINDS
    )
    main = folder / "nginx.conf"
    main.write_text(
        f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{temp}include {folder}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return main


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs nginx-light)")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    main = _nginx_config(tmp_path, http_port=_free_port(), https_port=_free_port(), app_port=_free_port())
    checked = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def _wait(process: subprocess.Popen[bytes], port: int, what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited: {log.read_text(errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not listen within 60 s")


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[int, int, Path]]:
    """gunicorn (deploy/gunicorn.conf.py, production settings) behind nginx (the site file)."""
    app_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    env = dict(
        os.environ,
        APP_CONFIG="production",
        SECRET_KEY="s" * 48,
        DATA_KEY="d" * 48,
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        PROXY_FIX_X_FOR="1",
        GUNICORN_BIND=f"127.0.0.1:{app_port}",
        WEB_CONCURRENCY="2",
        JOBS_FOLDER=str(tmp_path / "jobs"),
        ATTACHMENTS_FOLDER=str(tmp_path / "attachments"),
    )
    env.pop("FLASK_DEBUG", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    gunicorn_log, nginx_log = tmp_path / "gunicorn.log", tmp_path / "nginx.out"
    with gunicorn_log.open("wb") as out:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "app:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    main = _nginx_config(tmp_path, http_port=http_port, https_port=https_port, app_port=app_port)
    with nginx_log.open("wb") as out:
        nginx = subprocess.Popen(  # noqa: S603
            [str(NGINX), "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(gunicorn, app_port, "gunicorn", gunicorn_log)
        _wait(nginx, https_port, "nginx", nginx_log)
        yield http_port, https_port, tmp_path
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _get(port: int, path: str, *, tls: bool) -> tuple[int, dict[str, str], str]:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        connection: HTTPConnection = HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    else:
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": SERVER_NAME})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs nginx-light)")
def test_the_product_answers_through_nginx_and_gunicorn_as_deployed(served):
    http_port, https_port, folder = served
    status, headers, page = _get(https_port, "/login?next=/registry/%3Fq%3D130702198001011234", tls=True)
    # Served over TLS, not sent round to https again (the app believes nginx's X-Forwarded-Proto).
    assert status == 200, page
    assert "登录" in page
    assert "max-age=31536000" in headers["strict-transport-security"]
    assert "secure" in headers.get("set-cookie", "").lower() or "set-cookie" not in headers
    assert "server" not in headers or "nginx/" not in headers["server"]  # server_tokens off
    # Plain http is sent to https by nginx before it reaches the app.
    status, headers, _page = _get(http_port, "/login", tls=False)
    assert status == 301 and headers["location"] == f"https://{SERVER_NAME}/login"
    # The access log has the path, never the query (it held an ID number).
    log = (folder / "bangfutong.access.log").read_text(encoding="utf-8")
    assert "GET /login HTTP" in log
    assert "130702198001011234" not in log and "next=" not in log
