"""The bank payment batch pages as finance sees them: prepare from a fund's approved cases
(a case without a card or in an open batch says why and cannot be chosen), a refusal at
its field with the choices kept, four eyes on approval, the bank file behind a
confirmation, the bank's answer checked (a wrong amount refused whole naming its row), taken
once, and the bank's reason on the case page and on the finance home page; a campaign's
roster as one batch."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, Payment, PaymentBatch
from app.services import bank_files, batches, cases, ledger, registry
from tests.bank_file_helpers import answer as answer_from
from tests.bank_file_helpers import file_rows
from tests.batch_helpers import approved_cases, fund, person
from tests.conftest import ACTOR, PASSWORD, wait_for_job
from tests.registry_helpers import worker_input

AMOUNT_COLUMN = 6  # the generic template's amount column


def _text(response) -> str:
    return response.get_data(as_text=True)


def _prepare(client, made, **extra) -> object:
    data = {"fund": str(fund().id), "template": "generic", "case_ids": [str(c.id) for c in made], **extra}
    return client.post("/batches/new", data=data)


def _batch() -> PaymentBatch:
    return db.session.execute(select(PaymentBatch).order_by(PaymentBatch.id.desc())).scalars().first()


def _answer(data: bytes, results, edits=None) -> bytes:
    return answer_from(bank_files.template("generic"), "xlsx", data, results, edits)


def _upload(client, batch, content: bytes, name: str = "回盘.xlsx"):
    return client.post(
        f"/batches/{batch.id}/answer",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _login(client, username: str) -> None:
    """Sign in as a user the test made already."""
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302


def _payments() -> int:
    return db.session.execute(select(func.count()).select_from(Payment)).scalar_one()


@pytest.fixture
def sent(world, make_user):
    """Three approved cases in a batch prepared by 出纳, approved by 主管, its file had."""
    maker, checker = make_user("finance", "cashier"), make_user("finance", "chief")
    made = approved_cases(world.budget.unit, 3)
    batch = batches.prepare(fund(), [c.id for c in made], actor=person(maker))
    db.session.commit()
    batches.approve(batch, actor=person(checker))
    data, _n, _m = batches.bank_file(batch, "xlsx", actor=person(checker))
    db.session.commit()
    return batch, data


def test_preparing_shows_every_approved_case_with_why_some_cannot_be_chosen(client, auth, world):
    unit = world.budget.unit
    ready = approved_cases(unit, 2)
    no_card = approved_cases(unit, 1, first=40, card=False)[0]
    held = approved_cases(unit, 1, first=50)[0]
    batches.prepare(fund(), [held.id], actor=ACTOR)
    db.session.commit()
    auth.login("finance", "cashier")
    page = _text(client.get("/batches/new"))
    assert "编制代发批次" in page and "¥100.00" in page
    for case in ready:
        assert re.search(rf'name="case_ids" value="{case.id}"[^>]*checked', page)
    assert f'value="{no_card.id}"' not in page and "未登记银行卡" in page
    assert f'value="{held.id}"' not in page and "已在未完成的代发批次 DF2015-" in page
    assert "****" in page and "62220204" not in page  # masked cards only
    assert "通用代发模板" in page


def test_a_refusal_shows_at_the_field_and_keeps_what_was_chosen(client, auth, world):
    unit = world.budget.unit
    ready = approved_cases(unit, 2)
    no_card = approved_cases(unit, 1, first=40, card=False)[0]
    auth.login("finance", "cashier")
    response = _prepare(client, [ready[1], no_card])
    page = _text(response)
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="case_ids-error">[^<]*没有登记银行账户', page)
    assert re.search(rf'value="{ready[1].id}"[^>]*checked', page)
    assert not re.search(rf'value="{ready[0].id}"[^>]*checked', page)  # left unchosen, still unchosen
    assert db.session.execute(select(func.count()).select_from(PaymentBatch)).scalar_one() == 0
    unknown = _prepare(client, ready, template="no_such_bank")
    assert unknown.status_code == 422 and "没有代码为 no_such_bank 的银行代发文件模板" in _text(unknown)
    nothing = _prepare(client, [])
    assert nothing.status_code == 422 and "请选择本批次发放的申请" in _text(nothing)


def test_prepare_approve_by_another_person_download_and_the_list(client, auth, world):
    made = approved_cases(world.budget.unit, 3)
    auth.login("finance", "cashier")
    response = _prepare(client, made, template="icbc_payroll")
    batch = _batch()
    assert response.status_code == 302 and response.headers["Location"] == f"/batches/{batch.id}"
    assert batch.template_code == "icbc_payroll" and batch.total == Decimal("300.00")
    page = _text(client.get(f"/batches/{batch.id}"))
    assert batch.batch_no in page and "草稿" in page and "本批次由您编制" in page
    assert "¥300.00" in page and "叁佰元整" in page

    own = client.post(f"/batches/{batch.id}/approve", data={"confirmed": "1"})
    assert own.status_code == 302
    db.session.refresh(batch)
    assert batch.status == "draft"
    assert "制作代发批次的人不能审批该批次" in _text(client.get(f"/batches/{batch.id}"))  # flashed
    refusal = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
    assert refusal.action == "four_eyes.refused"
    auth.logout()

    auth.login("finance", "chief")
    asked = client.post(f"/batches/{batch.id}/approve")
    assert asked.status_code == 200 and "确认审批代发批次" in _text(asked)  # no script: the page asks
    client.post(f"/batches/{batch.id}/approve", data={"confirmed": "1"})
    db.session.refresh(batch)
    assert batch.status == "approved"
    asked = _text(client.post(f"/batches/{batch.id}/file", data={"format": "csv"}))
    assert "完整银行卡号" in asked and "即送出批次" in asked, asked
    assert ledger.balance(fund()).at_bank == Decimal("0")
    got = client.post(f"/batches/{batch.id}/file", data={"format": "csv", "confirmed": "1"})
    assert got.status_code == 200 and "attachment" in got.headers["Content-Disposition"]
    assert got.headers["Cache-Control"] == "no-store"
    assert "6222020400000000010" in got.data.decode("gb18030")
    assert ledger.balance(fund()).at_bank == Decimal("300.00")
    db.session.refresh(batch)
    assert batch.status == "sent"

    listing = _text(client.get("/batches?status=sent&year=2015"))
    assert batch.batch_no in listing and "已送银行" in listing
    assert "在银行 ¥300.00（3 笔）" in listing
    assert batch.batch_no not in _text(client.get("/batches?status=draft"))


def test_the_answer_is_checked_then_taken_once_and_shown_on_the_case_and_home(client, sent):
    batch, data = sent
    _login(client, "cashier")
    results = [("成功", "", "2015-06-02"), ("失败", "户名与账号不符", ""), ("成功", "", "2015-06-03")]
    content = _answer(data, results)
    checked = _upload(client, batch, content)
    page = _text(checked)
    assert checked.status_code == 200
    assert "读取行数" in page and "每一行均与批次相符" in page
    assert "登记银行回盘：成功 2 笔，失败 1 笔" in page
    assert _payments() == 0  # checked only
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    done = client.post(f"/batches/{batch.id}/answer/confirm", data={"token": token})
    assert done.status_code == 302 and done.headers["Location"] == f"/batches/{batch.id}"
    db.session.refresh(batch)
    assert batch.status == "done" and _payments() == 2
    page = _text(client.get(f"/batches/{batch.id}"))
    assert "户名与账号不符" in page and f"{batch.batch_no}-0001" in page

    again = _text(_upload(client, batch, content))
    assert "该回盘已登记过" in again and 'name="token"' not in again
    assert client.post(f"/batches/{batch.id}/answer/confirm", data={"token": token}).status_code == 302
    assert _payments() == 2  # the same file twice: nothing more

    failed_case = batch.lines[1].case_id
    case_page = _text(client.get(f"/cases/{failed_case}"))
    assert "银行代发失败：户名与账号不符" in case_page and batch.batch_no in case_page
    home = _text(client.get("/"))
    section = home.split('id="todo-bank_failed"')[1].split("</section>")[0]
    assert f'href="/cases/{failed_case}"' in section and "户名与账号不符" in section
    # Paid again in a new batch: it can be chosen, and the page says why it failed before.
    again_page = _text(client.get("/batches/new"))
    assert f'value="{failed_case}"' in again_page and "此前银行代发失败：户名与账号不符" in again_page
    assert _prepare(client, [db.session.get(Case, failed_case)]).status_code == 302
    assert f'href="/cases/{failed_case}"' not in _text(client.get("/")).split('id="todo-bank_failed"')[1]


def test_an_answer_with_a_wrong_amount_is_refused_whole_naming_the_row(client, sent):
    batch, data = sent
    _login(client, "cashier")
    first = next(i for i, row in enumerate(file_rows("xlsx", data)) if row and row[0] == "序号") + 2
    results = [("成功", "", "2015-06-02")] * 3
    # Two amounts changed so that the file's own total still adds up: the lines are wrong.
    wrong = _answer(data, results, {(first + 1, AMOUNT_COLUMN): 150, (first + 2, AMOUNT_COLUMN): 50})
    before = db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    response = _upload(client, batch, wrong)
    page = _text(response)
    assert response.status_code == 422
    assert "整个文件被拒绝" in page
    report = page.split('id="answer-report"')[1]
    assert f"第 {first + 1} 行" in report and "¥150.00" in report
    assert re.search(r'<p class="error" id="file-error">[^<]*150.00', page)
    assert 'name="token"' not in page
    db.session.refresh(batch)
    assert batch.status == "sent" and _payments() == 0
    # Only the refusal is on record.
    after = db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id).offset(before)).scalars()
    assert list(after) == ["step.refused"]


def test_a_campaign_roster_is_paid_as_one_batch(client, auth, world):
    unit = world.budget.unit
    for seq in (60, 61, 62):
        registry.register(
            worker_input(seq, name=f"慰问{seq}", bank_name="工行", bank_account=f"62220204{seq:011d}"),
            unit=unit,
            actor=ACTOR,
        )
    campaign = cases.plan_campaign(fund=fund(), name="2015年元旦春节送温暖", amount_each="300", actor=ACTOR)
    db.session.commit()
    cases.approve_campaign(campaign, actor=ACTOR)
    db.session.commit()
    other = approved_cases(unit, 1, first=70)[0]  # approved, not in the campaign
    auth.login("finance", "cashier")
    roster = _text(client.get(f"/campaigns/{campaign.id}"))
    assert "整个花名册编为一个代发批次" in roster
    page = _text(client.get(f"/batches/new?campaign={campaign.id}"))
    assert "2015年元旦春节送温暖" in page and f'value="{other.id}"' not in page
    in_campaign = [c for c in campaign.cases if c.status == "approved"]
    payable = [c for c in in_campaign if c.worker.bank_account_protected]
    assert len(payable) == 3 and all(f'value="{c.id}"' in page for c in payable)
    assert len(in_campaign) == 4 and "未登记银行卡" in page  # household No. 1 has no card
    response = _prepare(client, payable, campaign=str(campaign.id))
    assert response.status_code == 302
    batch = _batch()
    assert {line.case_id for line in batch.lines} == {c.id for c in payable}
    assert batch.total == Decimal("300.00") * len(payable)


def test_the_finance_home_lists_batches_by_what_they_wait_for(client, auth, world, make_user):
    maker = make_user("finance", "cashier")
    draft = batches.prepare(fund(), [c.id for c in approved_cases(world.budget.unit, 1)], actor=person(maker))
    db.session.commit()
    _login(client, "cashier")
    home = _text(client.get("/"))
    assert draft.batch_no not in home.split('id="todo-batches"')[1].split("</section>")[0]  # my own
    auth.logout()
    auth.login("finance", "chief")
    section = _text(client.get("/")).split('id="todo-batches"')[1].split("</section>")[0]
    assert f'href="/batches/{draft.id}"' in section and "待另一人审批" in section


def test_a_batch_of_thousands_of_lines_is_shown_a_hundred_to_a_page(client, auth, world, make_user):
    made = approved_cases(world.budget.unit, 230)
    batch = batches.prepare(fund(), [c.id for c in made], actor=person(make_user("finance", "cashier")))
    db.session.commit()
    auth.login("finance", "chief")
    first = _text(client.get(f"/batches/{batch.id}"))
    assert "第 1 页，共 3 页" in first and first.count('class="line-pending"') == 100
    last = _text(client.get(f"/batches/{batch.id}?page=3"))
    assert last.count('class="line-pending"') == 30 and "¥23,000.00" in last


def test_another_units_batch_is_404_on_every_batch_page(client, auth, world, make_user):
    from app.services import units

    made = approved_cases(world.budget.unit, 1)
    batch = batches.prepare(fund(), [c.id for c in made], actor=ACTOR)
    db.session.commit()
    other = units.create_unit("711099", "别的区总工会", actor=ACTOR)
    db.session.commit()
    stranger = make_user("finance", "stranger", other.code)
    client.post("/login", data={"username": stranger.username, "password": "Kunnan-Bangfu-2015"})
    before = db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    for method, path, data in [
        ("GET", f"/batches/{batch.id}", None),
        ("POST", f"/batches/{batch.id}/approve", {"confirmed": "1"}),
        ("POST", f"/batches/{batch.id}/cancel", {"confirmed": "1"}),
        ("POST", f"/batches/{batch.id}/file", {"format": "csv", "confirmed": "1"}),
        ("GET", f"/batches/{batch.id}/answer", None),
        ("POST", f"/batches/{batch.id}/answer/confirm", {"token": "x" * 22}),
    ]:
        assert client.open(path, method=method, data=data).status_code == 404, path
    assert batch.batch_no not in _text(client.get("/batches"))
    db.session.refresh(batch)
    assert batch.status == "draft"
    assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before
    assert db.session.get(Case, made[0].id).status == "approved"


def test_a_large_batchs_answer_is_recorded_as_a_job_with_its_progress_page(app, client, sent):
    batch, data = sent
    app.config["BATCH_ANSWER_JOB_LINES"] = 2  # three lines count as large here
    _login(client, "cashier")
    results = [("成功", "", "2015-06-02"), ("失败", "账户已销户", ""), ("成功", "", "2015-06-03")]
    page = _text(_upload(client, batch, _answer(data, results)))
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    started = client.post(f"/batches/{batch.id}/answer/confirm", data={"token": token})
    assert started.status_code == 302 and started.headers["Location"].startswith("/jobs/")
    done = wait_for_job(client, started.headers["Location"])
    assert f"代发批次 {batch.batch_no} 的银行回盘已登记：成功 2 笔，失败 1 笔" in done
    assert 'href="/batches"' in done
    db.session.expire_all()
    assert batches.load(batch.id, ACTOR).status == "done" and _payments() == 2
