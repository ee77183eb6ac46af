"""Races through HTTP on PostgreSQL: requests sent at the same instant to a real ``uvicorn`` server
(its thread pool runs them side by side, each in its own transaction), as two cashiers or two
integrations would. Whatever the order, money moves once:

- two approvals of the same claim at once: one approves, the other is told the claim is no longer
  verified; then two payments at once: one payment row, one ``claims.already_paid``; the death recorded
  once in billing;
- two payments of a bill with the same bank reference at once: one payment recorded, and both answers
  name the same receipt;
- two imports into the same agreement at once never enrol more workers than its quota.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lindung.claims import documents as store
from lindung.kit import clock
from tests.api.support import make_tokens
from tests.claims.factories import attach_all, enrolled, new, paid_yearly
from tests.conftest import TestDatabase
from tests.live import LiveServer
from tests.users import actor

BRANCH_DAY = dt.date(2026, 11, 20)


def at_once(calls: list[Callable[[httpx.Client], httpx.Response]], base_url: str) -> list[httpx.Response]:
    """Each call from its own thread and connection, all released together; the answers in order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            client.get("/healthz")  # the connection is open before the barrier
            barrier.wait(timeout=30)
            answers[i] = calls[i](client)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    return answers


@pytest.fixture
def live(postgres_database: TestDatabase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LiveServer]:
    monkeypatch.setattr(clock, "today", lambda: BRANCH_DAY)
    monkeypatch.setenv(store.ENV_DOCUMENTS_DIR, str(tmp_path / "documents"))
    with LiveServer(postgres_database) as server:
        yield server


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_two_approvals_and_two_payments_of_one_claim_at_once(live: LiveServer,
                                                            postgres_database: TestDatabase) -> None:
    from lindung.claims import service as claims

    with postgres_database.session() as s:
        from tests.billing import factories as bf

        bf.agreement(s)
        farmer = enrolled(s, occupation="petani", first="2026-01", name="Ujang Suparman",
                          heirs=[{"name": "Siti Aminah", "relationship": "spouse"}])
        paid_yearly(s, "2026-01", 1)
        number = new(s, BRANCH_DAY, nik=farmer.nik, type="jkm", event_date="2026-11-02",
                     claimant={"name": "Siti Aminah", "relationship": "spouse"},
                     account={"bank": "BRI", "number": "0123456789012", "holder": "Siti Aminah"}).number
        attach_all(s, number, BRANCH_DAY)
        claims.submit(s, number, by=actor(s, "ani"), today=BRANCH_DAY)
        claims.verify(s, number, by=actor(s, "ani"), today=BRANCH_DAY)
        tokens = make_tokens(s, ["budi", "citra", "kasir", "cici"])

    approvals = at_once([lambda c, who=who: c.post(f"/api/v1/claims/{number}/approve", headers=_bearer(tokens[who]))
                         for who in ("budi", "citra")], live.url)
    assert sorted(a.status_code for a in approvals) == [200, 409], [a.text for a in approvals]
    loser = next(a for a in approvals if a.status_code == 409)
    assert loser.headers["content-type"].startswith("application/problem+json")
    payments = at_once([lambda c, who=who, ref=ref: c.post(f"/api/v1/claims/{number}/pay", headers=_bearer(tokens[who]),
                                                           json={"reference": ref, "paid_on": "2026-11-20"})
                        for who, ref in (("kasir", "TRF-A"), ("cici", "TRF-B"))], live.url)
    assert sorted(p.status_code for p in payments) == [200, 409], [p.text for p in payments]
    assert next(p for p in payments if p.status_code == 409).json()["code"] == "claims.already_paid"
    assert postgres_database.scalar("SELECT count(*) FROM claim_payments") == 1
    assert postgres_database.scalar("SELECT sum(amount) FROM claim_payments") == 42_000_000
    assert postgres_database.scalar("SELECT count(*) FROM claim_steps WHERE status = 'approved'") == 1
    assert postgres_database.scalar("SELECT count(*) FROM worker_deaths") == 1


def test_two_payments_with_one_bank_reference_at_once_record_one(live: LiveServer,
                                                                 postgres_database: TestDatabase) -> None:
    from tests.billing import factories as bf

    with postgres_database.session() as s:
        bf.agreement(s)
        enrolled(s, occupation="petani", first="2026-01")
        enrolled(s, occupation="pedagang", first="2026-01", name="Dedi Kurnia")
        run = bf.bill(s, "2026-01", on=dt.date(2026, 1, 2))
        bill = run.bills[0]
        tokens = make_tokens(s, ["kasir", "cici"])
    body = {"code": bill.payment_code, "amount": bill.payable, "reference": "BRI-20260105-0001",
            "paid_on": "2026-01-05"}
    answers = at_once([lambda c, who=who: c.post("/api/v1/payments", headers=_bearer(tokens[who]), json=body)
                       for who in ("kasir", "cici")], live.url)
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    receipts = {a.json()["receipt"] for a in answers}
    assert len(receipts) == 1  # the retry answers the first receipt again
    assert postgres_database.scalar("SELECT count(*) FROM payments") == 1
    assert postgres_database.scalar("SELECT sum(amount) FROM payments") == bill.payable
    changed = at_once([lambda c: c.post("/api/v1/payments", headers=_bearer(tokens["kasir"]),
                                        json={**body, "amount": bill.payable - 1})], live.url)[0]
    assert changed.status_code == 409, changed.text
    assert postgres_database.scalar("SELECT count(*) FROM payments") == 1


def test_two_imports_into_one_agreement_at_once_never_exceed_its_quota(live: LiveServer,
                                                                       postgres_database: TestDatabase,
                                                                       tmp_path: Path) -> None:
    from tests.enrolment.import_files import person, write_csv
    from tests.factories import make_agreement

    with postgres_database.session() as s:
        make_agreement(s, quota=10, activate=True)
        tokens = make_tokens(s, ["ani", "cici"])
    files = [write_csv(tmp_path / f"kadin-{i}.csv", [person() for _ in range(8)]).read_bytes() for i in range(2)]
    started = at_once([lambda c, who=who, content=content: c.post(
        "/api/v1/agreements/KADIN-2026/imports", headers=_bearer(tokens[who]), data={"mode": "import"},
        files={"file": (f"{who}.csv", content, "text/csv")}) for who, content in zip(("ani", "cici"), files,
                                                                                        strict=True)], live.url)
    assert [a.status_code for a in started] == [202, 202], [a.text for a in started]
    summaries = []
    with httpx.Client(base_url=live.url, timeout=60) as client:
        for answer, who in zip(started, ("ani", "cici"), strict=True):
            deadline = time.monotonic() + 120
            while True:
                job = client.get(answer.headers["Location"], headers=_bearer(tokens[who])).json()
                if job["status"] not in ("queued", "running"):
                    break
                assert time.monotonic() < deadline, job
                time.sleep(0.1)
            assert job["status"] == "done", job
            summaries.append(job["result"])
    assert sum(r["enrolled"] for r in summaries) == 10, summaries
    assert sum(r["refused"] for r in summaries) == 6
    assert postgres_database.scalar("SELECT count(*) FROM enrolments") == 10
    assert postgres_database.scalar("SELECT enrolled_count FROM agreements WHERE code = 'KADIN-2026'") == 10
