"""Figures over HTTP, on both engines: workers enrolled by kecamatan and occupation for the branch, a
sponsor's staff (their own sponsor's) and a regional viewer (their own region, counts under 5
withheld, another region refused); never a name or a NIK in the answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from tests.api.support import Api, assert_problem, make_tokens
from tests.conftest import TestDatabase
from tests.factories import DESA_MUARAGEMBONG, DESA_PEBAYURAN, DESA_TARUMAJAYA, enrol, make_agreement, make_worker
from tests.users import ADMIN, add_user

REPORT = "/api/v1/reports/enrolled"


@pytest.fixture
def api(database: TestDatabase) -> Iterator[tuple[Api, list[str]]]:
    """Kadin covers 6 traders in Tarumajaya (32.16.01) and 2 in Pebayuran (32.16.13); the regency 3
    farmers in Muaragembong (32.16.17). A viewer of Kabupaten Bekasi, one of Tarumajaya, Kadin's staff."""
    niks = []
    with database.session() as s:
        make_agreement(s, "KADIN-2026", sponsor="KADIN", funding="kadin")
        make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd")
        for desa, n, occupation, agreement in ((DESA_TARUMAJAYA, 6, "pedagang", "KADIN-2026"),
                                               (DESA_PEBAYURAN, 2, "pedagang", "KADIN-2026"),
                                               (DESA_MUARAGEMBONG, 3, "petani", "TANI-2026")):
            for _ in range(n):
                worker = make_worker(s, desa=desa, occupation=occupation)
                enrol(s, worker, agreement)
                niks.append(worker.nik)
        add_user(s, "disnaker", "viewer", region="32.16")
        add_user(s, "camat", "viewer", region="32.16.01")
        add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
        tokens = make_tokens(s, (ADMIN, "ani", "disnaker", "camat", "kadin.staf"))
    with TestClient(create_app(database.engine)) as client:
        yield Api(client, tokens), niks


def counts(body: dict[str, Any]) -> dict[tuple[str, str], int | None]:
    return {(r["kecamatan"], r["occupation"]): r["workers"] for r in body["rows"]}


def test_the_branch_counts_everyone(api: tuple[Api, list[str]]) -> None:
    a, _niks = api
    for user in ("ani", ADMIN):
        out = a.get(REPORT, user).json()
        assert (out["month"], out["total"], out["suppressed_below"]) == ("2026-01", 11, None)
        assert counts(out) == {("32.16.01", "pedagang"): 6, ("32.16.13", "pedagang"): 2, ("32.16.17", "petani"): 3}
    assert a.get(f"{REPORT}?month=2025-12", "ani").json()["total"] == 0


def test_a_regional_viewer_reads_their_region_with_small_counts_withheld(api: tuple[Api, list[str]]) -> None:
    a, niks = api
    answer = a.get(REPORT, "disnaker")
    out = answer.json()
    assert (out["region"], out["total"], out["suppressed_below"]) == ("32.16", 11, 5)
    assert counts(out) == {("32.16.01", "pedagang"): 6, ("32.16.13", "pedagang"): None, ("32.16.17", "petani"): None}
    assert counts(a.get(f"{REPORT}?region=32.16.01", "disnaker").json()) == {("32.16.01", "pedagang"): 6}
    assert a.get(REPORT, "camat").json()["region"] == "32.16.01"
    assert not any(nik in answer.text or nik[:12] in answer.text for nik in niks)
    assert "Asep" not in answer.text


@pytest.mark.parametrize(("user", "region"), [("camat", "32.16.13"), ("disnaker", "32.73")])
def test_another_region_is_refused(api: tuple[Api, list[str]], user: str, region: str) -> None:
    a, _niks = api
    assert_problem(a.get(f"{REPORT}?region={region}", user), 403, "auth.out_of_scope")


def test_a_sponsor_s_staff_count_their_own(api: tuple[Api, list[str]]) -> None:
    a, _niks = api
    out = a.get(REPORT, "kadin.staf").json()
    assert counts(out) == {("32.16.01", "pedagang"): 6, ("32.16.13", "pedagang"): 2}


def test_without_a_token(api: tuple[Api, list[str]]) -> None:
    a, _niks = api
    assert_problem(a.get(REPORT, None), 401, "auth.not_signed_in")


@pytest.mark.parametrize(("query", "status", "code"), [
    ("month=2026-13", 422, "invalid.month"),
    ("month=januari", 422, "invalid_request"),
    ("region=99.99", 422, "invalid.region_unknown"),
    ("region=abc", 422, "invalid.region"),
    (f"region={'3' * 21}", 422, "invalid_request"),
])
def test_bad_queries(api: tuple[Api, list[str]], query: str, status: int, code: str) -> None:
    a, _niks = api
    problem = assert_problem(a.get(f"{REPORT}?{query}", "ani"), status, code)
    assert problem["errors"][0]["field"] in ("month", "region")
