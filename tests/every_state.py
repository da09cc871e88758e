"""A year of one district office with objects in every state a page can show.

Unit 711002 with the shipped 2015 budget; a user of every role (and a disabled one and a
locked-out one); households on file, out of hardship and closed, of every category 1–4,
with members of every relation and documents of every kind; cases in every status and of
every form of aid, paid in cash and by bank transfer, one payment reversed; send-warmth
campaigns in preparation, approved and cancelled; model workers of every level, one with
its check-up paid; background jobs of every kind, finished and failed; a stored
reconciliation run; policy values for all units and for the unit.

Everything is done through the services, by the office's own users, as people would.
Used by the test that walks every page (tests/web/test_no_english.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from app.extensions import db
from app.models.cases import AID_TYPES, CASE_STATUSES, Case
from app.models.jobs import Job
from app.models.ledger import Fund
from app.models.org import Unit
from app.models.registry import CLOSED, LEVEL_LABELS, OUT_OF_HARDSHIP
from app.models.types import utcnow
from app.models.users import ROLES, User
from app.services import (
    batches,
    budget_revisions,
    budgets,
    cases,
    periods,
    policy,
    registry,
    reporting_up,
    units,
    yearly_review,
)
from app.services import users as user_service
from app.services.audit import Actor
from app.services.eligibility import CATEGORIES, EVIDENCE_KINDS
from app.services.jobs import KIND_LABELS
from app.services.reconciliation import runs
from app.services.registry import attachments
from app.services.registry.input import RELATIONS
from tests.registry_helpers import make_id, worker_input

ROOT = Path(__file__).resolve().parent.parent
BUDGET_FILE = ROOT / "data" / "budget-711002-2015.json"
PASSWORD = "Kunnan-Bangfu-2015"
YEAR = 2015
#: A whole, plain PDF: the scan of the first household's first document.
SCAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SYSTEM = Actor.system("every-state-setup")
#: Each role's user: a pinyin user name (data a person typed, not a code) and a real name.
PEOPLE = {
    "caseworker": ("zhangli", "张丽"),
    "reviewer": ("wangfang", "王芳"),
    "finance": ("liuqiang", "刘强"),
    "auditor": ("chenjing", "陈静"),
    "admin": ("zhaomin", "赵敏"),
}
DISABLED = ("sunhao", "孙浩")
LOCKED = ("zhoutao", "周涛")
#: The finance officer of the works union below the district, who sends its reports up.
BELOW_FINANCE = ("liuyang", "刘洋")


@dataclass
class EveryState:
    """The ids of what was built (plain values: they outlive every session)."""

    unit_code: str = ""
    users: dict[str, int] = field(default_factory=dict)  # role -> user id
    usernames: tuple[str, ...] = ()  # every user's name: data shown on pages, not a code
    worker_ids: list[int] = field(default_factory=list)
    case_ids: dict[str, int] = field(default_factory=dict)  # status -> a case in it
    campaign_ids: list[int] = field(default_factory=list)
    job_ids: dict[int, str] = field(default_factory=dict)  # job id -> the role that owns it
    fund_codes: list[str] = field(default_factory=list)
    attachment_ids: list[int] = field(default_factory=list)  # scans on the first household's file
    batch_ids: dict[str, int] = field(default_factory=dict)  # status -> a bank batch in it
    report_ids: dict[str, int] = field(default_factory=dict)  # status -> a report sent up in it
    close_ids: dict[str, int] = field(default_factory=dict)  # status -> a close of the books (结账) in it
    review_round_ids: list[int] = field(default_factory=list)  # yearly review rounds (年审)
    review_task_ids: dict[str, int] = field(default_factory=dict)  # outcome or 'open' -> a task


def _user(username: str, full_name: str, role: str, unit_code: str) -> User:
    user, _password = user_service.create_user(username, role, unit_code, actor=SYSTEM)
    user_service.set_password(user, PASSWORD, actor=SYSTEM)
    user.full_name = full_name
    return user


def _reports_up(state: EveryState, sender: Actor, reviewer: Actor) -> None:
    """The works union below the district has sent its reports up (上报): one waits, one was
    returned, one accepted by the district's reviewer."""
    below = units.find_unit("71100201")
    for month, status in ((1, "submitted"), (2, "returned"), (3, "accepted")):
        report = reporting_up.submit(below, YEAR, month, note="按月上报", actor=sender)
        if status == "returned":
            reporting_up.send_back(report, reason="资金执行数与台账不符", actor=reviewer)
        elif status == "accepted":
            reporting_up.accept(report, actor=reviewer)
        state.report_ids[status] = report.id


