"""The registry: ID numbers done properly, one person one file, categories, evidence,
search, the yearly review and model workers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.idnumbers import InvalidIdNumber, normalise_mobile, parse_resident_id
from app.models import AuditEntry, Worker
from app.services import eligibility, policy, registry
from app.services.audit import Actor
from app.services.four_eyes import FourEyesViolation
from app.services.registry import DuplicateWorker, ValidationFailed
from tests.conftest import ACTOR
from tests.registry_helpers import make_id, worker_input

TODAY = date(2015, 6, 1)


@pytest.fixture
def unit(budget_2015):
    return budget_2015.budget.unit


@pytest.fixture
def lines(unit):
    policy.set_value(2015, "minimum_living_line", "580", actor=ACTOR)
    policy.set_value(2015, "near_line_margin", "200", actor=ACTOR)
    db.session.commit()


# --- ID numbers ------------------------------------------------------------------------


def test_a_valid_id_gives_birth_date_and_sex():
    male = parse_resident_id(make_id(11, birth="19800315"))
    assert male.birth_date == date(1980, 3, 15) and male.sex == "M"
    female = parse_resident_id(make_id(12, birth="19751231"))
    assert female.sex == "F"
    assert male.region == "北京市 朝阳区" and male.warnings == []


def test_lower_case_x_and_full_width_digits_are_normalised():
    number = "11010519800101018X"
    assert parse_resident_id(number.lower()).number == number
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    assert parse_resident_id(f" {full_width} ").number == number


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105198001010014", "校验码"),  # wrong check digit: 110105198001010016 is right
        ("110105198002300011", "出生日期"),  # 30 February
        ("110105199913320011", "出生日期"),  # month 13
        ("110105203001010011", "出生日期"),  # born in the future
        ("110105800101001", "15 位身份证号"),  # legacy 15-digit number
        ("11010519800101001", "18"),
        ("11010519800101001Y", "18"),
        ("", "身份证号"),
    ],
)
def test_invalid_ids_are_refused_with_a_clear_message(number, message, app):
    with app.test_request_context(), pytest.raises(InvalidIdNumber) as refused:
        parse_resident_id(number, today=TODAY)
    assert message in refused.value.message


def test_the_standards_own_example_is_accepted(app):
    with app.test_request_context():
        resident = parse_resident_id("440524188001010014")
        assert resident.birth_date == date(1880, 1, 1)
        assert resident.region == "广东省 潮阳县"  # 1983–1993: a code that existed is known
        assert resident.warnings == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("13800138000", True),
        ("138 0013 8000", True),
        ("+8613800138000", True),
        ("12800138000", False),
        ("1380013800", False),
        ("0313-1234567", False),
    ],
)
def test_mobile_numbers(text, ok):
    if ok:
        assert normalise_mobile(text) == "13800138000"
    else:
        with pytest.raises(ValueError):
            normalise_mobile(text)


# --- Registration, protection, duplicates -----------------------------------------------------


def test_the_id_number_is_never_stored_in_clear(unit, lines, is_postgres):
    number = make_id(21)
    card = "6222020200112233445"
    worker = registry.register(
        worker_input(21, bank_account=card), unit=unit, actor=ACTOR, today=TODAY
    ).worker
    db.session.commit()
    assert worker.id_last4 == number[-4:]
    assert number not in worker.id_number_protected
    row = db.session.execute(text("SELECT * FROM workers")).one()
    assert number not in str(tuple(row)) and card not in str(tuple(row))
    assert all(number not in str(tuple(r)) for r in db.session.execute(text("SELECT * FROM audit_log")))
    assert registry.masked_id(worker) == number[:4] + "*" * 10 + number[-4:]
    revealed = registry.reveal_id_number(worker, actor=ACTOR, purpose="identity")
    assert revealed == number
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "worker.reveal_id")).scalar_one()


def test_a_second_active_file_for_the_same_person_is_refused(unit, lines):
    first = registry.register(worker_input(31), unit=unit, actor=ACTOR, today=TODAY).worker
    db.session.commit()
    with pytest.raises(DuplicateWorker) as refused:
        registry.register(
            worker_input(31, name="张三丰", id_number=make_id(31).lower()), unit=unit, actor=ACTOR
        )
    assert f"No. {first.id}" in refused.value.message or str(first.id) in refused.value.message
    db.session.rollback()
    # Once the first file is closed, the person may be registered again.
    registry.change_status(first, "closed", reason="迁出本区", on=TODAY, actor=ACTOR)
    again = registry.register(worker_input(31), unit=unit, actor=ACTOR, today=TODAY).worker
    assert again.id != first.id
    # Re-opening the closed file now would make two active files: refused.
    with pytest.raises(DuplicateWorker):
        registry.change_status(first, "on_file", reason="", on=TODAY, actor=ACTOR)


def test_the_database_itself_refuses_two_active_files(unit, lines):
    worker = registry.register(worker_input(41), unit=unit, actor=ACTOR, today=TODAY).worker
    db.session.commit()
    clone = Worker(**{c.key: getattr(worker, c.key) for c in Worker.__table__.columns if c.key != "id"})
    db.session.add(clone)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_same_household_registered_twice_is_flagged(unit, lines):
    spouse = make_id(52, birth="19820202")
    registry.register(
        worker_input(
            51, household_size="2", members=[{"name": "李四", "relation": "spouse", "id_number": spouse}]
        ),
        unit=unit,
        actor=ACTOR,
        today=TODAY,
    )
    second = registry.register(
        worker_input(52, id_number=spouse, name="李四"), unit=unit, actor=ACTOR, today=TODAY
    )
    assert any("重复建档" in w or "double registration" in w for w in second.warnings)


def test_bad_input_is_refused_whole_naming_each_field(unit, lines):
    bad = worker_input(
        61,
        name=" ",
        phone="123",
        household_size="0",
        household_monthly_income="12.345",
        category="5",
        main_cause="boredom",
    )
    with pytest.raises(ValidationFailed) as refused:
        registry.register(bad, unit=unit, actor=ACTOR, today=TODAY)
    assert set(refused.value.errors) == {
        "name",
        "phone",
        "household_size",
        "household_monthly_income",
        "category",
        "main_cause",
    }
    db.session.rollback()
    assert db.session.execute(select(Worker)).first() is None


# --- Categories ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "size", "cause", "suggested", "supports_2"),
    [
        ("1739.99", 3, "illness_self", 1, False),  # 579.996... per person: just below 580
        ("1740.00", 3, "illness_self", 2, True),  # exactly at the line: not below, so 2
        ("1740.03", 3, "illness_self", 2, True),  # just above, within the margin
        ("2340.00", 3, "education", 2, True),  # exactly line + margin (780): still 2
        ("2340.03", 3, "education", None, False),  # a fen per person beyond the margin
        ("1740.00", 3, "unemployment", None, False),  # near the line but no qualifying cause
    ],
)
def test_category_suggestion_at_and_around_the_line(income, size, cause, suggested, supports_2):
    facts = eligibility.HouseholdFacts(monthly_income=Decimal(income), size=size, main_cause=cause)
    result = eligibility.assess(facts, Decimal("580.00"), Decimal("200.00"))
    assert result.suggested == suggested
    assert result.supported[2] is supports_2


def test_categories_3_and_4_need_their_event_and_reference():
    base = {"monthly_income": Decimal("9000"), "size": 3, "main_cause": "disaster"}
    plain = eligibility.assess(eligibility.HouseholdFacts(**base), Decimal("580"), Decimal("200"))
    assert plain.suggested is None and not plain.supported[3] and not plain.supported[4]
    flood = eligibility.HouseholdFacts(**base, disaster_event="洪水", disaster_date=date(2015, 7, 1))
    assert eligibility.assess(flood, Decimal("580"), Decimal("200")).suggested == 3
    wages = eligibility.HouseholdFacts(**base, rights_case_ref="张劳仲案字[2015]第12号")
    assert eligibility.assess(wages, Decimal("580"), Decimal("200")).suggested == 4


def test_an_unsupported_category_is_flagged_and_a_reviewer_may_accept_it(unit, lines, make_user):
    caseworker = make_user("caseworker", unit=unit.code)
    reviewer = make_user("reviewer", unit=unit.code)
    worker = registry.register(
        worker_input(71, household_monthly_income="6000", category="1"),
        unit=unit,
        actor=Actor.of(caseworker),
        today=TODAY,
    ).worker
    assert not registry.category_supported(worker, 2015)
    assert [item.worker.id for item in registry.yearly_review(2015, unit_ids=None, today=TODAY)] == [
        worker.id
    ]
    with pytest.raises(FourEyesViolation):  # not by the one who registered the file
        registry.accept_category(worker, reason="因病支出巨大", actor=Actor.of(caseworker))
    registry.accept_category(worker, reason="因病支出巨大，收入证明不反映实际", actor=Actor.of(reviewer))
    assert worker.reviewed_by_id == reviewer.id
    assert registry.yearly_review(2015, unit_ids=None, today=TODAY) == []


def test_the_yearly_review_lists_files_not_checked_for_a_year(unit, lines):
    worker = registry.register(worker_input(81), unit=unit, actor=ACTOR, today=TODAY).worker
    assert registry.yearly_review(2015, unit_ids=None, today=TODAY + timedelta(days=365)) == []
    due = registry.yearly_review(2015, unit_ids=None, today=TODAY + timedelta(days=366))
    assert [item.worker.id for item in due] == [worker.id]


def test_evidence_completeness(unit, lines):
    worker = registry.register(
        worker_input(
            91,
            category="2",
            household_monthly_income="1800",
            main_cause="illness_family",
            secondary_cause="education",
        ),
        unit=unit,
        actor=ACTOR,
        today=TODAY,
    ).worker
    assert registry.missing_evidence(worker) == [
        "household_register",
        "income_proof",
        "diagnosis",
        "school_notice",
    ]
    for kind in ("household_register", "income_proof", "diagnosis"):
        registry.add_evidence(worker, kind, reference="材料", received_on=TODAY, actor=ACTOR)
    db.session.refresh(worker)
    assert registry.missing_evidence(worker) == ["school_notice"]
    registry.add_evidence(worker, "school_notice", reference="学费通知", received_on=TODAY, actor=ACTOR)
    db.session.refresh(worker)
    assert registry.missing_evidence(worker) == []


# --- Finding people ------------------------------------------------------------------------


def test_search_by_pinyin_initials_id_tail_and_employer_sorted_by_pinyin(unit, lines):
    names = ["张三", "李四", "王五", "张珊珊", "赵六"]
    ids = {}
    for seq, name in enumerate(names, start=100):
        ids[name] = make_id(seq)
        registry.register(
            worker_input(seq, name=name, employer=f"{name}所在厂"), unit=unit, actor=ACTOR, today=TODAY
        )
    db.session.commit()

    def found(q, **kw):
        return [w.name for w in registry.search(q, **kw).items]

    assert found("zs") == ["张三", "张珊珊"]
    assert found("ZS") == ["张三", "张珊珊"]
    assert found(ids["王五"][-4:]) == ["王五"]
    assert found("李四所在") == ["李四"]
    # Nothing begins with it: names and employers that contain it, flagged as such.
    middle = registry.search("所在厂")
    assert [w.name for w in middle.items] == ["李四", "王五", "张三", "张珊珊", "赵六"] and middle.contains
    assert not registry.search("李四").contains
    assert found("珊珊") == ["张珊珊"]
    assert found("在") == []  # one character is too short to look for in the middle
    assert found("张") == ["张三", "张珊珊"]
    assert found("") == ["李四", "王五", "张三", "张珊珊", "赵六"]  # sorted by pinyin
    assert found("%") == [] and found("_") == []
    first = registry.search("", limit=2)
    second = registry.search("", limit=2, after=first.next)
    third = registry.search("", limit=2, after=second.next)
    assert [w.name for w in first.items + second.items + third.items] == [
        "李四",
        "王五",
        "张三",
        "张珊珊",
        "赵六",
    ]
    assert third.next is None
    assert registry.search("", after="garbage!!").items  # a bad cursor starts from the top
    # "Contains" results page on like any other, and still contain the term.
    a = registry.search("所在厂", limit=2)
    b = registry.search("所在厂", limit=2, after=a.next)
    c = registry.search("所在厂", limit=2, after=b.next)
    assert [w.name for w in a.items + b.items + c.items] == ["李四", "王五", "张三", "张珊珊", "赵六"]
    assert b.contains and c.next is None


def test_a_contains_search_is_not_run_over_a_scope_too_large_to_scan(unit, lines, monkeypatch):
    registry.register(
        worker_input(300, name="钱多多", employer="首钢钢铁厂"), unit=unit, actor=ACTOR, today=TODAY
    )
    db.session.commit()
    assert [w.name for w in registry.search("钢铁").items] == ["钱多多"]
    monkeypatch.setattr(registry.finding, "CONTAINS_SCAN_MAX", 0)
    page = registry.search("钢铁")
    assert page.items == [] and not page.contains
    assert [w.name for w in registry.search("首钢").items] == ["钱多多"]  # the beginning still works


def test_model_workers_are_registered_once_and_entitlement_follows_level(unit):
    national = registry.register_model_worker(
        name="劳模甲",
        id_number=make_id(201),
        level="national",
        employer="桥西区电厂",
        title_year="2005",
        unit=unit,
        actor=ACTOR,
    )
    city = registry.register_model_worker(
        name="劳模乙",
        id_number=make_id(202),
        level="city",
        employer="桥西区电厂",
        title_year="2010",
        unit=unit,
        actor=ACTOR,
    )
    assert national.entitled_to_check_up and not city.entitled_to_check_up
    with pytest.raises(DuplicateWorker):
        registry.register_model_worker(
            name="劳模甲",
            id_number=make_id(201),
            level="provincial",
            employer="x",
            title_year="2005",
            unit=unit,
            actor=ACTOR,
        )
    with pytest.raises(ValidationFailed) as refused:
        registry.register_model_worker(
            name="", id_number="123", level="county", employer="", title_year="1900", unit=unit, actor=ACTOR
        )
    assert set(refused.value.errors) == {"name", "id_number", "level", "employer", "title_year"}
