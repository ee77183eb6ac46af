"""Dashboard and public coverage-check benchmark (issue 22): ``lindung serve`` on PostgreSQL with 100.000 and
1.000.000 workers spread over Kabupaten Bekasi's desa, every occupation, both sexes and forty years of
birth dates, under 40 agreements, the twelve months of 2026 billed and paid.

    .venv/bin/python bench/bench_insight.py                        # 100.000 and 1.000.000 workers
    .venv/bin/python bench/bench_insight.py --workers 20000 --seconds 10   # a quick run

For each size, on a scratch PostgreSQL database (created and dropped):

1. **Seeding**: workers and enrolments set-based (``bench_billing.seed(spread=True)``), the summary counted
   once from scratch (``summary.cells.rebuild``, as the migration does on an existing database), then each
   month billed with ``billing.service.issue_bills`` and every bill paid through ``billing.service.pay``,
   which keeps the summary current (``--pay service``), or every line marked paid set-based and the
   summary counted again from scratch (``--pay sql``: the same state, in minutes); two coverage targets.
2. **The server**: ``lindung serve`` as an operator runs it, with the public checks' rate limits raised
   for the run (``LINDUNG_PUBLIC_CHECKS_PER_CLIENT``, ``…_PER_NIK``: the clients all come from 127.0.0.1).
3. **Per endpoint**: one client, ``--requests`` sequential requests → p50; then ``--clients`` concurrent
   clients for ``--seconds`` → requests per second, p50, p99, errors (any answer not 2xx). The dashboard is
   read as the officer (``GET /api/v1/dashboard``: every figure of every sponsor and region); the public
   check (``POST /api/v1/public/coverage-check``) asks for a protected worker, an unknown NIK and a known NIK
   with the wrong birth date in turn. A public answer is padded to ``public.service.MIN_SECONDS`` by design.

Targets, printed PASS/FAIL: zero errors; the dashboard's concurrent p50 at the largest size at most 1,5 × its
p50 at the smallest (its cost does not grow with the registry).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api as ba
import bench_billing as bb
from lindung.billing import service as billing
from lindung.billing.schemas import PaymentCreate
from lindung.insight import targets
from lindung.insight.schemas import TargetSet
from lindung.kit import db as kitdb
from lindung.public import service as public
from lindung.summary import cells
from lindung.users import credentials
from lindung.users import service as users

AGREEMENTS = 40
MONTHS = 12
RATIO = 1.5
say = bb.say


@dataclass
class World:
    workers: int
    token: str
    people: list[tuple[str, str]]
    """(NIK, birth date) of sampled workers"""


@dataclass
class Request:
    method: str
    path: str
    json: dict[str, Any] | None = None


def seed(db: bb.Scratch, workers: int, pay: str) -> World:
    t0 = time.perf_counter()
    bb.seed(db, workers=workers, agreements=AGREEMENTS, cycle=1, months=MONTHS, spread=True)
    with kitdb.session_scope(db.engine) as s:
        cells.rebuild(s)
    say(f"  seeded {workers:,} workers spread over the regency, summary counted, in {time.perf_counter() - t0:.1f} s")
    bill_s = pay_s = 0.0
    for m in range(MONTHS):
        month = bb.START + m
        t0 = time.perf_counter()
        run = bb.bill_month(db, month)
        t1 = time.perf_counter()
        paid_on = month.day(5)
        if pay == "service":
            with kitdb.session_scope(db.engine) as s:
                for bill in run.bills:
                    billing.pay(s, PaymentCreate(code=bill.payment_code, amount=bill.payable,
                                                 reference=f"BENCH-{bill.payment_code}", paid_on=paid_on),
                                today=paid_on, by=db.officer)
        bill_s, pay_s = bill_s + t1 - t0, pay_s + time.perf_counter() - t1
    if pay == "sql":
        # Every line paid on the 5th of its month and every bill settled, in two statements, and the summary
        # counted once from scratch: the state the payments through the service leave (bench_api.py measures
        # them), in minutes instead of an hour at a million workers.
        t1 = time.perf_counter()
        with kitdb.session_scope(db.engine) as s:
            s.execute(text("UPDATE contribution_lines SET status = 'paid', "
                           "paid_on = make_date(month / 12, month % 12 + 1, 5) WHERE void_seq = 0"))
            s.execute(text("UPDATE bills SET settled = total - cancelled, settled_months = worker_months"))
            cells.rebuild(s)
        pay_s = time.perf_counter() - t1
        say(f"  billed {MONTHS} months in {bill_s:.1f} s; every line paid set-based and the summary counted from "
            f"scratch in {pay_s:.1f} s")
    else:
        say(f"  billed and paid {MONTHS} months: bill runs {bill_s:.1f} s, payments (summary kept) {pay_s:.1f} s")
    with kitdb.session_scope(db.engine) as s:
        admin = users.acting(s, "bench.admin")
        targets.set_target(s, TargetSet(year=2026, region="32.16", workers=workers * 2), by=admin)
        targets.set_target(s, TargetSet(year=2026, region="32.16", occupation="petani", workers=workers // 10),
                           by=admin)
        _read, secret = credentials.create_token(s, db.officer.username, name="bench", expires=None,
                                                 by=db.officer, now=kitdb.utcnow())
        sample = random.Random(7).sample(range(1, workers + 1), min(workers, 2000))
        rows = s.execute(text("SELECT nik, birth_date FROM workers WHERE id = ANY(:ids)"), {"ids": sample}).all()
        n, found = cells.differences(s, limit=1)
        assert n == 0, found
    bb.analyze(db)
    return World(workers=workers, token=secret, people=[(str(a), str(b)) for a, b in rows])


def dashboard(_world: World, _r: random.Random) -> Request:
    return Request("GET", "/api/v1/dashboard")


def coverage_check(world: World, r: random.Random) -> Request:
    nik, born = r.choice(world.people)
    kind = r.randrange(3)
    if kind == 1:
        nik = f"32{r.randrange(10**13, 10**14)}"  # nobody's
    elif kind == 2:
        born = (dt.date.fromisoformat(born) + dt.timedelta(days=1)).isoformat()
    return Request("POST", "/api/v1/public/coverage-check", {"nik": nik, "birth_date": born})


ENDPOINTS: dict[str, Callable[[World, random.Random], Request]] = {
    "dashboard": dashboard, "public coverage check": coverage_check}


@dataclass
class Figures:
    single_p50: float = 0.0
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    requests: int = 0
    errors: int = 0
    first_error: str = ""


async def _load(base: str, world: World, draw: Callable[[World, random.Random], Request], clients: int,
                seconds: float, figures: Figures) -> None:
    times: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {world.token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def one(k: int) -> None:
            r = random.Random(100 + k)
            while time.perf_counter() < deadline:
                req = draw(world, r)
                t0 = time.perf_counter()
                try:
                    answer = await client.request(req.method, req.path, json=req.json)
                    ok = answer.is_success
                    if not ok:
                        figures.first_error = figures.first_error or f"{answer.status_code} {answer.text[:200]}"
                except httpx.HTTPError as exc:
                    ok = False
                    figures.first_error = figures.first_error or f"{type(exc).__name__}: {exc}"
                times.append(time.perf_counter() - t0)
                figures.errors += 0 if ok else 1

        started = time.perf_counter()
        await asyncio.gather(*(one(k) for k in range(clients)))
        elapsed = time.perf_counter() - started
    figures.requests = len(times)
    figures.rps = len(times) / elapsed
    figures.p50, figures.p99 = ba.pct(times, 0.5), ba.pct(times, 0.99)


def measure(db: bb.Scratch, world: World, args: argparse.Namespace, tmp: Path) -> dict[str, Figures]:
    out: dict[str, Figures] = {}
    server = ba.Server(db.url, tmp, env={"LINDUNG_PUBLIC_CHECKS_PER_CLIENT": str(10**9),
                                         "LINDUNG_PUBLIC_CHECKS_PER_NIK": str(10**9)})
    try:
        for name, draw in ENDPOINTS.items():
            figures = Figures()
            r = random.Random(1)
            with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {world.token}"},
                              timeout=120) as client:
                times = []
                for i in range(args.requests + 2):
                    req = draw(world, r)
                    t0 = time.perf_counter()
                    answer = client.request(req.method, req.path, json=req.json)
                    if i >= 2:
                        times.append(time.perf_counter() - t0)
                    if not answer.is_success:
                        figures.errors += 1
                        figures.first_error = figures.first_error or f"{answer.status_code} {answer.text[:200]}"
            figures.single_p50 = ba.pct(times, 0.5)
            asyncio.run(_load(server.base, world, draw, args.clients, min(3.0, args.seconds / 5), Figures()))
            asyncio.run(_load(server.base, world, draw, args.clients, args.seconds, figures))
            out[name] = figures
            say(f"  {name:22s} one client p50 {ba.ms(figures.single_p50)} ms | {args.clients} clients "
                f"{args.seconds:.0f} s: {figures.requests:6d} requests, {figures.rps:7.1f}/s, p50 {ba.ms(figures.p50)} "
                f"ms, p99 {ba.ms(figures.p99)} ms, errors {figures.errors}"
                + (f" (first: {figures.first_error})" if figures.first_error else ""))
    finally:
        server.stop()
    return out


def wait_until_quiet(load: float, most: float = 1800.0) -> None:
    """Wait (at most ``most`` seconds) until the machine's one-minute load is under ``load``."""
    started = time.monotonic()
    while ba.os.getloadavg()[0] >= load and time.monotonic() - started < most:
        time.sleep(10)
    say(f"\n(load {ba.os.getloadavg()[0]:.2f} after waiting {time.monotonic() - started:.0f} s for a quiet machine)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pg-url", default=bb.DEFAULT_PG)
    parser.add_argument("--pay", choices=("service", "sql"), default="service",
                        help="pay the bills through billing.service.pay (the summary kept by it), or set-based")
    parser.add_argument("--quiet", type=float, default=1.0,
                        help="measure once the one-minute load is under this (other work finished)")
    args = parser.parse_args()
    say(f"public answers are padded to {public.MIN_SECONDS} s by design; the machine: "
        f"{ba.os.cpu_count()} cores")
    by_size: dict[int, dict[str, Figures]] = {}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        seeded: list[tuple[int, bb.Scratch, World]] = []
        try:
            # Every size is seeded first and measured after, back to back, on a quiet machine: the sizes
            # are compared under the same conditions.
            for workers in args.workers:
                say(f"\n=== seeding {workers:,} workers ===")
                db = bb.Scratch("postgresql", args.pg_url, tmp)
                seeded.append((workers, db, seed(db, workers, args.pay)))
                with kitdb.session_scope(db.engine) as s:
                    rows = int(s.execute(text("SELECT count(*) FROM insight_facets")).scalar_one())
                    now = int(s.execute(text("SELECT count(*) FROM insight_facets WHERE month = :m"),
                                        {"m": bb.START.index + MONTHS - 1}).scalar_one())
                say(f"  summary: {rows:,} rows, {now:,} of them for the dashboard's month")
            wait_until_quiet(args.quiet)
            for workers, db, world in seeded:
                say(f"\n=== measuring {workers:,} workers ===")
                by_size[workers] = measure(db, world, args, tmp)
        finally:
            for _workers, db, _world in seeded:
                db.close()
    say("\n=== verdict ===")
    ok = True
    for workers, found in by_size.items():
        for name, f in found.items():
            if f.errors:
                ok = False
                say(f"  FAIL {name} at {workers:,}: {f.errors} errors")
    if len(by_size) > 1:
        small, large = min(by_size), max(by_size)
        a, b = by_size[small]["dashboard"].p50, by_size[large]["dashboard"].p50
        ratio = b / a if a else float("inf")
        verdict = ratio <= RATIO
        ok = ok and verdict
        say(f"  {'PASS' if verdict else 'FAIL'} dashboard p50 at {large:,} = {ba.ms(b).strip()} ms = {ratio:.2f} × "
            f"p50 at {small:,} ({ba.ms(a).strip()} ms); target ≤ {RATIO}")
    say(f"  {'PASS' if ok else 'FAIL'} overall")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
