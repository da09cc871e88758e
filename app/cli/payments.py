"""``flask payments pay``: 发放 at the server's console, for an office that keys in what was
paid from a list. The same step as the page and the API (app/services/cases/payments.py):
four eyes, the ceilings, the voucher, and the books open on the date paid (结账)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.auth.permissions import Permission
from app.cli.console import fail, step, user_actor
from app.models.cases import PAYMENT_METHODS, Payment
from app.money import InvalidAmount, format_yuan, parse_typed_amount
from app.services import cases, loaders
from app.services.errors import InvalidInput

payments_cli = AppGroup("payments", help="Pay approved aid (发放) at the console.")


@payments_cli.command("pay")
@click.argument("case_id", type=int)
@click.option("--amount", required=True, help="In yuan, such as 300 or 300.00")
@click.option("--voucher", "voucher_no", required=True, help="The voucher number (凭证号)")
@click.option("--paid-on", "paid_on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--method", type=click.Choice(sorted(PAYMENT_METHODS)), default="cash", show_default=True)
@click.option("--user", "username", required=True, help="The finance officer who pays (a user of the app)")
def payments_pay(
    case_id: int, amount: str, voucher_no: str, paid_on: datetime, method: str, username: str
) -> None:
    """Pay (part of) an approved case."""
    who = user_actor(username, Permission.PAYMENTS_MAKE)
    try:
        value = parse_typed_amount(amount)  # as a person types it, like the payment form
    except InvalidAmount as refused:
        fail(InvalidInput(refused.explain(), field="amount"))
        return

    def work() -> Payment:
        case = loaders.case(case_id, who, lock=True)
        return cases.pay(
            case, amount=value, voucher_no=voucher_no, paid_on=paid_on.date(), method=method, actor=who
        )

    payment = step(work, name="case.pay", actor=who)
    click.echo(
        _(
            "Payment No. %(id)s of %(amount)s on case %(case)s recorded.",
            id=payment.id,
            amount=format_yuan(payment.amount),
            case=case_id,
        )
    )
