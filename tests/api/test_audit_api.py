"""The audit log over HTTP, on both engines: for an administrator or a supervisor (``audit.read``),
newest first, a page at a time cut in SQL, filtered by actor, action, subject and days, each entry
said in the reader's language; never a NIK or a secret in it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from lindung.workers import service as workers
from tests.api.support import Api, assert_problem, make_tokens
from tests.conftest import TestDatabase
from tests.factories import make_agreement, make_worker
from tests.users import ADMIN, actor, add_user

AUDIT = "/api/v1/audit"


@pytest.fixture
def api(database: TestDatabase) -> Iterator[tuple[Api, dict[str, int]]]:
    """A worker registered and unmasked by an officer (the log has the worker's id, never the NIK),
    Kadin's staff and a viewer; a token for each."""
    with database.session() as s:
        make_agreement(s, "KADIN-2026")
        worker = make_worker(s)
        workers.view(s, worker.nik, unmask=True, by=actor(s, "ani"))
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        add_user(s, "disnaker", "viewer", region="32.16")
        tokens = make_tokens(s, (ADMIN, "ani", "budi", "staf.kadin", "disnaker"))
        ids = {"worker": worker.id, "nik": int(worker.nik)}
    with TestClient(create_app(database.engine)) as client:
        yield Api(client, tokens), ids


def test_the_log_newest_first_in_pages(api: tuple[Api, dict[str, int]]) -> None:
    a, _ids = api
    first = a.get(f"{AUDIT}?limit=5", ADMIN)
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 5 and page["next_offset"] == 5 and page["total"] > 5
    second = a.get(f"{AUDIT}?limit=5&offset=5", ADMIN).json()
    everything = a.get(f"{AUDIT}?limit=500", ADMIN).json()  # the token's use is written once a minute
    assert [e["at"] for e in everything["items"]] == sorted((e["at"] for e in everything["items"]), reverse=True)
    assert page["items"] + second["items"] == everything["items"][:10]
    assert all(e["text"] for e in everything["items"])
    assert a.get(AUDIT, "budi").status_code == 200  # a supervisor reads it too


def test_filters_and_the_reader_s_language(api: tuple[Api, dict[str, int]]) -> None:
    a, ids = api
    unmasked = a.get(f"{AUDIT}?actor=ANI&action=worker.", ADMIN).json()["items"]
    assert [e["action"] for e in unmasked] == ["worker.unmask"]
    assert unmasked[0]["text"] == "NIK lengkap ditampilkan"
    english = a.get(f"{AUDIT}?action=worker.unmask", ADMIN, headers={"Accept-Language": "en"}).json()["items"]
    assert english[0]["text"] == "full NIK shown"
    about = a.get(f"{AUDIT}?subject=worker:{ids['worker']}", ADMIN).json()["items"]
    assert about and {(e["subject_type"], e["subject_id"]) for e in about} == {("worker", ids["worker"])}
    assert a.get(f"{AUDIT}?since=2000-01-01&until=2999-12-31", ADMIN).json()["total"] > 0
    assert a.get(f"{AUDIT}?since=2999-01-01", ADMIN).json() == {"items": [], "total": 0, "offset": 0,
                                                                 "limit": 100, "next_offset": None}
    assert a.get(f"{AUDIT}?subject=worker:9999999999", ADMIN).json()["total"] == 0


def test_no_nik_or_secret_in_the_log(api: tuple[Api, dict[str, int]]) -> None:
    a, ids = api
    text = a.get(f"{AUDIT}?limit=500", ADMIN).text
    assert str(ids["nik"]) not in text and not re.search(r"\d{16}", text)
    assert not any(secret in text for secret in a.tokens.values())


@pytest.mark.parametrize("user", ["ani", "staf.kadin", "disnaker"])
def test_only_who_may_read_the_log(api: tuple[Api, dict[str, int]], user: str) -> None:
    a, _ids = api
    assert_problem(a.get(AUDIT, user), 403, "auth.not_permitted")
    assert_problem(a.get(AUDIT, None), 401, "auth.not_signed_in")


@pytest.mark.parametrize(("query", "field"), [
    ("since=2026-02-30", "since"),
    ("until=kemarin", "until"),
    ("subject=3216011705900001", "subject"),
    ("subject=worker", "subject"),
    ("limit=0", "limit"),
    ("limit=501", "limit"),
    ("offset=-1", "offset"),
    (f"actor={'x' * 101}", "actor"),
])
def test_bad_queries_are_422_with_their_field(api: tuple[Api, dict[str, int]], query: str, field: str) -> None:
    a, _ids = api
    problem = assert_problem(a.get(f"{AUDIT}?{query}", ADMIN), 422, "invalid_request")
    assert [e["field"] for e in problem["errors"]] == [field]


def test_a_period_that_ends_before_it_begins(api: tuple[Api, dict[str, int]]) -> None:
    a, _ids = api
    problem = assert_problem(a.get(f"{AUDIT}?since=2026-05-01&until=2026-04-01", ADMIN), 422, "invalid.until")
    assert problem["errors"][0]["field"] == "until"
