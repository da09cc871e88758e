"""No code word reaches a person: every page, with objects in every state, in Chinese.

One database holds a year of an office with everything in every state
(tests/every_state.py). Every GET page of the URL map (the JSON API and static files
aside) is called with its arguments filled in by each real object of its kind and with a
few filters, as the roles allowed to see it (see :func:`_calls`). The text a person sees
(tests/web/visible_words.py: without tags, scripts and styles, with option labels, what
boxes and buttons show, and the title, placeholder, aria-label and alt attributes) is
checked against

- every code of the label tables (``app.labels.tables()``): ``spouse``, ``draft``,
  ``bank_transfer``, ``ledger.direct_payment`` ...;
- and a general rule: no Latin word of three letters or more, except the short list
  ``ALLOWED`` (visible_words.py) of names an office uses as they are (file formats, the API).

A new page is walked without being listed; one whose arguments cannot be filled in, that
no role may see, or that is never shown, fails the walk — so no page escapes it. The
database is built once for the module and only read by the walk.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from app import create_app
from app.auth.permissions import ROLE_PERMISSIONS
from app.extensions import db
from app.models.cases import Payment
from app.models.org import Unit
from app.models.users import ROLES, User
from app.models.vouchers import AccountingVoucher
from tests.every_state import PASSWORD, PEOPLE, EveryState, build
from tests.registry_helpers import make_id
from tests.web.visible_words import code_words, leaks_in, visible_text

#: Downloads (not pages): their contents are checked by the spreadsheet tests.
#: A whole PNG, for a scan whose name says PDF.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
DOWNLOADS = {
    "audit.export",
    "audit.log_csv",
    "audit.log_xlsx",
    "cases.amount_words",
    "cases.export_xlsx",
    "funds.ledger_xlsx",
    "funds.vouchers_xlsx",
    "registry.export_xlsx",
    "jobs.download",
    "registry.export_csv",
    "registry.attachment",
    "registry.import_template",
    "reports.budget_execution_xlsx",
    "reports.households_xlsx",
    "reports.performance_xlsx",
    "reports.report_up_xlsx",
    "year_end.report_xlsx",
    "reports.file_life_xlsx",
    "review.files_xlsx",
}
#: Further addresses of a page that show other states (filters), beside the plain one.
#: Addresses that answer only with their query (bare, they refuse: 422): walked with it.
NEEDS_QUERY = {"cases.amount_words"}
VARIANTS = {
    "cases.amount_words": ["?amount=1800.50"],
    "registry.index": [
        "?status=out_of_hardship",
        "?status=closed",
        "?category=3",
        "?q=zh",
        "?q=不存在的名字",
    ],
    "cases.index": ["?status=" + status for status in ("draft", "notice", "paid", "closed", "cancelled")],
    "funds.index": ["?year=2015"],
    "funds.vouchers": ["?year=2015"],
    "reports.performance_page": ["?year=2015"],
    "reports.budget_execution": ["?year=2015", "?year=2015&as_of=2015-06-30"],
    "audit.index": ["?action=case.", "?actor=nobody"],
    "audit.export": ["?year=2015"],
    "reports.reports_up": ["?year=2015&month=1", "?year=2015&month=3"],
    "books.index": ["?year=2015"],
    "admin.policy_copy_page": ["?from=2015&to=2016", "?from=2014&to=2015"],
    "year_end.index": ["?year=2015"],
    "year_end.report": ["?year=2015"],
    "review.round_page": ["?show=open", "?show=done", "?show=overdue"],
    "review.files": ["?list=never_helped"],
    "batches.index": ["?status=draft", "?status=sent", "?status=done", "?year=2015&fund=2015100001"],
}
#: Pages whose buttons and forms depend on who looks and the object's state: every object
#: as every role allowed.
EVERY_ROLE = {
    "cases.detail",
    "cases.campaign",
    "registry.detail",
    "batches.detail",
    "reports.report_up",
    "books.detail",
    "review.task",
}


@dataclass
class Seen:
    url: str
    role: str
    status: int
    mimetype: str
    leaks: dict[str, str] = field(default_factory=dict)  # what leaked -> the text around it


@dataclass
class Walk:
    state: EveryState
    seen: dict[str, list[Seen]] = field(default_factory=dict)  # endpoint -> what each call showed
    unwalkable: dict[str, str] = field(default_factory=dict)  # endpoint -> why


def _arguments(app: Flask, state: EveryState) -> dict[str, list[object]]:
    with app.app_context():
        unit_ids = list(db.session.execute(select(Unit.id).order_by(Unit.id)).scalars())
        user_ids = list(db.session.execute(select(User.id).order_by(User.id)).scalars())
        # Vouchers are for cash payments (a bank transfer's is 404): walk those.
        cash = select(Payment.id).where(Payment.method == "cash").order_by(Payment.id)
        payment_ids = list(db.session.execute(cash).scalars())
        vouchers = select(AccountingVoucher.id).order_by(AccountingVoucher.id)
        voucher_ids = list(db.session.execute(vouchers).scalars())
    return {
        "user_id": user_ids,
        "payment_id": payment_ids,
        "voucher_id": voucher_ids,
        "worker_id": list(state.worker_ids),
        "case_id": sorted(set(state.case_ids.values())),
        "campaign_id": list(state.campaign_ids),
        "job_id": sorted(state.job_ids),
        "unit_id": unit_ids,
        "code": list(state.fund_codes),
        "attachment_id": list(state.attachment_ids),
        "batch_id": sorted(state.batch_ids.values()),
        "report_id": sorted(state.report_ids.values()),
        "close_id": sorted(state.close_ids.values()),
        "round_id": list(state.review_round_ids),
        "task_id": sorted(state.review_task_ids.values()),
    }


def _urls(rule: object, values: dict[str, list[object]]) -> list[tuple[str, object]] | None:
    """Every address of ``rule`` with its argument filled in (and the value put in); None
    if its arguments cannot be."""
    names = sorted(rule.arguments)  # type: ignore[attr-defined]
    if any(name not in values for name in names) or len(names) > 1:
        return None
    if not names:
        return [(rule.rule, None)]  # type: ignore[attr-defined]
    pattern = r"<[^>]*" + names[0] + ">"
    return [(re.sub(pattern, str(value), rule.rule), value) for value in values[names[0]]]  # type: ignore[attr-defined]


def _calls(
    endpoint: str, urls: list[tuple[str, object]], roles: list[str], state: EveryState
) -> list[tuple[str, str]]:
    """(address, role) pairs to call: the first object as every role allowed; each other
    object, and each filter, as one of them in turn — or as every one, on the pages whose
    buttons and forms depend on the role and the object's state. A job as its owner."""
    if endpoint.startswith("jobs.") and urls[0][1] is not None:
        return [(url, state.job_ids[value]) for url, value in urls]  # type: ignore[index]
    first = urls[0][0]
    others = [url for url, _value in urls[1:]] + [first + variant for variant in VARIANTS.get(endpoint, [])]
    calls = [(first, role) for role in roles]
    for n, url in enumerate(others):
        calls += [(url, role) for role in roles] if endpoint in EVERY_ROLE else [(url, roles[n % len(roles)])]
    return calls


