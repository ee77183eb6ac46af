"""Billing benchmark: set-based bill runs against a bare INSERT … SELECT on the same engine.

    .venv/bin/python bench/bench_billing.py                      # 1.000.000 workers, SQLite and PostgreSQL
    .venv/bin/python bench/bench_billing.py --workers 100000     # scaled down
    .venv/bin/python bench/bench_billing.py --engines sqlite     # one engine

What it measures (issue 4, "Performance"):

1. **One month's bills for N enrolled workers** (monthly billing cycle, 40 agreements of N/40 workers,
   one in five an ojek driver) with ``billing.service.issue_bills`` — prices, bills, one
   ``INSERT … SELECT`` of N ledger lines into the indexed, constrained ledger, totals, commit — against
   a bare ``INSERT … SELECT`` of the same N rows (same columns, from the same enrolments) into a table
   with no index and no constraint, on the same engine, in the same run. Each repeat bills the next
   month (the ledger grows by N each time, like a real year) and does the bare insert once; the
   medians and their ratio are printed. Target: ratio ≤ 3.
2. **A 12-month prepaid bill for 26.000 workers** on SQLite (one agreement, billing cycle 12):
   312.000 worker-months in one bill. Target: < 5 s.
3. **Coverage of one worker at a date**: ``billing.coverage.coverage`` reads the worker's ledger with
   one query; its plan (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN ANALYZE``) and the median
   time of the query and of the whole coverage answer are printed at two ledger sizes (after the
   first and after the last repeat).
4. **What the bill-run job adds** (``lindung bill`` runs a bill run as a job, ``billing.jobs``): after
   the first repeat, the month billed again (nothing to issue) through ``issue_bills`` and through the
   job (its row recorded, marked running, the agreements read, one batch, the result written), medians
   of a few runs each; the difference is the job's bookkeeping, the same for any number of workers.

The data is seeded set-based in SQL (recursive CTE on SQLite, ``generate_series`` on PostgreSQL),
never through a million service calls. PostgreSQL comes from ``--pg-url`` or
``LINDUNG_TEST_POSTGRES_URL`` (a server URL used to create and drop a scratch database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from lindung.audit import service as audit
from lindung.billing import coverage as coverage_service
from lindung.billing import jobs as bill_jobs
from lindung.billing import repository as billing_repo
from lindung.billing import service as billing
from lindung.billing.schemas import BillRunRequest
from lindung.kit import db as kitdb
from lindung.kit.auth import Actor
from lindung.rules.period import Month
from lindung.sponsors.models import Agreement, Sponsor
from lindung.users import service as users
from lindung.users.schemas import UserCreate

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START = Month(2026, 1)
DESA = "32.16.01.2001"
AGREEMENTS = 40


def say(text_: str) -> None:
    print(text_, flush=True)


T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


# --- databases ----------------------------------------------------------------------------------


class Scratch:
    """A fresh migrated database on one engine, dropped at the end."""

    def __init__(self, dialect: str, pg_url: str | None, tmp: Path) -> None:
        self.dialect = dialect
        self.name = f"lindung_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        if dialect == "sqlite":
            self.url = f"sqlite:///{tmp / (self.name + '.sqlite')}"
            self.admin: Engine | None = None
        else:
            assert pg_url
            self.admin = kitdb.make_engine(pg_url, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.url = make_url(pg_url).set(database=self.name).render_as_string(hide_password=False)
        self.engine = kitdb.make_engine(self.url)
        kitdb.upgrade(self.engine)
        self.officer = add_users(self.engine)

    def close(self) -> None:
        self.engine.dispose()
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


def add_users(engine: Engine) -> Actor:
    """The bench's administrator and the officer who bills (the services check who acts)."""
    with kitdb.session_scope(engine) as s:
        users.add_user(s, UserCreate(username="bench.admin", role="administrator"), by=None)
        users.add_user(s, UserCreate(username="bench", role="officer"), by=users.acting(s, "bench.admin"))
        return users.acting(s, "bench")


# --- set-based seeding --------------------------------------------------------------------------


