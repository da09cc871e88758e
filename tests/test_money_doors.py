"""Money typed by people, through the doors they use: the case form, the approval and
payment forms on the case page, the registry form, policy values and spreadsheets. What
a person means is read (``1,234.50``, ``２，０００``, ``¥2,000元``); what could mean two
things (``100,00``, ``1,00,000``, ``1,2345``) is refused with a message, never guessed.
And the two parsers' properties: a correctly grouped amount round-trips through the typed
parser; the wire parser accepts exactly the strings of its pattern."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Fund, Payment, Transfer, Worker
from app.money import (
    GROUPING_REASON,
    MAX_AMOUNT,
    WIRE_AMOUNT_PATTERN,
    InvalidAmount,
    parse_typed_amount,
    parse_wire_amount,
)
from app.services import cases, ledger, policy, registry_import
from app.services.audit import Actor
from app.services.errors import InvalidInput
from tests.conftest import ACTOR
from tests.services.test_registry_import import HEADER, _row
from tests.web.test_registry_pages import _form

GROUPING = "逗号只能用作千位分隔，每三位一组"
#: What API.md writes; the parser's pattern adds the database's bound (12 digits).
API_MD_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
D = Decimal

# --- the parsers ----------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)


@given(amount=AMOUNTS, dress=st.sampled_from(["{}", " {} ", "¥{}", "￥{}", "{}元", "¥ {} 元", "\u3000{}"]))
@example(amount=D("1234.50"), dress="{}")
@example(amount=D("12345678.00"), dress="{}")
def test_a_correctly_grouped_amount_round_trips_through_the_typed_parser(amount, dress):
    for text in (f"{amount:,.2f}", f"{amount:.2f}", f"{amount:,.2f}".translate(FULL_WIDTH)):
        assert parse_typed_amount(dress.format(text)) == amount, text
    if amount == amount.to_integral_value():
        assert parse_typed_amount(f"{amount:,.0f}") == amount


@given(digits=st.text(alphabet="0123456789", min_size=1, max_size=12), cuts=st.sets(st.integers(1, 11)))
@example(digits="10000", cuts={3})  # 100,00
@example(digits="100000", cuts={1, 3})  # 1,00,000
@example(digits="12345", cuts={1})  # 1,2345
def test_commas_are_read_only_between_thousands(digits, cuts):
    """Commas anywhere in a run of digits: read (as the digits alone) only when they
    make correct groups of three from the right, else refused with the reason."""
    cuts = sorted(c for c in cuts if c < len(digits))
    text = ",".join(digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True))
    groups = text.split(",")
    correct = len(groups) == 1 or (
        groups[0][:1] != "0" and 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    )
    if correct:
        assert parse_typed_amount(text) == D(digits)
    else:
        with pytest.raises(InvalidAmount) as refused:
            parse_typed_amount(text)
        assert refused.value.reason is GROUPING_REASON


WIRE_CANDIDATES = st.one_of(
    st.from_regex(API_MD_PATTERN, fullmatch=True),
    st.from_regex(r"\A[0-9]{0,14}(\.[0-9]{0,3})?\Z"),
    st.text(alphabet="0123456789.,-+eE \n\u3000０１", max_size=16),
    st.text(max_size=16),
)


@given(text=WIRE_CANDIDATES)
@example(text="100\n")
@example(text=" 100")
@example(text="0000000000001")
@example(text="１００")
def test_the_wire_parser_accepts_exactly_the_strings_of_its_pattern(text):
    matches = re.fullmatch(WIRE_AMOUNT_PATTERN, text) is not None
    # API.md's pattern, bounded to what Numeric(14, 2) holds.
    assert matches == (re.fullmatch(API_MD_PATTERN, text) is not None and len(text.split(".")[0]) <= 12)
    if matches:
        assert parse_wire_amount(text) == D(text)
        assert parse_typed_amount(text) == D(text)  # a person may type what a machine sends
    else:
        with pytest.raises(InvalidAmount):
            parse_wire_amount(text)


@pytest.mark.parametrize("value", [12.5, 12, D("12"), None, b"12"])
def test_the_wire_parser_takes_only_strings(value):
    with pytest.raises(InvalidAmount):
        parse_wire_amount(value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("100,00", GROUPING),
        ("1,00,000", GROUPING),
        ("1,2345", GROUPING),
        ("１００，００", GROUPING),
        ("12.345", "最多两位小数"),
        ("-5", "不能为负数"),
        ("1234567890123", "金额过大"),
        ("1e3", "请填写金额（元）"),
        ("10²", "请填写金额（元）"),  # no compatibility character becomes a digit
        ("١٢٣", "请填写金额（元）"),
        ("12。50", "请填写金额（元）"),
        ("", "请填写金额（元）"),
    ],
)
def test_what_could_mean_two_things_is_refused_saying_why(app, text, reason):
    with pytest.raises(InvalidAmount) as refused:
        parse_typed_amount(text)
    with app.test_request_context():
        assert reason in refused.value.explain()


# --- the pages ------------------------------------------------------------------------


def _hardship() -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == "2015100001")).scalar_one()


def _state() -> tuple[object, ...]:
    db.session.rollback()
    rows = tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Case, Payment, Transfer, Worker)
    )
    return rows, ledger.balance(_hardship())


def _new_case(client, amount: str, aid_type: str = "living"):
    return client.post(
        "/workers/1/cases/new",
        data={
            "fund_code": str(_hardship().id),
            "aid_type": aid_type,
            "amount": amount,
            "out_of_pocket": "20000" if aid_type == "medical" else "",
            "reason": "生活困难",
        },
    )


@pytest.mark.parametrize("typed", ["100,00", "1,00,000", "1,2345", "１００，００"])
def test_the_case_form_refuses_a_misplaced_comma_and_keeps_what_was_typed(client, auth, world, typed):
    auth.login("caseworker")
    before = _state()
    response = _new_case(client, typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and GROUPING in page
    assert f'value="{typed}"' in page
    assert _state() == before


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1,234.50", D("1234.50")),
        ("２，０００", D("2000.00")),
        ("2,000", D("2000.00")),
        ("１２，３４５．６", D("12345.60")),
        ("¥2,000元", D("2000.00")),
        (" 2000 ", D("2000.00")),
    ],
)
def test_the_case_form_reads_grouped_and_full_width_amounts(client, auth, world, typed, read):
    auth.login("caseworker")
    response = _new_case(client, typed, "medical")
    assert response.status_code == 302
    case = db.session.execute(select(Case).where(Case.aid_type == "medical")).scalar_one()
    assert case.requested_amount == read


def test_cash_aid_needs_money_and_a_service_may_ask_for_none(client, auth, world):
    auth.login("caseworker")
    before = _state()
    for typed in ("0", "0.00", "０"):
        page = _new_case(client, typed, "living").get_data(as_text=True)
        assert "现金帮扶的金额须大于零" in page and f'value="{typed}"' in page
    assert _state() == before
    assert _new_case(client, "0", "legal").status_code == 302
    case = db.session.execute(select(Case).where(Case.aid_type == "legal")).scalar_one()
    assert case.requested_amount == D("0.00")
    assert ledger.balance(_hardship()) == before[1]


def _submitted(amount: str) -> Case:
    worker = db.session.get(Worker, 1)
    case = cases.open_case(
        worker, fund=_hardship(), aid_type="medical", amount=amount, reason="住院", actor=ACTOR
    )
    cases.submit(case, actor=ACTOR)
    db.session.commit()
    return case


def _flashes(response) -> list[str]:
    return re.findall(r'class="flash flash-danger"[^>]*>([^<]*)<', response.get_data(as_text=True))


def _at_field(response, name: str) -> list[str]:
    """The messages shown at the form field ``name`` of a page."""
    return re.findall(rf'<p class="error" id="{name}-error">([^<]*)<', response.get_data(as_text=True))


def _kept(response, typed: str) -> bool:
    return f'value="{typed}"' in response.get_data(as_text=True)


def test_the_approval_form_refuses_a_misplaced_comma_and_reads_full_width(client, auth, world):
    """A refused approval comes back on the case page with the message at the amount and
    the amount as typed."""
    case = _submitted("3000")
    auth.login("reviewer")
    before = _state()
    for typed, reason in [("100,00", GROUPING), ("1,00,000", GROUPING), ("12.345", "最多两位小数")]:
        response = client.post(f"/cases/{case.id}/approve", data={"amount": typed})
        assert response.status_code == 422
        assert [reason in message for message in _at_field(response, "amount")] == [True], typed
        assert _kept(response, typed)
    assert _state() == before
    db.session.refresh(case)
    assert case.status == "submitted"
    client.post(f"/cases/{case.id}/approve", data={"amount": "２，０００"})
    db.session.refresh(case)
    assert case.status == "approved" and case.approved_amount == D("2000.00")
    assert ledger.balance(_hardship()).committed == D("2000.00")


def test_the_payment_form_refuses_a_misplaced_comma_and_reads_grouped_amounts(client, auth, world):
    case = _submitted("5000")
    cases.approve(case, actor=Actor.system("another reviewer"))
    db.session.commit()
    auth.login("finance")
    before = _state()

    def pay(typed: str, voucher: str):
        return client.post(
            f"/cases/{case.id}/payments",
            data={
                "amount": typed,
                "voucher_no": voucher,
                "paid_on": "2015-03-05",
                "method": "cash",
                "confirmed": "1",
            },
            follow_redirects=True,
        )

    response = pay("100,00", "PZ-A")
    assert response.status_code == 422
    assert [GROUPING in m for m in _at_field(response, "amount")] == [True]
    assert _kept(response, "100,00") and _kept(response, "PZ-A") and _kept(response, "2015-03-05")
    assert _state() == before
    assert pay("1,234.50", "PZ-B").status_code == 200
    assert pay("2,000", "PZ-C").status_code == 200
    amounts = db.session.execute(select(Payment.amount).where(Payment.case_id == case.id)).scalars()
    assert sorted(amounts) == [D("1234.50"), D("2000.00")]
    assert ledger.balance(_hardship()).paid == D("3234.50")


def test_the_check_up_form_reads_full_width(client, auth, world):
    checkup = db.session.execute(select(Fund).where(Fund.code == "2015100002")).scalar_one()
    auth.login("finance")
    url = f"/checkups/{checkup.id}/1"
    data = {"voucher_no": "TJ-1", "paid_on": "2015-04-01", "confirmed": "1"}
    refused = client.post(url, data={**data, "amount": "5,00"}, follow_redirects=True)
    assert refused.status_code == 422  # the roster again, the message at the amount of that row
    at_amount = re.findall(r'id="amount-1-error">([^<]*)<', refused.get_data(as_text=True))
    assert [GROUPING in m for m in at_amount] == [True]
    assert _kept(refused, "5,00") and _kept(refused, "TJ-1")
    assert ledger.balance(checkup).paid == D("0.00")
    client.post(url, data={**data, "amount": "５００．００"})
    assert ledger.balance(checkup).paid == D("500.00")


def test_the_registry_form_reads_income_as_typed(client, auth, world):
    auth.login("caseworker")
    page = client.post("/workers/new", data=_form(household_monthly_income="1800,50")).get_data(as_text=True)
    assert GROUPING in page and 'value="1800,50"' in page
    assert (
        client.post("/workers/new", data=_form(household_monthly_income="１，８００．５")).status_code == 302
    )
    worker = db.session.execute(select(Worker).where(Worker.name == "王小明")).scalar_one()
    assert worker.household_monthly_income == D("1800.50")


def test_policy_values_are_read_as_typed(world):
    assert policy.set_value(2015, "household_ceiling", "１０，０００", actor=ACTOR).value == "10000.00"
    with pytest.raises(InvalidInput) as refused:
        policy.set_value(2015, "household_ceiling", "10,00", actor=ACTOR)
    assert refused.value.field == "value" and GROUPING in refused.value.message


# --- spreadsheets ---------------------------------------------------------------------


def test_a_spreadsheet_income_may_be_a_number_with_at_most_two_decimals(world):
    """A cell may hold a number: an integer, or a float whose shortest form has at most
    two decimals, is the amount typed; a float with more (1800.125) is refused like the
    text would be."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    incomes = [1500, 1800.5, D("1234.56"), 1800.125, "2,000.00", "2000,00", 1e-05]
    for seq, income in enumerate(incomes, start=1):
        row = _row(700 + seq)
        row[HEADER.index("家庭月收入")] = income
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    report = registry_import.check_file("sheet.xlsx", buffer.getvalue(), today=date(2015, 6, 1))
    assert [r.row for r in report.valid] == [2, 3, 4, 6]
    errors = {r.row: " ".join(r.messages) for r in report.errors}
    assert set(errors) == {5, 7, 8}
    assert "最多两位小数" in errors[5]
    assert GROUPING in errors[7]
    assert "请填写家庭月收入" in errors[8]  # 1e-05: a float's shortest form, not an amount