def _roles_for(view: object) -> list[str] | None:
    permission = getattr(view, "permission", None)
    if getattr(view, "is_public", False):
        return ["anonymous"]
    return [role for role in ROLES if permission in ROLE_PERMISSIONS[role]] or None


def _database(migrated: str, database_url: str | None, folder: Path) -> str:
    if database_url:  # this worker's PostgreSQL database, emptied
        engine = create_engine(migrated)
        with engine.begin() as conn:
            names = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            ).scalars()
            joined = ", ".join(f'"{name}"' for name in names)
            if joined:
                conn.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return migrated
    copy = folder / "every-state.sqlite3"
    shutil.copyfile(migrated, copy)
    return f"sqlite:///{copy}"


@dataclass
class Site:
    app: Flask
    state: EveryState
    clients: dict[str, FlaskClient]  # role (or anonymous) -> a signed-in client


@pytest.fixture(scope="module")
def site(migrated: str, database_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("every-state")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=_database(migrated, database_url, folder),
        JOBS_FOLDER=str(folder / "jobs"),
    )
    app.instance_path = str(folder / "instance")  # uploads awaiting confirmation: not the checkout's
    with app.app_context():
        state = build(folder / "jobs")
        db.session.remove()
    clients = {"anonymous": app.test_client()}
    for role in ROLES:
        clients[role] = app.test_client()
        response = clients[role].post("/login", data={"username": PEOPLE[role][0], "password": PASSWORD})
        assert response.status_code == 302, role
    yield Site(app, state, clients)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def walk(site: Site) -> Walk:
    app, state, clients = site.app, site.state, site.clients
    codes = code_words()
    values = _arguments(app, state)
    result = Walk(state=state)
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint == "static" or endpoint.startswith("api.") or "GET" not in (rule.methods or ()):
            continue
        view = app.view_functions[endpoint]
        urls, roles = _urls(rule, values), _roles_for(view)
        if urls is None:
            result.unwalkable[endpoint] = f"cannot fill in the arguments of {rule.rule}"
            continue
        if roles is None:
            result.unwalkable[endpoint] = "no role may see it"
            continue
        calls = _calls(endpoint, urls, roles, state)
        settings = [{}]
        if endpoint == "reports.reconciliation_page":  # checked on the spot, and the stored run
            settings.append({"RECONCILE_PAGE_MAX_ENTRIES": 0})
        for setting in settings:
            kept = {key: app.config[key] for key in setting}
            app.config.update(setting)
            for url, role in calls:
                with clients[role].get(url) as response:
                    page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
                seen = Seen(url, role, response.status_code, response.mimetype)
                if page:
                    seen.leaks = leaks_in(visible_text(page), codes, state.usernames)
                result.seen.setdefault(endpoint, []).append(seen)
            app.config.update(kept)
    return result


