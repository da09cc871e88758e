"""The world the access matrix runs in: one city, two sibling districts, objects of every
kind in each, and a user of every role in every unit.

    C 7110   张家口市总工会            (the parent: no budget of its own)
    ├── A 711002 张家口市桥西区总工会  (the shipped budget, data/budget-711002-2015.json)
    └── B 711003 张家口市桥东区总工会  (the same document, unit code, name and title changed)

Loading the shipped file also creates a unit "711" from its ``department`` field (today's
behaviour; API.md says a department code is not a unit). The tree C→A, C→B is then made by
setting ``parent_id`` directly, so the stray 711 has no children and no user.

In each district, all done by that district's own users (so its audit entries carry their
names): two registered households, a case in each interesting state (draft, submitted,
approved with its commitment, paid with a payment), a per-unit policy value, two model
workers (one with a paid check-up allowance), a send-warmth campaign in preparation, a
finished background job of the district's auditor with a result file, and two extra users
for the administrator's buttons (one active, one disabled and locked out).
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models.file_transfers import DuplicateFlag
from app.models.jobs import Job
from app.models.ledger import Fund
from app.models.org import Unit
from app.models.types import utcnow
from app.models.users import ROLES, User
from app.models.vouchers import AccountingVoucher
from app.services import (
    batches,
    budgets,
    cases,
    duties,
    periods,
    policy,
    registry,
    reporting_up,
    yearly_review,
)
from app.services import users as user_service
from app.services.audit import Actor
from app.services.registry import attachments, transfers
from tests.registry_helpers import make_id, worker_input

#: A whole, plain PDF: the scan on each district's first household's file.
SCAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ROOT = Path(__file__).resolve().parents[2]
BUDGET_FILE = ROOT / "data" / "budget-711002-2015.json"
PASSWORD = "Kunnan-Bangfu-2015"
SYSTEM = Actor.system("matrix-setup")
YEAR = 2015
HARDSHIP_CODE = "2015100001"
CHECKUP_CODE = "2015100002"
FUND_NAMES = {HARDSHIP_CODE: "困难职工帮扶资金", CHECKUP_CODE: "省部级劳模体检费"}

CITY = ("7110", "张家口市总工会")
#: The units whose users call: the object's own district, its sibling, its parent, none.
UNIT_KEYS = ("A", "B", "C", "none")
USERNAME_PREFIX = {"A": "qx", "B": "qd", "C": "zjk", "none": "all"}


@dataclass(frozen=True)
class DistrictPlan:
    key: str
    code: str
    name: str
    title: str
    prefix: str  # of usernames and voucher numbers
    worker_names: tuple[str, str]
    model_worker_names: tuple[str, str]
    campaign_name: str
    id_seq: int  # resident ID numbers made from here on
    fund_prefix: str = ""  # put before the names of the budget's funds (the shipped file: none)


PLANS = {
    "A": DistrictPlan(
        key="A",
        code="711002",
        name="张家口市桥西区总工会",
        title="2015年张家口市桥西区区级部门预算",
        prefix="qx",
        worker_names=("赵甲一", "孙甲二"),
        model_worker_names=("李劳模甲", "周劳模甲"),
        campaign_name="甲区元旦春节送温暖",
        id_seq=100,
    ),
    "B": DistrictPlan(
        key="B",
        code="711003",
        name="张家口市桥东区总工会",
        title="2015年张家口市桥东区区级部门预算",
        prefix="qd",
        worker_names=("钱乙一", "吴乙二"),
        model_worker_names=("郑劳模乙", "王劳模乙"),
        campaign_name="乙区元旦春节送温暖",
        id_seq=200,
        fund_prefix="桥东区",
    ),
}


@dataclass
class District:
    """The ids of one district's objects (plain values: they outlive every session)."""

    plan: DistrictPlan
    unit_id: int = 0
    hardship_fund_id: int = 0
    checkup_fund_id: int = 0
    worker_id: int = 0
    worker2_id: int = 0
    case_draft_id: int = 0
    case_submitted_id: int = 0
    case_approved_id: int = 0
    case_paid_id: int = 0
    payment_case_id: int = 0
    voucher_id: int = 0  # the accounting voucher of that payment
    case_batchable_id: int = 0  # approved, its payee has a card, in no batch
    batch_id: int = 0  # a draft payment batch of another approved case
    payment_checkup_id: int = 0
    model_worker_id: int = 0  # not paid yet this year
    model_worker_paid_id: int = 0
    campaign_id: int = 0
    job_id: int = 0
    job_owner: str = ""  # the caller who started the job
    target_user_id: int = 0  # an active caseworker, for the administrator's buttons
    locked_user_id: int = 0  # a disabled, locked-out caseworker, for enable and unlock
    role_change_id: int = 0  # a finance account another administrator asked for, not yet approved
    attachment_id: int = 0  # a scan of the household's register, on the first household's file
    report_id: int = 0  # the year's report sent up to the city, not yet decided
    transfer_id: int = 0  # a third household's file asked to move to the city (调转), undecided
    flag_id: int = 0  # that household shares a person with the first: a pair in the duplicate review
    close_id: int = 0  # February's books closed (结账)
    close_asked_id: int = 0  # August's books closed, reopening asked by an admin who calls nothing
    case_notice_id: int = 0  # on public notice (公示), with an objection not yet settled
    objection_id: int = 0  # that objection
    review_round_id: int = 0  # this year's yearly review (年审) of the district
    review_task_id: int = 0  # the first household's task in it, not done

    @property
    def code(self) -> str:
        return self.plan.code

    @property
    def vouchers(self) -> tuple[str, str]:
        return (f"{self.plan.prefix.upper()}-2015-001", f"{self.plan.prefix.upper()}-2015-002")

    @property
    def markers(self) -> tuple[str, ...]:
        """Strings only this district's objects put on a page: its households' and model
        workers' names, its campaign, its vouchers, its users' names, its unit code, and
        its funds as a fund choice shows them ("2015100001 困难职工帮扶资金": the two districts'
        funds share their codes, B's names are prefixed)."""
        usernames = [f"{self.plan.prefix}_{role}" for role in ROLES]
        funds = [f"{code} {self.plan.fund_prefix}{name}" for code, name in FUND_NAMES.items()]
        return (
            *funds,
            *self.plan.worker_names,
            *self.plan.model_worker_names,
            self.plan.campaign_name,
            *self.vouchers,
            *usernames,
            f"{self.plan.prefix}_target",
            f"{self.plan.prefix}_locked",
            f"{self.plan.prefix}_pending",
            self.plan.code,
        )


