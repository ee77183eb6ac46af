"""The long schemathesis run: every operation of ``/api/v1/openapi.json``, 1.000 examples each, with an
officer's token, on SQLite and PostgreSQL (issue 20: "A longer run (1.000 examples per operation) in
``bench/``").

    .venv/bin/python bench/bench_schemathesis.py                        # 1.000 per operation, both engines
    .venv/bin/python bench/bench_schemathesis.py --examples 50 --engines sqlite
    .venv/bin/python bench/bench_schemathesis.py --strict               # also the status-code and content-type checks

The app runs in-process (``schemathesis.openapi.from_asgi``: the same ASGI app ``lindung serve`` runs,
without a socket) on a scratch database seeded with a small world: 200 workers under two agreements,
three months billed and one bill paid, the officer ``bench`` and a token. Each operation gets valid
requests (``GenerationMode.POSITIVE``), invalid ones (``NEGATIVE``: wrong types, missing fields, bad
formats) and valid ones addressing the world's real agreement, bill, sponsor and user
(``small_world``), so that the examples reach real data and not only 404s.

Checks: ``not_a_server_error`` (no 5xx) and ``response_schema_conformance`` (every answer documented in
the schema matches it); ``--strict`` adds ``status_code_conformance`` and ``content_type_conformance``
(every status the API answers is declared). It prints, per operation, the examples run and the distinct
failures, then a summary, and exits 1 on any failure.

The reusable part is ``run_schemathesis(app, token, …)``: a bounded pytest test can call it with its own
app and token (``examples=50``) and assert that no operation failed.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode, openapi
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.result import Err
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_billing as bb
from lindung.api.app import create_app
from lindung.billing import service as billing
from lindung.billing.schemas import PaymentCreate
from lindung.kit import db as kitdb
from lindung.kit.errors import LindungError
from lindung.users import credentials
from lindung.users import service as users

OPENAPI = "/api/v1/openapi.json"
CHECKS: tuple[CheckFunction, ...] = (not_a_server_error, response_schema_conformance)
Operation = APIOperation[Any, Any, Any, Any]
STRICT_CHECKS: tuple[CheckFunction, ...] = (status_code_conformance, content_type_conformance)


def say(text_: str) -> None:
    print(text_, flush=True)


# --- the reusable run ---------------------------------------------------------------------------


class Token:
    """The bearer token the run acts with, renewed when an example revoked it (``DELETE
    /api/v1/tokens/{id}`` is open to its own user, and hypothesis does pick small ids)."""

    def __init__(self, secret: str, renew: Callable[[], str] | None = None,
                 valid: Callable[[str], bool] | None = None) -> None:
        self.secret, self._renew, self._valid = secret, renew, valid
        self.renewals = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}

    def renew(self) -> bool:
        """A new token if the current one no longer works (False: it still does, or cannot be renewed)."""
        if self._renew is None or self._valid is None or self._valid(self.secret):
            return False
        self.secret = self._renew()
        self.renewals += 1
        return True


@dataclass
class OperationResult:
    label: str
    examples: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    """Distinct failures: a key (check and status) → the first message seen."""
    seconds: float = 0.0


def _known_for(operation: Operation, known: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """Path parameters of ``operation`` that ``known`` gives real values for, keyed by the path's
    first segment after ``/api/v1`` (``agreements`` → ``{"code": "BENCH-1"}``); None unless all are."""
    names = [p.name for p in operation.path_parameters]
    if not names:
        return None
    segment = operation.path.removeprefix("/api/v1/").split("/", 1)[0]
    values = known.get(segment, {})
    if not all(name in values for name in names):
        return None
    return {name: values[name] for name in names}


def strategy_for(operation: Operation, known: dict[str, dict[str, Any]]) -> st.SearchStrategy[Any]:
    """Valid and invalid requests, and valid ones addressing the world's real resources."""
    parts = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    fixed = _known_for(operation, known)
    if fixed is not None:
        parts.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
    return st.one_of(*parts)


def _key(failure: BaseException, status: int) -> tuple[str, str]:
    title = getattr(failure, "title", type(failure).__name__)
    return f"{getattr(failure, 'code', '?')} {title} [{status}]", str(failure)[:600]


def run_operation(operation: Operation, token: Token, *, examples: int, checks: Sequence[CheckFunction],
                  known: dict[str, dict[str, Any]], seed: int | None = None) -> OperationResult:
    """Up to ``examples`` requests to one operation, each validated by ``checks``; never raises on a
    failed check (they are collected, distinct, so that a run reports all of them)."""
    result = OperationResult(operation.label)
    started = time.perf_counter()

    def call(case: Any) -> Any:
        return case.call(headers=token.headers())

    @hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
                         suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
                         report_multiple_bugs=False)
    @hypothesis.given(case=strategy_for(operation, known))
    def examine(case: Any) -> None:
        result.examples += 1
        try:
            response = call(case)
            if response.status_code == 401 and token.renew():
                response = call(case)  # an earlier example revoked the run's token
        except Exception as exc:  # in-process, an unhandled error reaches us instead of a 500
            result.statuses[500] = result.statuses.get(500, 0) + 1
            result.failures.setdefault(f"unhandled {type(exc).__name__} [500]",
                                       f"{type(exc).__name__}: {exc} ← {case.method} {case.formatted_path}")
            return
        result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1
        found: list[BaseException] = []
        try:
            case.validate_response(response, checks=list(checks), headers=token.headers())
        except BaseExceptionGroup as group:
            found += group.exceptions
        except AssertionError as one:
            found.append(one)
        for failure in found:
            k, message = _key(failure, response.status_code)
            result.failures.setdefault(k, f"{message} ← {case.method} {case.formatted_path} → "
                                          f"{bytes(response.content)[:300].decode('utf-8', 'replace')}")

    if seed is not None:
        examine = hypothesis.seed(seed)(examine)
    examine()
    result.seconds = time.perf_counter() - started
    return result