def _reviews(state: EveryState, unit: object, caseworker: Actor, reviewer: Actor) -> None:
    """This year's yearly review (年审), started two months ago with a deadline a month ago:
    one task kept, one changed, one exited (a household with its cases settled), the rest
    overdue."""
    started = date.today() - timedelta(days=60)
    review_round = yearly_review.start_round(
        year=date.today().year,
        deadline=started + timedelta(days=30),
        unit=unit,
        actor=reviewer,
        today=started,
    )
    state.review_round_ids.append(review_round.id)
    tasks = list(review_round.tasks)
    settled = next(t for t in tasks if not registry.unsettled_cases(t.worker))
    outcomes = {"exit": settled}
    others = iter(t for t in tasks if t is not settled)
    outcomes["keep"], outcomes["change"] = next(others), next(others)
    for outcome, task in outcomes.items():
        new_category = "2" if task.worker.category != 2 else "1"
        figures = yearly_review.NewFigures(str(task.worker.household_size), "2100", new_category)
        yearly_review.complete_task(
            task,
            task.worker,
            outcome=outcome,
            figures=figures,
            exit_reason="recovered",
            note="入户核实",
            actor=caseworker,
        )
        state.review_task_ids[outcome] = task.id
    state.review_task_ids["open"] = next(t.id for t in tasks if t.done_on is None)


def _households(unit: object, caseworker: Actor) -> list:
    """Six households: categories 1–4 in turn, each with a member of another relation."""
    made = []
    names = ("赵建国", "钱秀英", "孙志强", "李桂兰", "周明", "吴丽华")
    assert len(names) == len(RELATIONS)
    for seq, (name, relation) in enumerate(zip(names, RELATIONS, strict=True), start=1):
        category = (seq - 1) % len(CATEGORIES) + 1
        members = [{"name": f"{name[0]}小{seq}", "relation": relation}]
        extra: dict[str, str] = {}
        if category == 3:
            extra = {
                "disaster_event": "2015年7月暴雨房屋倒塌",
                "disaster_date": "2015-07-20",
                "main_cause": "disaster",
            }
        if category == 4:
            extra = {"rights_case_ref": "桥劳仲案字〔2015〕第12号", "main_cause": "rights"}
        data = worker_input(
            seq,
            name=name,
            id_number=make_id(seq, region="130703", birth=f"19{60 + seq}0315"),
            category=str(category),
            household_size=str(len(members) + 1),
            household_monthly_income="900" if category == 1 else "1900",
            bank_name="中国工商银行张家口桥西支行",
            bank_account=f"62220206{seq:011d}",
            members=members,
            **extra,
        )
        made.append(registry.register(data, unit=unit, actor=caseworker).worker)
    return made


