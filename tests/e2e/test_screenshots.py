"""Every main page, as the role that uses it, at 1366 px and at 390 px wide (a phone): a
screenshot of each in tests/e2e/screenshots/<page>-1366.png and -390.png; the page never
scrolls sideways (a wide table scrolls in its own box), and no table cell is squeezed
narrower than two characters (the 预算支出项目 one-character-per-line column)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from app import create_app
from app.extensions import db
from app.models import Fund, User, Worker
from app.services import cases, registry
from app.services.audit import Actor
from tests.e2e.conftest import login, shot
from tests.registry_helpers import worker_input

WIDTHS = (1366, 390)

#: (screenshot name, role, path): the main pages, each as the role whose work it is.
PAGES = [
    ("home-caseworker", "caseworker", "/"),
    ("home-reviewer", "reviewer", "/"),
    ("home-finance", "finance", "/"),
    ("home-auditor", "auditor", "/"),
    ("home-admin", "admin", "/"),
    ("registry", "caseworker", "/workers"),
    ("registry-new", "caseworker", "/workers/new"),
    ("registry-file", "caseworker", "/workers/2"),
    ("registry-review", "caseworker", "/workers/review"),
    ("registry-import", "caseworker", "/workers/import"),
    ("model-workers", "caseworker", "/model-workers"),
    ("cases", "caseworker", "/cases"),
    ("case-new", "caseworker", "/workers/2/cases/new"),
    ("case", "finance", "/cases/2"),
    ("case-print", "caseworker", "/cases/2/print"),
    ("campaigns", "caseworker", "/campaigns"),
    ("campaign", "finance", "/campaigns/1"),
    ("checkups", "finance", "/checkups?year=2015"),
    ("voucher", "finance", "/payments/1/voucher"),
    ("notice-list", "reviewer", "/cases/notice-list?year=2015"),
    ("roster", "caseworker", "/campaigns/1/roster"),
    ("funds", "finance", "/funds?year=2015"),
    ("ledger", "finance", "/funds/2015100001/ledger?year=2015"),
    ("budget-execution", "finance", "/reports/budget-execution?year=2015"),
    ("performance", "reviewer", "/reports/performance?year=2015"),
    ("reconciliation", "auditor", "/reconciliation?year=2015"),
    ("audit-log", "auditor", "/audit/"),
    ("audit-verify", "auditor", "/audit/verify"),
    ("jobs", "auditor", "/jobs/"),
    ("users", "admin", "/admin/users"),
    ("policy", "admin", "/admin/policy?year=2015"),
    ("units", "admin", "/admin/units"),
]

#: What the page reports about itself: how wide it scrolls, and its squeezed table cells.
MEASURE = """() => {
  const squeezed = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const text = cell.innerText.trim();
    const box = cell.getBoundingClientRect();
    if (!text || box.width === 0) continue;
    const twoChars = 2 * parseFloat(getComputedStyle(cell).fontSize);
    if (box.width + 0.5 < twoChars) squeezed.push(`${text.slice(0, 20)} (${Math.round(box.width)}px)`);
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, squeezed};
}"""


@pytest.fixture
def office(live_server: str, database: str, tmp_path: Path) -> Iterator[str]:
    """The live server's office with a year's work in it: a household registered by a
    caseworker, its case approved and paid in cash, a send-warmth campaign planned."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database, JOBS_FOLDER=str(tmp_path / "jobs"))
    with app.app_context():
        caseworker = Actor.of(db.session.query(User).filter_by(username="caseworker").one())
        unit = db.session.query(Worker).first().unit  # type: ignore[union-attr]
        fund = db.session.query(Fund).filter_by(code="2015100001", year=2015).one()
        worker = registry.register(
            worker_input(901, name="王小红", employer="桥西区纺织厂有限责任公司"), unit=unit, actor=caseworker
        ).worker
        case = cases.open_case(
            worker, fund=fund, aid_type="medical", amount="2000", reason="住院治疗", actor=caseworker
        )
        cases.submit(case, actor=caseworker)
        cases.approve(case, amount="1800", actor=Actor.system("another reviewer"))
        cases.pay(
            case,
            amount="1800",
            voucher_no="PZ-2015-001",
            paid_on=date(2015, 3, 5),
            method="cash",
            actor=Actor.system("finance office"),
        )
        cases.plan_campaign(fund=fund, name="2015年元旦春节送温暖", amount_each="300", actor=caseworker)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield live_server


def _visit(page: Page, base: str, name: str, path: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, f"{name}: {response and response.status}"
        shot(page, f"{name}-{width}")
        found = page.evaluate(MEASURE)
        if found["scroll"] > found["inner"]:
            problems.append(f"{name} at {width} px scrolls sideways: {found['scroll']} > {found['inner']}")
        if found["squeezed"]:
            problems.append(f"{name} at {width} px squeezes cells: {found['squeezed'][:5]}")
    return problems


def test_every_main_page_fits_from_a_desktop_to_a_phone(office: str, browser: Browser):
    pages: dict[str, Page] = {}
    problems: list[str] = []
    for name, role, path in PAGES:
        if role not in pages:
            pages[role] = login(browser, office, role)
        problems += _visit(pages[role], office, name, path)
    assert problems == [], "\n".join(problems)
