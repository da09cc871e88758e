"""Aid cases from application to payment, and check-up allowances."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Case, Fund, ModelWorker, Payment, Transfer, User
from app.services import cases, ledger, policy, registry
from app.services.audit import Actor
from app.services.cases import CeilingExceeded, DuplicateVoucher, IdempotencyMismatch, NotEntitled, WrongState
from app.services.errors import CommitmentExceeded, FundOverdrawn, InvalidInput, ValidationFailed
from app.services.four_eyes import FourEyesViolation
from tests.conftest import ACTOR
from tests.registry_helpers import make_id, worker_input

D = Decimal
DAY = date(2015, 3, 1)


@pytest.fixture
def office(budget_2015, make_user):
    """Unit 711002 with a caseworker, a reviewer, finance, and a registered household."""
    unit = budget_2015.budget.unit
    people = {
        role: db.session.get(User, make_user(role, unit=unit.code).id)
        for role in ("caseworker", "reviewer", "finance")
    }
    actors = {role: Actor.of(user, "10.0.0.5") for role, user in people.items()}
    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    worker = registry.register(worker_input(1), unit=unit, actor=actors["caseworker"], today=DAY).worker
    funds = {f.code: f for f in budget_2015.funds}
    db.session.commit()
    return {
        "unit": unit,
        "worker": worker,
        "actors": actors,
        "fund": funds["2015100001"],
        "checkup": funds["2015100002"],
    }


@pytest.fixture(autouse=True)
def books_always_balance(office):
    """After every test: budget = paid + committed + available for every fund."""
    yield
    db.session.rollback()
    for fund in db.session.execute(select(Fund)).scalars():
        b = ledger.balance(fund)
        assert b.budget == b.paid + b.committed + b.available
        assert min(b.paid, b.committed, b.available) >= 0


def _case(office, amount="3000.00", aid_type="medical"):
    a = office["actors"]
    return cases.open_case(
        office["worker"],
        fund=office["fund"],
        aid_type=aid_type,
        amount=amount,
        reason="住院治疗",
        actor=a["caseworker"],
    )


def _approved(office, amount="3000.00", approve=None):
    case = _case(office, amount)
    cases.submit(case, actor=office["actors"]["caseworker"], today=DAY)
    cases.approve(case, amount=approve, actor=office["actors"]["reviewer"], today=DAY)
    return case


def _pay(office, case, amount, voucher, **kw):
    return cases.pay(
        case,
        amount=amount,
        voucher_no=voucher,
        paid_on=DAY,
        method="bank_transfer",
        actor=office["actors"]["finance"],
        **kw,
    )


def test_the_whole_journey_moves_the_fund(office):
    case = _approved(office, "3000.00", approve="2500.00")
    b = ledger.balance(office["fund"])
    assert (b.committed, b.available) == (D("2500.00"), D("297500.00"))
    assert case.frozen_category == 1 and case.frozen_line == D("580.00")
    _pay(office, case, "1000.00", "PZ-001")
    assert case.status == "approved"
    _pay(office, case, "1500.00", "PZ-002")
    assert case.status == "paid" and cases.paid_amount(case) == D("2500.00")
    b = ledger.balance(office["fund"])
    assert (b.paid, b.committed, b.available) == (D("2500.00"), D("0.00"), D("297500.00"))
    cases.close(case, actor=office["actors"]["reviewer"])
    assert [e.action for e in case.events] == ["create", "submit", "approve", "pay", "pay", "close"]
    assert all(e.actor_name for e in case.events)


def test_one_fen_more_than_approved_is_refused(office):
    case = _approved(office, "3000.00")
    _pay(office, case, "2999.99", "PZ-1")
    db.session.commit()
    with pytest.raises(CommitmentExceeded):
        _pay(office, case, "0.02", "PZ-2")
    db.session.rollback()
    _pay(office, case, "0.01", "PZ-3")
    assert case.status == "paid"
    with pytest.raises(WrongState):
        _pay(office, case, "0.01", "PZ-4")


def test_the_approved_amount_is_never_above_the_request(office):
    case = _case(office, "3000.00")
    cases.submit(case, actor=office["actors"]["caseworker"], today=DAY)
    with pytest.raises(InvalidInput):
        cases.approve(case, amount="3000.01", actor=office["actors"]["reviewer"], today=DAY)


def test_a_case_that_would_overdraw_the_fund_cannot_be_approved(office):
    case = _case(office, "300000.01")
    cases.submit(case, actor=office["actors"]["caseworker"], today=DAY)
    db.session.commit()
    with pytest.raises(FundOverdrawn):
        cases.approve(case, actor=office["actors"]["reviewer"], today=DAY)
    db.session.rollback()
    assert db.session.get(Case, case.id).status == "submitted"


def test_rejection_and_cancellation_commit_nothing(office):
    rejected = _case(office)
    cases.submit(rejected, actor=office["actors"]["caseworker"], today=DAY)
    with pytest.raises(InvalidInput):
        cases.reject(rejected, reason="", actor=office["actors"]["reviewer"], today=DAY)
    cases.reject(rejected, reason="收入超过标准", actor=office["actors"]["reviewer"], today=DAY)
    cancelled = _case(office)
    cases.cancel(cancelled, reason="重复申请", actor=office["actors"]["caseworker"])
    assert (rejected.status, cancelled.status) == ("rejected", "cancelled")
    assert ledger.balance(office["fund"]).committed == D("0.00")


def test_closing_a_partly_paid_case_releases_the_rest(office):
    case = _approved(office, "3000.00")
    _pay(office, case, "1000.00", "PZ-9")
    cases.close(case, note="其余不再发放", actor=office["actors"]["reviewer"])
    b = ledger.balance(office["fund"])
    assert (b.paid, b.committed, b.available) == (D("1000.00"), D("0.00"), D("299000.00"))


@pytest.mark.parametrize(
    ("status_path", "action"),
    [
        ([], "approve"),
        ([], "reject"),
        ([], "pay"),
        ([], "close"),
        (["submit"], "submit"),
        (["submit", "cancel"], "submit"),
        (["submit", "cancel"], "approve"),
        (["submit", "approve"], "cancel"),
        (["submit", "approve"], "submit"),
        (["submit", "reject"], "approve"),
        (["submit", "reject"], "cancel"),
    ],
)
def test_transitions_from_the_wrong_state_are_refused_with_a_message(office, status_path, action):
    a = office["actors"]
    case = _case(office)
    steps = {
        "submit": lambda: cases.submit(case, actor=a["caseworker"], today=DAY),
        "cancel": lambda: cases.cancel(case, reason="x", actor=a["caseworker"]),
        "approve": lambda: cases.approve(case, actor=a["reviewer"], today=DAY),
        "reject": lambda: cases.reject(case, reason="x", actor=a["reviewer"], today=DAY),
        "pay": lambda: _pay(office, case, "1.00", "V-1"),
        "close": lambda: cases.close(case, actor=a["reviewer"]),
    }
    for step in status_path:
        steps[step]()
    db.session.commit()
    before = case.status
    with pytest.raises(WrongState) as refused:
        steps[action]()
    assert "不能" in refused.value.message
    db.session.rollback()
    assert db.session.get(Case, case.id).status == before


def test_public_notice_and_objections(office):
    policy.set_value(2015, "notice_days", "7", actor=ACTOR)
    a = office["actors"]
    case = _case(office)
    cases.submit(case, actor=a["caseworker"], today=DAY)
    assert (case.status, case.notice_start, case.notice_end) == ("notice", DAY, DAY + timedelta(days=7))
    with pytest.raises(WrongState):  # still on notice
        cases.approve(case, actor=a["reviewer"], today=DAY + timedelta(days=7))
    objection = cases.record_objection(
        case,
        received_on=DAY + timedelta(days=2),
        raised_by="",
        content="群众反映其家庭另有收入",
        actor=a["caseworker"],
        today=DAY + timedelta(days=2),
    )
    assert case.status == "notice"  # held on notice until the objection is settled
    cases.settle_objection(objection, outcome="dismissed", reason="经核实无其他收入", actor=a["reviewer"])
    cases.approve(case, actor=a["reviewer"], today=DAY + timedelta(days=8))
    assert case.status == "approved"
    assert "另有收入" in case.events[2].note
    assert "经核实无其他收入" in case.events[3].note


def test_four_eyes_on_deciding_and_paying(office):
    a = office["actors"]
    case = _case(office)
    cases.submit(case, actor=a["caseworker"], today=DAY)
    db.session.commit()
    with pytest.raises(FourEyesViolation):  # opened the case (and registered the worker)
        cases.approve(case, actor=a["caseworker"], today=DAY)
    db.session.rollback()
    case = db.session.get(Case, case.id)
    cases.approve(case, actor=a["reviewer"], today=DAY)
    with pytest.raises(FourEyesViolation):  # approved it
        cases.pay(case, amount="10.00", voucher_no="V", paid_on=DAY, method="cash", actor=a["reviewer"])


def test_the_frozen_figures_survive_an_edit_of_the_file(office):
    case = _approved(office)
    registry.update(
        office["worker"],
        worker_input(1, household_monthly_income="9000", category="2"),
        actor=office["actors"]["caseworker"],
        today=DAY,
    )
    assert case.frozen_household_income == D("1500.00") and case.frozen_category == 1


def test_payment_with_an_idempotency_key_pays_once(office):
    case = _approved(office, "3000.00")
    first = _pay(office, case, "1000.00", "PZ-10", idempotency_key="form-abc")
    again = _pay(office, case, "1000.00", "PZ-10", idempotency_key="form-abc")
    assert again.id == first.id
    assert cases.paid_amount(case) == D("1000.00")
    with pytest.raises(IdempotencyMismatch):
        _pay(office, case, "999.00", "PZ-10", idempotency_key="form-abc")


def test_voucher_numbers_are_unique_in_the_year(office):
    case = _approved(office, "3000.00")
    _pay(office, case, "100.00", "PZ-20")
    with pytest.raises(DuplicateVoucher):
        _pay(office, case, "100.00", "PZ-20")


@pytest.mark.parametrize(
    ("amount", "field"), [("0", "amount"), ("-5", "amount"), ("12.345", "amount"), ("1e3", "amount")]
)
def test_bad_payment_input_changes_nothing(office, amount, field):
    case = _approved(office, "3000.00")
    before = ledger.balance(office["fund"])
    with pytest.raises(ValidationFailed) as refused:
        _pay(office, case, amount, "PZ-30")
    assert field in refused.value.errors
    assert ledger.balance(office["fund"]) == before


def test_a_reversal_restores_the_balance_and_keeps_both_entries(office):
    case = _approved(office, "3000.00")
    payment = _pay(office, case, "3000.00", "PZ-40")
    assert case.status == "paid"
    cases.reverse_payment(payment, reason="收款账号错误", actor=office["actors"]["finance"])
    assert case.status == "approved" and cases.paid_amount(case) == D("0.00")
    b = ledger.balance(office["fund"])
    assert (b.paid, b.committed) == (D("0.00"), D("3000.00"))
    kinds = [t.kind for t in db.session.execute(select(Transfer).order_by(Transfer.id)).scalars()]
    assert kinds[-2:] == ["payment", "reversal"]
    with pytest.raises(WrongState):
        cases.reverse_payment(payment, reason="again", actor=office["actors"]["finance"])
    _pay(office, case, "3000.00", "PZ-41")  # paid again, correctly
    assert case.status == "paid"


def test_a_wrong_payment_found_after_closing_is_reversed_and_the_case_opens_again(office):
    """Finance finds, after the case was closed, that 2,000.00 of it went to a wrong
    account: the 红冲 brings the money back to the case, which is open again to be paid
    correctly — or closed, which then gives the money back to the fund."""
    case = _approved(office, "3000.00")
    wrong = _pay(office, case, "2000.00", "PZ-50")
    cases.close(case, note="余款不再发放", actor=office["actors"]["reviewer"])
    assert ledger.balance(office["fund"]).committed == D("0.00")
    before = ledger.balance(office["fund"])
    cases.reverse_payment(wrong, reason="收款账号错误", actor=office["actors"]["finance"])
    assert case.status == "approved" and cases.paid_amount(case) == D("0.00")
    after = ledger.balance(office["fund"])
    assert (after.paid, after.committed, after.available) == (
        before.paid - D("2000.00"),
        D("2000.00"),
        before.available,
    )
    reopened = case.events[-1]
    assert (reopened.from_status, reopened.to_status, reopened.note) == ("closed", "approved", "收款账号错误")
    assert case in cases.waiting_for({"payments.make"}, None)
    # Only what the reversal put back can be paid; then the case closes as before.
    with pytest.raises(CommitmentExceeded):
        _pay(office, case, "2000.01", "PZ-51")
    _pay(office, case, "2000.00", "PZ-52")
    cases.close(case, actor=office["actors"]["reviewer"])
    final = ledger.balance(office["fund"])
    assert (final.paid, final.committed, final.available) == (before.paid, D("0.00"), before.available)


def test_yearly_ceilings_per_household_and_per_form_of_aid(office):
    policy.set_value(2015, "household_ceiling", "5000", actor=ACTOR)
    policy.set_value(2015, "ceiling_medical", "3000", actor=ACTOR)
    _approved(office, "2000.00")
    second = _case(office, "1500.00")
    cases.submit(second, actor=office["actors"]["caseworker"], today=DAY)
    with pytest.raises(CeilingExceeded) as refused:
        cases.approve(second, actor=office["actors"]["reviewer"], today=DAY)
    assert "医疗救助" in refused.value.message
    cases.approve(second, amount="1000.00", actor=office["actors"]["reviewer"], today=DAY)
    living = _case(office, "2500.00", aid_type="living")
    cases.submit(living, actor=office["actors"]["caseworker"], today=DAY)
    with pytest.raises(CeilingExceeded) as refused:
        cases.approve(living, actor=office["actors"]["reviewer"], today=DAY)
    assert "每户每年帮扶上限" in refused.value.message


def test_service_only_help_moves_no_money(office):
    referral = cases.open_case(
        office["worker"],
        fund=office["fund"],
        aid_type="employment",
        amount="0",
        reason="推荐到物业公司",
        actor=office["actors"]["caseworker"],
    )
    cases.submit(referral, actor=office["actors"]["caseworker"], today=DAY)
    cases.approve(referral, actor=office["actors"]["reviewer"], today=DAY)
    cases.close(referral, note="已上岗", actor=office["actors"]["reviewer"])
    assert referral.status == "closed" and referral.commitment_id is None
    assert ledger.balance(office["fund"]).committed == D("0.00")


def test_bad_applications_are_refused_field_by_field(office):
    with pytest.raises(ValidationFailed) as refused:
        cases.open_case(
            office["worker"],
            fund=office["checkup"],
            aid_type="holiday",
            amount="12.345",
            reason="",
            actor=office["actors"]["caseworker"],
        )
    assert set(refused.value.errors) == {"aid_type", "amount", "reason", "fund_code"}


# --- Check-ups --------------------------------------------------------------------------


def _model_worker(office, seq, level="provincial"):
    return registry.register_model_worker(
        name=f"劳模{seq}",
        id_number=make_id(seq, region="130703"),
        level=level,
        employer="电厂",
        title_year="2005",
        unit=office["unit"],
        actor=ACTOR,
    )


def _checkup(office, worker, amount="500.00", voucher=None):
    return cases.pay_checkup(
        worker,
        fund=office["checkup"],
        amount=amount,
        voucher_no=voucher or f"TJ-{worker.id}",
        paid_on=DAY,
        actor=office["actors"]["finance"],
    )


def test_checkup_rules(office):
    first = _model_worker(office, 1)
    with pytest.raises(CeilingExceeded):
        _checkup(office, first, "501.00")
    _checkup(office, first)
    with pytest.raises(NotEntitled):  # once a year
        _checkup(office, first, voucher="TJ-again")
    with pytest.raises(NotEntitled):  # city level is not entitled
        _checkup(office, _model_worker(office, 2, level="city"))
    status = cases.checkup_status(office["checkup"])
    assert (status.allowance, status.entitled_places, status.paid_workers) == (D("500.00"), 46, 1)


def test_the_47th_model_worker_in_2015_is_refused(office):
    workers = [_model_worker(office, seq) for seq in range(10, 57)]
    for worker in workers[:46]:
        _checkup(office, worker)
    with pytest.raises(CeilingExceeded) as refused:
        _checkup(office, workers[46])
    assert "46" in refused.value.message
    assert ledger.balance(office["checkup"]).available == D("0.00")


def test_twenty_concurrent_checkup_payments_for_one_worker_pay_once(app, office):
    worker_id = _model_worker(office, 90).id
    fund_id = office["checkup"].id
    finance = office["actors"]["finance"]
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt(n):
        with app.app_context():
            try:
                barrier.wait()
                cases.pay_checkup(
                    db.session.get(ModelWorker, worker_id),
                    fund=db.session.get(Fund, fund_id),
                    amount="500.00",
                    voucher_no=f"TJ-C{n}",
                    paid_on=DAY,
                    actor=finance,
                )
                db.session.commit()
                outcomes.append("paid")
            except NotEntitled:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["paid"] + ["refused"] * 19
    with app.app_context():
        assert db.session.execute(select(Payment).where(Payment.model_worker_id == worker_id)).scalars().all()


def test_every_step_is_audited(office):
    case = _approved(office, "100.00")
    _pay(office, case, "100.00", "PZ-50")
    actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert {
        "case.create",
        "case.submit",
        "case.approve",
        "case.pay",
        "ledger.commitment",
        "ledger.payment",
    } <= actions


# --- Send-warmth campaigns ------------------------------------------------------------


def _households(office, count, category="1"):
    for seq in range(600, 600 + count):
        registry.register(
            worker_input(seq, name=f"户{seq}", category=category),
            unit=office["unit"],
            actor=office["actors"]["caseworker"],
            today=DAY,
        )


def test_a_campaign_is_approved_as_one_batch_and_paid_line_by_line(office):
    _households(office, 4)
    a = office["actors"]
    campaign = cases.plan_campaign(
        fund=office["fund"],
        name="2015年元旦春节送温暖",
        amount_each="800.00",
        category=1,
        unit_ids=None,
        actor=a["caseworker"],
    )
    assert len(campaign.cases) == 5  # the four, and the household of the fixture
    assert all(c.status == "submitted" for c in campaign.cases)
    db.session.commit()
    with pytest.raises(FourEyesViolation):
        cases.approve_campaign(campaign, actor=a["caseworker"], today=DAY)
    db.session.rollback()
    campaign = db.session.get(type(campaign), campaign.id)
    cases.approve_campaign(campaign, actor=a["reviewer"], today=DAY)
    assert ledger.balance(office["fund"]).committed == D("4000.00")
    first = campaign.cases[0]
    _pay(office, first, "800.00", "SNW-001")
    assert first.status == "paid"
    assert ledger.balance(office["fund"]).paid == D("800.00")


def test_a_campaign_that_would_overdraw_is_refused_whole(office):
    # A line high enough that 100,000.01 each stays within the living-aid cap (3000 × 12 × 3).
    policy.set_value(2015, "minimum_living_line", "3000", actor=ACTOR)
    _households(office, 2)
    a = office["actors"]
    campaign = cases.plan_campaign(
        fund=office["fund"],
        name="送温暖",
        amount_each="100000.01",
        category=None,
        unit_ids=None,
        actor=a["caseworker"],
    )
    db.session.commit()
    with pytest.raises(FundOverdrawn) as refused:
        cases.approve_campaign(campaign, actor=a["reviewer"], today=DAY)
    assert "3" in refused.value.message  # three households named in the refusal
    db.session.rollback()
    assert ledger.balance(office["fund"]).committed == D("0.00")
    assert {c.status for c in db.session.get(type(campaign), campaign.id).cases} == {"submitted"}


def test_a_campaign_passing_a_households_ceiling_is_refused_whole_naming_it(office):
    policy.set_value(2015, "household_ceiling", "1000", actor=ACTOR)
    _households(office, 2)
    a = office["actors"]
    _approved(office, "500.00")  # the fixture's household already has 500.00 this year
    campaign = cases.plan_campaign(
        fund=office["fund"],
        name="送温暖",
        amount_each="600.00",
        category=None,
        unit_ids=None,
        actor=a["caseworker"],
    )
    db.session.commit()
    with pytest.raises(CeilingExceeded) as refused:
        cases.approve_campaign(campaign, actor=a["reviewer"], today=DAY)
    assert office["worker"].name in refused.value.message
    db.session.rollback()
    assert ledger.balance(office["fund"]).committed == D("500.00")


def test_a_campaign_needs_households_and_a_sum(office):
    a = office["actors"]
    with pytest.raises(ValidationFailed):
        cases.plan_campaign(
            fund=office["fund"], name="", amount_each="0", unit_ids=None, actor=a["caseworker"]
        )
    with pytest.raises(InvalidInput):
        cases.plan_campaign(
            fund=office["fund"],
            name="送温暖",
            amount_each="100",
            category=4,
            unit_ids=None,
            actor=a["caseworker"],
        )
