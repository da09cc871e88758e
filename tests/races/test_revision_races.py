"""预算调整 under concurrency: several decreases of the same fund at once, each one alone
affordable, together not: the fund's row is locked as the payment path locks it, so one
succeeds and the others are refused (409) on the figures after it; never a 500, and the
books still reconcile."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.models import User
from app.services import ledger, reconciliation
from app.services import users as user_service
from tests.batch_helpers import approved_cases, fund
from tests.conftest import ACTOR
from tests.races.test_simultaneous_steps import AT_ONCE, _api, _burst


def test_simultaneous_decreases_of_one_fund_take_it_down_once(app, world, make_user):
    approved_cases(world.budget.unit, 1, amount="1000")
    user = make_user("finance", "race-revise", unit="711002")
    token = user_service.issue_token(db.session.get(User, user.id), actor=ACTOR)
    db.session.commit()
    body = {
        "year": 2015,
        "how": "decrease",
        "amount": "200000.00",
        "reason": "压减",
        "reference": "桥财预〔2015〕40号",
        "revised_on": "2015-06-30",
    }
    statuses = _burst([_api(app, token, "POST", "/funds/2015100001/revisions", body) for _ in range(AT_ONCE)])
    assert statuses == {201: 1, 409: AT_ONCE - 1}
    db.session.rollback()
    figures = ledger.balance(fund())
    assert (figures.budget, figures.committed, figures.available) == (
        Decimal("100000.00"),
        Decimal("1000.00"),
        Decimal("99000.00"),
    )
    assert reconciliation.reconcile(2015).ok