def run_schemathesis(app: Any, token: Token, *, examples: int = 50, strict: bool = False,
                     known: dict[str, dict[str, Any]] | None = None, seed: int | None = None,
                     report: Callable[[OperationResult], None] | None = None) -> list[OperationResult]:
    """Every operation of the app's OpenAPI document, ``examples`` examples each (at most: an operation
    without parameters has one), checked by ``CHECKS`` (and ``STRICT_CHECKS`` when ``strict``)."""
    schema = openapi.from_asgi(OPENAPI, app)
    checks = CHECKS + (STRICT_CHECKS if strict else ())
    results = []
    for found in schema.get_all_operations():
        if isinstance(found, Err):  # an operation schemathesis cannot read is a failure of the document
            error = found.err()
            broken = OperationResult(str(getattr(error, "path", "?")), failures={"invalid schema": str(error)})
            results.append(broken)
            if report is not None:
                report(broken)
            continue
        operation = found.ok()
        result = run_operation(operation, token, examples=examples, checks=checks, known=known or {}, seed=seed)
        results.append(result)
        if report is not None:
            report(result)
    return results


# --- the small world ----------------------------------------------------------------------------


def small_world(db: bb.Scratch) -> dict[str, dict[str, Any]]:
    """200 workers under two agreements of sponsor BENCH, January to March 2026 billed, January's first
    bill paid; the real resources' path parameters, by the path's first segment."""
    ids = bb.seed(db, workers=200, agreements=2, cycle=1, months=12)
    codes: list[str] = []
    for m in range(3):
        run = bb.bill_month(db, bb.START + m)
        codes += [b.payment_code for b in run.bills]
    first = codes[0]
    with kitdb.session_scope(db.engine) as s:
        bill = billing.bill_status(s, first, by=db.officer)
        billing.pay(s, PaymentCreate(code=first, amount=bill.total, reference="BENCH-ST-1",
                                     paid_on=bb.START.day(10)), today=bb.START.day(10), by=db.officer)
        agreement = str(s.scalar(text("SELECT code FROM agreements WHERE id = :i"), {"i": ids[0]}))
    return {"agreements": {"code": agreement}, "bills": {"code": codes[-1]}, "sponsors": {"code": "BENCH"},
            "users": {"username": db.officer.username}, "payments": {"code": first}}


def token_for(engine: Engine, username: str) -> str:
    with kitdb.session_scope(engine) as s:
        by = users.acting(s, username)
        _read, secret = credentials.create_token(s, username, name="schemathesis", expires=None, by=by,
                                                 now=kitdb.utcnow())
    return secret


def still_valid(engine: Engine, secret: str) -> bool:
    with kitdb.session_scope(engine) as s:
        try:
            credentials.authenticate_token(s, secret, now=kitdb.utcnow())
        except LindungError:
            return False
    return True


def run_engine(dialect: str, args: argparse.Namespace, tmp: Path) -> list[OperationResult]:
    say(f"\n=== {dialect}: {args.examples} examples per operation, as officer 'bench' ===")
    db = bb.Scratch(dialect, args.pg_url, tmp)
    try:
        known = small_world(db)
        username = db.officer.username
        token = Token(token_for(db.engine, username), renew=lambda: token_for(db.engine, username),
                      valid=lambda secret: still_valid(db.engine, secret))
        app = create_app(db.engine)

        def report(r: OperationResult) -> None:
            statuses = " ".join(f"{k}×{v}" for k, v in sorted(r.statuses.items()))
            say(f"  {r.label:50s} {r.examples:5d} examples {len(r.failures):3d} failures  {r.seconds:6.1f} s  "
                f"[{statuses}]")
            for k, message in r.failures.items():
                say(f"      {k}: " + " ".join(message.split())[:400])

        results = run_schemathesis(app, token, examples=args.examples, strict=args.strict, known=known,
                                   seed=args.seed, report=report)
        if token.renewals:
            say(f"  (the run's token was revoked by an example and renewed {token.renewals} times)")
        app.state.job_runner.shutdown()
        return results
    finally:
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=1000, help="examples per operation (default 1.000)")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("LINDUNG_TEST_POSTGRES_URL") or bb.DEFAULT_PG)
    parser.add_argument("--strict", action="store_true",
                        help="also status_code_conformance and content_type_conformance")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: derandomized)")
    parser.add_argument("--app-log", action="store_true",
                        help="show the app's log (the traceback of each unexpected error) on stderr")
    args = parser.parse_args()
    if not args.app_log:  # each 500 is reported below with its exception; its traceback is noise here
        logging.getLogger("lindung.api").setLevel(logging.CRITICAL)
        logging.getLogger("python_multipart").setLevel(logging.CRITICAL)  # each malformed multipart header
    tmp = Path(tempfile.mkdtemp(prefix="lindung_schemathesis_"))
    summary: dict[str, list[OperationResult]] = {}
    started = time.perf_counter()
    try:
        for dialect in [e.strip() for e in args.engines.split(",") if e.strip()]:
            summary[dialect] = run_engine(dialect, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"\n=== summary ({time.perf_counter() - started:.0f} s) ===")
    failed = 0
    for dialect, results in summary.items():
        bad = [r for r in results if r.failures]
        failed += len(bad)
        say(f"  {dialect:10s} {len(results)} operations, {sum(r.examples for r in results):,} examples, "
            f"{len(bad)} operations failing, {sum(len(r.failures) for r in bad)} distinct failures")
        for r in bad:
            say(f"      {r.label}: " + "; ".join(r.failures))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
