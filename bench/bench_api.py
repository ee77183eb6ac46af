"""HTTP API benchmark: ``lindung serve`` as a real uvicorn process on PostgreSQL, seeded with 100.000 and
1.000.000 workers and a year billed and paid (issue 20, "Benchmark").

    .venv/bin/python bench/bench_api.py                          # 100.000 and 1.000.000 workers
    .venv/bin/python bench/bench_api.py --workers 20000          # a quick run
    .venv/bin/python bench/bench_api.py --workers 100000 1000000 --seconds 30 --clients 50

For each size, on a scratch PostgreSQL database (created and dropped, as ``bench_billing.py`` does):

1. **Seeding, set-based**: N workers enrolled under 40 agreements (``bench_billing.seed``: one
   ``INSERT … SELECT`` over ``generate_series`` for the workers, one for the enrolments); the twelve
   months of 2026 billed with ``billing.service.issue_bills`` (one run per month, set-based) and every
   bill paid in full through ``billing.service.pay`` (480 payments); the officer ``bench`` and an API
   token (``users.credentials.create_token``).
2. **The server**: ``lindung serve --port P`` in a subprocess with ``LINDUNG_DATABASE_URL`` on the scratch
   database, as an operator runs it (uvicorn, one process, its access log on), ready when ``/readyz``
   answers 200.
3. **Per endpoint of ``ENDPOINTS``**, each with the officer's bearer token: (a) one client, sequential,
   ``--requests`` requests after a warm-up → p50, p99; (b) ``--clients`` concurrent clients for
   ``--seconds`` (``httpx.AsyncClient``) → requests per second, p50, p99, errors (any answer not 2xx,
   or an exception). An endpoint the server does not have (not in its OpenAPI document, or answering
   404/405 to a route it should have) is reported "missing", not a crash.
4. **The same service calls in-process** (``SERVICES``): open a session, build the officer's ``Actor``,
   call the service, close → p50. A service not there yet (or a list service without its ``window``
   parameter, which the API's paging needs) is reported "missing".

Targets, printed PASS/FAIL: zero errors; single-client p50 ≤ 1,5 × (in-process p50 + the trivial
endpoint's p50), so that the HTTP layer adds no hidden work; p50 at the largest size ≤ 1,2 × p50 at
the smallest (flat). The trivial endpoint is ``GET /api/v1/me``: the same token authentication, no work.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import inspect
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import bindparam, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_billing as bb
from lindung.billing import service as billing
from lindung.billing.schemas import PaymentCreate
from lindung.kit import clock
from lindung.kit import db as kitdb
from lindung.kit.auth import Actor
from lindung.kit.paging import Window
from lindung.users import credentials
from lindung.users import service as users

AGREEMENTS = 40
MONTHS = 12
PAGE = 50
TRIVIAL = "me"


def say(text_: str) -> None:
    print(text_, flush=True)


# --- what is measured ---------------------------------------------------------------------------


@dataclass
class World:
    """What the seeding made, for the requests' parameters."""

    workers: int
    agreements: list[str]
    per_agreement: int
    bills: int
    token: str
    niks: list[str] = field(default_factory=list)

    def nik(self, r: random.Random) -> str:
        return r.choice(self.niks)

    def day(self, r: random.Random) -> dt.date:
        """A day of the billed year."""
        return bb.START.first_day() + dt.timedelta(days=r.randrange(365))

    def offset(self, r: random.Random, total: int) -> int:
        return r.randrange(max(total - PAGE, 0) + 1)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None


@dataclass(frozen=True)
class Endpoint:
    """A route measured: its name, method and path template, how to draw a request, and the service
    call (in ``SERVICES``) it stands on; ``target``: held to the targets (a harness check is not)."""

    name: str
    method: str
    template: str
    draw: Callable[[World, random.Random], Request]
    service: str | None
    target: bool = True


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("coverage", "POST", "/api/v1/coverage",
             lambda w, r: Request("POST", "/api/v1/coverage",
                                  json={"nik": w.nik(r), "at": w.day(r).isoformat()}),
             "coverage"),
    Endpoint("agreement workers", "GET", "/api/v1/agreements/{code}/workers",
             lambda w, r: Request("GET", f"/api/v1/agreements/{r.choice(w.agreements)}/workers",
                                  {"limit": PAGE, "offset": w.offset(r, w.per_agreement)}),
             "agreement workers"),
    Endpoint("bills", "GET", "/api/v1/bills",
             lambda w, r: Request("GET", "/api/v1/bills", {"limit": PAGE, "offset": w.offset(r, w.bills)}),
             "bills"),
    Endpoint(TRIVIAL, "GET", "/api/v1/me", lambda w, r: Request("GET", "/api/v1/me"), None),
    # Exists before the other domains' routes: checks the harness end to end (not a target of the issue).
    Endpoint("claims (harness check)", "GET", "/api/v1/claims",
             lambda w, r: Request("GET", "/api/v1/claims", {"limit": PAGE, "offset": 0}),
             "claims", target=False),
)
"""The endpoints of issue 20's benchmark, and the trivial one they are compared with."""


