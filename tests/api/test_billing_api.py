"""Billing over HTTP, on both engines: a month billed through a job (202 and the job's address), the
bills listed and read with their lines a page at a time, a bill paid partly and then in full to the
rupiah, a payment sent again (the first receipt, 200, one payment) or with other details under the
same reference (409), receipts by their number with its slashes, coverage before and after the
payment, a death and a leaving, the five lists as JSON pages and as CSV in both languages; and every
refusal as a problem document: no token, the wrong role (403), another sponsor's bill (404), input
the API cannot take (422). On PostgreSQL, two identical payments at once record one."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from lindung.billing.service import payment_code
from lindung.kit import clock
from lindung.rules.period import Month
from tests.api.support import Api, assert_problem, make_tokens
from tests.billing import factories as bf
from tests.conftest import TestDatabase
from tests.users import add_user

DAY = dt.date(2026, 1, 10)
OFFICER = bf.MAKER
KADIN_TOTAL = 378_000  # 3 workers × 2026: January Rp16.800, the other months at the discounted price
DESA_TOTAL = 33_600  # 2 workers × January, Rp16.800


@dataclass
class Billing:
    api: Api
    database: TestDatabase
    niks: list[str]
    """KADIN-2026's three workers, in the order their worker-months are settled."""

    def bills(self, user: str = OFFICER, **params: Any) -> dict[str, Any]:
        answer = self.api.get("/api/v1/bills", user, params=params)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def code(self, agreement: str = "KADIN-2026") -> str:
        return str(self.bills(agreement=agreement)["items"][0]["payment_code"])

    def pay(self, amount: object, reference: str, user: str = OFFICER, headers: dict[str, str] | None = None,
            **extra: Any) -> httpx.Response:
        body = {"code": self.code(), "amount": amount, "reference": reference, "paid_on": "2026-01-10", **extra}
        return self.api.post("/api/v1/payments", user, json=body, headers=headers or {})

    def payments(self) -> int:
        count = self.database.scalar("SELECT count(*) FROM payments")
        assert isinstance(count, int)
        return count


def _setup(database: TestDatabase) -> tuple[dict[str, str], list[str]]:
    with database.session() as s:
        bf.agreement(s)
        bf.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
        niks = [w.nik for w in bf.cohort(s, 3, "KADIN-2026")]
        bf.cohort(s, 2, "DESA-2026")
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        add_user(s, "staf.desa", "sponsor", sponsor="DESA")
        add_user(s, "disnaker", "viewer", region="32.16")
        tokens = make_tokens(s, (OFFICER, "admin", "staf.kadin", "staf.desa", "disnaker"))
    return tokens, niks


def _billed(api: Api) -> dict[str, Any]:
    run = api.post("/api/v1/bill-runs", OFFICER, json={"month": "2026-01", "agreement": None})
    assert run.status_code == 202 and run.headers["Location"] == f"/api/v1/jobs/{run.json()['id']}"
    job = api.wait_job(run, OFFICER)
    assert job["status"] == "done", job
    return job


