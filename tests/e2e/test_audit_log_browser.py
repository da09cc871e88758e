"""The audit log in a real browser: the administrator gives a colleague a real name, the
auditor finds that change by choosing its action by name, reads it in words with the
person's name and Beijing time, and downloads exactly what is filtered as XLSX."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import login, shot


def test_the_auditor_filters_the_log_by_action_and_exports_it(live_server: str, browser: Browser):
    base = live_server
    admin = login(browser, base, "admin")
    admin.goto(f"{base}/admin/users")
    admin.locator("tr", has_text="reviewer").get_by_role("link", name="修改姓名").click()
    admin.get_by_label("姓名", exact=True).fill("王审核")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".flash-success")).to_contain_text("reviewer 的姓名已保存")
    expect(admin.locator("tr", has_text="reviewer")).to_contain_text("王审核")

    auditor = login(browser, base, "auditor")
    auditor.set_viewport_size({"width": 1366, "height": 900})
    auditor.get_by_role("navigation", name="主导航").get_by_role("link", name="审计日志").click()
    expect(auditor.locator("table.audit-log thead")).to_contain_text("时间（北京时间）")
    expect(auditor.locator("table.audit-log")).to_contain_text("台账：预算拨入")
    shot(auditor, "audit-log")
    auditor.locator("summary", has_text="用户").click()
    auditor.get_by_label("修改姓名").check()
    auditor.get_by_role("button", name="筛选").click()
    rows = auditor.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("修改姓名")
    expect(rows.first).to_contain_text("姓名：（无） → 王审核")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows.first.locator("td").nth(1).inner_text())
    assert auditor.get_by_label("修改姓名").is_checked()  # the choice is kept
    shot(auditor, "audit-log-filtered")
    with auditor.expect_download() as download_info:
        auditor.get_by_role("link", name="导出这些记录（XLSX）").click()
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][1] == "时间（北京时间）"
    assert len(values) == 2 and values[1][4] == "修改姓名" and "王审核" in values[1][6]

    auditor.set_viewport_size({"width": 390, "height": 844})
    auditor.reload()
    shot(auditor, "audit-log-390")
