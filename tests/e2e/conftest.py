"""Browser-test fixtures: a live server on a migrated database with the 2015 budget and one
user of each role (password PASSWORD), and Debian's Chromium driven by Playwright.

``login(browser, base, username)`` opens a new page signed in as that user."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import User
from app.services import budgets, cases, policy, registry
from app.services import users as user_service
from app.services.audit import Actor
from tests.conftest import ACTOR, BUDGET_FILE, PASSWORD
from tests.registry_helpers import worker_input

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def live_server(database: str, tmp_path: Path) -> Iterator[str]:
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database, WTF_CSRF_ENABLED=True, JOBS_FOLDER=str(tmp_path / "jobs")
    )
    with app.app_context():
        unit = budgets.load_budget(budgets.read_budget_file(BUDGET_FILE), actor=ACTOR).budget.unit
        policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
        for role in ("caseworker", "reviewer", "finance", "auditor", "admin"):
            user, _once = user_service.create_user(
                role, role, None if role == "admin" else "711002", actor=ACTOR
            )
            user_service.set_password(user, PASSWORD, actor=ACTOR)
        db.session.commit()
        # A case opened by the reviewer (standing in for a caseworker): theirs to be refused on.
        reviewer = db.session.query(User).filter_by(username="reviewer").one()
        own = registry.register(
            worker_input(900, name="审核人经办户"), unit=unit, actor=Actor.of(reviewer)
        ).worker
        fund = next(
            f
            for f in budgets.load_budget(budgets.read_budget_file(BUDGET_FILE), actor=ACTOR).funds
            if f.code == "2015100001"
        )
        mine = cases.open_case(
            own, fund=fund, aid_type="living", amount="300", reason="代办", actor=Actor.of(reviewer)
        )
        cases.submit(mine, actor=Actor.of(reviewer))
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        # In CI (which installs Debian's chromium) a missing browser is a failure, never a skip;
        # on a developer's machine without it, say how to get it.
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    page.goto(f"{base}/login")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # Signed in: the page names the user (whatever page the role lands on).
    expect(page.locator(".who")).to_contain_text(username)
    return page