@pytest.fixture
def billing(database: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[Billing]:
    """KADIN-2026 (a yearly bill, 3 workers) and DESA-2026 (monthly, 2 workers), January billed through
    the API; each sponsor's staff, a regional viewer, the administrator and an officer with tokens."""
    monkeypatch.setattr(clock, "today", lambda: DAY)
    tokens, niks = _setup(database)
    with TestClient(create_app(database.engine)) as client:
        api = Api(client, tokens)
        _billed(api)
        yield Billing(api, database, niks)


def test_a_month_billed_through_a_job_then_listed_and_read(database: TestDatabase, monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(clock, "today", lambda: DAY)
    tokens, _niks = _setup(database)
    with TestClient(create_app(database.engine)) as client:
        api = Api(client, tokens)
        refused = api.post("/api/v1/bill-runs", "staf.kadin", json={"month": "2026-01"})
        assert_problem(refused, 403, "auth.not_permitted")
        job = _billed(api)
        result = job["result"]
        assert (result["bills_issued"], result["worker_months"], result["total"]) == (2, 38, KADIN_TOTAL + DESA_TOTAL)
        again = api.wait_job(api.post("/api/v1/bill-runs", OFFICER, json={"month": "2026-01"}), OFFICER)
        assert again["status"] == "done" and again["result"]["bills_issued"] == 0  # nothing billed twice
        one = api.wait_job(api.post("/api/v1/bill-runs", OFFICER, json={"month": "2026-01", "agreement": "DESA-2026"}),
                           OFFICER)
        assert one["params"]["agreement"] == "DESA-2026" and one["result"]["total"] == 0
        billing = Billing(api, database, _niks)

        first = billing.bills(limit=1)
        assert (first["total"], first["next_offset"], len(first["items"])) == (2, 1, 1)
        assert first["items"][0]["agreement"] == "DESA-2026"  # newest first
        kadin = billing.bills(agreement="KADIN-2026")["items"]
        assert [(b["total"], b["unpaid"], b["worker_months"], b["status"], b["cycle"]) for b in kadin] == [
            (KADIN_TOTAL, KADIN_TOTAL, 36, "unpaid", {"from": "2026-01", "to": "2026-12"})]
        assert [b["agreement"] for b in billing.bills(month="2026-06")["items"]] == ["KADIN-2026"]
        assert billing.bills(status="unpaid")["total"] == 2 and billing.bills(status="paid")["total"] == 0
        assert [b["agreement"] for b in billing.bills("staf.desa")["items"]] == ["DESA-2026"]

        code = kadin[0]["payment_code"]
        bill = api.get(f"/api/v1/bills/{code}", "admin").json()
        assert (bill["total"], bill["status"], bill["payments"], bill["due_date"]) == (
            KADIN_TOTAL, "unpaid", [], "2026-01-15")
        lines = api.get(f"/api/v1/bills/{code}/lines", "staf.kadin", params={"limit": 5, "offset": 33}).json()
        assert (lines["total"], lines["next_offset"], len(lines["items"])) == (36, None, 3)
        assert {x["month"] for x in lines["items"]} == {"2026-12"}
        assert all(x["nik"].count("*") == 8 and x["status"] == "due" for x in lines["items"])
        january = api.get(f"/api/v1/bills/{code}/lines", OFFICER, params={"limit": 3}).json()["items"]
        assert [x["amount"] for x in january] == [16_800] * 3


def test_a_bill_paid_partly_then_in_full_and_a_retry_answered_with_the_first_receipt(billing: Billing) -> None:
    api = billing.api
    partly = billing.pay(100_000, "BRI-0001")
    assert partly.status_code == 201, partly.text
    receipt = partly.json()
    assert receipt["receipt"] == "TBPI/2026/000001"
    assert receipt["allocation"] == [{"month": "2026-01", "worker_months": 3, "amount": 50_400},
                                     {"month": "2026-02", "worker_months": 2, "amount": 33_600}]
    assert (receipt["allocated"], receipt["credit_added"], receipt["credit_after"]) == (84_000, 16_000, 16_000)
    assert receipt["bill"] == {"total": KADIN_TOTAL, "unpaid_worker_months": 31, "unpaid": 294_000}

    retry = billing.pay(100_000, " bri-0001 ")  # the bank's reference, as the retry sends it
    assert retry.status_code == 200 and retry.json() == receipt
    assert billing.payments() == 1
    other = billing.pay(100_001, "BRI-0001", headers={"Accept-Language": "en"})
    body = assert_problem(other, 409, "billing.duplicate_reference")
    assert "TBPI/2026/000001" in body["detail"]
    assert_problem(billing.pay(100_000, "BRI-0001", paid_on="2026-01-09"), 409, "billing.duplicate_reference")
    assert billing.payments() == 1
    assert billing.bills(status="partly_paid")["items"][0]["unpaid"] == 294_000

    full = billing.pay(278_000, "BRI-0002")  # with the Rp16.000 credit left by the first
    assert full.status_code == 201
    assert (full.json()["allocated"], full.json()["credit_used"], full.json()["credit_after"]) == (294_000, 16_000, 0)
    assert full.json()["bill"]["unpaid"] == 0
    bill = api.get(f"/api/v1/bills/{billing.code()}", "staf.kadin").json()
    assert (bill["status"], bill["settled"], bill["unpaid"]) == ("paid", KADIN_TOTAL, 0)
    assert [(p["receipt"], p["amount"]) for p in bill["payments"]] == [("TBPI/2026/000001", 100_000),
                                                                       ("TBPI/2026/000002", 278_000)]

    for path in ("/api/v1/receipts/TBPI/2026/000002", "/api/v1/receipts/TBPI%2F2026%2F000002",
                 "/api/v1/receipts/tbpi%2f2026%2f000002"):
        again = api.get(path, "staf.kadin")
        assert again.status_code == 200 and again.json()["amount"] == 278_000, path
    assert_problem(api.get("/api/v1/receipts/TBPI/2026/000002", "staf.desa"), 404, "billing.receipt_not_found")
    assert_problem(api.get("/api/v1/receipts/TBPI/2026/999999", OFFICER), 404, "billing.receipt_not_found")


def test_coverage_before_and_after_the_payment(billing: Billing) -> None:
    api, nik = billing.api, billing.niks[0]
    before = api.post("/api/v1/coverage", "staf.kadin", json={"nik": nik, "at": "2026-01-10"})
    assert before.status_code == 200, before.text
    assert (before.json()["protected"], before.json()["decision"]["reason"]) == (False, "unpaid")
    assert before.json()["worker"]["nik"] == f"{nik[:4]}********{nik[-4:]}"
    billing.pay(KADIN_TOTAL, "BNI-1")
    after = api.post("/api/v1/coverage", OFFICER, json={"nik": nik, "at": "2026-01-10", "unmask": True}).json()
    assert (after["protected"], after["decision"]["reason"], after["worker"]["nik"]) == (True, "paid_by_event", nik)
    assert after["protected_until"] == "2026-12-31"
    today = api.post("/api/v1/coverage", "admin", json={"nik": nik}).json()  # today: the branch's
    assert today["at"] == "2026-01-10" and today["worker"]["masked"] is True
    assert_problem(api.post("/api/v1/coverage", "staf.kadin", json={"nik": nik, "unmask": True}), 403,
                   "auth.not_permitted")
    assert_problem(api.post("/api/v1/coverage", "staf.desa", json={"nik": nik}), 404, "worker.not_found")
    assert_problem(api.post("/api/v1/coverage", "disnaker", json={"nik": nik}), 403, "auth.not_permitted")
    letters = api.post("/api/v1/coverage", OFFICER, json={"nik": nik[:-2] + "O1"})
    assert assert_problem(letters, 422, "invalid.nik")["errors"][0]["field"] == "nik"
    assert_problem(api.post("/api/v1/coverage", OFFICER, json={"nik": nik, "at": "2026-02-30"}), 422,
                   "invalid_request")


def test_a_death_ends_the_enrolment_and_a_worker_leaves(billing: Billing) -> None:
    api, nik = billing.api, billing.niks[0]
    billing.pay(KADIN_TOTAL, "BNI-1")
    died = api.post("/api/v1/deaths", OFFICER, json={"nik": nik, "died_on": "2026-01-05"})
    assert died.status_code == 201, died.text
    result = died.json()
    assert (result["reason"], result["last_month"], result["enrolments_ended"]) == ("death", "2026-01", 1)
    assert result["nik"].count("*") == 8
    # February to December were paid for him: Rp126.000 for his year less January's Rp16.800, credited
    assert result["settlements"] == [{"agreement": "KADIN-2026", "policy": "credit", "voided_worker_months": 11,
                                      "voided_unpaid": 0, "paid_worker_months": 11, "paid_amount": 109_200,
                                      "refund": 0, "credit": 109_200}]
    assert_problem(api.post("/api/v1/deaths", OFFICER, json={"nik": nik, "died_on": "2026-01-05"}), 409,
                   "billing.death_recorded")
    covered = api.post("/api/v1/coverage", OFFICER, json={"nik": nik, "at": "2026-01-08"}).json()
    assert covered["protected"] is False and covered["worker"]["died_on"] == "2026-01-05"
    future = api.post("/api/v1/deaths", OFFICER, json={"nik": billing.niks[1], "died_on": "2026-01-11"})
    assert_problem(future, 422, "invalid.date_future")
    assert_problem(api.post("/api/v1/deaths", "staf.kadin", json={"nik": billing.niks[1], "died_on": "2026-01-05"}),
                   403, "auth.not_permitted")

    left = api.post("/api/v1/leavings", OFFICER,
                    json={"nik": billing.niks[1], "agreement": "KADIN-2026", "last_month": "2026-06"})
    assert left.status_code == 201, left.text
    assert (left.json()["reason"], left.json()["settlements"][0]["voided_worker_months"]) == ("left", 6)
    again = api.post("/api/v1/leavings", OFFICER,
                     json={"nik": billing.niks[1], "agreement": "KADIN-2026", "last_month": "2026-06"})
    assert_problem(again, 409, "billing.nothing_to_end")
    assert_problem(api.post("/api/v1/leavings", OFFICER,
                            json={"nik": billing.niks[2], "agreement": "KADIN-2026", "last_month": "2026-13"}),
                   422, "invalid.month")
    assert_problem(api.post("/api/v1/leavings", OFFICER,
                            json={"nik": billing.niks[2], "agreement": "NOPE-2026", "last_month": "2026-06"}), 404)


def _csv(answer: httpx.Response) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.text)))