def build(jobs_folder: Path) -> EveryState:
    """Build the year in the current app context and commit it."""
    state = EveryState()
    loaded = budgets.load_budget(budgets.read_budget_file(BUDGET_FILE), actor=SYSTEM)
    unit = loaded.budget.unit
    state.unit_code = unit.code
    funds = {f.code: f for f in loaded.funds}
    hardship, checkup = funds["2015100001"], funds["2015100002"]
    state.fund_codes = sorted(funds)

    people = {role: _user(*PEOPLE[role], role, unit.code) for role in ROLES}
    units.create_unit(
        "71100201", "桥西区机械厂工会", unit.code, actor=Actor.of(people["admin"])
    )  # a grassroots union
    disabled = _user(*DISABLED, "caseworker", unit.code)
    locked = _user(*LOCKED, "finance", unit.code)
    db.session.flush()
    user_service.set_active(disabled, False, actor=Actor.of(people["admin"]))
    locked.failed_logins = 5
    locked.locked_until = utcnow() + timedelta(days=1)
    state.users = {role: user.id for role, user in people.items()}
    state.usernames = (*(name for name, _full in PEOPLE.values()), DISABLED[0], LOCKED[0], BELOW_FINANCE[0])
    caseworker, reviewer, finance, admin = (
        Actor.of(people[role]) for role in ("caseworker", "reviewer", "finance", "admin")
    )

    for key, value in (
        ("minimum_living_line", "580"),
        ("near_line_margin", "200"),
        ("checkup_allowance", "500"),
    ):
        policy.set_value(YEAR, key, value, actor=SYSTEM)  # for all units: the command line
    policy.set_value(YEAR, "household_ceiling", "20000", unit=unit, actor=admin)
    # 预算调整: the hardship fund revised up, so its revisions page and the report show one.
    budget_revisions.revise_fund(
        hardship,
        how="increase",
        amount="10000",
        reason="追加困难职工帮扶资金",
        reference="桥财预〔2015〕12号",
        revised_on=date(YEAR, 1, 20),
        actor=finance,
    )
    policy.set_value(YEAR, "ceiling_medical", "8000", unit=unit, actor=admin)

    workers = _households(unit, caseworker)
    for n, kind in enumerate(EVIDENCE_KINDS):
        scan = attachments.Upload(name="扫描件.pdf", data=SCAN, stored_name=f"every-state-scan-{n}")
        evidence = registry.add_evidence(
            workers[0],
            kind,
            reference="复印件存档",
            received_on=date(YEAR, 2, 1),
            actor=caseworker,
            upload=scan if n == 0 else None,
        )
        state.attachment_ids += [a.id for a in evidence.attachments]
    registry.add_visit(
        workers[0], visited_on=date(YEAR, 3, 1), notes="入户走访，生活困难属实", actor=caseworker
    )
    state.worker_ids = [w.id for w in workers]

    _batches(state, unit, hardship, caseworker, reviewer, finance, admin)
    _cases(state, workers, hardship, caseworker, reviewer, finance)
    _reports_up(state, Actor.of(_user(*BELOW_FINANCE, "finance", "71100201")), reviewer)
    registry.change_status(
        workers[4], OUT_OF_HARDSHIP, reason="子女已就业", on=date.today(), actor=caseworker
    )
    registry.change_status(workers[5], CLOSED, reason="迁出本区", on=date.today(), actor=caseworker)
    _reviews(state, unit, caseworker, reviewer)

    for seq, level in enumerate(LEVEL_LABELS, start=40):
        model_worker = registry.register_model_worker(
            name=f"劳模{seq}",
            id_number=make_id(seq, region="130703", birth="19580101"),
            level=level,
            employer="桥西区电厂",
            title_year="2005",
            unit=unit,
            actor=caseworker,
        )
        if level == "national":
            cases.pay_checkup(
                model_worker,
                fund=checkup,
                amount="500",
                voucher_no="PZ0901",
                paid_on=date(YEAR, 5, 1),
                actor=finance,
            )

    for status, note in (("approved", "腊月发放"), ("cancelled", "名单有误"), ("draft", "")):
        campaign = cases.plan_campaign(
            fund=hardship,
            name=f"2015年元旦春节送温暖（{note or '筹备中'}）",
            amount_each="200",
            actor=caseworker,
        )
        if status == "approved":
            cases.approve_campaign(campaign, actor=reviewer, today=date(YEAR, 12, 20))
        elif status == "cancelled":
            cases.cancel_campaign(campaign, actor=caseworker)
        state.campaign_ids.append(campaign.id)

    _closes(state, unit, finance, admin)
    _jobs(state, people, jobs_folder)
    auditor = Actor.of(people["auditor"])
    db.session.commit()
    runs.run(YEAR, auditor.scope.ids, actor=auditor)  # reads what is committed, stores its run, commits
    return state


def _closes(state: EveryState, unit: Unit, finance: Actor, admin: Actor) -> None:
    """结账: January closed, February's reopening asked for, April reopened by a second person."""
    for month, status in ((1, "closed"), (2, "reopen_requested"), (4, "reopened")):
        closing = periods.close(unit, YEAR, month=month, actor=finance)
        if status != "closed":
            periods.request_reopen(closing, reason="漏记一笔发放", actor=admin)
        if status == "reopened":
            periods.approve_reopen(closing, actor=finance)
        state.close_ids[status] = closing.id