@dataclass
class World:
    districts: dict[str, District]
    city_unit_id: int
    users: dict[str, int] = field(default_factory=dict)  # caller -> user id
    tokens: dict[str, str] = field(default_factory=dict)  # caller -> bearer token

    @property
    def a(self) -> District:
        return self.districts["A"]

    @property
    def b(self) -> District:
        return self.districts["B"]


def callers() -> list[str]:
    """Everyone the matrix calls as: anonymous, then each role of each unit key."""
    return ["anonymous"] + [f"{key}:{role}" for key in UNIT_KEYS for role in ROLES]


def username(caller: str) -> str:
    key, role = caller.split(":")
    return f"{USERNAME_PREFIX[key]}_{role}"


def budget_document(plan: DistrictPlan) -> dict:
    document = budgets.read_budget_file(BUDGET_FILE)
    if plan.code == document["unit"]["code"]:
        return document  # the shipped file, untouched (department field and all)
    other = copy.deepcopy(document)
    other["unit"]["code"] = plan.code
    other["unit"]["name"] = plan.name
    other["title"] = plan.title
    other.pop("department", None)
    for table in other["tables"]:
        for line in table["lines"]:
            if line.get("project_code"):
                line["name"] = plan.fund_prefix + line["name"]
    return other


def _make_user(name: str, role: str, unit_code: str | None) -> User:
    user, _password = user_service.create_user(name, role, unit_code, actor=SYSTEM)
    user_service.set_password(user, PASSWORD, actor=SYSTEM)
    return user


def _fund(unit_id: int, code: str) -> Fund:
    return db.session.execute(
        select(Fund).where(Fund.unit_id == unit_id, Fund.year == YEAR, Fund.code == code)
    ).scalar_one()


def build(jobs_folder: Path) -> World:
    """Build the world in the current app context and commit it."""
    city = Unit(code=CITY[0], name=CITY[1])
    db.session.add(city)
    db.session.flush()
    districts: dict[str, District] = {}
    for key, plan in PLANS.items():
        loaded = budgets.load_budget(budget_document(plan), actor=SYSTEM)
        unit = loaded.budget.unit
        unit.parent_id = city.id  # the tree C→A, C→B (see the module's docstring)
        districts[key] = District(plan=plan, unit_id=unit.id)
    db.session.flush()
    policy.set_value(YEAR, "minimum_living_line", "580", actor=SYSTEM)
    policy.set_value(YEAR, "near_line_margin", "200", actor=SYSTEM)

    world = World(districts=districts, city_unit_id=city.id)
    codes = {"A": PLANS["A"].code, "B": PLANS["B"].code, "C": CITY[0], "none": None}
    people: dict[str, User] = {}
    for key in UNIT_KEYS:
        for role in ROLES:
            caller = f"{key}:{role}"
            people[caller] = _make_user(username(caller), role, codes[key])
    db.session.flush()
    world.users = {caller: user.id for caller, user in people.items()}
    world.tokens = {caller: user_service.issue_token(user, actor=SYSTEM) for caller, user in people.items()}

    for key, district in districts.items():
        _fill(district, people, key, jobs_folder)
    db.session.commit()
    return world


