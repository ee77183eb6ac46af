"""Sponsors, agreements, addenda and approvals over HTTP, on both engines: Kadin's agreement drafted,
edited, approved by a second person and activated through ``/api/v1`` with its money to the rupiah; an
addendum proposed and approved; the roster paged in SQL with masked NIKs; ending unused and after a
last month; what waits for approval. And every refusal as a problem document with the CLI's code: the
wrong role (403), another sponsor's staff (404), the maker approving (409), a stale version (409), and
a request the API cannot read or the service refuses (422 with the field)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from lindung.kit import clock
from tests.api.support import Api, assert_problem, make_tokens
from tests.billing import factories as bf
from tests.conftest import TestDatabase
from tests.users import add_user

OFFICER, SUPERVISOR, OTHER_SUPERVISOR = "ani", "budi", "citra"
KADIN_STAFF, DESA_STAFF, VIEWER, ADMIN = "staf.kadin", "staf.desa", "disnaker", "admin"
BRANCH_DAY = dt.date(2026, 3, 10)
PER_WORKER = 3 * 16_800 + 9 * 8_400
"""A Kadin worker's 2026: January to March at the full price, the PP 50/2025 discount from April."""

KADIN_2027 = {"code": "KADIN-2027", "sponsor": "KADIN", "quota": 1000, "budget": 201_600_000, "start": "2027-01",
              "months": 12}


