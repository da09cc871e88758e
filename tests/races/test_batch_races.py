"""Payment batches asked for at once: two finance officers approving and fetching the file
of one batch, and two batches made at once of one case. One wins, the other is a clear
refusal (409) or the same file again; the money goes to the bank once."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from app.extensions import db
from app.models import PaymentBatch, PaymentBatchLine, User
from app.services import batches, ledger, reconciliation
from app.services import users as user_service
from tests.batch_helpers import FUND, approved_cases, fund, person
from tests.conftest import ACTOR
from tests.races.test_simultaneous_steps import _api, _burst


def _tokens(make_user) -> list[str]:
    tokens = []
    for name in ("race-cashier", "race-chief", "race-deputy"):
        user = make_user("finance", name, unit="711002")
        tokens.append(user_service.issue_token(db.session.get(User, user.id), actor=ACTOR))
    db.session.commit()
    return tokens


def test_two_officers_approving_and_fetching_at_once_send_the_money_once(app, world, make_user):
    tokens = _tokens(make_user)
    made = approved_cases(world.budget.unit, 4)
    maker = person(db.session.get(User, db.session.query(User).filter_by(username="race-cashier").one().id))
    batch = batches.prepare(fund(), [c.id for c in made], actor=maker)
    db.session.commit()
    url = f"/payment-batches/{batch.id}"
    approvals = _burst([_api(app, t, "POST", f"{url}/approve") for t in tokens[1:]])
    assert approvals == Counter({200: 1, 409: 1})
    fetches = _burst([_api(app, t, "GET", f"{url}/file?format=csv") for t in tokens[1:]])
    assert fetches == Counter({200: 2})
    db.session.rollback()
    assert db.session.get(PaymentBatch, batch.id).status == "sent"
    assert ledger.balance(fund()).at_bank == Decimal("400.00")
    assert reconciliation.reconcile(2015).ok


def test_one_case_in_two_batches_made_at_once_is_refused_once(app, world, make_user):
    tokens = _tokens(make_user)
    made = approved_cases(world.budget.unit, 1)
    body = {"fund_code": FUND, "year": 2015, "case_ids": [made[0].id]}
    statuses = _burst([_api(app, t, "POST", "/payment-batches", body) for t in tokens[:2]])
    assert statuses == Counter({201: 1, 409: 1})
    db.session.rollback()
    assert db.session.query(PaymentBatchLine).filter_by(case_id=made[0].id, status="pending").count() == 1