def _fill(d: District, people: dict[str, User], key: str, jobs_folder: Path) -> None:
    plan = d.plan
    unit = db.session.get(Unit, d.unit_id)
    assert unit is not None
    caseworker = Actor.of(people[f"{key}:caseworker"])
    reviewer = Actor.of(people[f"{key}:reviewer"])
    finance = Actor.of(people[f"{key}:finance"])
    admin = Actor.of(people[f"{key}:admin"])
    hardship = _fund(unit.id, HARDSHIP_CODE)
    checkup = _fund(unit.id, CHECKUP_CODE)
    d.hardship_fund_id, d.checkup_fund_id = hardship.id, checkup.id

    policy.set_value(YEAR, "household_ceiling", "20000", unit=unit, actor=admin)
    worker = registry.register(
        worker_input(plan.id_seq, name=plan.worker_names[0]), unit=unit, actor=caseworker
    ).worker
    worker2 = registry.register(
        worker_input(plan.id_seq + 1, name=plan.worker_names[1]), unit=unit, actor=caseworker
    ).worker
    registry.add_visit(worker, visited_on=date(YEAR, 3, 1), notes="入户走访，生活困难属实", actor=caseworker)
    d.worker_id, d.worker2_id = worker.id, worker2.id
    scan = attachments.Upload(name="户口簿.pdf", data=SCAN, stored_name=secrets.token_hex(16))
    evidence = registry.add_evidence(
        worker,
        "household_register",
        reference="户口簿",
        received_on=date(YEAR, 3, 1),
        actor=caseworker,
        upload=scan,
    )
    d.attachment_id = evidence.attachments[0].id

    def new_case(amount: str) -> object:
        return cases.open_case(
            worker, fund=hardship, aid_type="living", amount=amount, reason="生活困难", actor=caseworker
        )

    draft = new_case("1000")
    submitted = new_case("1000")
    cases.submit(submitted, actor=caseworker)
    approved = new_case("1000")
    cases.submit(approved, actor=caseworker)
    cases.approve(approved, amount="1000", actor=reviewer)
    paid = new_case("500")
    cases.submit(paid, actor=caseworker)
    cases.approve(paid, amount="500", actor=reviewer)
    payment = cases.pay(
        paid, amount="500", voucher_no=d.vouchers[0], paid_on=date(YEAR, 4, 1), method="cash", actor=finance
    )
    # A case on public notice (the unit's notice period is set for its submission only),
    # with an objection (公示异议) not settled yet.
    policy.set_value(YEAR, "notice_days", "7", unit=unit, actor=admin)
    on_notice = new_case("800")
    cases.submit(on_notice, actor=caseworker)
    policy.set_value(YEAR, "notice_days", "0", unit=unit, actor=admin)
    d.case_notice_id = on_notice.id  # type: ignore[attr-defined]
    d.objection_id = cases.record_objection(
        on_notice, received_on=date.today(), raised_by="", content="群众反映收入不实", actor=caseworker
    ).id
    d.case_draft_id, d.case_submitted_id = draft.id, submitted.id  # type: ignore[attr-defined]
    d.case_approved_id, d.case_paid_id = approved.id, paid.id  # type: ignore[attr-defined]
    d.payment_case_id = payment.id
    d.voucher_id = db.session.execute(
        select(AccountingVoucher.id).where(AccountingVoucher.transfer_id == payment.transfer_id)
    ).scalar_one()

    # Payment batches: worker2 has a card; the draft batch was prepared by the
    # administrator, so every finance caller may approve it (four eyes).
    registry.update(
        worker2,
        worker_input(
            plan.id_seq + 1,
            name=plan.worker_names[1],
            bank_name="中国工商银行",
            bank_account=f"622202040{plan.id_seq:010d}",
        ),
        actor=caseworker,
    )
    in_batch, batchable = (
        cases.open_case(
            worker2, fund=hardship, aid_type="living", amount="300", reason="生活困难", actor=caseworker
        )
        for _ in range(2)
    )
    for case in (in_batch, batchable):
        cases.submit(case, actor=caseworker)
        cases.approve(case, amount="300", actor=reviewer)
    d.batch_id = batches.prepare(hardship, [in_batch.id], actor=admin).id
    d.case_batchable_id = batchable.id

    model_worker = registry.register_model_worker(
        name=plan.model_worker_names[0],
        id_number=make_id(plan.id_seq + 10),
        level="provincial",
        employer="电厂",
        title_year="2005",
        unit=unit,
        actor=caseworker,
    )
    model_worker_paid = registry.register_model_worker(
        name=plan.model_worker_names[1],
        id_number=make_id(plan.id_seq + 11),
        level="national",
        employer="煤矿",
        title_year="2008",
        unit=unit,
        actor=caseworker,
    )
    checkup_payment = cases.pay_checkup(
        model_worker_paid,
        fund=checkup,
        amount="500",
        voucher_no=d.vouchers[1],
        paid_on=date(YEAR, 5, 1),
        actor=finance,
    )
    d.model_worker_id, d.model_worker_paid_id = model_worker.id, model_worker_paid.id
    d.payment_checkup_id = checkup_payment.id

    campaign = cases.plan_campaign(
        fund=hardship, name=plan.campaign_name, amount_each="200", actor=caseworker, unit_ids=[unit.id]
    )
    d.campaign_id = campaign.id

    target = _make_user(f"{plan.prefix}_target", "caseworker", plan.code)
    locked = _make_user(f"{plan.prefix}_locked", "caseworker", plan.code)
    locked.active = False
    locked.failed_logins = 3
    locked.locked_until = utcnow() + timedelta(days=3650)
    d.target_user_id, d.locked_user_id = target.id, locked.id
    # A finance account asked for by an administrator who calls nothing: it waits for a second.
    asker = _make_user(f"{plan.prefix}_asker", "admin", plan.code)
    pending, _password = user_service.create_user(
        f"{plan.prefix}_pending", "finance", plan.code, actor=Actor.of(asker, door="page")
    )
    d.role_change_id = duties.pending_of(pending.id).id
    # The district's report for the whole year, sent up and waiting for the city (上报).
    d.report_id = reporting_up.submit(unit, YEAR, 0, actor=finance).id
    # A third household, whose member heads the first: a pair for the review (查重); its file
    # is asked to move to the city (调转: the city, above the district, cannot accept it).
    third = registry.register(
        worker_input(
            plan.id_seq + 30,
            name=f"调转户{plan.worker_names[0][1]}",
            members=[{"name": plan.worker_names[0], "relation": "spouse", "id_number": make_id(plan.id_seq)}],
        ),
        unit=unit,
        actor=caseworker,
    ).worker
    d.flag_id = db.session.execute(
        select(DuplicateFlag.id).where(DuplicateFlag.worker_high_id == third.id)
    ).scalar_one()
    d.transfer_id = transfers.request(third, to_unit=CITY[0], reason="迁居", actor=caseworker).id
    # 结账: February closed; August closed and its reopening asked for by that administrator,
    # so every administrator or finance caller is a second person who may reopen it.
    d.close_id = periods.close(unit, YEAR, month=2, actor=finance).id
    asked = periods.close(unit, YEAR, month=8, actor=finance)
    periods.request_reopen(asked, reason="漏记一笔8月发放", actor=Actor.of(asker, door="page"))
    d.close_asked_id = asked.id
    # This year's yearly review (年审), started by the district's reviewer; nothing done yet.
    review_round = yearly_review.start_round(
        year=date.today().year, deadline=date.today() + timedelta(days=30), unit=unit, actor=reviewer
    )
    d.review_round_id = review_round.id
    d.review_task_id = next(t.id for t in review_round.tasks if t.worker_id == worker.id)

    auditor = people[f"{key}:auditor"]
    job = Job(
        kind="audit_package",
        user_id=auditor.id,
        status="done",
        done=1,
        total=1,
        message="审计资料包已生成",
        created_at=utcnow(),
        finished_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    job.result_name = f"{job.id}-audit-{YEAR}.zip"
    jobs_folder.mkdir(parents=True, exist_ok=True)
    (jobs_folder / job.result_name).write_bytes(f"{plan.worker_names[0]} {d.vouchers[0]}".encode())
    d.job_id, d.job_owner = job.id, f"{key}:auditor"
    db.session.flush()


def disturb(world: World, key: str) -> None:
    """Change district ``key``'s data as its own people would (a payment, a new household,
    a visit): what another district's users see must not change with it."""
    from app.models.cases import Case
    from app.models.registry import Worker

    d = world.districts[key]
    unit = db.session.get(Unit, d.unit_id)
    finance = Actor.of(db.session.get(User, world.users[f"{key}:finance"]))
    caseworker = Actor.of(db.session.get(User, world.users[f"{key}:caseworker"]))
    case = db.session.get(Case, d.case_approved_id)
    cases.pay(
        case,
        amount="123.45",
        voucher_no=f"{d.plan.prefix.upper()}-2015-777",
        paid_on=date(YEAR, 7, 1),
        method="cash",
        actor=finance,
    )
    registry.register(worker_input(d.plan.id_seq + 50, name="扰动户"), unit=unit, actor=caseworker)
    worker = db.session.get(Worker, d.worker_id)
    registry.add_visit(worker, visited_on=date(YEAR, 7, 2), notes="再次走访", actor=caseworker)
    db.session.commit()
