"""Money is exact: two places, no floats, Chinese capitals on vouchers."""

from decimal import Decimal

import pytest

from app.money import InvalidAmount, capitals, format_yuan, money_str, to_money, to_positive_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("300000", Decimal("300000.00")),
        ("300000.00", Decimal("300000.00")),
        ("1,234.5", Decimal("1234.50")),
        (Decimal("0.01"), Decimal("0.01")),
        (Decimal("12.340"), Decimal("12.34")),
        (7000, Decimal("7000.00")),
        (-5, Decimal("-5.00")),
        (Decimal("-5"), Decimal("-5.00")),
        ("１２", Decimal("12.00")),
    ],
)
def test_exact_amounts_are_accepted_with_two_places(value, expected):
    amount = to_money(value)
    assert amount == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value",
    [
        12.5,
        0.1,
        True,
        "1e3",
        "12.345",
        "NaN",
        "Infinity",
        "",
        " ",
        "abc",
        "-5",
        "100,00",
        Decimal("NaN"),
        Decimal("1.005"),
        "1234567890123",
        None,
        [1],
    ],
)
def test_inexact_or_malformed_amounts_are_refused(value):
    with pytest.raises(InvalidAmount):
        to_money(value)


@pytest.mark.parametrize("value", ["0", "-5", "0.00"])
def test_request_amounts_must_be_positive(value):
    with pytest.raises(InvalidAmount):
        to_positive_money(value)


def test_display_and_wire_formats():
    assert format_yuan(Decimal("300000")) == "¥300,000.00"
    assert format_yuan(Decimal("-1234.5")) == "-¥1,234.50"
    assert money_str(Decimal("23000")) == "23000.00"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("300000.00", "叁拾万元整"),
        ("23000.00", "贰万叁仟元整"),
        ("500.00", "伍佰元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("665604.71", "陆拾陆万伍仟陆佰零肆元柒角壹分"),
        ("0.00", "零元整"),
    ],
)
def test_chinese_capitals(amount, words):
    assert capitals(Decimal(amount)) == words