def _cases(
    state: EveryState, workers: list, hardship: Fund, caseworker: Actor, reviewer: Actor, finance: Actor
) -> None:
    """A case in every status and of every form of aid (statuses of CASE_STATUSES)."""
    aid = iter(list(AID_TYPES) * 2)
    day = iter(range(1, 28))

    def new(worker_no: int, amount: str = "1000") -> Case:
        return cases.open_case(
            workers[worker_no],
            fund=hardship,
            aid_type=next(aid),
            amount=amount,
            reason="生活困难",
            actor=caseworker,
        )

    def paid(case: Case, method: str, amount: str | None = None) -> object:
        return cases.pay(
            case,
            amount=amount or str(case.approved_amount),
            voucher_no=f"PZ{next(day):04d}",
            paid_on=date(YEAR, 4, next(day)),
            method=method,
            actor=finance,
        )

    made: dict[str, Case] = {"draft": new(0)}
    made["submitted"] = new(1)
    cases.submit(made["submitted"], actor=caseworker)
    made["approved"] = new(2)
    cases.submit(made["approved"], actor=caseworker)
    cases.approve(made["approved"], amount="800", note="同意", actor=reviewer)
    paid(made["approved"], "cash", amount="300")  # part paid, the case stays approved
    made["rejected"] = new(3)
    cases.submit(made["rejected"], actor=caseworker)
    cases.reject(made["rejected"], reason="收入超过标准", actor=reviewer)
    made["paid"] = new(0, "1200")
    cases.submit(made["paid"], actor=caseworker)
    cases.approve(made["paid"], actor=reviewer)
    paid(made["paid"], "bank_transfer")
    made["closed"] = new(1, "600")
    cases.submit(made["closed"], actor=caseworker)
    cases.approve(made["closed"], actor=reviewer)
    paid(made["closed"], "cash")
    cases.close(made["closed"], note="已发放完毕", actor=reviewer)
    made["cancelled"] = new(2)
    cases.cancel(made["cancelled"], reason="申请人撤回", actor=caseworker)
    reversed_case = new(3, "700")  # paid, the payment reversed (红冲): approved again
    cases.submit(reversed_case, actor=caseworker)
    cases.approve(reversed_case, actor=reviewer)
    cases.reverse_payment(paid(reversed_case, "bank_transfer"), reason="账号有误", actor=finance)  # type: ignore[arg-type]
    # A notice period (公示) for what is submitted from now on: one case on notice, one
    # held on notice by an objection not yet settled (and another dismissed).
    policy.set_value(YEAR, "notice_days", "7", actor=Actor.system("every-state-setup"))
    made["notice"] = new(0, "500")
    cases.submit(made["notice"], actor=caseworker)
    objected = new(1, "500")
    cases.submit(objected, actor=caseworker)
    cases.record_objection(
        objected, received_on=date.today(), raised_by="", content="群众反映收入不实", actor=caseworker
    )
    dismissed = cases.record_objection(
        objected, received_on=date.today(), raised_by="同车间职工", content="反映其有房出租", actor=caseworker
    )
    cases.settle_objection(dismissed, outcome="dismissed", reason="经入户核实，无出租收入", actor=reviewer)
    missing = set(CASE_STATUSES) - set(made)
    assert not missing, f"no case in status {missing}"
    state.case_ids = {status: case.id for status, case in made.items()} | {
        "reversed": reversed_case.id,
        "objected": objected.id,
    }


def _batches(
    state: EveryState,
    unit: object,
    hardship: Fund,
    caseworker: Actor,
    reviewer: Actor,
    finance: Actor,
    admin: Actor,
) -> None:
    """Bank payment batches (代发批次) in every status, prepared by the administrator (so
    finance may approve them), one answered with a line the bank could not pay."""
    made = []
    for seq in range(60, 71):
        worker = registry.register(
            worker_input(
                seq, name=f"代发{seq}", bank_name="中国工商银行张家口分行", bank_account=f"62220204{seq:011d}"
            ),
            unit=unit,
            actor=caseworker,
        ).worker
        state.worker_ids.append(worker.id)
        case = cases.open_case(
            worker, fund=hardship, aid_type="living", amount="300", reason="生活困难", actor=caseworker
        )
        cases.submit(case, actor=caseworker)
        cases.approve(case, actor=reviewer)
        made.append(case.id)
    groups = {"draft": 1, "cancelled": 1, "approved": 1, "sent": 2, "answered": 2, "done": 3}
    start = 0
    for status, size in groups.items():
        batch = batches.prepare(hardship, made[start : start + size], actor=admin)
        start += size
        if status == "cancelled":
            batches.cancel(batch, actor=finance)
        elif status != "draft":
            batches.approve(batch, actor=finance)
        if status in ("sent", "answered", "done"):
            batches.bank_file(batch, "csv", actor=finance)
        if status in ("answered", "done"):
            results = ["paid", "failed", "paid"][:size] if status == "done" else ["paid"]
            answer = [
                batches.AnswerLine(line.id, result, "户名与账号不符" if result == "failed" else "")
                for line, result in zip(batch.lines, results, strict=False)
            ]
            batches.answer(batch, answer, actor=finance, paid_on=date(YEAR, 6, 1))
        assert batch.status == status, (status, batch.status)
        state.batch_ids[status] = batch.id


def _jobs(state: EveryState, people: dict[str, User], jobs_folder: Path) -> None:
    """Of every kind, one finished (with its file) and one failed, owned by who starts them."""
    owners = {
        "audit_package": "auditor",
        "registry_import": "caseworker",
        "reconciliation": "auditor",
        "batch_answer": "finance",
    }
    jobs_folder.mkdir(parents=True, exist_ok=True)
    for kind in KIND_LABELS:
        for status in ("done", "failed"):
            role = owners.get(kind, "auditor")
            job = Job(
                kind=kind,
                user_id=people[role].id,
                status=status,
                done=3 if status == "done" else 1,
                total=3,
                message="已完成" if status == "done" else "第 2 行：身份证号校验码错误",
                created_at=utcnow(),
                finished_at=utcnow(),
            )
            db.session.add(job)
            db.session.flush()
            if status == "done" and kind == "audit_package":
                job.result_name = f"{job.id}-audit-{YEAR}.zip"
                (jobs_folder / job.result_name).write_bytes(b"PK\x05\x06" + b"\0" * 18)
            state.job_ids[job.id] = role