def test_every_page_is_walked_and_shown(walk):
    assert walk.unwalkable == {}
    for endpoint, calls in walk.seen.items():
        shown = [c for c in calls if c.status == 200]
        assert shown, f"{endpoint}: never shown ({sorted({c.status for c in calls})})"
        allowed = {200, 404, 422} if endpoint in NEEDS_QUERY else {200, 404}
        assert {c.status for c in calls} <= allowed, [
            (c.url, c.role, c.status) for c in calls if c.status != 200
        ]
        kinds = {c.mimetype for c in shown}
        if endpoint in DOWNLOADS:
            assert "text/html" not in kinds, f"{endpoint} is a page now: take it off DOWNLOADS"
        else:
            assert kinds == {"text/html"}, f"{endpoint} answers {kinds}: a download? add it to DOWNLOADS"


def test_every_case_status_and_object_is_on_its_page(walk):
    details = {c.url for c in walk.seen["cases.detail"] if c.status == 200}
    assert {f"/cases/{case_id}" for case_id in walk.state.case_ids.values()} <= details
    assert len({c.url for c in walk.seen["registry.detail"] if c.status == 200}) == len(walk.state.worker_ids)
    assert len({c.url for c in walk.seen["jobs.show"] if c.status == 200}) == len(walk.state.job_ids)


def _report(walk: Walk, endpoints: set[str]) -> str:
    by_leak: dict[str, list[tuple[Seen, str]]] = {}
    for endpoint in sorted(endpoints):
        for call in walk.seen.get(endpoint, []):
            for leak, around in call.leaks.items():
                by_leak.setdefault(leak, []).append((call, around))
    return "\n".join(
        f"{leak} on {len(places)} pages, e.g. {places[0][0].url} as {places[0][0].role}: “{places[0][1]}”"
        for leak, places in sorted(by_leak.items())
    )


def test_no_page_shows_a_code_word_or_english(walk):
    report = _report(walk, set(walk.seen))
    assert not report, "code words or English shown to a person:\n" + report


def test_the_checker_finds_codes_in_text_and_attributes_and_allows_the_short_list():
    codes = {"spouse": "relation", "bank_transfer": "payment_method", "ledger.direct_payment": "audit_action"}
    page = (
        '<p>与户主关系：spouse</p><select><option value="draft">草稿</option></select>'
        '<input placeholder="ledger.direct_payment"><script>var draft = "approved";</script>'
        '<style>.city{}</style><button title="Approve">批准</button><p>导出 XLSX、CSV（UTF-8），SHA-256</p>'
        '<input type="submit" value="Save"><p>zhangli 办理</p><p>链头 6e3ac23c1beee44df77f05e593efaff2</p>'
    )
    leaks = leaks_in(visible_text(page), codes, ("zhangli",))
    assert "code 'spouse' (relation)" in leaks
    assert "code 'ledger.direct_payment' (audit_action)" in leaks
    words = {leak.split("'")[1] for leak in leaks if leak.startswith("word")}
    # Not a code twice, nor XLSX, CSV, UTF, SHA, the user name or the digest.
    assert words == {"ledger", "direct_payment", "Approve", "Save"}


