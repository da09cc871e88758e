"""Seed a synthetic but realistic data set for the benchmarks, bulk-loaded (COPY on
PostgreSQL, executemany on SQLite), never through the pages.

A city federation with ``units`` district units, each with a hardship fund and a
check-up fund for 2020; households with names, valid ID numbers (encrypted, indexed
and masked exactly as the app does), categories and incomes; cases in every state;
commitments, payments (some partial), releases and reversals in the ledger with their
running balances; payment records, reversal records, a send-warmth campaign per unit,
one case event per case, and one hash-chained audit entry per payment.

Everything is drawn from one ``random.Random(seed)``, so a scale always gives the same
data. The first unit holds most of the activity (the "hot" fund); the second unit's fund
holds about a fiftieth of the ledger and serves as the small fund in benchmark 3.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, text
from stdnum.cn import ric

from app.extensions import db
from app.models import (
    AccountingVoucher,
    AccountingVoucherLine,
    AuditEntry,
    AuditHead,
    Budget,
    BudgetLine,
    Campaign,
    Case,
    CaseEvent,
    FiscalYear,
    Fund,
    LedgerAccount,
    Payment,
    PaymentMonth,
    PaymentReversal,
    Transfer,
    Unit,
    User,
    VoucherCounter,
    Worker,
)
from app.models.ledger import ACCOUNT_KINDS
from app.privacy import vault
from app.services.audit import GENESIS_HASH, HEAD_ID
from app.services.registry import pinyin_keys

YEAR = 2020


@dataclass(frozen=True)
class Scale:
    name: str
    households: int
    entries: int
    units: int


SCALES = {
    "tiny": Scale("tiny", 1_000, 10_000, 3),
    "small": Scale("small", 10_000, 100_000, 10),
    "large": Scale("large", 1_000_000, 5_000_000, 100),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷"
    "侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华玉兰建国建华建军志强"
    "海燕红梅春梅秀珍凤英淑珍国华国强晓明晓红丽华丽娟"
)
EMPLOYERS = [
    "桥西区机械厂",
    "宣化钢铁公司",
    "张家口卷烟厂",
    "桥西区纺织厂",
    "市公交公司",
    "下花园发电厂",
    "桥东区环卫处",
    "市第一建筑公司",
    "张家口煤矿机械厂",
    "桥西区供热公司",
]
REGIONS = [f"1307{n:02d}" for n in range(2, 32)] + [f"1301{n:02d}" for n in range(2, 32)]
CAUSES = ["illness", "disability", "unemployment", "education", "disaster", "other"]
AID_TYPES = ["living", "medical", "education", "living", "medical", "living"]

# Case states and their share (per mille); entries each makes is decided in _emit.
STATES = [
    ("draft", 30),
    ("submitted", 30),
    ("notice", 20),
    ("rejected", 40),
    ("cancelled", 20),
    ("approved", 60),
    ("paid", 700),
    ("closed", 100),
]
STATE_CODES = {name: i for i, (name, _share) in enumerate(STATES)}


def _cumulative() -> list[tuple[int, str]]:
    total, table = 0, []
    for name, share in STATES:
        total += share
        table.append((total, name))
    return table


# --- loading ------------------------------------------------------------------------


class Loader:
    """Bulk insert into one table, converting values with the column types' own bind
    processors (so money is integer fen on SQLite and NUMERIC on PostgreSQL)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.dialect = db.engine.dialect
        self.postgres = self.dialect.name == "postgresql"

    def load(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        processors = [table.c[name].type.bind_processor(self.dialect) for name in columns]

        def converted() -> Iterator[tuple[Any, ...]]:
            for row in rows:
                yield tuple(
                    p(v) if p is not None and v is not None else v
                    for p, v in zip(processors, row, strict=True)
                )

        count = 0
        names = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            statement = f'COPY "{table.name}" ({names}) FROM STDIN'
            with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in converted():
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join("?" for _ in columns)
            cursor = self.connection.cursor()
            batch: list[tuple[Any, ...]] = []
            for row in converted():
                batch.append(row)
                if len(batch) >= 20_000:
                    cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', batch)
                count += len(batch)
        return count


# --- the data -----------------------------------------------------------------------


@dataclass
class Seeded:
    scale: Scale
    units: list[int]
    hot_fund_id: int
    small_fund_id: int
    counts: dict[str, int]
    seconds: float


def _id_number(i: int) -> str:
    region = REGIONS[i % len(REGIONS)]
    born = date(1960, 1, 1) + timedelta(days=(i // len(REGIONS)) % 14_600)
    body = f"{region}{born:%Y%m%d}{(i // (len(REGIONS) * 14_600)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _unit_of(rng: random.Random, units: int) -> int:
    """Index of the unit a household belongs to: 60 % the first, 2 % the second."""
    r = rng.random()
    if r < 0.60 or units == 1:
        return 0
    if r < 0.62 or units == 2:
        return 1
    return 2 + rng.randrange(units - 2) if units > 2 else 1


def seed(scale: Scale, *, seed_value: int = 20201231, log: Any = print) -> Seeded:
    started = time.perf_counter()
    rng = random.Random(seed_value)
    raw = db.engine.raw_connection()
    connection = raw.driver_connection
    # The data is consistent by construction: skip the per-row foreign-key checks while
    # loading (the append-only triggers guard UPDATE and DELETE only, not these inserts).
    if db.engine.dialect.name == "sqlite":
        connection.commit()
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("PRAGMA synchronous = OFF")
    else:
        connection.execute("SET session_replication_role = replica")
    loader = Loader(connection)
    counts: dict[str, int] = {}

    def put(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        counts[model.__tablename__] = counts.get(model.__tablename__, 0) + loader.load(
            model.__table__, columns, rows
        )

    # Units, users, the year, budgets and funds: few rows, but through the same loader.
    put(FiscalYear, ["year", "is_closed"], [(YEAR, False)])
    put(Unit, ["id", "code", "name", "parent_id"], [(1, "9000", "基准市总工会", None)])
    unit_ids = list(range(2, scale.units + 2))
    put(
        Unit,
        ["id", "code", "name", "parent_id"],
        [(u, f"9{u:04d}", f"基准区总工会{u - 1}", 1) for u in unit_ids],
    )
    roles = ["caseworker", "reviewer", "finance"]
    users = [(1, "bench-auditor", "auditor", 1), (2, "bench-admin", "admin", 1)]
    for u in unit_ids:
        for role in roles:
            users.append((len(users) + 1, f"bench-{role}-{u}", role, u))
    from app.services.users import hash_password

    password_hash = hash_password("Bench-Kunnan-2020")
    now = datetime(2020, 1, 2, tzinfo=UTC)
    put(
        User,
        [
            "id",
            "username",
            "role",
            "unit_id",
            "password_hash",
            "must_change_password",
            "password_changed_at",
            "active",
            "failed_logins",
            "session_version",
            "created_at",
        ],
        [
            (i, name, role, unit, password_hash, False, datetime.now(UTC), True, 0, 1, now)
            for i, name, role, unit in users
        ],
    )
    staff = {u: {role: 3 + (u - 2) * 3 + k for k, role in enumerate(roles)} for u in unit_ids}

    # Pass 1: draw every case (household, state, amounts) to size each fund's budget.
    households_unit = array("i", (unit_ids[_unit_of(rng, scale.units)] for _ in range(scale.households)))
    cumulative = _cumulative()
    case_worker, case_state, case_amount, case_paid_twice, case_reversed = (
        array("i"),
        array("b"),
        array("i"),
        array("b"),
        array("b"),
    )
    entries = scale.units * 2  # one allocation per fund
    while entries < scale.entries:
        worker = rng.randrange(scale.households)
        pick = rng.randrange(1000)
        state = next(name for bound, name in cumulative if pick < bound)
        amount = rng.randrange(2, 51) * 100  # 200.00 .. 5000.00 yuan, in yuan
        twice = state in ("paid", "closed") and amount >= 400 and rng.random() < 0.15
        reversed_ = state == "paid" and rng.random() < 0.02
        entries += {"approved": 1, "paid": 2 + twice + reversed_, "closed": 3 + twice, "cancelled": 0}.get(
            state, 0
        )
        case_worker.append(worker)
        case_state.append(STATE_CODES[state])
        case_amount.append(amount)
        case_paid_twice.append(twice)
        case_reversed.append(reversed_)
    n_cases = len(case_worker)
    committed_per_unit: dict[int, int] = dict.fromkeys(unit_ids, 0)
    for k in range(n_cases):
        if STATES[case_state[k]][0] in ("approved", "paid", "closed"):
            committed_per_unit[households_unit[case_worker[k]]] += case_amount[k]
    log(f"  drew {n_cases:,} cases for about {entries:,} ledger entries")

    # Funds, accounts, budgets: budget = what the cases commit, plus 10 % headroom.
    fund_of: dict[int, int] = {}
    project_of: dict[int, tuple[str, str]] = {}
    checkup_of: dict[int, int] = {}
    budget_rows, line_rows, fund_rows, account_rows = [], [], [], []
    account_of: dict[tuple[int, str], int] = {}
    for u in unit_ids:
        hardship = Decimal(int(committed_per_unit[u] * 1.1) + 1000).quantize(Decimal("0.01"))
        checkup = Decimal("23000.00")
        total = hardship + checkup
        budget_id = u - 1
        budget_rows.append(
            (budget_id, u, YEAR, f"基准区总工会{u - 1} {YEAR} 年部门预算", total, total, "bench", now)
        )
        for k, (code, name, amount, purpose) in enumerate(
            [
                (f"{YEAR}{u:04d}01", "困难职工帮扶资金", hardship, "hardship_aid"),
                (f"{YEAR}{u:04d}02", "省部级劳模体检费", checkup, "model_worker_checkup"),
            ]
        ):
            line_id = budget_id * 2 + k - 1
            fund_id = line_id
            line_rows.append(
                (
                    line_id,
                    budget_id,
                    None,
                    k,
                    "expenditure",
                    "专项公用经费支出安排表",
                    None,
                    name,
                    "2012902",
                    "30399",
                    code,
                    amount,
                )
            )
            fund_rows.append(
                (fund_id, u, YEAR, code, name, "2012902", "30399", "区委办", purpose, line_id, 1)
            )
            project_of[fund_id] = (code, name)
            (fund_of if purpose == "hardship_aid" else checkup_of)[u] = fund_id
            for kind in ACCOUNT_KINDS:  # every account a fund has, at_bank included
                account_id = len(account_rows) + 1
                account_of[(fund_id, kind)] = account_id
                account_rows.append((account_id, fund_id, kind, Decimal("0.00")))
    put(
        Budget,
        ["id", "unit_id", "year", "title", "total_income", "total_expenditure", "digest", "loaded_at"],
        budget_rows,
    )
    put(
        BudgetLine,
        [
            "id",
            "budget_id",
            "parent_id",
            "position",
            "section",
            "table",
            "code",
            "name",
            "functional_class",
            "economic_class",
            "project_code",
            "amount",
        ],
        line_rows,
    )
    put(
        Fund,
        [
            "id",
            "unit_id",
            "year",
            "code",
            "name",
            "functional_class",
            "economic_class",
            "managing_department",
            "purpose",
            "budget_line_id",
            "last_seq",
        ],
        fund_rows,
    )
    put(LedgerAccount, ["id", "fund_id", "kind", "balance"], account_rows)
    log(f"  {len(unit_ids)} units, {len(fund_rows)} funds")

    # Households, in chunks.
    secret_vault = vault()
    pinyin_cache: dict[str, tuple[str, str]] = {}
    worker_columns = [
        "id",
        "unit_id",
        "name",
        "name_pinyin",
        "name_initials",
        "id_number_protected",
        "id_number_index",
        "id_last4",
        "birth_date",
        "sex",
        "phone",
        "employer",
        "address",
        "household_size",
        "household_monthly_income",
        "category",
        "category_reason",
        "main_cause",
        "status",
        "status_changed_on",
        "status_reason",
        "data_checked_on",
        "created_by_id",
        "entered_by_id",
        "created_at",
        "updated_at",
    ]

    def workers(start: int, stop: int) -> Iterator[tuple[Any, ...]]:
        for i in range(start, stop):
            name = (
                rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            )
            keys = pinyin_cache.get(name)
            if keys is None:
                keys = pinyin_cache[name] = pinyin_keys(name)
            number = _id_number(i)
            protected = secret_vault.protect(number)
            size = rng.randrange(1, 7)
            income = Decimal(rng.randrange(0, 4000 * size)).quantize(Decimal("0.01"))
            category = rng.choice((1, 1, 2, 2, 2, 3, 4))
            u = households_unit[i]
            created = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(minutes=i % 500_000)
            status = "on_file" if rng.random() < 0.93 else "out_of_hardship"
            yield (
                i + 1,
                u,
                name,
                keys[0],
                keys[1],
                protected.ciphertext,
                protected.index,
                protected.last4,
                date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                "M" if int(number[16]) % 2 else "F",
                f"13{rng.randrange(10**9):09d}",
                rng.choice(EMPLOYERS),
                "",
                size,
                income,
                category,
                "基准数据",
                rng.choice(CAUSES),
                status,
                date(2019, 6, 1),
                "",
                date(2019, 12, 1),
                staff[u]["caseworker"],
                staff[u]["caseworker"],
                created,
                created,
            )

    for start in range(0, scale.households, 100_000):
        put(Worker, worker_columns, workers(start, min(start + 100_000, scale.households)))
        log(f"  households {min(start + 100_000, scale.households):,}")

    # Pass 2: the cases with their ledger, payments, reversals, events and audit rows.
    state = {
        f: {"seq": 0, "available": Decimal("0.00"), "committed": Decimal("0.00"), "paid": Decimal("0.00")}
        for f, *_rest in fund_rows
    }
    transfer_id = 0
    transfers: list[tuple[Any, ...]] = []
    clock = datetime(YEAR, 1, 2, 8, 0, tzinfo=UTC)
    step = timedelta(seconds=max(1, int(360 * 86400 / max(entries, 1))))

    def post(fund_id: int, kind: str, debit: str, credit: str, amount: Decimal, **extra: Any) -> int:
        nonlocal transfer_id, clock
        transfer_id += 1
        clock += step
        s = state[fund_id]
        s["seq"] += 1
        for account, sign in ((debit, 1), (credit, -1)):
            if account != "appropriation":
                s[account] += sign * amount
        transfers.append(
            (
                transfer_id,
                fund_id,
                s["seq"],
                kind,
                account_of[(fund_id, debit)],
                account_of[(fund_id, credit)],
                amount,
                extra.get("pending"),
                extra.get("reverses"),
                extra.get("case"),
                extra.get("memo", ""),
                clock,
                extra.get("by"),
                s["available"],
                s["committed"],
                s["paid"],
            )
        )
        return transfer_id

    for fund_id, *_rest in fund_rows:
        line = next(line for line in line_rows if line[0] == fund_id)
        post(fund_id, "allocation", "available", "appropriation", line[-1], memo="预算下达")
    transfer_columns = [
        "id",
        "fund_id",
        "seq",
        "kind",
        "debit_account_id",
        "credit_account_id",
        "amount",
        "pending_id",
        "reverses_id",
        "case_id",
        "memo",
        "created_at",
        "created_by_id",
        "available_after",
        "committed_after",
        "paid_after",
    ]
    put(Transfer, transfer_columns, transfers)
    transfers.clear()

    campaign_rows = [
        (
            u - 1,
            fund_of[u],
            u,
            YEAR,
            f"{YEAR}年元旦春节送温暖",
            Decimal("500.00"),
            "困难职工",
            "approved",
            staff[u]["caseworker"],
            staff[u]["reviewer"],
            now,
        )
        for u in unit_ids
    ]
    put(
        Campaign,
        [
            "id",
            "fund_id",
            "unit_id",
            "year",
            "name",
            "amount_each",
            "criteria",
            "status",
            "created_by_id",
            "approved_by_id",
            "created_at",
        ],
        campaign_rows,
    )

    audit_seq, audit_hash = 0, GENESIS_HASH
    month_totals: dict[tuple[int, int], Decimal] = {}  # the dashboard's maintained totals
    payment_id = reversal_id = voucher_id = 0
    voucher_numbers: dict[int, int] = {}  # the accounting vouchers' counter of each unit
    chunk = 50_000

    def voucher(
        kind: str, u: int, fund_id: int, on: Any, summary: str, total: Decimal, credit: str, **refs: Any
    ) -> int:
        """An accounting voucher as app/services/vouchers drafts it, and its two lines."""
        nonlocal voucher_id
        voucher_id += 1
        voucher_numbers[u] = voucher_numbers.get(u, 0) + 1
        code, project = project_of[fund_id]
        vouchers.append(
            (
                voucher_id,
                u,
                YEAR,
                voucher_numbers[u],
                kind,
                fund_id,
                on,
                summary,
                "2012902",
                "30399",
                code,
                project,
                total,
                refs.get("attachments", 2),
                refs.get("transfer"),
                refs.get("corrects"),
                refs.get("by"),
                refs.get("by_name", ""),
                clock,
            )
        )
        voucher_lines.append((voucher_id, 1, summary, "5001", total, Decimal(0)))
        voucher_lines.append((voucher_id, 2, summary, credit, Decimal(0), total))
        return voucher_id

    for start in range(0, n_cases, chunk):
        cases, payments, reversals, events, audits = [], [], [], [], []
        vouchers: list[tuple[Any, ...]] = []
        voucher_lines: list[tuple[Any, ...]] = []
        for k in range(start, min(start + chunk, n_cases)):
            case_id = k + 1
            worker = case_worker[k] + 1
            u = households_unit[case_worker[k]]
            fund_id = fund_of[u]
            people = staff[u]
            name = STATES[case_state[k]][0]
            campaign = u - 1 if name == "paid" and k % 5 == 0 else None
            amount = Decimal(500 if campaign else case_amount[k]).quantize(Decimal("0.01"))
            approved = amount if name in ("approved", "paid", "closed", "cancelled") else None
            commitment = None
            created = clock
            if approved is not None and name != "cancelled":
                commitment = post(
                    fund_id,
                    "commitment",
                    "committed",
                    "available",
                    amount,
                    memo=f"申请{case_id}",
                    by=people["reviewer"],
                    case=case_id,
                )
                parts = [amount] if not case_paid_twice[k] else [amount - amount // 2, amount // 2]
                if name == "closed":
                    parts = (
                        [amount - Decimal(100)]
                        if not case_paid_twice[k]
                        else [amount // 2, amount - amount // 2 - 100]
                    )
                if name in ("paid", "closed"):
                    for part in parts:
                        transfer = post(
                            fund_id,
                            "payment",
                            "paid",
                            "committed",
                            part,
                            pending=commitment,
                            memo=f"申请{case_id}发放",
                            by=people["finance"],
                        )
                        payment_id += 1
                        method = "bank_transfer" if payment_id % 3 else "cash"
                        paid_voucher = voucher(
                            "payment",
                            u,
                            fund_id,
                            clock.date(),
                            f"申请{case_id}发放",
                            part,
                            "1002" if method == "bank_transfer" else "1001",
                            transfer=transfer,
                            by=people["finance"],
                            by_name=f"bench-finance-{u}",
                        )
                        month_totals[(fund_id, clock.month)] = (
                            month_totals.get((fund_id, clock.month), 0) + part
                        )
                        payments.append(
                            (
                                payment_id,
                                case_id,
                                None,
                                fund_id,
                                YEAR,
                                transfer,
                                part,
                                clock.date(),
                                method,
                                f"PZ{payment_id:08d}",
                                people["finance"],
                                clock,
                            )
                        )
                        audit_seq += 1
                        details = json.dumps(
                            {"amount": f"{part:.2f}", "case": case_id}, separators=(",", ":"), sort_keys=True
                        )
                        form = [
                            audit_seq,
                            clock.isoformat(timespec="microseconds"),
                            people["finance"],
                            f"bench-finance-{u}",
                            None,
                            "case.pay",
                            "case",
                            str(case_id),
                            u,
                            details,
                            audit_hash,
                        ]
                        digest = hashlib.sha256(
                            json.dumps(form, ensure_ascii=False, separators=(",", ":")).encode()
                        ).hexdigest()
                        audits.append(
                            (audit_seq, clock, *form[2:], digest)
                        )  # the row: its time as a datetime
                        audit_hash = digest
                    if name == "closed":
                        post(
                            fund_id,
                            "release",
                            "available",
                            "committed",
                            Decimal(100),
                            pending=commitment,
                            memo=f"申请{case_id}结案",
                            by=people["reviewer"],
                        )
                    if case_reversed[k]:
                        original = transfers[-1]
                        reversal = post(
                            fund_id,
                            "reversal",
                            "committed",
                            "paid",
                            original[6],
                            pending=commitment,
                            reverses=original[0],
                            memo="红冲",
                            by=people["finance"],
                        )
                        reversal_id += 1
                        voucher(
                            "reversal",
                            u,
                            fund_id,
                            clock.date(),
                            "红字冲销",
                            -original[6],
                            "1002" if method == "bank_transfer" else "1001",
                            transfer=reversal,
                            corrects=paid_voucher,
                            attachments=1,
                            by=people["finance"],
                            by_name=f"bench-finance-{u}",
                        )
                        month_totals[(fund_id, payments[-1][7].month)] -= original[6]
                        reversals.append(
                            (reversal_id, payment_id, reversal, "错付", people["finance"], clock)
                        )
                        name = "approved"
            cases.append(
                (
                    case_id,
                    worker,
                    fund_id,
                    u,
                    YEAR,
                    AID_TYPES[k % len(AID_TYPES)],
                    amount,
                    approved,
                    "基准申请",
                    name,
                    commitment,
                    people["caseworker"],
                    people["reviewer"] if approved is not None or name == "rejected" else None,
                    campaign,
                    created,
                )
            )
            events.append(
                (case_id, created, people["caseworker"], f"bench-caseworker-{u}", "open", None, "draft", "")
            )
        put(Transfer, transfer_columns, transfers)
        transfers.clear()
        put(
            Case,
            [
                "id",
                "worker_id",
                "fund_id",
                "unit_id",
                "year",
                "aid_type",
                "requested_amount",
                "approved_amount",
                "reason",
                "status",
                "commitment_id",
                "created_by_id",
                "decided_by_id",
                "campaign_id",
                "created_at",
            ],
            cases,
        )
        put(
            Payment,
            [
                "id",
                "case_id",
                "model_worker_id",
                "fund_id",
                "year",
                "transfer_id",
                "amount",
                "paid_on",
                "method",
                "voucher_no",
                "created_by_id",
                "created_at",
            ],
            payments,
        )
        put(
            PaymentReversal,
            ["id", "payment_id", "transfer_id", "reason", "created_by_id", "created_at"],
            reversals,
        )
        put(
            AccountingVoucher,
            [
                "id",
                "unit_id",
                "year",
                "number",
                "kind",
                "fund_id",
                "voucher_date",
                "summary",
                "functional_class",
                "economic_class",
                "project_code",
                "project_name",
                "total",
                "attachments",
                "transfer_id",
                "corrects_id",
                "prepared_by_id",
                "prepared_by_name",
                "created_at",
            ],
            vouchers,
        )
        put(
            AccountingVoucherLine,
            ["voucher_id", "line_no", "summary", "account", "debit", "credit"],
            voucher_lines,
        )
        put(
            CaseEvent,
            ["case_id", "at", "actor_id", "actor_name", "action", "from_status", "to_status", "note"],
            events,
        )
        put(
            AuditEntry,
            [
                "seq",
                "occurred_at",
                "actor_id",
                "actor_name",
                "remote_addr",
                "action",
                "object_type",
                "object_id",
                "unit_id",
                "details",
                "prev_hash",
                "hash",
            ],
            audits,
        )
        log(f"  cases {min(start + chunk, n_cases):,} / {n_cases:,}; ledger entries {transfer_id:,}")

    put(
        VoucherCounter,
        ["unit_id", "year", "last_no"],
        [(u, YEAR, n) for u, n in sorted(voucher_numbers.items())],
    )
    put(
        PaymentMonth,
        ["fund_id", "month", "amount"],
        [(f, m, a) for (f, m), a in sorted(month_totals.items())],
    )
    raw.commit()
    raw.close()

    # Maintained totals: the accounts' balances and each fund's last sequence number.
    with db.engine.begin() as conn:
        conn.execute(
            AuditHead.__table__.update().where(AuditHead.id == HEAD_ID).values(seq=audit_seq, hash=audit_hash)
        )
        for fund_id, s in state.items():
            budget = next(line[-1] for line in line_rows if line[0] == fund_id)
            for kind, value in (
                ("appropriation", -budget),
                ("available", s["available"]),
                ("committed", s["committed"]),
                ("paid", s["paid"]),
            ):
                conn.execute(
                    LedgerAccount.__table__.update()
                    .where(LedgerAccount.id == account_of[(fund_id, kind)])
                    .values(balance=value)
                )
            conn.execute(Fund.__table__.update().where(Fund.id == fund_id).values(last_seq=s["seq"]))
        if db.engine.dialect.name == "postgresql":
            for table in (
                "units",
                "users",
                "budgets",
                "budget_lines",
                "funds",
                "ledger_accounts",
                "ledger_transfers",
                "workers",
                "campaigns",
                "cases",
                "case_events",
                "payments",
                "payment_reversals",
                "accounting_vouchers",
                "audit_log",
            ):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f' COALESCE((SELECT max(id) FROM "{table}"), 1))'
                    )
                )
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    return Seeded(
        scale=scale,
        units=unit_ids,
        hot_fund_id=fund_of[unit_ids[0]],
        small_fund_id=fund_of[unit_ids[1]],
        counts=counts,
        seconds=time.perf_counter() - started,
    )