@pytest.fixture
def api(database: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """KADIN-2026 active with three workers enrolled, DESA-2026 approved and unused; Kadin's and the
    village's staff, a regional viewer; a token for each user the tests act as."""
    monkeypatch.setattr(clock, "today", lambda: BRANCH_DAY)
    with database.session() as s:
        bf.agreement(s)
        bf.cohort(s, 3)
        bf.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", quota=50, activate=False)
        add_user(s, KADIN_STAFF, "sponsor", sponsor="KADIN")
        add_user(s, DESA_STAFF, "sponsor", sponsor="DESA")
        add_user(s, VIEWER, "viewer", region="32.16")
        tokens = make_tokens(s, (OFFICER, SUPERVISOR, OTHER_SUPERVISOR, KADIN_STAFF, DESA_STAFF, VIEWER, ADMIN))
    with TestClient(create_app(database.engine)) as client:
        yield Api(client, tokens)


def _ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _field_error(answer: Any, field: str, code: str | None = None) -> dict[str, Any]:
    body = assert_problem(answer, 422, code)
    assert field in [e["field"] for e in body["errors"]], body
    return body


# --- sponsors -------------------------------------------------------------------------------------


def test_sponsors_added_listed_shown_and_corrected(api: Api) -> None:
    added = _ok(api.post("/api/v1/sponsors", OFFICER, json={"code": "csr-maju", "name": "PT Maju Jaya",
                                                              "funding": "csr"}), 201)
    assert (added["code"], added["type"], added["funding"], added["created_by"]) == ("CSR-MAJU", "company", "csr",
                                                                                      OFFICER)
    page = _ok(api.get("/api/v1/sponsors", ADMIN, params={"limit": 2}))
    assert [x["code"] for x in page["items"]] == ["CSR-MAJU", "DESA"]
    assert (page["total"], page["next_offset"]) == (3, 2)
    rest = _ok(api.get("/api/v1/sponsors", ADMIN, params={"limit": 2, "offset": 2}))
    assert [x["code"] for x in rest["items"]] == ["KADIN"] and rest["next_offset"] is None
    kadin = _ok(api.get("/api/v1/sponsors/kadin", SUPERVISOR))
    assert [a["code"] for a in kadin["agreements"]] == ["KADIN-2026"]
    assert kadin["totals"] == {"open_agreements": 1, "quota": 1000, "enrolled": 3, "budget": 201_600_000,
                               "committed": 3 * PER_WORKER}
    fixed = _ok(api.patch("/api/v1/sponsors/CSR-MAJU", OFFICER, json={"name": "PT Maju Jaya Tbk"}))
    assert (fixed["name"], fixed["changed"]) == ("PT Maju Jaya Tbk", ["name"])
    same = api.patch("/api/v1/sponsors/CSR-MAJU", OFFICER, json={"name": "PT Maju Jaya Tbk"})
    assert_problem(same, 422, "invalid.sponsor_unchanged")
    twice = api.post("/api/v1/sponsors", OFFICER, json={"code": "KADIN", "name": "Kadin", "funding": "kadin"})
    assert_problem(twice, 409, "sponsor.exists")


def test_a_sponsor_s_staff_see_their_own_sponsor_only_and_a_viewer_nothing(api: Api) -> None:
    own = _ok(api.get("/api/v1/sponsors", KADIN_STAFF))
    assert [x["code"] for x in own["items"]] == ["KADIN"] and own["total"] == 1
    assert _ok(api.get("/api/v1/sponsors/KADIN", KADIN_STAFF))["code"] == "KADIN"
    assert_problem(api.get("/api/v1/sponsors/DESA", KADIN_STAFF), 404, "sponsor.not_found")
    assert_problem(api.get("/api/v1/sponsors", VIEWER), 403, "auth.not_permitted")
    assert_problem(api.get("/api/v1/sponsors/KADIN", VIEWER), 403, "auth.not_permitted")
    new = {"code": "BANK-X", "name": "Bank X", "funding": "bank"}
    assert_problem(api.post("/api/v1/sponsors", KADIN_STAFF, json=new), 403, "auth.not_permitted")
    assert_problem(api.post("/api/v1/sponsors", ADMIN, json=new), 403, "auth.not_permitted")
    assert_problem(api.patch("/api/v1/sponsors/KADIN", KADIN_STAFF, json={"name": "Kadin"}), 403)
    assert_problem(api.get("/api/v1/sponsors", None), 401, "auth.not_signed_in")


def test_bad_sponsors_are_refused_with_the_field(api: Api) -> None:
    _field_error(api.post("/api/v1/sponsors", OFFICER, json={"code": "KADIN 2", "name": "X", "funding": "csr"}),
                 "code", "invalid.code")
    _field_error(api.post("/api/v1/sponsors", OFFICER, json={"code": "X", "name": "X", "funding": "nope"}),
                 "funding")
    _field_error(api.post("/api/v1/sponsors", OFFICER, json={"code": "X", "name": "X\x00Y", "funding": "csr"}),
                 "name", "invalid.name")
    _field_error(api.post("/api/v1/sponsors", OFFICER, json={"code": "X", "funding": "csr"}), "name", "invalid_request")
    _field_error(api.post("/api/v1/sponsors", OFFICER, json={"code": "X", "name": "X", "funding": "csr", "age": 3}),
                 "age", "invalid_request")
    _field_error(api.patch("/api/v1/sponsors/KADIN", OFFICER, json={"type": "alien"}), "sponsor_type")
    assert_problem(api.patch("/api/v1/sponsors/NOPE", OFFICER, json={"name": "Y"}), 404, "sponsor.not_found")
    assert_problem(api.get("/api/v1/sponsors/KA%00DIN", OFFICER), 404, "sponsor.not_found")
    malformed = api.post("/api/v1/sponsors", OFFICER, content=b'{"code": "X',
                         headers={"Content-Type": "application/json"})
    assert_problem(malformed, 422, "invalid_request")
    assert_problem(api.get("/api/v1/sponsors", OFFICER, params={"limit": 0}), 422, "invalid_request")


# --- agreements -----------------------------------------------------------------------------------


def test_a_draft_edited_then_approved_by_a_second_person_then_activated(api: Api) -> None:
    drafted = _ok(api.post("/api/v1/agreements", OFFICER, json=KADIN_2027), 201)
    assert (drafted["status"], drafted["version"], drafted["drafted_by"]) == ("draft", 1, OFFICER)
    # 2027 is past the discount's end: the expected cost is the list price
    assert drafted["estimate"] == {"list_price": 201_600_000, "monthly_list_price": 16_800,
                                   "expected": 201_600_000, "budget_shortfall": 0}
    assert drafted["use"] == {"enrolled": 0, "quota_left": 1000, "committed": 0, "budget_left": 201_600_000}
    edited = _ok(api.patch("/api/v1/agreements/kadin-2027", SUPERVISOR,
                           json={"quota": 1500, "budget": 151_200_000, "version": 1}))
    assert (edited["changed"], edited["version"], edited["quota"]) == (["quota", "budget"], 2, 1500)
    assert edited["estimate"] == {"list_price": 302_400_000, "monthly_list_price": 16_800,
                                  "expected": 302_400_000, "budget_shortfall": 302_400_000 - 151_200_000}
    assert edited["edits"][0]["by"] == SUPERVISOR
    stale = api.patch("/api/v1/agreements/KADIN-2027", OFFICER, json={"months": 6, "version": 1},
                      headers={"Accept-Language": "en"})
    assert "now version 2" in assert_problem(stale, 409, "agreement.version_changed")["detail"]
    maker = api.post("/api/v1/agreements/KADIN-2027/approve", SUPERVISOR, json={"version": 2})
    assert_problem(maker, 409, "agreement.self_approval_edited")  # who edited it may not check it
    officer = api.post("/api/v1/agreements/KADIN-2027/approve", OFFICER)
    assert_problem(officer, 403, "auth.not_permitted")
    old = api.post("/api/v1/agreements/KADIN-2027/approve", OTHER_SUPERVISOR, json={"version": 1})
    assert_problem(old, 409, "agreement.version_changed")
    approved = _ok(api.post("/api/v1/agreements/KADIN-2027/approve", OTHER_SUPERVISOR, json={"version": 2}))
    assert (approved["status"], approved["approved_by"], approved["budget"]) == ("approved", OTHER_SUPERVISOR,
                                                                                 151_200_000)
    again = api.patch("/api/v1/agreements/KADIN-2027", OFFICER, json={"months": 6})
    assert_problem(again, 409, "agreement.edit_not_draft")
    active = _ok(api.post("/api/v1/agreements/KADIN-2027/activate", OFFICER))
    assert active["status"] == "active"
    assert_problem(api.post("/api/v1/agreements/KADIN-2027/activate", OFFICER), 409, "agreement.status")
    shown = _ok(api.get("/api/v1/agreements/KADIN-2027", KADIN_STAFF))
    assert (shown["status"], shown["version"], len(shown["edits"])) == ("active", 2, 1)


def test_the_drafter_may_not_approve_and_approving_without_a_body_takes_the_draft_as_it_is(api: Api) -> None:
    _ok(api.post("/api/v1/agreements", SUPERVISOR, json=KADIN_2027), 201)
    assert_problem(api.post("/api/v1/agreements/KADIN-2027/approve", SUPERVISOR), 409, "agreement.self_approval")
    approved = _ok(api.post("/api/v1/agreements/KADIN-2027/approve", OTHER_SUPERVISOR))
    assert approved["status"] == "approved" and approved["version"] == 1


def test_agreements_listed_with_their_use_filtered_and_scoped(api: Api) -> None:
    page = _ok(api.get("/api/v1/agreements", OFFICER))
    assert [a["code"] for a in page["items"]] == ["DESA-2026", "KADIN-2026"] and page["total"] == 2
    kadin = page["items"][1]
    committed = 3 * PER_WORKER
    assert kadin["use"] == {"enrolled": 3, "quota_left": 997, "committed": committed,
                            "budget_left": 201_600_000 - committed}
    approved = _ok(api.get("/api/v1/agreements", OFFICER, params={"status": ["disetujui", "draft"]}))
    assert [a["code"] for a in approved["items"]] == ["DESA-2026"]
    both = _ok(api.get("/api/v1/agreements?status=approved&status=active", OFFICER))
    assert both["total"] == 2
    by_sponsor = _ok(api.get("/api/v1/agreements", OFFICER, params={"sponsor": "kadin", "limit": 1}))
    assert [a["code"] for a in by_sponsor["items"]] == ["KADIN-2026"] and by_sponsor["next_offset"] is None
    own = _ok(api.get("/api/v1/agreements", KADIN_STAFF))
    assert [a["code"] for a in own["items"]] == ["KADIN-2026"]
    assert_problem(api.get("/api/v1/agreements", KADIN_STAFF, params={"sponsor": "DESA"}), 404, "sponsor.not_found")
    assert_problem(api.get("/api/v1/agreements/DESA-2026", KADIN_STAFF), 404, "agreement.not_found")
    assert_problem(api.get("/api/v1/agreements", VIEWER), 403, "auth.not_permitted")
    assert_problem(api.get("/api/v1/agreements", OFFICER, params={"status": "pending"}), 422,
                   "invalid.agreement_status")
    assert_problem(api.get("/api/v1/agreements", OFFICER, params={"sponsor": "NOPE"}), 404, "sponsor.not_found")
    assert_problem(api.get("/api/v1/agreements", OFFICER, params={"limit": 501}), 422, "invalid_request")


def test_bad_agreements_are_refused_with_the_field(api: Api) -> None:
    def draft(**changes: Any) -> Any:
        return api.post("/api/v1/agreements", OFFICER, json={**KADIN_2027, **changes})

    assert_problem(draft(sponsor="NOPE"), 404, "sponsor.not_found")
    _field_error(draft(quota=0), "quota", "invalid.quota")
    _field_error(draft(quota=-5), "quota", "invalid.quota")
    _field_error(draft(quota=10**30), "quota")
    _field_error(draft(months=0), "months", "invalid.months")
    _field_error(draft(start="2026-13"), "month", "invalid.month")
    _field_error(draft(start=202601), "month", "invalid.month")
    _field_error(draft(budget="12abc"), "budget", "invalid_request")
    _field_error(draft(budget=1.5), "budget", "invalid_request")
    _field_error(draft(budget=-1), "budget", "invalid.budget")
    _field_error(draft(billing_cycle=5), "billing_cycle")
    _field_error(draft(target_regions=["32.99"]), "target_region")
    _field_error(draft(target_occupations=["astronaut"]), "occupation")
    _field_error(draft(code="KADIN/2027"), "code", "invalid.code")
    missing = dict(KADIN_2027)
    del missing["budget"]
    _field_error(api.post("/api/v1/agreements", OFFICER, json=missing), "budget", "invalid_request")
    malformed = api.post("/api/v1/agreements", OFFICER, content=b"{", headers={"Content-Type": "application/json"})
    assert_problem(malformed, 422, "invalid_request")
    assert_problem(api.post("/api/v1/agreements", KADIN_STAFF, json=KADIN_2027), 403, "auth.not_permitted")
    assert_problem(api.post("/api/v1/agreements", VIEWER, json=KADIN_2027), 403, "auth.not_permitted")
    assert_problem(draft(code="KADIN-2026"), 409, "agreement.exists")
    _ok(draft(), 201)
    assert_problem(api.patch("/api/v1/agreements/KADIN-2027", OFFICER, json={"quota": 1000}), 422,
                   "invalid.edit_nothing")
    _field_error(api.patch("/api/v1/agreements/KADIN-2027", OFFICER, json={"start": "2026-02-30"}), "month")
    _field_error(api.patch("/api/v1/agreements/KADIN-2027", OFFICER, json={"version": "two"}), "version",
                 "invalid_request")
    assert_problem(api.patch("/api/v1/agreements/NOPE-1", OFFICER, json={"quota": 5}), 404, "agreement.not_found")
    assert_problem(api.get("/api/v1/agreements/" + "X" * 65, OFFICER), 422, "invalid_request")


def test_a_draft_withdrawn_with_its_reason(api: Api) -> None:
    _ok(api.post("/api/v1/agreements", OFFICER, json=KADIN_2027), 201)
    _field_error(api.post("/api/v1/agreements/KADIN-2027/withdraw", OFFICER, json={"reason": "  "}), "reason",
                 "invalid.withdraw_reason")
    _field_error(api.post("/api/v1/agreements/KADIN-2027/withdraw", OFFICER, json={"reason": "a\x00b"}), "reason",
                 "invalid.control_characters")
    _field_error(api.post("/api/v1/agreements/KADIN-2027/withdraw", OFFICER, json={}), "reason", "invalid_request")
    assert_problem(api.post("/api/v1/agreements/KADIN-2027/withdraw", KADIN_STAFF, json={"reason": "x"}), 403)
    gone = _ok(api.post("/api/v1/agreements/KADIN-2027/withdraw", OFFICER, json={"reason": "sponsor batal"}))
    assert gone["status"] == "withdrawn" and gone["withdrawn"]["reason"] == "sponsor batal"
    assert_problem(api.post("/api/v1/agreements/KADIN-2026/withdraw", OFFICER, json={"reason": "x"}), 409,
                   "agreement.withdraw_not_draft")


def test_ending_unused_at_once_and_in_force_after_its_last_month(api: Api) -> None:
    assert_problem(api.post("/api/v1/agreements/KADIN-2026/end", OFFICER), 409, "agreement.end_has_enrolments")
    assert_problem(api.post("/api/v1/agreements/KADIN-2026/end", KADIN_STAFF, json={"last_month": "2026-03"}), 403)
    _field_error(api.post("/api/v1/agreements/KADIN-2026/end", OFFICER, json={"last_month": "2026-13"}), "month")
    _field_error(api.post("/api/v1/agreements/KADIN-2026/end", OFFICER, json={"last_month": "2030-01"}), "last_month",
                 "invalid.month_outside")
    unused = _ok(api.post("/api/v1/agreements/DESA-2026/end", OFFICER))
    assert unused["agreement"]["status"] == "ended" and unused["billing"] is None
    ended = _ok(api.post("/api/v1/agreements/KADIN-2026/end", OFFICER, json={"last_month": "2026-03"}))
    assert ended["agreement"]["status"] == "ended"
    assert ended["billing"]["last_month"] == "2026-03" and ended["billing"]["enrolments_ended"] == 3
    # each of the three keeps the cost of January to March, at the full price before the April discount
    assert ended["agreement"]["use"]["committed"] == 3 * 3 * 16_800 == 151_200
    assert_problem(api.post("/api/v1/agreements/KADIN-2026/end", OFFICER, json={"last_month": "2026-03"}), 409,
                   "agreement.status")
    assert_problem(api.post("/api/v1/agreements/NOPE/end", OFFICER), 404, "agreement.not_found")


# --- addenda --------------------------------------------------------------------------------------


def test_an_addendum_proposed_then_approved_by_a_second_person(api: Api) -> None:
    proposed = _ok(api.post("/api/v1/agreements/KADIN-2026/addenda", OFFICER,
                            json={"quota": 1500, "budget": 302_400_000, "reference": "Adendum I No. 12/PKS/2026"}),
                   201)
    number = proposed["id"]
    assert (proposed["status"], proposed["quota_before"], proposed["quota_after"]) == ("proposed", 1000, 1500)
    assert proposed["estimate_expected_after"] == 1500 * (3 * 16_800 + 9 * 8_400) == 189_000_000
    pending = api.post("/api/v1/agreements/KADIN-2026/addenda", OFFICER, json={"quota": 1200})
    assert_problem(pending, 409, "agreement.amend_pending")
    own = api.post(f"/api/v1/agreements/KADIN-2026/addenda/{number}/approve", OFFICER)
    assert_problem(own, 403, "auth.not_permitted")
    wrong = api.post(f"/api/v1/agreements/KADIN-2026/addenda/{number + 1}/approve", SUPERVISOR)
    assert_problem(wrong, 409, "agreement.amend_changed")
    assert_problem(api.post(f"/api/v1/agreements/KADIN-2026/addenda/{number}/approve", KADIN_STAFF), 403)
    approved = _ok(api.post(f"/api/v1/agreements/KADIN-2026/addenda/{number}/approve", SUPERVISOR))
    assert (approved["status"], approved["decided_by"]) == ("approved", SUPERVISOR)
    shown = _ok(api.get("/api/v1/agreements/KADIN-2026", KADIN_STAFF))
    assert (shown["quota"], shown["budget"]) == (1500, 302_400_000)
    assert shown["use"]["budget_left"] == 302_400_000 - 3 * PER_WORKER
    assert [m["id"] for m in shown["amendments"]] == [number]
    none = api.post(f"/api/v1/agreements/KADIN-2026/addenda/{number}/reject", SUPERVISOR)
    assert_problem(none, 404, "agreement.amend_none")


def test_an_addendum_withdrawn_by_its_proposer_or_turned_down(api: Api) -> None:
    number = _ok(api.post("/api/v1/agreements/KADIN-2026/addenda", OFFICER, json={"budget": 250_000_000}), 201)["id"]
    other = api.post(f"/api/v1/agreements/KADIN-2026/addenda/{number + 7}/reject", OFFICER)
    assert_problem(other, 409, "agreement.amend_changed")
    assert_problem(api.post(f"/api/v1/agreements/KADIN-2026/addenda/{number}/reject", KADIN_STAFF), 403)
    withdrawn = _ok(api.post(f"/api/v1/agreements/KADIN-2026/addenda/{number}/reject", OFFICER))
    assert (withdrawn["status"], withdrawn["decided_by"]) == ("rejected", OFFICER)
    again = _ok(api.post("/api/v1/agreements/KADIN-2026/addenda", OFFICER, json={"quota": 900}), 201)["id"]
    turned_down = _ok(api.post(f"/api/v1/agreements/KADIN-2026/addenda/{again}/reject", SUPERVISOR))
    assert turned_down["decided_by"] == SUPERVISOR


def test_bad_addenda_are_refused_with_the_field(api: Api) -> None:
    url = "/api/v1/agreements/KADIN-2026/addenda"
    _field_error(api.post(url, OFFICER, json={"quota": 0}), "quota", "invalid.quota")
    _field_error(api.post(url, OFFICER, json={"budget": "lots"}), "budget", "invalid_request")
    _field_error(api.post(url, OFFICER, json={"quota": 1000}), "amendment", "invalid.amend_nothing")
    _field_error(api.post(url, OFFICER, json={"quota": 1200, "reference": "x" * 201}), "amendment_reference")
    _field_error(api.post(url, OFFICER, json={"quota": 1200, "reference": "No.\x001"}), "amendment_reference",
                 "invalid.control_characters")
    below = api.post(url, OFFICER, json={"quota": 2})
    assert_problem(below, 409, "agreement.amend_below_use")
    assert_problem(api.post("/api/v1/agreements/DESA-2026/addenda", DESA_STAFF, json={"quota": 60}), 403)
    assert_problem(api.post("/api/v1/agreements/NOPE/addenda", OFFICER, json={"quota": 60}), 404,
                   "agreement.not_found")
    assert_problem(api.post("/api/v1/agreements/KADIN-2026/addenda/0/approve", SUPERVISOR), 422, "invalid_request")
    assert_problem(api.post(f"/api/v1/agreements/KADIN-2026/addenda/{2**31}/approve", SUPERVISOR), 422)
    assert_problem(api.post("/api/v1/agreements/KADIN-2026/addenda/x/reject", SUPERVISOR), 422, "invalid_request")
    assert_problem(api.post("/api/v1/agreements/KADIN-2026/addenda/1/approve", SUPERVISOR), 404,
                   "agreement.amend_none")


# --- the roster -----------------------------------------------------------------------------------


def test_an_agreement_s_workers_paged_with_masked_niks(api: Api, database: TestDatabase) -> None:
    with database.session() as s:
        bf.cohort(s, 2, occupation="petani", first="2026-03", today=BRANCH_DAY)
        bf.cohort(s, 1, "DESA-2026")
    first = _ok(api.get("/api/v1/agreements/KADIN-2026/workers", KADIN_STAFF, params={"limit": 4}))
    assert (first["total"], first["next_offset"], len(first["items"])) == (5, 4, 4)
    row = first["items"][0]
    assert row["nik"].startswith("3216") and row["nik"][4:12] == "*" * 8
    assert (row["first_month"], row["last_month"], row["status"], row["sector"]) == ("2026-01", "2026-12", "active",
                                                                                    "other")
    assert row["committed_cost"] == PER_WORKER == 126_000
    assert row["enrolled_by"] == bf.MAKER and row["desa_code"] == "32.16.01.2001"
    rest = _ok(api.get("/api/v1/agreements/KADIN-2026/workers", OFFICER, params={"limit": 4, "offset": 4}))
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    last = rest["items"][0]
    assert (last["occupation"], last["first_month"]) == ("petani", "2026-03")
    assert last["committed_cost"] == 16_800 + 9 * 8_400 == 92_400  # March at full price, then the discount
    everyone = _ok(api.get("/api/v1/agreements/kadin-2026/workers", ADMIN, params={"status": "semua"}))
    assert everyone["total"] == 5
    assert _ok(api.get("/api/v1/agreements/KADIN-2026/workers", OFFICER, params={"status": "cancelled"}))["total"] == 0
    assert_problem(api.get("/api/v1/agreements/KADIN-2026/workers", DESA_STAFF), 404, "agreement.not_found")
    assert_problem(api.get("/api/v1/agreements/KADIN-2026/workers", VIEWER), 403, "auth.not_permitted")
    assert_problem(api.get("/api/v1/agreements/KADIN-2026/workers", OFFICER, params={"status": "dead"}), 422,
                   "invalid.status")
    assert_problem(api.get("/api/v1/agreements/KADIN-2026/workers", OFFICER, params={"offset": -1}), 422)


def test_the_roster_page_is_two_queries_whatever_its_size(api: Api, database: TestDatabase) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        _ok(api.get("/api/v1/agreements/KADIN-2026/workers", OFFICER, params={"limit": 500}))
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    touching = [x for x in statements if "enrolments" in x]
    assert len(touching) == 2, touching


# --- approvals ------------------------------------------------------------------------------------


def test_what_waits_for_a_second_person(api: Api) -> None:
    _ok(api.post("/api/v1/agreements", OFFICER, json=KADIN_2027), 201)
    number = _ok(api.post("/api/v1/agreements/KADIN-2026/addenda", OFFICER, json={"quota": 1200}), 201)["id"]
    mine = _ok(api.get("/api/v1/approvals", OFFICER))
    assert [(w["kind"], w["agreement"], w["number"]) for w in mine["items"]] == [
        ("agreement", "KADIN-2027", 1), ("amendment", "KADIN-2026", number)]
    assert [(w["may_approve"], w["why_not"], w["stale"]) for w in mine["items"]] == [
        (False, "permission", False), (False, "permission", False)]
    draft = mine["items"][0]
    assert draft["facts"]["budget"] == 201_600_000 and draft["facts"]["estimate_expected"] == 201_600_000
    assert "user_id" not in draft["makers"][0]
    checker = _ok(api.get("/api/v1/approvals", SUPERVISOR, params={"limit": 1}))
    assert checker["items"][0]["may_approve"] is True and (checker["total"], checker["next_offset"]) == (2, 1)
    assert_problem(api.get("/api/v1/approvals", KADIN_STAFF), 403, "auth.out_of_scope")
    assert_problem(api.get("/api/v1/approvals", VIEWER), 403, "auth.not_permitted")
    assert_problem(api.get("/api/v1/approvals", OFFICER, params={"limit": "many"}), 422, "invalid_request")