def _refusals(state: EveryState) -> list[tuple[str, str, dict[str, str], str]]:
    """(role, address, what is typed, words the answer must show): wrong input on the
    main forms, refused at its field; nothing is changed by any of them."""
    worker, approved, submitted = state.worker_ids[0], state.case_ids["approved"], state.case_ids["submitted"]
    bad_household = {
        "name": "张三",
        "household_size": "很多",
        "household_monthly_income": "很多",
        "category": "9",
        "main_cause": "nonsense",
        "members-0-name": "张小",
        "members-0-relation": "nonsense",
    }
    return [
        ("caseworker", "/workers/new", {}, "请填写姓名"),
        ("caseworker", "/workers/new", bad_household, "请选择与户主关系"),
        ("caseworker", f"/workers/{worker}/edit", {}, "请填写姓名"),
        ("caseworker", "/model-workers/new", {"level": "nonsense", "title_year": "很多"}, "请填写姓名"),
        ("caseworker", f"/workers/{worker}/cases/new", {"aid_type": "nonsense", "amount": "很多"}, "帮扶"),
        ("caseworker", f"/workers/{worker}/evidence", {"kind": "nonsense", "received_on": "很多"}, "请"),
        (
            "caseworker",
            f"/workers/{worker}/evidence",
            {
                "kind": "household_register",
                "received_on": "2015-03-02",
                "file": (io.BytesIO(PNG), "低保证.pdf"),
            },
            "文件名表明是 PDF 文件，但内容并非完整的 PDF 文件",
        ),
        ("caseworker", f"/workers/{worker}/visits", {"visited_on": "很多"}, "请"),
        ("finance", f"/cases/{approved}/payments", {"amount": "很多", "paid_on": "2015-02-30"}, "帮扶申请"),
        ("reviewer", f"/cases/{submitted}/approve", {"amount": "很多"}, "帮扶申请"),
        ("caseworker", f"/cases/{submitted}/investigations", {"visited_on": "很多"}, "请填写至少两名调查人"),
        ("caseworker", f"/cases/{submitted}/reviews", {"participants": "很多"}, "请填写参加人数"),
        ("caseworker", "/campaigns", {"amount_each": "很多", "fund_code": "nonsense"}, "请"),
        (
            "admin",
            "/admin/policy?year=2015",
            {"key": "minimum_living_line", "value": "很多", "unit": state.unit_code},
            "“很多”不是“最低生活保障线（元/人/月）”的有效值，请输入金额，如 580.00。",
        ),
        (
            "admin",
            "/admin/policy?year=2015",
            {"key": "notice_days", "value": "很多", "unit": state.unit_code},
            "请输入0 至 60 的整数天数，如 7。",
        ),
        ("admin", "/admin/users/new", {"role": "nonsense"}, "请"),
        ("caseworker", "/password", {}, "密码"),
    ]


def test_refused_forms_answer_in_chinese(site, walk):
    codes = code_words()
    for role, url, typed, words in _refusals(site.state):
        response = site.clients[role].post(url, data=typed, follow_redirects=True)
        assert response.status_code in (200, 422), (url, response.status_code)
        seen = visible_text(response.get_data(as_text=True))
        assert words in seen, (url, words)
        assert leaks_in(seen, codes, site.state.usernames) == {}, (url, typed)


def test_the_import_report_speaks_chinese(site, walk):
    header = "姓名,身份证号,手机号,工作单位,家庭人口,家庭月收入,困难类别,致困主因\n"
    rows = [
        f"赵一,{make_id(401, region='130703', birth='19650101')},13800138001,甲厂,3,1200,1,本人患大病",
        f"钱二,{make_id(402, region='990000')},13800138002,乙厂,3,1200,1,本人患大病",  # no such region
        "孙三,123,1380013800,丙厂,很多,很多,9,天灾",
    ]
    content = (header + "\n".join(rows) + "\n").encode("gb18030")
    response = site.clients["caseworker"].post(
        "/workers/import",
        data={"file": (io.BytesIO(content), "名单.csv")},
        content_type="multipart/form-data",
    )
    seen = visible_text(response.get_data(as_text=True))
    assert response.status_code == 200 and "孙三" in seen and "2 行可以导入" in seen
    assert leaks_in(seen, code_words(), site.state.usernames) == {}