def test_the_lists_as_json_pages_and_as_csv_in_both_languages(billing: Billing) -> None:
    api = billing.api
    billing.pay(100_000, "BRI-0001")  # KADIN: January for all three, February for two
    overdue = api.get("/api/v1/lists/overdue", OFFICER, params={"at": "2026-02-01", "limit": 1}).json()
    assert (overdue["total"], overdue["next_offset"]) == (2, 1)
    assert (overdue["items"][0]["agreement"], overdue["items"][0]["unpaid"]) == ("DESA-2026", DESA_TOTAL)
    rows = _csv(api.get("/api/v1/lists/overdue", OFFICER, params={"at": "2026-02-01"},
                        headers={"Accept": "text/csv", "Accept-Language": "en"}))
    assert rows[0][:2] == ["Payment code", "Agreement"] and [r[1] for r in rows[1:]] == ["DESA-2026", "KADIN-2026"]
    assert rows[2][-1] == "294000"
    rows = _csv(api.get("/api/v1/lists/overdue", "staf.kadin", params={"at": "2026-02-01", "format": "csv"}))
    assert rows[0][:2] == ["Kode bayar", "Perjanjian"] and [r[1] for r in rows[1:]] == ["KADIN-2026"]

    unpaid = api.get("/api/v1/lists/unpaid", OFFICER, params={"at": "2026-03-20"}).json()["items"]
    assert [(r["agreement"], r["unpaid_worker_months"], r["unpaid"]) for r in unpaid] == [
        ("DESA-2026", 2, DESA_TOTAL), ("KADIN-2026", 4, 67_200)]  # February's third and March's (due 16 March)
    assert _csv(api.get("/api/v1/lists/unpaid", OFFICER, params={"at": "2026-03-20", "format": "csv"},
                        headers={"Accept-Language": "en"}))[0][0] == "Agreement"

    ending = api.get("/api/v1/lists/ending", "staf.kadin", params={"at": "2026-02-10", "days": 30}).json()
    assert [(r["protected_until"], r["agreement"]) for r in ending["items"]] == [("2026-02-28", "KADIN-2026")] * 2
    assert all(r["nik"].count("*") == 8 for r in ending["items"])
    rows = _csv(api.get("/api/v1/lists/ending", OFFICER, params={"at": "2026-02-10", "format": "csv"},
                        headers={"Accept-Language": "en"}))
    assert rows[0][:2] == ["NIK", "Name"] and len(rows) == 3
    assert_problem(api.get("/api/v1/lists/ending", "staf.kadin", params={"unmask": True}), 403, "auth.not_permitted")
    unmasked = api.get("/api/v1/lists/ending", OFFICER, params={"at": "2026-02-10", "unmask": True, "limit": 1}).json()
    assert unmasked["total"] == 2 and unmasked["items"][0]["nik"] in billing.niks

    lapsing = api.get("/api/v1/lists/lapsing", OFFICER, params={"at": "2026-03-20", "days": 365}).json()
    # the third worker owes February (the oldest window closes first), all three owe March
    assert [(r["arrears_from"], r["arrears_months"]) for r in lapsing["items"]] == [
        ("2026-02", 2), ("2026-03", 1), ("2026-03", 1)]
    assert lapsing["items"][0]["nik"] == f"{billing.niks[2][:4]}********{billing.niks[2][-4:]}"
    rows = _csv(api.get("/api/v1/lists/lapsing", OFFICER, params={"at": "2026-03-20", "days": 365},
                        headers={"Accept": "text/csv"}))
    assert rows[0][3] == "Tunggakan sejak" and rows[1][3] == "2026-02"

    rows = _csv(api.get("/api/v1/lists/statement", "staf.desa", params={"format": "csv"}))
    assert rows[1][2:4] == ["DESA-2026", "aktif"]  # the status in the reader's language
    statement = api.get("/api/v1/lists/statement", "staf.desa").json()
    assert [(r["agreement"], r["billed"], r["outstanding"]) for r in statement["items"]] == [
        ("DESA-2026", DESA_TOTAL, DESA_TOTAL)]
    rows = _csv(api.get("/api/v1/lists/statement", OFFICER, params={"sponsor": "KADIN", "format": "csv"},
                        headers={"Accept-Language": "en"}))
    assert rows[0][3] == "Status" and rows[1][2:9] == ["KADIN-2026", "active", "378000", "0", "84000", "100000",
                                                        "1"]
    assert_problem(api.get("/api/v1/lists/statement", "staf.desa", params={"sponsor": "KADIN"}), 404,
                   "sponsor.not_found")
    for name in ("overdue", "unpaid", "ending", "lapsing", "statement"):
        assert_problem(api.get(f"/api/v1/lists/{name}", "disnaker"), 403, "auth.not_permitted")
        assert_problem(api.get(f"/api/v1/lists/{name}", None), 401, "auth.not_signed_in")


