"""Forms of aid that pay money and forms that are a service (帮扶方式).

Living, medical and education assistance are cash from the fund; legal aid, vocational
training and job referral are services, which may ask for no money and then commit
nothing. The rule for what a new application may ask for lives here, once, for every
door (pages, API, campaigns).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.money import NEGATIVE_REASON, ZERO, InvalidAmount, to_money

#: 法律援助, 职业培训, 职业介绍: help without a payment.
SERVICE_ONLY_AID = frozenset({"legal", "training", "employment"})

CASH_NEEDS_AMOUNT = _l(
    "Cash aid needs an amount greater than zero; only legal aid, vocational training "
    "and job referral may ask for 0."
)


def is_service_only(aid_type: str) -> bool:
    return aid_type in SERVICE_ONLY_AID


def requested_amount(amount: object, aid_type: str) -> Decimal:
    """What an application of ``aid_type`` asks for, as exact money: more than zero, or
    zero for service-only aid. Text is read as typed (app/money.py); the API hands over
    the ``Decimal`` its wire parser made.

    Raises :class:`InvalidAmount`, whose :meth:`~InvalidAmount.explain` is the message for
    the field ``amount``.
    """
    value = to_money(amount)
    if value < ZERO:
        raise InvalidAmount(f"negative: {value}", NEGATIVE_REASON)
    if value == ZERO and not is_service_only(aid_type):
        raise InvalidAmount(f"no money asked for {aid_type!r} aid", CASH_NEEDS_AMOUNT)
    return value
