"""Property-based: any sequence of commit/pay/void/reverse keeps the books balanced.

A plain-Python model of the rules runs beside the real services; after every step
the two must agree, and budget = paid + committed + available must hold.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from app.extensions import db
from app.models import Fund, LedgerAccount, Transfer
from app.services import ledger
from app.services.errors import CommitmentExceeded, FundOverdrawn, NotReversible
from tests.conftest import ACTOR

CENT = Decimal("0.01")
amounts = st.integers(min_value=1, max_value=5_000_00).map(lambda fen: Decimal(fen) * CENT)
_codes = itertools.count(1)


class LedgerMachine(RuleBasedStateMachine):
    commitments = Bundle("commitments")
    payments = Bundle("payments")

    def __init__(self) -> None:
        super().__init__()
        self.budget = Decimal("20000.00")
        self.fund = Fund(unit_id=self.unit_id, year=2015, code=f"P{next(_codes):08d}", name="property")
        db.session.add(self.fund)
        db.session.flush()
        ledger.create_fund_accounts(self.fund)
        ledger.allocate(self.fund, self.budget, actor=ACTOR)
        self.available = self.budget
        self.committed = Decimal("0.00")
        self.paid = Decimal("0.00")
        self.outstanding: dict[int, Decimal] = {}
        self.reversed: set[int] = set()

    @rule(target=commitments, amount=amounts)
    def commit(self, amount):
        if amount > self.available:
            try:
                ledger.commit(self.fund, amount, actor=ACTOR)
            except FundOverdrawn:
                return None
            raise AssertionError("overdraw accepted")
        transfer = ledger.commit(self.fund, amount, actor=ACTOR)
        self.available -= amount
        self.committed += amount
        self.outstanding[transfer.id] = amount
        return transfer

    @rule(target=payments, commitment=commitments, amount=amounts)
    def pay(self, commitment, amount):
        if commitment is None:
            return None
        if amount > self.outstanding[commitment.id]:
            try:
                ledger.pay(commitment, amount, actor=ACTOR)
            except CommitmentExceeded:
                return None
            raise AssertionError("overpayment accepted")
        transfer = ledger.pay(commitment, amount, actor=ACTOR)
        self.outstanding[commitment.id] -= amount
        self.committed -= amount
        self.paid += amount
        return transfer

    @rule(commitment=commitments)
    def void(self, commitment):
        if commitment is None:
            return
        rest = self.outstanding[commitment.id]
        released = ledger.release(commitment, actor=ACTOR)
        assert (released.amount if released else Decimal("0.00")) == rest
        self.outstanding[commitment.id] = Decimal("0.00")
        self.committed -= rest
        self.available += rest

    @rule(target=payments, amount=amounts)
    def pay_direct(self, amount):
        if amount > self.available:
            try:
                ledger.pay_direct(self.fund, amount, actor=ACTOR)
            except FundOverdrawn:
                return None
            raise AssertionError("overdraw accepted")
        transfer = ledger.pay_direct(self.fund, amount, actor=ACTOR)
        self.available -= amount
        self.paid += amount
        return transfer

    @rule(payment=consumes(payments))
    def reverse(self, payment):
        if payment is None:
            return
        if payment.id in self.reversed:
            try:
                ledger.reverse(payment, memo="again", actor=ACTOR)
            except NotReversible:
                return
            raise AssertionError("double reversal accepted")
        ledger.reverse(payment, memo="红冲", actor=ACTOR)
        self.reversed.add(payment.id)
        self.paid -= payment.amount
        if payment.pending_id is not None:
            self.outstanding[payment.pending_id] += payment.amount
            self.committed += payment.amount
        else:
            self.available += payment.amount

    @invariant()
    def books_balance(self):
        b = ledger.balance(self.fund)
        assert b.budget == self.budget
        assert (b.paid, b.committed, b.available) == (self.paid, self.committed, self.available)
        assert b.budget == b.paid + b.committed + b.available
        assert min(b.paid, b.committed, b.available) >= 0
        for commitment_id, rest in self.outstanding.items():
            assert ledger.outstanding_on(db.session.get(Transfer, commitment_id)) == rest

    @invariant()
    def accounts_sum_to_zero_and_equal_their_entries(self):
        accounts = (
            db.session.execute(select(LedgerAccount).where(LedgerAccount.fund_id == self.fund.id))
            .scalars()
            .all()
        )
        assert sum(a.balance for a in accounts) == 0
        for account in accounts:
            debits = (
                db.session.execute(
                    select(func.sum(Transfer.amount)).where(Transfer.debit_account_id == account.id)
                ).scalar_one()
                or 0
            )
            credits = (
                db.session.execute(
                    select(func.sum(Transfer.amount)).where(Transfer.credit_account_id == account.id)
                ).scalar_one()
                or 0
            )
            assert account.balance == debits - credits

    def teardown(self):
        db.session.commit()


def test_ledger_invariants_hold_for_any_sequence(budget_2015):
    LedgerMachine.unit_id = budget_2015.budget.unit_id
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
