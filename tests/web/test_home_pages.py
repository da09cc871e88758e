"""The home page (工作台) of each role: what waits for that person, linked to where the work
is done; four eyes hold on it; the policy banner on every page until the year's values are set;
a finished job says it is done."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Case, Worker
from app.models.jobs import Job
from app.models.types import utcnow
from app.services import cases, policy
from app.services.audit import Actor
from tests.conftest import ACTOR

OTHER_REVIEWER = Actor.system("another reviewer")
FINANCE = Actor.system("finance office")


def _hardship(world):
    return next(f for f in world.funds if f.code == "2015100001")


def _worker() -> Worker:
    return db.session.execute(select(Worker)).scalars().first()


def _section(page: str, key: str) -> str:
    """The text of one list of the home page (up to the next list)."""
    start = page.index(f'id="todo-{key}"')
    end = page.find('<section class="card', start + 1)
    return page[start : end if end > 0 else None]


def test_a_caseworker_sees_drafts_returned_cases_missing_documents_and_visits_due(client, auth, world):
    cw = auth.login("caseworker", "cw")
    me = Actor.of(cw)
    fund, worker = _hardship(world), _worker()
    draft = cases.open_case(worker, fund=fund, aid_type="medical", amount="800", reason="住院", actor=me)
    rejected = cases.open_case(worker, fund=fund, aid_type="living", amount="900", reason="生活", actor=me)
    cases.submit(rejected, actor=me)
    cases.reject(rejected, reason="收入高于标准", actor=OTHER_REVIEWER)
    paid = cases.open_case(worker, fund=fund, aid_type="living", amount="600", reason="生活", actor=me)
    cases.submit(paid, actor=me)
    cases.approve(paid, amount="600", actor=OTHER_REVIEWER)
    cases.pay(paid, amount="600", voucher_no="PZ-H1", paid_on=date(2015, 3, 2), method="cash", actor=FINANCE)
    db.session.commit()

    page = client.get("/").get_data(as_text=True)
    assert "<h1>工作台" in page
    drafts = _section(page, "drafts")
    assert f'href="/cases/{draft.id}"' in drafts and "¥800.00，尚未提交" in drafts
    returned = _section(page, "returned")
    assert f'href="/cases/{rejected.id}"' in returned and "收入高于标准" in returned
    evidence = _section(page, "evidence")
    assert f'href="/workers/{worker.id}"' in evidence and "户口簿" in evidence and "低保证" in evidence
    visits = _section(page, "visits")
    assert f'href="/workers/{worker.id}"' in visits and "2015-03-02 已发放，此后尚未回访" in visits
    assert "待年审" in page  # the yearly review has its list too, with a link to the review page
    assert 'href="/workers/review"' in page

    # A visit after the payment takes the household off the list.
    from app.services import registry

    registry.add_visit(worker, visited_on=date(2015, 3, 9), notes="已回访", actor=me)
    db.session.commit()
    assert "此后尚未回访" not in _section(client.get("/").get_data(as_text=True), "visits")


def test_a_reviewer_is_not_shown_what_they_opened_themselves(client, auth, world):
    reviewer = auth.login("reviewer", "rv")
    fund, worker = _hardship(world), _worker()
    others = cases.open_case(
        worker, fund=fund, aid_type="living", amount="500", reason="他人经办", actor=ACTOR
    )
    cases.submit(others, actor=ACTOR)
    own = cases.open_case(
        worker, fund=fund, aid_type="living", amount="400", reason="本人代办", actor=Actor.of(reviewer)
    )
    cases.submit(own, actor=Actor.of(reviewer))
    campaign = cases.plan_campaign(fund=fund, name="2015年元旦春节送温暖", amount_each="300", actor=ACTOR)
    db.session.commit()

    page = client.get("/").get_data(as_text=True)
    decide = _section(page, "decide")
    assert f'href="/cases/{others.id}"' in decide and "¥500.00" in decide
    assert f'href="/cases/{own.id}"' not in decide  # four eyes: never one's own
    campaigns = _section(page, "campaigns")
    assert f'href="/campaigns/{campaign.id}"' in campaigns and "2015年元旦春节送温暖" in campaigns
    assert "即将到期的公示" in page


def test_a_reviewer_sees_notice_periods_ending(client, auth, world):
    auth.login("reviewer", "rv")
    policy.set_value(2015, "notice_days", "5", actor=ACTOR)
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR, today=date.today())
    db.session.commit()
    notices = _section(client.get("/").get_data(as_text=True), "notices")
    assert f'href="/cases/{case.id}"' in notices and case.notice_end.isoformat() in notices
    assert 'href="/cases/notice-list"' in notices


def test_finance_sees_approved_cases_and_the_bank_batches(client, auth, world):
    auth.login("finance", "fn")
    case = db.session.execute(select(Case)).scalars().first()
    cases.submit(case, actor=ACTOR)
    cases.approve(case, amount="750", actor=OTHER_REVIEWER)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    pay = _section(page, "pay")
    assert f'href="/cases/{case.id}"' in pay and "批准 ¥750.00" in pay
    batches = _section(page, "batches")
    assert "待审批的代发批次" in batches and "没有待审批的代发批次" in batches
    assert 'href="/batches?status=draft"' in batches
    for key, words in (
        ("batches_send", "没有待送银行的已审批批次"),
        ("batches_bank", "没有等待银行回盘的批次"),
        ("bank_failed", "没有待重新发放的代发失败明细"),
    ):
        assert words in _section(page, key)


def test_the_auditor_sees_the_reconciliation_and_the_chain(client, auth, world):
    auth.login("auditor", "au")
    page = client.get("/").get_data(as_text=True)
    assert "全部核对通过" in _section(page, "reconciliation")
    chain = _section(page, "chain")
    assert "审计链完整" in chain and 'href="/audit/verify"' in chain


def test_the_balances_stay_reachable_from_every_page(client, auth, world):
    auth.login("auditor", "au")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/funds"' in page  # in the navigation
    assert "¥300,000.00" in page and "<svg" in page  # the summary and the monthly chart
    assert "资金余额" in client.get("/funds?year=2015").get_data(as_text=True)


def test_the_policy_banner_shows_on_every_page_until_the_values_are_set(client, auth, make_user, budget_2015):
    auth.login("admin", "ad")
    for path in ("/", "/funds", "/reports/performance", "/admin/users"):
        page = client.get(path).get_data(as_text=True)
        assert "2015年度的政策参数尚未设置" in page, path
        assert 'href="/admin/policy?year=2015"' in page, path
    home = client.get("/").get_data(as_text=True)
    assert "最低生活保障线（元/人/月）" in _section(home, "policy")
    auth.logout()

    auth.login("caseworker", "cw")
    page = client.get("/workers").get_data(as_text=True)
    assert "请联系管理员设置" in page and 'href="/admin/policy' not in page  # a quieter note, no link
    auth.logout()

    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    policy.set_value(2015, "near_line_margin", "200", actor=ACTOR)
    db.session.commit()
    auth.login("admin", "ad2")
    assert "政策参数尚未设置" not in client.get("/funds").get_data(as_text=True)


def test_a_finished_job_says_done_not_working(client, auth, world):
    user = auth.login("auditor", "au")
    job = Job(
        kind="reconciliation",
        user_id=user.id,
        status="done",
        phase="",  # what a job that never named its phase leaves
        message="对账完成",
        done=7,
        total=7,
        heartbeat_at=utcnow(),
        finished_at=utcnow(),
    )
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "100%" in page and "已完成" in page
    assert "正在处理" not in page and 'http-equiv="refresh"' not in page
