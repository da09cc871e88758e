"""Guesses sent all at once, through four server processes (gunicorn, as in production):
the account locks at exactly the policy's count of wrong passwords, and the log-in rate
limit holds across the processes (its counters are in the database, not in each process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import AuditEntry, User
from app.services import users as user_service
from tests.conftest import ACTOR, PASSWORD

WORKERS = 4
GUESSES = 24
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(database: str, rate_limit: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ, TEST_DATABASE_URL=database, DATABASE_URL=database)
    process = subprocess.Popen(  # noqa: S603 (our own server, our own arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            f'app:create_app("testing", LOGIN_RATE_LIMIT="{rate_limit}")',
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "gunicorn exited")
        try:
            urlopen(f"{base}/login", timeout=5).read()  # noqa: S310 (http://127.0.0.1 only)
            return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("gunicorn did not start within 60 s")


def _guess(base: str, username: str, password: str) -> tuple[int, str]:
    data = urlencode({"username": username, "password": password}).encode()
    request = Request(f"{base}/login", data=data, method="POST")  # noqa: S310 (http://127.0.0.1)
    try:
        with urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served(database: str):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        user, _once = user_service.create_user("clerk", "finance", None, actor=ACTOR)
        user_service.set_password(user, PASSWORD, actor=ACTOR)
        db.session.commit()
    processes: list[subprocess.Popen[bytes]] = []

    def start(rate_limit: str = "100000 per minute") -> str:
        process, base = _serve(database, rate_limit)
        processes.append(process)
        return base

    yield app, start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()
    with app.app_context():
        db.engine.dispose()


def _outcomes(base: str, count: int, username: str = "clerk") -> list[tuple[int, str]]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda n: _guess(base, username, f"Wrong-guess-{n}"), range(count)))


def _said(status: int, body: str) -> str:
    if "用户名或密码错误" in body:
        return "wrong"
    return "locked" if "账户已被暂时锁定" in body else f"other {status}"


def test_parallel_guesses_lock_the_account_at_exactly_the_policy_count(served):
    app, start = served
    base = start()
    answers = _outcomes(base, GUESSES)
    said = Counter(
        "wrong"
        if "用户名或密码错误" in body
        else "locked"
        if "账户已被暂时锁定" in body
        else f"other {status}"
        for status, body in answers
    )
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert said == {"wrong": limit, "locked": GUESSES - limit}
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
        assert user.locked_until is not None
        checked = db.session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "auth.login_failed")
        ).scalar_one()
        assert checked == limit
    # Locked means locked: the right password is refused too until the lock ends.
    _status, body = _guess(base, "clerk", PASSWORD)
    assert "账户已被暂时锁定" in body


def test_the_rate_limit_holds_across_four_server_processes(served):
    _app, start = served
    base = start(rate_limit="10 per minute")
    answers = _outcomes(base, 30, username="nobody-at-all")
    statuses = Counter(status for status, _body in answers)
    assert statuses[429] == 20
    assert statuses[200] == 10