def test_who_may_not_is_refused_and_another_sponsor_s_bill_does_not_exist(billing: Billing) -> None:
    api, code = billing.api, billing.code()
    assert_problem(api.get("/api/v1/bills", None), 401, "auth.not_signed_in")
    assert_problem(api.get("/api/v1/bills", "disnaker"), 403, "auth.not_permitted")
    assert_problem(api.get(f"/api/v1/bills/{code}", "staf.desa"), 404, "billing.bill_not_found")
    assert_problem(api.get(f"/api/v1/bills/{code}/lines", "staf.desa"), 404, "billing.bill_not_found")
    assert_problem(api.get("/api/v1/bills", "staf.desa", params={"agreement": "KADIN-2026"}), 404)
    assert_problem(billing.pay(100_000, "BRI-9", user="staf.kadin"), 403, "auth.not_permitted")
    assert_problem(billing.pay(100_000, "BRI-9", user="admin"), 403, "auth.not_permitted")
    assert billing.payments() == 0


def test_bad_input_is_a_problem_document_never_a_500(billing: Billing) -> None:
    api = billing.api
    for amount in ("abc", -16_800, 0, 16_800.5, True):
        answer = billing.pay(amount, "BRI-1")
        assert assert_problem(answer, 422, "invalid.amount")["errors"][0]["field"] == "amount", amount
    english = billing.pay("abc", "BRI-1", headers={"Accept-Language": "en"})
    assert "Invalid amount" in english.json()["detail"]
    assert_problem(billing.pay(10_500, "BRI-1", paid_on="2026-01-11"), 422, "invalid.date_future")
    wrong_day = billing.pay(10_500, "BRI-1", paid_on="2026-02-30")
    assert assert_problem(wrong_day, 422, "invalid_request")["errors"][0]["field"] == "paid_on"
    assert_problem(billing.pay(10_500, "BRI 1 ☃"), 422, "invalid.reference")
    unknown = payment_code(9_999, Month(2026, 1), 1)
    assert_problem(api.post("/api/v1/payments", OFFICER, json={"code": unknown, "amount": 10_500, "reference": "X1"}),
                   404, "billing.bill_not_found")
    assert_problem(api.get(f"/api/v1/bills/{unknown}", OFFICER), 404, "billing.bill_not_found")
    assert_problem(api.get("/api/v1/bills/12345", OFFICER), 422, "invalid.payment_code")
    missing = api.post("/api/v1/payments", OFFICER, json={"amount": 10_500})
    assert {e["field"] for e in assert_problem(missing, 422, "invalid_request")["errors"]} == {"code", "reference"}
    malformed = api.post("/api/v1/payments", OFFICER, content=b'{"code": "00',
                         headers={"Content-Type": "application/json"})
    assert_problem(malformed, 422, "invalid_request")
    extra = api.post("/api/v1/payments", OFFICER, json={"code": billing.code(), "amount": 1, "reference": "A", "x": 1})
    assert_problem(extra, 422, "invalid_request")
    assert_problem(api.post("/api/v1/bill-runs", OFFICER, json={"month": "2026-13"}), 422, "invalid.month")
    assert_problem(api.post("/api/v1/bill-runs", OFFICER, json={"month": 202601}), 422, "invalid.month")
    assert_problem(api.post("/api/v1/bill-runs", OFFICER, json={"month": "2026-02", "agreement": "NOPE"}), 404)
    assert_problem(api.get("/api/v1/bills", OFFICER, params={"month": "2026-13"}), 422, "invalid.month")
    for params in ({"status": "lunas"}, {"limit": 501}, {"offset": -1}):
        assert_problem(api.get("/api/v1/bills", OFFICER, params=params), 422, "invalid_request")
    for params in ({"days": -1}, {"at": "2026-02-30"}, {"format": "xlsx"}):
        assert_problem(api.get("/api/v1/lists/ending", OFFICER, params=params), 422, "invalid_request")
    assert billing.payments() == 0


def test_two_identical_payments_at_once_record_one(postgres_database: TestDatabase,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The second waits for the agreement's lock, then finds the first one's payment: 201 and 200,
    one receipt, one payment, the receipt counter moved once."""
    database = postgres_database
    monkeypatch.setattr(clock, "today", lambda: DAY)
    tokens, niks = _setup(database)
    with TestClient(create_app(database.engine)) as client:
        api = Api(client, tokens)
        _billed(api)
        billing = Billing(api, database, niks)
        code = billing.code()
        barrier = threading.Barrier(2)
        answers: list[httpx.Response] = []

        def pay() -> None:
            barrier.wait(timeout=30)
            answers.append(api.post("/api/v1/payments", OFFICER, json={
                "code": code, "amount": KADIN_TOTAL, "reference": "MANDIRI-7", "paid_on": "2026-01-10"}))

        threads = [threading.Thread(target=pay) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
        assert answers[0].json() == answers[1].json()
        assert billing.payments() == 1
        assert database.scalar("SELECT last_no FROM receipt_counters") == 1
        assert database.scalar("SELECT count(*) FROM contribution_lines WHERE status = 'paid'") == 36
