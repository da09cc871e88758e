"""A bank payment batch in Chromium, from preparing to the bank's answer: finance prepares
a batch of three approved cases, a second finance officer approves it (the dialog names
the total) and downloads its file (the dialog warns that it holds whole account numbers),
the bank's answer made from that very file is uploaded, checked and recorded; the batch
is done, and the line the bank could not pay shows its reason on the case's page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Unit
from app.services import bank_files
from app.services import users as user_service
from tests.bank_file_helpers import answer
from tests.batch_helpers import approved_cases
from tests.conftest import ACTOR, PASSWORD
from tests.e2e.conftest import login, shot


def _setup(database: str) -> list[int]:
    """Three approved cases whose payees have cards, and a second finance officer."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        try:
            unit = db.session.execute(select(Unit).where(Unit.code == "711002")).scalar_one()
            made = [c.id for c in approved_cases(unit, 3)]
            user, _once = user_service.create_user("chief", "finance", "711002", actor=ACTOR)
            user_service.set_password(user, PASSWORD, actor=ACTOR)
            db.session.commit()
            return made
        finally:
            db.session.remove()
            db.engine.dispose()


def test_prepare_approve_download_answer_and_the_batch_is_done(
    live_server: str, browser: Browser, database: str, tmp_path: Path
) -> None:
    made = _setup(database)
    page = login(browser, live_server, "finance")
    page.goto(f"{live_server}/batches/new")
    for case_id in made:
        expect(page.locator(f"#case-{case_id}")).to_be_checked()
    page.get_by_role("button", name="编制批次").click()
    expect(page.locator("#batch-status")).to_have_text("草稿")
    expect(page.locator("#batch-actions")).to_contain_text("本批次由您编制")
    batch_url = page.url

    chief = login(browser, live_server, "chief")
    chief.goto(batch_url)
    chief.get_by_role("button", name="审批本批次").click()
    dialog = chief.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("¥300.00（叁佰元整）")
    dialog.get_by_role("button", name="审批本批次").click()
    expect(chief.locator("#batch-status")).to_have_text("已批准")

    chief.locator("#format").select_option("xlsx")
    chief.get_by_role("button", name="下载代发文件").click()
    expect(dialog).to_contain_text("完整银行卡号")
    shot(chief, "batch-file-confirmation")
    with chief.expect_download() as download:
        dialog.get_by_role("button", name="下载代发文件").click()
    sent = Path(download.value.path()).read_bytes()
    chief.reload()
    expect(chief.locator("#batch-status")).to_have_text("已送银行")

    results = [("成功", "", "2015-06-02"), ("失败", "户名与账号不符", ""), ("成功", "", "2015-06-03")]
    returned = tmp_path / "回盘.xlsx"
    returned.write_bytes(answer(bank_files.template("generic"), "xlsx", sent, results))
    chief.get_by_role("link", name="上传银行回盘").click()
    chief.locator("#file").set_input_files(str(returned))
    chief.get_by_role("button", name="检查文件").click()
    report = chief.locator("#answer-report")
    expect(report).to_contain_text("每一行均与批次相符")
    shot(chief, "batch-answer-check")
    chief.get_by_role("button", name="登记银行回盘：成功 2 笔，失败 1 笔").click()
    expect(chief.locator("#batch-status")).to_have_text("已回盘")
    expect(chief.locator("#batch-lines")).to_contain_text("户名与账号不符")
    shot(chief, "batch-done")

    chief.goto(f"{live_server}/cases/{made[1]}")
    expect(chief.locator("#bank-lines")).to_contain_text("银行代发失败：户名与账号不符")