@dataclass(frozen=True)
class ServiceCall:
    """A service an endpoint calls, by module and function (candidates, first found wins), and its
    arguments for a drawn request: the positional ones and keywords offered (only those the function
    takes are passed). ``paged``: a list service, which must take a ``window`` (else "missing")."""

    candidates: tuple[tuple[str, str], ...]
    args: Callable[[World, random.Random], tuple[tuple[Any, ...], dict[str, Any]]]
    paged: bool = False


SERVICES: dict[str, ServiceCall] = {
    "coverage": ServiceCall(
        (("lindung.billing.coverage", "coverage"),),
        lambda w, r: ((w.nik(r),), {"at": w.day(r)})),
    "agreement workers": ServiceCall(
        (("lindung.enrolment.roster", "roster_page"), ("lindung.enrolment.roster", "roster")),
        lambda w, r: ((r.choice(w.agreements),),
                      {"window": Window(PAGE, w.offset(r, w.per_agreement)), "status": "active"}),
        paged=True),
    "bills": ServiceCall(
        (("lindung.billing.service", "list_bills"),),
        lambda w, r: ((), {"window": Window(PAGE, w.offset(r, w.bills))}),
        paged=True),
    "claims": ServiceCall(
        (("lindung.claims.service", "list_claims"),),
        lambda w, r: ((), {})),
}
"""The service calls timed in-process, by the name an endpoint gives."""


class Missing(Exception):
    """A route or a service that is not there (yet)."""


def resolve(call: ServiceCall) -> Callable[..., Any]:
    tried = []
    for module_name, name in call.candidates:
        try:
            fn = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError):
            tried.append(f"{module_name}.{name}")
            continue
        if call.paged and "window" not in inspect.signature(fn).parameters:
            tried.append(f"{module_name}.{name} (no window parameter)")
            continue
        return fn  # type: ignore[no-any-return]
    raise Missing("; ".join(tried))


def invoke(fn: Callable[..., Any], session: Any, by: Actor, args: tuple[Any, ...], offered: dict[str, Any]) -> Any:
    accepted = inspect.signature(fn).parameters
    kwargs = {k: v for k, v in {**offered, "by": by, "today": clock.today()}.items() if k in accepted}
    out = fn(session, *args, **kwargs)
    if isinstance(out, Iterator):
        out = list(out)  # a streamed list is read whole, as the answer would be
    return out


# --- statistics ---------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


