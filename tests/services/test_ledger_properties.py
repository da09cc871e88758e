"""Property-based: any sequence of commit/pay/void/reverse — at the ledger and through the
case services, with campaigns and check-ups — keeps the books balanced.

A plain-Python model of the rules runs beside the real services; after every step
the two must agree, and budget = paid + committed + available must hold.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Fund, LedgerAccount, ModelWorker, Payment, Transfer, User, Worker
from app.services import cases, ledger, registry
from app.services.audit import Actor
from app.services.cases import caps
from app.services.errors import CommitmentExceeded, DomainError, FundOverdrawn, NotReversible
from tests.conftest import ACTOR
from tests.registry_helpers import make_id

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


# --- The same invariants through the case services: approvals, partial payments, closing
# (voiding the rest), reversals, send-warmth campaigns and model-worker check-ups.

_vouchers = itertools.count(1)
_people = itertools.count(1)
DAY = date(2015, 3, 2)


class CaseServiceMachine(RuleBasedStateMachine):
    """Random sequences of case-level operations on the real 2015 funds, against a model
    that knows only the rules: what each step should do to paid, committed and available,
    and when it must be refused. Refused steps run in a savepoint and must change nothing."""

    approved_cases = Bundle("approved_cases")
    case_payments = Bundle("case_payments")
    model_workers = Bundle("model_workers")

    def __init__(self) -> None:
        super().__init__()
        self.funds = {f.code: f for f in db.session.execute(select(Fund).where(Fund.year == 2015)).scalars()}
        self.model = {code: self._balances(fund) for code, fund in self.funds.items()}
        self.outstanding: dict[int, Decimal] = {}  # case id -> committed, not yet paid
        self.paid_checkups: set[int] = set()
        # The budget covers so many check-ups in all; the examples before this one, on the
        # same database, may have used some.
        checkups = cases.checkup_status(self.funds["2015100002"])
        self.checkup_places_left = checkups.entitled_places - checkups.paid_workers
        self.seen: dict[int, tuple] = {}  # every ledger entry seen, as first read

    @staticmethod
    def _balances(fund: Fund) -> dict[str, Decimal]:
        b = ledger.balance(fund)
        return {"available": b.available, "committed": b.committed, "paid": b.paid}

    def _attempt(self, step) -> bool:
        """Run ``step`` in a savepoint; True if done, False if refused (and undone)."""
        try:
            with db.session.begin_nested():
                step()
        except DomainError:
            return False
        return True

    @rule(target=approved_cases, amount=st.integers(min_value=1, max_value=9000).map(Decimal))
    def approve(self, amount):
        model = self.model["2015100001"]
        worker = db.session.get(Worker, 1)

        def step() -> None:
            case = cases.open_case(
                worker,
                fund=self.funds["2015100001"],
                aid_type="medical",
                amount=amount,
                reason="病",
                actor=self.cw,
            )
            cases.submit(case, actor=self.cw, today=DAY)
            cases.approve(case, actor=self.rv, today=DAY)
            self.last_case = case.id

        done = self._attempt(step)
        assert done == (amount <= model["available"]), (amount, model)
        if not done:
            return None
        model["available"] -= amount
        model["committed"] += amount
        self.outstanding[self.last_case] = amount
        return self.last_case

    @rule(target=case_payments, case_id=approved_cases, share=st.integers(min_value=1, max_value=120))
    def pay(self, case_id, share):
        if case_id is None:
            return None
        amount = (self.outstanding[case_id] * share / 100).quantize(CENT)
        if amount <= 0:
            return None
        model = self.model["2015100001"]
        holder = {}

        def step() -> None:
            holder["payment"] = cases.pay(
                db.session.get(Case, case_id),
                amount=amount,
                voucher_no=f"SM{next(_vouchers)}",
                paid_on=DAY,
                method="cash",
                actor=self.fn,
            )

        done = self._attempt(step)
        assert done == (amount <= self.outstanding[case_id]), (amount, self.outstanding[case_id])
        if not done:
            return None
        self.outstanding[case_id] -= amount
        model["committed"] -= amount
        model["paid"] += amount
        return holder["payment"].id

    @rule(case_id=consumes(approved_cases))
    def close(self, case_id):
        if case_id is None:
            return
        model = self.model["2015100001"]
        rest = self.outstanding.pop(case_id)
        assert self._attempt(lambda: cases.close(db.session.get(Case, case_id), actor=self.rv))
        model["committed"] -= rest
        model["available"] += rest

    @rule(target=approved_cases, payment_id=consumes(case_payments))
    def reverse(self, payment_id):
        if payment_id is None:
            return multiple()
        payment = db.session.get(Payment, payment_id)
        was_closed = payment.case_id not in self.outstanding
        # Always allowed: a wrong payment found after closing is reversed too.
        assert self._attempt(lambda: cases.reverse_payment(payment, reason="红冲", actor=self.fn))
        model = self.model["2015100001"]
        model["paid"] -= payment.amount
        model["committed"] += payment.amount  # back to the case's commitment
        self.outstanding[payment.case_id] = (
            self.outstanding.get(payment.case_id, Decimal("0")) + payment.amount
        )
        assert db.session.get(Case, payment.case_id).status == "approved"
        # A closed case is open again: it may be paid or closed once more.
        return payment.case_id if was_closed else multiple()

    @rule(amount_each=st.integers(min_value=50, max_value=60000).map(Decimal))
    def campaign(self, amount_each):
        model = self.model["2015100001"]
        households = db.session.execute(
            select(func.count()).select_from(Worker).where(Worker.status == "on_file")
        ).scalar_one()

        def step() -> None:
            planned = cases.plan_campaign(
                fund=self.funds["2015100001"],
                name="送温暖",
                amount_each=amount_each,
                unit_ids=None,
                actor=self.cw,
            )
            cases.approve_campaign(planned, actor=self.rv, today=DAY)
            self.campaign_cases = [c.id for c in planned.cases]

        # The 2015 rules cap each household's living aid in the year (app/services/cases/caps.py).
        within_caps = all(
            (cap := caps.living_cap(w, 2015)) is None
            or caps.living_granted(w.id, 2015) + amount_each <= cap.amount
            for w in db.session.execute(select(Worker).where(Worker.status == "on_file")).scalars()
        )
        done = self._attempt(step)
        expected = amount_each * households <= model["available"] and within_caps
        assert done == expected, (amount_each, households, model)
        if done:
            model["available"] -= amount_each * households
            model["committed"] += amount_each * households
            for case_id in self.campaign_cases:
                self.outstanding[case_id] = amount_each

    @rule(target=model_workers)
    def new_model_worker(self):
        seq = next(_people)
        worker = registry.register_model_worker(
            name=f"劳模{seq}",
            id_number=make_id(seq % 1000, region="130702", birth=f"19{50 + seq // 1000:02d}0101"),
            level="provincial",
            employer="厂",
            title_year="2000",
            unit=self.funds["2015100002"].unit,
            actor=self.cw,
        )
        return worker.id

    @rule(worker_id=model_workers, amount=st.sampled_from([Decimal("500"), Decimal("300"), Decimal("501")]))
    def checkup(self, worker_id, amount):
        model = self.model["2015100002"]

        def step() -> None:
            cases.pay_checkup(
                db.session.get(ModelWorker, worker_id),
                fund=self.funds["2015100002"],
                amount=amount,
                voucher_no=f"TJ{next(_vouchers)}",
                paid_on=DAY,
                actor=self.fn,
            )

        allowed = (
            amount <= 500
            and worker_id not in self.paid_checkups
            and amount <= model["available"]
            and self.checkup_places_left > 0
        )
        assert self._attempt(step) == allowed, (worker_id, amount)
        if allowed:
            self.paid_checkups.add(worker_id)
            self.checkup_places_left -= 1
            model["available"] -= amount
            model["paid"] += amount

    @invariant()
    def books_follow_the_model(self):
        for code, fund in self.funds.items():
            b = ledger.balance(fund)
            assert {"available": b.available, "committed": b.committed, "paid": b.paid} == self.model[code]
            assert b.budget == b.paid + b.committed + b.available
            assert min(b.paid, b.committed, b.available) >= 0
            accounts = db.session.execute(
                select(LedgerAccount).where(LedgerAccount.fund_id == fund.id)
            ).scalars()
            assert sum(a.balance for a in accounts) == 0

    @invariant()
    def no_entry_is_ever_edited(self):
        for entry in db.session.execute(select(Transfer)).scalars():
            row = (
                entry.fund_id,
                entry.seq,
                entry.kind,
                entry.amount,
                entry.debit_account_id,
                entry.credit_account_id,
                entry.available_after,
                entry.committed_after,
                entry.paid_after,
            )
            assert self.seen.setdefault(entry.id, row) == row

    def teardown(self):
        db.session.commit()


def test_case_services_keep_the_books_for_any_sequence(world, make_user):
    from app.services import policy

    policy.set_value(2015, "notice_days", "0", actor=ACTOR)
    db.session.commit()
    CaseServiceMachine.cw, CaseServiceMachine.rv, CaseServiceMachine.fn = (
        Actor.of(db.session.get(User, make_user(role, unit="711002").id))
        for role in ("caseworker", "reviewer", "finance")
    )
    run_state_machine_as_test(
        CaseServiceMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
