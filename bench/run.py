"""The benchmarks of issue 9: seed a data set at a scale, measure each figure beside a
baseline measured in the same run, and print (and write) a Markdown table of ratios.

    python -m bench.run --scale small --db sqlite
    python -m bench.run --scale large --db postgres --url postgresql+psycopg://postgres@127.0.0.1/postgres

Results are printed, never asserted: a benchmark reports, a unit test checks behaviour.
Each run writes bench/out/<scale>-<db>.md; bench/RESULTS.md collects the large runs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DATA = HERE / ".data"


# --- timing helpers ---------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timed(action: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


@dataclass
class Figure:
    number: str
    what: str
    samples: list[float]
    baseline_what: str
    baseline: list[float]
    target: str
    # "time": smaller is better, ratio = figure p95 / baseline p95
    # "speed": ratio = baseline median / figure median (figure's share of the baseline's speed)
    kind: str = "time"
    notes: list[str] = field(default_factory=list)
    # for throughput figures (4): payments per second over bare inserts per second
    measured_ratio: float | None = None

    @property
    def ratio(self) -> float:
        if self.measured_ratio is not None:
            return self.measured_ratio
        if self.kind == "time":
            return percentile(self.samples, 0.95) / max(percentile(self.baseline, 0.95), 1e-9)
        return statistics.median(self.baseline) / max(statistics.median(self.samples), 1e-9)

    def row(self) -> str:
        def ms(values: list[float]) -> str:
            return f"{statistics.median(values) * 1000:.1f} / {percentile(values, 0.95) * 1000:.1f}"

        ratio = f"{self.ratio:.2f}×"
        return (
            f"| {self.number} | {self.what} | {ms(self.samples)} | {self.baseline_what}: {ms(self.baseline)} "
            f"| {ratio} | {self.target} | {'; '.join(self.notes)} |"
        )


# --- the database -----------------------------------------------------------------------


def database_url(db: str, scale: str, url: str | None) -> str:
    if db == "sqlite":
        DATA.mkdir(exist_ok=True)
        return f"sqlite:///{DATA / f'bench-{scale}.sqlite3'}"
    base = url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        raise SystemExit("PostgreSQL: give --url or set BENCH_DATABASE_URL / TEST_DATABASE_URL")
    head, _sep, _name = base.rpartition("/")
    return f"{head}/bench_{scale}"


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    head, _sep, name = url.rpartition("/")
    admin = head.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def make_app(url: str):  # type: ignore[no-untyped-def]
    from app import create_app

    return create_app(
        "testing", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True}
    )


def prepare(scale_name: str, url: str, reseed: bool) -> dict[str, Any]:
    """Seed once per scale and database; a marker beside the data says what is there."""
    from flask_migrate import upgrade

    from bench.seed import SCALES, seed

    DATA.mkdir(exist_ok=True)
    marker = DATA / f"{'sqlite' if url.startswith('sqlite') else 'postgres'}-{scale_name}.json"
    if marker.exists() and not reseed:
        info = json.loads(marker.read_text())
        if info.get("url") == url:
            print(f"reusing the seeded {scale_name} data set ({marker.name}); BENCH_RESEED=1 to rebuild")
            with make_app(url).app_context():
                upgrade(directory=str(HERE.parent / "migrations"))  # indexes added since
            return info
    fresh_database(url)
    app = make_app(url)
    with app.app_context():
        upgrade(directory=str(HERE.parent / "migrations"))
        print(f"seeding {scale_name} …")
        seeded = seed(SCALES[scale_name])
    info = {
        "url": url,
        "scale": scale_name,
        "units": seeded.units,
        "hot_fund_id": seeded.hot_fund_id,
        "small_fund_id": seeded.small_fund_id,
        "counts": seeded.counts,
        "seed_seconds": round(seeded.seconds, 1),
    }
    marker.write_text(json.dumps(info, indent=2))
    return info


# --- the figures ------------------------------------------------------------------------


def login(client: Any, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": "Bench-Kunnan-2020"})
    if response.status_code not in (302, 303):
        raise SystemExit(f"cannot log in as {username}: {response.status_code}")


def page_figures(app: Any, info: dict[str, Any], repeat: int) -> list[Figure]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Case, Fund, Transfer, Worker
    from app.services.registry.finding import _cursor

    hot_unit = info["units"][0]
    with app.app_context():
        fund = db.session.get(Fund, info["hot_fund_id"])
        fund_code = fund.code
        deep = max(fund.last_seq - 150, 0)
        worker = db.session.execute(
            select(Worker).where(Worker.unit_id == hot_unit).order_by(Worker.id.desc()).limit(1)
        ).scalar_one()
        busy_case = db.session.execute(
            select(Case.id)
            .where(Case.unit_id == hot_unit, Case.status == "paid")
            .order_by(Case.id.desc())
            .limit(1)
        ).scalar_one()
        name = worker.name
        initials = worker.name_initials
        tail = worker.id_last4
        total = db.session.execute(select(func.count()).select_from(Worker)).scalar_one()
        last_rows = (
            db.session.execute(select(Worker).order_by(Worker.name_pinyin.desc(), Worker.id.desc()).limit(51))
            .scalars()
            .all()
        )
        last_cursor = _cursor(last_rows[-1])
        assert db.session.execute(select(func.count()).select_from(Transfer)).scalar_one() > 0

    figures = []
    reviewer = app.test_client()
    login(reviewer, f"bench-reviewer-{hot_unit}")
    auditor = app.test_client()
    login(auditor, "bench-auditor")

    def get(client: Any, url: str) -> Callable[[], None]:
        def action() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")

        return action

    with app.app_context():
        # Past RECONCILE_PAGE_MAX_ENTRIES the page shows the latest stored run (made by the
        # nightly `flask reconcile` or the page's button): make one, as production would have.
        from app.models import User
        from app.services import reconciliation, scope
        from app.services.audit import Actor

        watcher = db.session.execute(select(User).where(User.username == "bench-auditor")).scalar_one()
        unit_ids = scope.visible_unit_ids(watcher)
        stored = reconciliation.entries_in(2020, unit_ids) > app.config["RECONCILE_PAGE_MAX_ENTRIES"]
        if stored and reconciliation.latest_run(2020, unit_ids) is None:
            reconciliation.run(2020, unit_ids, actor=Actor.system("bench"))
        db.session.remove()
    how = "the latest stored run" if stored else "checked on the spot"

    trivial = timed(get(reviewer, "/password"), repeat)
    pages = [
        ("1a", "dashboard (district reviewer)", reviewer, "/"),
        ("1b", f"registry search by name “{name}”", reviewer, f"/workers?q={name}"),
        ("1c", f"registry search by initials “{initials}”", reviewer, f"/workers?q={initials}"),
        ("1d", "registry search by ID tail", reviewer, f"/workers?q={tail}"),
        ("1e", "worker page", reviewer, f"/workers/{worker.id}"),
        ("1f", "case page", reviewer, f"/cases/{busy_case}"),
        ("1g", "hot fund's ledger, last page", reviewer, f"/funds/{fund_code}/ledger?year=2020&after={deep}"),
        ("1h", f"reconciliation page (whole city, auditor; {how})", auditor, "/reconciliation?year=2020"),
    ]
    for number, what, client, url in pages:
        heavy = number == "1h"
        samples = timed(get(client, url), max(3, repeat // 10) if heavy else repeat)
        figures.append(
            Figure(
                number, what, samples, "the password page", trivial, "p95 ≤ 10× (≤ 50 ms large, PostgreSQL)"
            )
        )
    first = timed(get(auditor, "/workers"), repeat)
    last = timed(get(auditor, f"/workers?after={last_cursor}"), repeat)
    figures.append(
        Figure("2", f"registry list, last page of {total:,}", last, "its first page", first, "≤ 2×")
    )
    return figures


def balance_figure(app: Any, info: dict[str, Any], repeat: int) -> Figure:
    from app.extensions import db
    from app.models import Fund
    from app.services import ledger

    with app.app_context():
        hot = db.session.get(Fund, info["hot_fund_id"])
        small = db.session.get(Fund, info["small_fund_id"])
        hot_entries, small_entries = hot.last_seq, small.last_seq

        def read(fund_id: int) -> Callable[[], None]:
            def action() -> None:
                db.session.expire_all()
                ledger.balance(db.session.get(Fund, fund_id))

            return action

        samples = timed(read(hot.id), repeat * 5)
        baseline = timed(read(small.id), repeat * 5)
    return Figure(
        "3",
        f"a fund's balance, {hot_entries:,} entries",
        samples,
        f"a fund of {small_entries:,} entries",
        baseline,
        "≤ 2×",
    )


def _pay_worker(url: str, case_ids: list[int], results: Any, bare: bool, barrier: Any) -> None:
    """One process: pay its cases one by one (or insert bare rows), timing each."""
    try:
        _pay_loop(url, case_ids, results, bare, barrier)
    except BaseException as exc:  # the parent must hear of it, not wait for ever
        results.put(([], repr(exc), 0.0))
        raise


def _pay_loop(url: str, case_ids: list[int], results: Any, bare: bool, barrier: Any) -> None:
    from datetime import date as day

    from sqlalchemy import text

    from app.extensions import db
    from app.models import Case
    from app.services import cases
    from app.services.audit import Actor
    from app.services.scope import Scope

    app = make_app(url)
    latencies = []
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.commit()
        finance = Actor(user_id=None, name="bench-finance", remote_addr="127.0.0.1", scope=Scope.everywhere())
        barrier.wait(timeout=600)  # every worker has built its app and connected
        began = time.time()
        for case_id in case_ids:
            started = time.perf_counter()
            if bare:
                db.session.execute(
                    text("INSERT INTO bench_bare (case_id, amount, voucher_no) VALUES (:c, :a, :v)"),
                    {"c": case_id, "a": 100, "v": f"B{case_id}"},
                )
                db.session.commit()
            else:
                case = db.session.get(Case, case_id)
                cases.pay(
                    case,
                    amount="1.00",
                    voucher_no=f"BENCH{case_id}-{os.getpid()}-{time.perf_counter_ns()}",
                    paid_on=day(2020, 12, 1),
                    method="bank_transfer",
                    actor=finance,
                )
                db.session.commit()
            latencies.append(time.perf_counter() - started)
    results.put((latencies, began, time.time()))


def payment_figures(url: str, info: dict[str, Any], per_worker: int) -> list[Figure]:
    from sqlalchemy import select, text

    from app.extensions import db
    from app.models import Case

    app = make_app(url)
    with app.app_context():
        approved = list(
            db.session.execute(
                select(Case.id)
                .where(Case.fund_id == info["hot_fund_id"], Case.status == "approved")
                .order_by(Case.id)
                .limit(16 * per_worker)
            ).scalars()
        )
        db.session.execute(text("DROP TABLE IF EXISTS bench_bare"))
        db.session.execute(
            text(
                "CREATE TABLE bench_bare (id INTEGER PRIMARY KEY, case_id INTEGER, amount INTEGER, voucher_no TEXT)"
            )
            if url.startswith("sqlite")
            else text(
                "CREATE TABLE bench_bare (id serial PRIMARY KEY, case_id integer, amount integer, voucher_no text)"
            )
        )
        db.session.commit()
    db_engine_dispose(app)
    figures = []
    context = multiprocessing.get_context("spawn")
    for workers in (1, 4, 16):
        runs = {}
        for bare in (True, False):
            queue = context.Queue()
            barrier = context.Barrier(workers)
            chunks = [approved[i * per_worker : (i + 1) * per_worker] for i in range(workers)]
            processes = [
                context.Process(target=_pay_worker, args=(url, chunk, queue, bare, barrier))
                for chunk in chunks
            ]
            for process in processes:
                process.start()
            reports = [queue.get() for _ in processes]
            for process in processes:
                process.join()
            failed = [report[1] for report in reports if isinstance(report[1], str)]
            if failed:
                raise SystemExit(f"a payment worker failed: {failed[0]}")
            latencies = [x for report in reports for x in report[0]]
            # the rate runs from the first worker's first request to the last one's end,
            # after each process has started and built its app
            first = min(report[1] for report in reports)
            last = max(report[2] for report in reports)
            runs[bare] = (latencies, len(latencies) / (last - first))
        (service, service_rate), (bare_lat, bare_rate) = runs[False], runs[True]
        figure = Figure(
            f"4.{workers}",
            f"payments through the service, one fund, {workers} worker(s)",
            service,
            "a bare INSERT and commit",
            bare_lat,
            "≥ 0.25×, ≥ 500/s, p95 ≤ 20 ms",
            kind="speed",
        )
        figure.notes.append(f"{service_rate:.0f} payments/s vs {bare_rate:.0f} inserts/s")
        figure.measured_ratio = service_rate / bare_rate
        figures.append(figure)
    return figures


def db_engine_dispose(app: Any) -> None:
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()


def export_figures(app: Any, rows_cap: int, repeat: int) -> list[Figure]:
    """5: the audit package's ledger CSV against csv.writer over the same rows;
    6: its XLSX sheet against openpyxl's write-only mode over the same rows."""
    from itertools import islice

    from openpyxl import Workbook
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Transfer
    from app.services import audit_export

    figures = []
    with app.app_context():
        header, rows, totals_of = audit_export.sections._ledger(2020)

        def ours_csv() -> None:
            with tempfile.TemporaryFile() as out, audit_export.open_archive(out) as archive:
                audit_export.write_csv(archive, "ledger.csv", header, islice(rows(), rows_cap), totals_of)

        def bare_csv() -> None:
            with tempfile.TemporaryFile("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                result = db.session.execute(
                    select(*Transfer.__table__.columns).order_by(Transfer.id).limit(rows_cap)
                ).yield_per(5000)
                for row in result:
                    writer.writerow(row)

        figures.append(
            Figure(
                "5",
                f"audit export, ledger CSV ({rows_cap:,} rows, in the ZIP)",
                timed(ours_csv, repeat, 0),
                "csv.writer over the same rows",
                timed(bare_csv, repeat, 0),
                "≥ 0.5×",
                kind="speed",
            )
        )

        def ours_xlsx() -> None:
            _ledger_workbook(header, rows, rows_cap)

        def bare_xlsx() -> None:
            book = Workbook(write_only=True)
            sheet = book.create_sheet("ledger")
            result = db.session.execute(
                select(*Transfer.__table__.columns).order_by(Transfer.id).limit(rows_cap)
            ).yield_per(5000)
            for row in result:
                sheet.append([v.isoformat() if hasattr(v, "isoformat") else v for v in row])
            with tempfile.TemporaryFile() as out:
                book.save(out)

        figures.append(
            Figure(
                "6",
                f"audit export, ledger XLSX ({rows_cap:,} rows)",
                timed(ours_xlsx, max(1, repeat // 2), 0),
                "openpyxl write-only over the same rows",
                timed(bare_xlsx, max(1, repeat // 2), 0),
                "≥ 0.8×",
                kind="speed",
            )
        )
    return figures


def xlsx_memory(url: str, rows_cap: int) -> str:
    """Peak memory of the XLSX export at a tenth of the rows and at all of them, each in
    a fresh process; the growth per 1,000,000 rows is what the target bounds."""
    peaks = []
    for rows in (rows_cap // 10, rows_cap):
        code = (
            "import resource, sys; from bench.run import make_app, _xlsx_only;"
            f"app = make_app({url!r}); _xlsx_only(app, {rows});"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=HERE.parent, capture_output=True, text=True, check=True
        ).stdout
        peaks.append(int(out.strip().splitlines()[-1]) / 1024)
    growth = (peaks[1] - peaks[0]) / max(rows_cap - rows_cap // 10, 1) * 1_000_000
    return f"peak {peaks[0]:.0f} MB at {rows_cap // 10:,} rows, {peaks[1]:.0f} MB at {rows_cap:,}: {growth:.0f} MB per 1,000,000 rows"


def _ledger_workbook(columns: list[Any], rows: Callable[[], Any], rows_cap: int) -> None:
    """Our XLSX of the ledger, as the audit package writes it, into a scratch file."""
    from itertools import islice

    from app import xlsx

    book = xlsx.new_book(streaming=True)
    xlsx.add_sheet(book, "台账", columns, islice(rows(), rows_cap))
    with tempfile.TemporaryFile() as out:
        book.save(out)


def _xlsx_only(app: Any, rows_cap: int) -> None:
    from app.services import audit_export

    with app.app_context():
        header, rows, _totals = audit_export.sections._ledger(2020)
        _ledger_workbook(header, rows, rows_cap)


def import_figure(app: Any, info: dict[str, Any], rows: int) -> Figure:
    """7: import of a registry spreadsheet (CSV) with full validation against a bare bulk
    insert of the parsed rows."""
    from sqlalchemy import text

    from app.extensions import db
    from app.models import Unit
    from app.services import registry_import
    from app.services.audit import Actor
    from app.services.scope import Scope
    from bench.seed import GIVEN, SURNAMES

    header = "姓名,身份证号,手机号,工作单位,家庭住址,家庭人口,家庭月收入,困难类别,致困主因"
    body = io.StringIO()
    body.write(header + "\n")
    parsed = []
    from stdnum.cn import ric

    for i in range(rows):
        number = "131102"
        born = date(1970, 1, 1).fromordinal(date(1970, 1, 1).toordinal() + i % 9000)
        base = f"{number}{born:%Y%m%d}{(i // 9000) % 1000:03d}"
        id_number = base + ric.calc_check_digit(base + "0")
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
        line = [name, id_number, f"139{i:08d}", "导入测试厂", "桥西区", "3", "1500.00", "1", "illness"]
        body.write(",".join(line) + "\n")
        parsed.append(line)
    content = body.getvalue().encode("utf-8")
    samples, baseline = [], []
    with app.app_context():
        unit = db.session.get(Unit, info["units"][-1])
        actor = Actor(user_id=None, name="bench-import", remote_addr="127.0.0.1", scope=Scope.everywhere())
        for _round in range(2):
            started = time.perf_counter()
            registry_import.import_file("bench.csv", content, unit=unit, actor=actor)
            db.session.commit()
            samples.append(time.perf_counter() - started)
            db.session.execute(
                text(
                    "DELETE FROM household_members WHERE worker_id IN (SELECT id FROM workers WHERE employer = '导入测试厂')"
                )
            )
            db.session.execute(text("DELETE FROM workers WHERE employer = '导入测试厂'"))
            db.session.commit()
            db.session.execute(text("DROP TABLE IF EXISTS bench_import"))
            db.session.execute(
                text(
                    "CREATE TABLE bench_import (name TEXT, id_number TEXT, phone TEXT, employer TEXT, address TEXT, size INTEGER, income TEXT, category INTEGER, cause TEXT)"
                )
            )
            db.session.commit()
            started = time.perf_counter()
            db.session.execute(
                text("INSERT INTO bench_import VALUES (:a, :b, :c, :d, :e, :f, :g, :h, :i)"),
                [
                    dict(zip("abcdefghi", [*r[:5], int(r[5]), r[6], int(r[7]), r[8]], strict=True))
                    for r in parsed
                ],
            )
            db.session.commit()
            baseline.append(time.perf_counter() - started)
    return Figure(
        "7",
        f"registry import, {rows:,} rows with full validation",
        samples,
        "a bare bulk insert of the parsed rows",
        baseline,
        "≥ 0.25×",
        kind="speed",
    )


def reconciliation_figure(app: Any, repeat: int) -> Figure:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Transfer
    from app.services import reconciliation

    with app.app_context():

        def ours() -> None:
            result = reconciliation.reconcile(2020)
            if not result.ok:
                raise SystemExit(
                    "the seeded data does not reconcile: "
                    + repr([c for f in result.funds for c in f.checks if not c.ok][:3])
                )
            db.session.expire_all()

        def aggregate() -> None:
            list(
                db.session.execute(
                    select(Transfer.fund_id, Transfer.kind, func.sum(Transfer.amount)).group_by(
                        Transfer.fund_id, Transfer.kind
                    )
                )
            )

        return Figure(
            "8",
            "reconciliation of the whole year",
            timed(ours, repeat, 0),
            "one SQL aggregate over the ledger",
            timed(aggregate, repeat, 0),
            "≤ 2×",
        )


# --- the report ---------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "small"))
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "sqlite"), choices=("sqlite", "postgres"))
    parser.add_argument("--url", default=None)
    parser.add_argument("--only", default="", help="comma-separated figure numbers (1,2,...,9)")
    parser.add_argument("--seed-only", action="store_true", help="seed (or reuse) the data set and stop")
    args = parser.parse_args()
    repeat = {"tiny": 10, "small": 30, "large": 30}.get(args.scale, 30)
    url = database_url(args.db, args.scale, args.url)
    info = prepare(args.scale, url, os.environ.get("BENCH_RESEED") == "1")
    if args.seed_only:
        return 0
    only = set(filter(None, args.only.split(",")))
    started = time.perf_counter()

    def wanted(number: str) -> bool:
        if only and number not in only:
            return False
        print(f"figure {number} … ({time.perf_counter() - started:.0f} s)", flush=True)
        return True

    app = make_app(url)
    figures: list[Figure] = []
    extra: list[str] = []
    if wanted("1"):
        figures += page_figures(app, info, repeat)
    if wanted("3"):
        figures.append(balance_figure(app, info, repeat))
    if wanted("4"):
        figures += payment_figures(
            url, info, per_worker={"tiny": 10, "small": 40, "large": 100}.get(args.scale, 40)
        )
    rows_cap = min(sum(v for k, v in info["counts"].items() if k == "ledger_transfers"), 1_000_000)
    if wanted("5"):
        figures += export_figures(app, rows_cap, 3)
        extra.append("XLSX memory: " + xlsx_memory(url, rows_cap))
    if wanted("7"):
        figures.append(
            import_figure(
                app, info, {"tiny": 1_000, "small": 10_000, "large": 100_000}.get(args.scale, 10_000)
            )
        )
    if wanted("8"):
        figures.append(reconciliation_figure(app, 3))
    if wanted("9"):
        from bench.batch_figure import batch_figure

        figures.append(batch_figure(app, info, {"tiny": 1_000}.get(args.scale, 10_000)))
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(info["counts"].items()))
    lines = [
        f"## {args.scale} scale on {'PostgreSQL' if args.db == 'postgres' else 'SQLite'}",
        "",
        f"- Machine: {machine()}",
        f"- Database: {db_version(app)}",
        f"- Data set (seed {info.get('seed_seconds')} s): {counts}",
        f"- Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {time.perf_counter() - started:.0f} s",
        "",
        "Times are median / p95 in ms. Ratio: for times, p95 ÷ baseline p95 (lower is better);"
        " for speeds (5–7), baseline time ÷ our time, i.e. our share of the baseline's speed (higher is better);"
        " for 4, payments per second ÷ bare inserts per second over the same processes.",
        "",
        "| # | figure | median / p95 | baseline: median / p95 | ratio | target | notes |",
        "|---|---|---|---|---|---|---|",
        *[f.row() for f in figures],
        "",
        *[f"- {line}" for line in extra],
    ]
    report = "\n".join(lines) + "\n"
    OUT.mkdir(exist_ok=True)
    (OUT / f"{args.scale}-{args.db}.md").write_text(report)
    print(report)
    return 0


def db_version(app: Any) -> str:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version}"
        return db.session.execute(text("SELECT version()")).scalar_one().split(" on ")[0]


if __name__ == "__main__":
    sys.exit(main())