@dataclass
class Figures:
    status: str = "ok"
    """``ok``, or ``missing: …``."""
    inprocess_p50: float | None = None
    service_status: str = "ok"
    single_p50: float | None = None
    single_p99: float | None = None
    trivial_p50: float | None = None
    """The trivial endpoint's p50, measured between this endpoint's requests."""
    single_errors: int = 0
    rps: float | None = None
    conc_p50: float | None = None
    conc_p99: float | None = None
    conc_errors: int = 0
    conc_requests: int = 0
    first_error: str = ""


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``lindung serve`` in a subprocess on ``url``, until ``stop``."""

    def __init__(self, url: str, tmp: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"serve-{self.port}.log"
        self.log = self.log_path.open("wb")
        lindung = Path(sys.executable).with_name("lindung")
        env = {**os.environ, **(env or {}), "LINDUNG_DATABASE_URL": url, "LINDUNG_DATA_DIR": str(tmp)}
        self.process = subprocess.Popen([str(lindung), "serve", "--port", str(self.port)], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"lindung serve stopped ({self.process.returncode}): "
                                   + self.log_path.read_text(errors="replace")[-2000:])
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("lindung serve not ready after 120 s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- seeding ------------------------------------------------------------------------------------


def seed_world(db: bb.Scratch, workers: int) -> World:
    """N workers under 40 agreements, 2026 billed month by month and every bill paid, a token."""
    t0 = time.perf_counter()
    ids = bb.seed(db, workers=workers, agreements=AGREEMENTS, cycle=1, months=MONTHS)
    say(f"  seeded {workers:,} workers and enrolments set-based in {time.perf_counter() - t0:.1f} s")
    bills = 0
    total = 0
    bill_s = pay_s = 0.0
    for m in range(MONTHS):
        month = bb.START + m
        t0 = time.perf_counter()
        run = bb.bill_month(db, month)
        t1 = time.perf_counter()
        paid_on = month.day(5)
        with kitdb.session_scope(db.engine) as s:
            for bill in run.bills:
                billing.pay(s, PaymentCreate(code=bill.payment_code, amount=bill.payable,
                                             reference=f"BENCH-{bill.payment_code}", paid_on=paid_on),
                            today=paid_on, by=db.officer)
                total += bill.payable
        bills += len(run.bills)
        bill_s, pay_s = bill_s + t1 - t0, pay_s + time.perf_counter() - t1
        if workers >= 100_000:
            say(f"    {month}: billed in {t1 - t0:.1f} s, {len(run.bills)} bills paid in "
                f"{time.perf_counter() - t1:.1f} s")
    say(f"  billed and paid {MONTHS} months: {bills} bills, Rp{total:,}; bill runs {bill_s:.1f} s, payments "
        f"{pay_s:.1f} s")
    bb.analyze(db)
    with kitdb.session_scope(db.engine) as s:
        _read, secret = credentials.create_token(s, db.officer.username, name="bench", expires=None,
                                                 by=db.officer, now=kitdb.utcnow())
        codes = [str(c) for c in s.scalars(text("SELECT code FROM agreements WHERE id BETWEEN :a AND :b ORDER BY id"),
                                          {"a": ids[0], "b": ids[-1]})]
        sample = random.Random(7).sample(range(1, workers + 1), min(workers, 2000))
        niks = [str(n) for n in s.scalars(text("SELECT nik FROM workers WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"ids": sample})]
    return World(workers=workers, agreements=codes, per_agreement=-(-workers // AGREEMENTS), bills=bills,
                 token=secret, niks=niks)


# --- measuring ----------------------------------------------------------------------------------


def route_missing(openapi: dict[str, Any], endpoint: Endpoint) -> bool:
    return endpoint.method.lower() not in openapi.get("paths", {}).get(endpoint.template, {})


DOMAIN_CODES = ("worker.", "registry.", "billing.", "bill.", "agreement.", "sponsor.", "claim.", "coverage.")
"""A 404 with one of these codes is the service's "not found" (an error of the bench's request), not a
route the server lacks."""


def problem_code(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return ""
    return str(body.get("code", "")) if isinstance(body, dict) else ""


def single_client(server: Server, db: bb.Scratch, world: World, endpoint: Endpoint, n: int,
                  figures: Figures, *, http: bool = True) -> None:
    """``n`` rounds (after a tenth as warm-up) of: the service call in-process, the endpoint over HTTP,
    the trivial endpoint over HTTP, one after the other, so that the three p50s compared come from the
    same minutes of a machine whose speed moves. ``http`` False: the service call only (a route the
    server does not have yet)."""
    r = random.Random(1)
    trivial = next(e for e in ENDPOINTS if e.name == TRIVIAL)
    service = None
    if endpoint.service is not None:
        try:
            service = (resolve(SERVICES[endpoint.service]), SERVICES[endpoint.service])
        except Missing as exc:
            figures.service_status = f"missing: {exc}"
    headers = {"Authorization": f"Bearer {world.token}"}
    warm = max(n // 10, 10)
    http_times, trivial_times, service_times = [], [], []
    with httpx.Client(base_url=server.base, headers=headers, timeout=30) as client:
        for i in range(n + warm):
            if service is not None:
                fn, call = service
                args, offered = call.args(world, r)
                t0 = time.perf_counter()
                with kitdb.session_scope(db.engine, readonly=True) as s:
                    invoke(fn, s, users.acting(s, db.officer.username), args, offered)
                if i >= warm:
                    service_times.append(time.perf_counter() - t0)
            if not http:
                continue
            req = endpoint.draw(world, r)
            t0 = time.perf_counter()
            answer = client.request(req.method, req.path, params=req.params, json=req.json)
            elapsed = time.perf_counter() - t0
            if i == 0 and answer.status_code in (404, 405) and not problem_code(answer).startswith(DOMAIN_CODES):
                raise Missing(f"{endpoint.method} {endpoint.template} answers {answer.status_code}")
            if not answer.is_success:
                figures.single_errors += 1
                figures.first_error = figures.first_error or f"{answer.status_code} {answer.text[:200]}"
            t1 = time.perf_counter()
            base = client.get(trivial.draw(world, r).path)
            t2 = time.perf_counter()
            if not base.is_success:
                figures.single_errors += 1
                figures.first_error = figures.first_error or f"{TRIVIAL}: {base.status_code} {base.text[:200]}"
            if i >= warm:
                http_times.append(elapsed)
                trivial_times.append(t2 - t1)
    if http_times:
        figures.single_p50, figures.single_p99 = pct(http_times, 0.5), pct(http_times, 0.99)
        figures.trivial_p50 = pct(trivial_times, 0.5)
    if service_times:
        figures.inprocess_p50 = pct(service_times, 0.5)


async def _concurrent(server: Server, world: World, endpoint: Endpoint, clients: int, seconds: float,
                      figures: Figures) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    times: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=60, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def one_client(k: int) -> None:
            r = random.Random(100 + k)
            while time.perf_counter() < deadline:
                req = endpoint.draw(world, r)
                t0 = time.perf_counter()
                try:
                    answer = await client.request(req.method, req.path, params=req.params, json=req.json)
                    ok = answer.is_success
                    if not ok:
                        figures.first_error = figures.first_error or f"{answer.status_code} {answer.text[:200]}"
                except httpx.HTTPError as exc:
                    ok = False
                    figures.first_error = figures.first_error or f"{type(exc).__name__}: {exc}"
                times.append(time.perf_counter() - t0)
                if not ok:
                    figures.conc_errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(one_client(k) for k in range(clients)))
        elapsed = time.perf_counter() - started
    figures.conc_requests = len(times)
    figures.rps = len(times) / elapsed
    figures.conc_p50, figures.conc_p99 = pct(times, 0.5), pct(times, 0.99)


def seed_size(workers: int, args: argparse.Namespace, tmp: Path) -> tuple[bb.Scratch, World]:
    say(f"\n=== seeding PostgreSQL: {workers:,} workers under {AGREEMENTS} agreements, {MONTHS} months billed and "
        "paid ===")
    db = bb.Scratch("postgresql", args.pg_url, tmp)
    try:
        return db, seed_world(db, workers)
    except BaseException:
        db.close()
        raise


def measure_size(db: bb.Scratch, world: World, args: argparse.Namespace, tmp: Path) -> dict[str, Figures]:
    say(f"\n=== measuring: {world.workers:,} workers ===")
    results: dict[str, Figures] = {}
    try:
        for endpoint in ENDPOINTS:
            results[endpoint.name] = Figures()
        server = Server(db.url, tmp)
        try:
            openapi = httpx.get(f"{server.base}/api/v1/openapi.json", timeout=30).json()
            for endpoint in ENDPOINTS:
                figures = results[endpoint.name]
                if route_missing(openapi, endpoint):
                    figures.status = f"missing: {endpoint.method} {endpoint.template} is not in the server's OpenAPI"
                    single_client(server, db, world, endpoint, args.requests, figures, http=False)
                    say(f"  {endpoint.name}: {figures.status}; in-process p50 {fmt(figures.inprocess_p50)} ms"
                        + ("" if figures.service_status == "ok" else f" (service {figures.service_status})"))
                    continue
                try:
                    single_client(server, db, world, endpoint, args.requests, figures)
                except Missing as exc:
                    figures.status = f"missing: {exc}"
                    say(f"  {endpoint.name}: {figures.status}")
                    continue
                # A few seconds of the same load first, not counted: the server's threads and connections.
                asyncio.run(_concurrent(server, world, endpoint, args.clients, min(3.0, args.seconds / 5), Figures()))
                asyncio.run(_concurrent(server, world, endpoint, args.clients, args.seconds, figures))
                say(f"  {endpoint.name:24s} in-process p50 {fmt(figures.inprocess_p50)} ms | one client p50 "
                    f"{fmt(figures.single_p50)} p99 {fmt(figures.single_p99)} ms, {TRIVIAL} beside it "
                    f"{fmt(figures.trivial_p50)} ms | {args.clients} clients "
                    f"{figures.rps:7.1f} req/s p50 {fmt(figures.conc_p50)} p99 {fmt(figures.conc_p99)} ms | errors "
                    f"{figures.single_errors + figures.conc_errors}"
                    + (f" (first: {figures.first_error})" if figures.first_error else ""))
        finally:
            server.stop()
    finally:
        db.close()
    return results


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.2f}"


# --- the verdict --------------------------------------------------------------------------------


def verdict(sizes: list[int], by_size: dict[int, dict[str, Figures]]) -> bool:
    say("\n=== summary ===")
    ok = True
    for workers in sizes:
        results = by_size[workers]
        say(f"\n  {workers:,} workers: p50 in ms of the service in-process, of the endpoint and of GET /api/v1/me "
            f"between its requests (one client); the ratio one client / (in-process + trivial)")
        say(f"  {'endpoint':24s} {'in-process':>10s} {'one client':>10s} {'trivial':>8s} {'ratio':>6s} (≤ 1,5)  "
            f"{'req/s':>7s} {'p50':>8s} {'p99':>8s} errors")
        for endpoint in ENDPOINTS:
            f = results[endpoint.name]
            if f.status != "ok":
                say(f"  {endpoint.name:24s} {fmt(f.inprocess_p50):>10s} {f.status}")
                if endpoint.target:
                    ok = False
                continue
            ratio_text = "-"
            passed = True
            trivial = f.trivial_p50
            if endpoint.name != TRIVIAL:
                if f.inprocess_p50 is None or trivial is None or f.single_p50 is None:
                    ratio_text = "service " + f.service_status
                    passed = False
                else:
                    ratio = f.single_p50 / (f.inprocess_p50 + trivial)
                    passed = ratio <= 1.5
                    ratio_text = f"{ratio:6.2f} {'PASS' if passed else 'FAIL'}"
            errors = f.single_errors + f.conc_errors
            passed = passed and errors == 0
            say(f"  {endpoint.name:24s} {fmt(f.inprocess_p50):>10s} {fmt(f.single_p50):>10s} {fmt(trivial):>8s} "
                f"{ratio_text:>12s}  "
                f"{f.rps or 0:7.1f} {fmt(f.conc_p50):>8s} {fmt(f.conc_p99):>8s} {errors} "
                f"{'PASS' if errors == 0 else 'FAIL'}"
                + ("" if endpoint.target else "  (harness check, not a target)"))
            if endpoint.target:
                ok = ok and passed
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        say(f"\n  flatness: one-client p50 at {large:,} / at {small:,} workers (≤ 1,2)")
        for endpoint in ENDPOINTS:
            a, b = by_size[small][endpoint.name], by_size[large][endpoint.name]
            if a.single_p50 is None or b.single_p50 is None:
                say(f"  {endpoint.name:24s} -")
                continue
            flat = b.single_p50 / a.single_p50
            passed = flat <= 1.2
            inproc = ("" if a.inprocess_p50 is None or b.inprocess_p50 is None
                      else f" (in-process {b.inprocess_p50 / a.inprocess_p50:.2f})")
            say(f"  {endpoint.name:24s} {flat:6.2f} {'PASS' if passed else 'FAIL'}{inproc}"
                + ("" if endpoint.target else "  (harness check, not a target)"))
            if endpoint.target:
                ok = ok and passed
    say(f"\n  overall: {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="sizes (default 100.000 1.000.000)")
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per endpoint (300)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds of concurrent load per endpoint (30)")
    parser.add_argument("--pg-url", default=os.environ.get("LINDUNG_TEST_POSTGRES_URL") or bb.DEFAULT_PG)
    args = parser.parse_args()
    sizes = sorted(args.workers)
    tmp = Path(tempfile.mkdtemp(prefix="lindung_bench_api_"))
    by_size: dict[int, dict[str, Figures]] = {}
    seeded: list[tuple[bb.Scratch, World]] = []
    try:
        # Every size seeded first, then measured back to back: the sizes compared (the flatness target)
        # are measured in the same quiet minutes, not one of them beside the other's seeding.
        for workers in sizes:
            seeded.append(seed_size(workers, args, tmp))
        while seeded:
            db, world = seeded.pop(0)
            by_size[world.workers] = measure_size(db, world, args, tmp)
    finally:
        for db, _world in seeded:
            db.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if verdict(sizes, by_size) else 1


if __name__ == "__main__":
    sys.exit(main())