def seed(db: Scratch, *, workers: int, agreements: int, cycle: int, months: int, first_id: int = 1,
         spread: bool = False) -> list[int]:
    """``workers`` workers (ids from ``first_id``) enrolled under ``agreements`` new agreements of equal size.

    All of them live in one desa, men born on 1 January 1990, farmers with every fifth an ojek driver;
    with ``spread``, they are spread over every desa of Kabupaten Bekasi and every occupation of the
    catalogue, women and men, born between 1960 and 2003 (what the dashboard's benchmark needs)."""
    pg = db.dialect == "postgresql"
    per = -(-workers // agreements)
    now = kitdb.utcnow()
    with kitdb.session_scope(db.engine) as s:
        if s.get(Sponsor, 1) is None:
            s.execute(insert(Sponsor).values(id=1, code="BENCH", name="Bench sponsor", type="association",
                                             funding_code="kadin", created_by="bench", created_at=now))
        first_agreement = int(s.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM agreements")) or 1)
        ids = list(range(first_agreement, first_agreement + agreements))
        s.execute(insert(Agreement), [dict(
            id=i, code=f"BENCH-{i}", sponsor_id=1, funding_code="kadin", quota=per, budget=10**15,
            start_month=START.index, months=months, end_month=START.index + months - 1, income=None,
            base=1_000_000, bracket=1, jht=False, billing_cycle_months=cycle, after_death="credit",
            status="active", drafted_by="bench.maker", drafted_at=now, approved_by="bench.checker",
            approved_at=now, activated_at=now, ended_at=None, estimate_list_price=0, estimate_expected=0,
            enrolled_count=0, committed_cost=0) for i in ids])
        origin = audit.provenance(s, actor=db.officer, source="bench").id
    last_id = first_id + workers - 1
    with db.engine.begin() as conn:
        if pg:
            numbers = "generate_series(CAST(:a AS INTEGER), CAST(:b AS INTEGER)) AS g(i)"
            nik = "'32' || lpad(i::text, 14, '0')"
            no, prefix = "false", ""
        else:
            conn.exec_driver_sql("PRAGMA cache_size = -200000")
            numbers = "seq"
            nik = "printf('32%014d', i)"
            no = "0"
            prefix = "WITH RECURSIVE seq(i) AS (SELECT :a UNION ALL SELECT i + 1 FROM seq WHERE i < :b) "
        if spread:
            conn.execute(text("CREATE TEMPORARY TABLE bench_desa (k INTEGER PRIMARY KEY, code VARCHAR(13))"))
            conn.execute(text("INSERT INTO bench_desa (k, code) SELECT row_number() OVER (ORDER BY code) - 1, code "
                              "FROM regions WHERE level = 4 AND code LIKE '32.16.%'"))
            n_desa = int(conn.execute(text("SELECT count(*) FROM bench_desa")).scalar_one())
            conn.execute(text("CREATE TEMPORARY TABLE bench_occupation (k INTEGER PRIMARY KEY, code VARCHAR(32))"))
            conn.execute(text("INSERT INTO bench_occupation (k, code) SELECT row_number() OVER (ORDER BY code) - 1, "
                              "code FROM occupations"))
            n_occupations = int(conn.execute(text("SELECT count(*) FROM bench_occupation")).scalar_one())
            born = ("DATE '1960-01-01' + CAST(((i % 16000) * 7919) % 16000 AS INTEGER)" if pg
                    else "date('1960-01-01', '+' || (((i % 16000) * 7919) % 16000) || ' days')")
            conn.execute(text(
                f"{prefix}INSERT INTO workers (id, nik, name, sex, birth_date, needs_review, domicile_code, "
                f"occupation_code, declared_income, provenance_id) SELECT i, {nik}, 'Pekerja ' || i, "
                f"CASE WHEN i % 2 = 0 THEN 'P' ELSE 'L' END, {born}, {no}, d.code, o.code, 0, :origin "
                f"FROM {numbers} JOIN bench_desa d ON d.k = (i * 31) % {n_desa} "
                f"JOIN bench_occupation o ON o.k = (i * 17) % {n_occupations}"),
                {"a": first_id, "b": last_id, "origin": origin})
        else:
            conn.execute(text(
                f"{prefix}INSERT INTO workers (id, nik, name, sex, birth_date, needs_review, domicile_code, "
                f"occupation_code, declared_income, provenance_id) SELECT i, {nik}, 'Pekerja ' || i, 'L', "
                f"'1990-01-01', {no}, '{DESA}', CASE WHEN i % 5 = 0 THEN 'ojek' ELSE 'petani' END, 0, :origin "
                f"FROM {numbers}"), {"a": first_id, "b": last_id, "origin": origin})
        conn.execute(text(
            "INSERT INTO enrolments (worker_id, agreement_id, first_month, last_month, occupation_code, sector, "
            "committed_cost, status, provenance_id) "
            "SELECT w.id, :a0 + (w.id - :w0) / :per, a.start_month, a.end_month, w.occupation_code, "
            "CASE WHEN o.transport THEN 'transport' ELSE 'other' END, 0, 'active', :origin "
            "FROM workers w JOIN agreements a ON a.id = :a0 + (w.id - :w0) / :per "
            "JOIN occupations o ON o.code = w.occupation_code "
            "WHERE w.id BETWEEN :w0 AND :w1 ORDER BY w.id"),
            {"a0": ids[0], "w0": first_id, "w1": last_id, "per": per, "origin": origin})
        conn.execute(text("UPDATE agreements SET enrolled_count = (SELECT count(*) FROM enrolments e "
                          "WHERE e.agreement_id = agreements.id) WHERE id BETWEEN :a AND :b"),
                     {"a": ids[0], "b": ids[-1]})
        if pg:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('workers', 'id'), (SELECT max(id) FROM workers))"))
            conn.execute(text("SELECT setval(pg_get_serial_sequence('agreements', 'id'), "
                              "(SELECT max(id) FROM agreements))"))
    analyze(db)
    return ids


def analyze(db: Scratch) -> None:
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("VACUUM ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


# --- the measurements ---------------------------------------------------------------------------


BARE = ("CREATE TABLE bench_bare (bill_id INTEGER, enrolment_id INTEGER, worker_id INTEGER, month INTEGER, "
        "price_id INTEGER, amount BIGINT, status VARCHAR(8), paid_on DATE, payment_id INTEGER, "
        "credit_entry_id INTEGER, void_reason VARCHAR(16))")
BARE_INSERT = ("INSERT INTO bench_bare (bill_id, enrolment_id, worker_id, month, price_id, amount, status) "
               "SELECT 1, e.id, e.worker_id, :m, 1, 16800, 'due' FROM enrolments e "
               "WHERE e.status = 'active' AND e.first_month <= :m AND e.last_month >= :m")


def bare_insert(db: Scratch, month: Month) -> int:
    with db.engine.begin() as conn:
        return int(conn.execute(text(BARE_INSERT), {"m": month.index}).rowcount)


def bill_month(db: Scratch, month: Month, agreement_ids: list[int] | None = None) -> billing.BillRun:
    with kitdb.session_scope(db.engine) as s:
        return billing.issue_bills(s, month, today=month.first_day(), by=db.officer, agreement_ids=agreement_ids)


def bill_month_as_job(db: Scratch, month: Month) -> billing.BillRun:
    """The month's bill run as ``lindung bill`` runs it: a job, in batches of the command's default size."""
    with kitdb.session_scope(db.engine) as s:
        job = bill_jobs.start(s, BillRunRequest(month=month, issue_date=month.first_day()), by=db.officer)
    return bill_jobs.run(job.id, by=db.officer, engine=db.engine)


def job_bookkeeping(db: Scratch, month: Month, rounds: int = 5) -> None:
    direct = statistics.median(timed(lambda: bill_month(db, month))[0] for _ in range(rounds))
    as_job = statistics.median(timed(lambda: bill_month_as_job(db, month))[0] for _ in range(rounds))
    say(f"  the same month again as a job (nothing issued): {as_job * 1000:.1f} ms against "
        f"{direct * 1000:.1f} ms through issue_bills, medians of {rounds}: the job's bookkeeping "
        f"{(as_job - direct) * 1000:.1f} ms")


def coverage_probe(db: Scratch, label: str, worker_id: int, at: dt.date, rounds: int = 200) -> None:
    with kitdb.session_scope(db.engine, readonly=True) as s:
        nik = s.scalar(text("SELECT nik FROM workers WHERE id = :w"), {"w": worker_id})
        lines = int(s.scalar(text("SELECT count(*) FROM contribution_lines")) or 0)
        plan = billing_repo.explain_ledger_query(s, worker_id)
        query_times, answer_times = [], []
        for _ in range(rounds):
            query_times.append(timed(lambda: billing_repo.ledger_of(s, worker_id))[0])
        for _ in range(max(rounds // 4, 10)):
            answer_times.append(timed(lambda: coverage_service.coverage(s, str(nik), at=at, by=db.officer))[0])
        report = coverage_service.coverage(s, str(nik), at=at, by=db.officer)
    say(f"  coverage [{label}] ledger {lines:,} lines: worker's ledger query median "
        f"{statistics.median(query_times) * 1000:.2f} ms, whole answer median "
        f"{statistics.median(answer_times) * 1000:.2f} ms ({len(report.months)} months, protected={report.protected})")
    for line in plan:
        say(f"      plan: {line}")


def run_engine(dialect: str, args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    say(f"\n=== {dialect}: one month's bills for {args.workers:,} workers ({AGREEMENTS} agreements, monthly) ===")
    db = Scratch(dialect, args.pg_url, tmp)
    try:
        t0 = time.perf_counter()
        seed(db, workers=args.workers, agreements=AGREEMENTS, cycle=1, months=24)
        say(f"  seeded {args.workers:,} workers and enrolments set-based in {time.perf_counter() - t0:.1f} s")
        with db.engine.begin() as conn:
            conn.execute(text(BARE))
        bare_times, bill_times = [], []
        for r in range(args.repeats):
            month = START + r
            bare_s, rows = timed(lambda m=month: bare_insert(db, m))  # type: ignore[misc]
            bill_s, run = timed(lambda m=month: bill_month(db, m))  # type: ignore[misc]
            assert rows == args.workers, rows
            assert run.worker_months == args.workers, (run.worker_months, args.workers)
            bare_times.append(bare_s)
            bill_times.append(bill_s)
            say(f"  repeat {r + 1} ({month}): bare INSERT … SELECT {bare_s:.2f} s, bill run {bill_s:.2f} s "
                f"({len(run.bills)} bills, {run.worker_months:,} worker-months, Rp{run.total:,}) "
                f"ratio {bill_s / bare_s:.2f}")
            if r == 0:
                coverage_probe(db, "after 1 month", args.workers // 2, (START + r).day(20))
            if dialect == "sqlite" and r == 0:
                again, rerun = timed(lambda m=month: bill_month(db, m))  # type: ignore[misc]
                assert not rerun.bills
                say(f"  the same month billed again: nothing issued, {again:.2f} s")
            if r == 0:
                job_bookkeeping(db, month)
        analyze(db)
        coverage_probe(db, f"after {args.repeats} months", args.workers // 2, (START + args.repeats - 1).day(20))
        bare_m, bill_m = statistics.median(bare_times), statistics.median(bill_times)
        ratio = bill_m / bare_m
        # Also the median of each repeat's own ratio: its two measurements run back to back on the same
        # ledger, so a slow spell of the machine weighs on both sides (the ratio of medians can pair a
        # fast bare insert with a slow bill run from different repeats).
        paired = statistics.median(b / a for a, b in zip(bare_times, bill_times, strict=True))
        say(f"  MEDIAN over {args.repeats} repeats: bare INSERT … SELECT {bare_m:.2f} s, bill run {bill_m:.2f} s, "
            f"ratio of medians {ratio:.2f}, median of the repeats' ratios {paired:.2f} (target ≤ 3): "
            f"{'OK' if max(ratio, paired) <= 3 else 'NOT MET'}")
        return {"bare": bare_m, "bill": bill_m, "ratio": ratio, "paired": paired}
    finally:
        db.close()


def run_prepaid(args: argparse.Namespace, tmp: Path) -> float:
    n = args.prepaid_workers
    say(f"\n=== sqlite: a 12-month prepaid bill for {n:,} workers ===")
    db = Scratch("sqlite", None, tmp)
    try:
        ids = seed(db, workers=n * args.repeats, agreements=args.repeats, cycle=12, months=12)
        times = []
        for r, agreement_id in enumerate(ids):
            elapsed, run = timed(lambda a=agreement_id: bill_month(db, START, [a]))  # type: ignore[misc]
            assert run.worker_months == n * 12, run.worker_months
            times.append(elapsed)
            say(f"  repeat {r + 1}: one bill, {run.worker_months:,} worker-months, Rp{run.total:,} in {elapsed:.2f} s")
        median = statistics.median(times)
        say(f"  MEDIAN {median:.2f} s (target < 5 s): {'OK' if median < 5 else 'NOT MET'}")
        coverage_probe(db, "prepaid ledger", n // 2, dt.date(2026, 6, 20))
        return median
    finally:
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1_000_000, help="enrolled workers (default 1.000.000)")
    parser.add_argument("--prepaid-workers", type=int, default=26_000, help="workers on the 12-month bill")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per measurement (medians)")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("LINDUNG_TEST_POSTGRES_URL") or DEFAULT_PG)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lindung_bench_"))
    results: dict[str, dict[str, float]] = {}
    try:
        engines = [e.strip() for e in args.engines.split(",") if e.strip()]
        if "sqlite" in engines:
            prepaid = run_prepaid(args, tmp)
        for dialect in engines:
            results[dialect] = run_engine(dialect, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say("\n=== summary ===")
    for dialect, r in results.items():
        say(f"  {dialect:10s} one month, {args.workers:,} workers: bill run {r['bill']:.2f} s vs bare "
            f"{r['bare']:.2f} s = {r['ratio']:.2f}× (median of the repeats' ratios {r['paired']:.2f}×; target ≤ 3×)")
    if "sqlite" in results:
        say(f"  sqlite     12-month prepaid bill, {args.prepaid_workers:,} workers: {prepaid:.2f} s (target < 5 s)")
    ok = all(max(r["ratio"], r["paired"]) <= 3 for r in results.values()) and ("sqlite" not in results or prepaid < 5)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
