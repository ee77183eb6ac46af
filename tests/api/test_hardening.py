"""What every request meets, on both engines: a body over its limit refused while it arrives (declared
or not, JSON or an upload), CORS off unless configured, and jobs read over HTTP (a sponsor's staff see
only their own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, File, UploadFile
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from lindung.jobs import service as jobs
from tests.api.support import Api, assert_problem, make_tokens
from tests.billing import factories as bf
from tests.conftest import TestDatabase
from tests.users import actor, add_user


def _app(database: TestDatabase) -> FastAPI:
    app = create_app(database.engine, max_body_size=1024)
    seen: dict[str, int] = {}
    app.state.seen = seen

    @app.post("/api/v1/_test/upload", max_body_size=64 * 1024)
    def upload(file: UploadFile = File(...)) -> dict[str, int]:
        size = len(file.file.read())
        seen["upload"] = size
        return {"size": size}

    @app.post("/api/v1/_test/json", max_body_size=1024)
    def body(data: dict[str, str]) -> dict[str, int]:
        return {"keys": len(data)}

    return app


@pytest.fixture
def client(database: TestDatabase) -> Iterator[TestClient]:
    with TestClient(_app(database)) as c:
        yield c


def test_a_json_body_over_the_limit_is_refused_with_413(client: TestClient) -> None:
    assert client.post("/api/v1/_test/json", json={"a": "x" * 500}).json() == {"keys": 1}
    body = assert_problem(client.post("/api/v1/_test/json", json={"a": "x" * 2000}), 413, "too_large")
    assert body["detail"]
    english = client.post("/api/v1/_test/json", json={"a": "x" * 2000}, headers={"Accept-Language": "en"})
    assert assert_problem(english, 413)["title"] != body["title"]


def test_an_upload_over_the_limit_is_cut_off_while_it_streams(client: TestClient) -> None:
    small = client.post("/api/v1/_test/upload", files={"file": ("a.csv", b"x" * 1000, "text/csv")})
    assert small.json() == {"size": 1000}

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server learns the size only by reading
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n"
        for _ in range(200):
            yield b"y" * 1024
        yield b"\r\n--b--\r\n"

    app: FastAPI = client.app  # type: ignore[assignment]
    app.state.seen.clear()
    streamed = client.post("/api/v1/_test/upload", content=chunks(),
                           headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert_problem(streamed, 413, "too_large")
    assert "upload" not in app.state.seen  # the endpoint never ran
    declared = client.post("/api/v1/_test/upload", files={"file": ("big.csv", b"z" * 100_000, "text/csv")})
    assert_problem(declared, 413, "too_large")


def test_cors_is_off_unless_configured(database: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    with TestClient(create_app(database.engine)) as c:
        answer = c.options("/api/v1/me", headers=preflight)
        assert "access-control-allow-origin" not in answer.headers
        assert "access-control-allow-origin" not in c.get("/healthz", headers={"Origin": "https://evil.example"}
                                                           ).headers
    monkeypatch.setenv("LINDUNG_CORS_ORIGINS", "https://dasbor.bekasikab.go.id")
    with TestClient(create_app(database.engine)) as c:
        allowed = c.options("/api/v1/me", headers={**preflight, "Origin": "https://dasbor.bekasikab.go.id"})
        assert allowed.headers["access-control-allow-origin"] == "https://dasbor.bekasikab.go.id"
        other = c.options("/api/v1/me", headers=preflight)
        assert "access-control-allow-origin" not in other.headers


def test_jobs_over_http_a_sponsor_sees_only_their_own(database: TestDatabase) -> None:
    with database.session() as s:
        bf.agreement(s)
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        mine = jobs.start(s, kind="import", params={"n": 1}, by=actor(s, "staf.kadin"))
        others = [jobs.start(s, kind="bill_run", params={"n": i}, by=actor(s, "ani")) for i in range(3)]
        tokens = make_tokens(s, ("ani", "staf.kadin"))
    with TestClient(create_app(database.engine)) as c:
        api = Api(c, tokens)
        page = api.get("/api/v1/jobs?limit=2", "ani").json()
        assert [j["id"] for j in page["items"]] == [others[2].id, others[1].id]
        assert (page["total"], page["offset"], page["limit"], page["next_offset"]) == (4, 0, 2, 2)
        last = api.get("/api/v1/jobs?limit=2&offset=2", "ani").json()
        assert [j["id"] for j in last["items"]] == [others[0].id, mine.id]
        assert last["next_offset"] is None
        own = api.get("/api/v1/jobs", "staf.kadin").json()
        assert [j["id"] for j in own["items"]] == [mine.id]
        assert api.get(f"/api/v1/jobs/{mine.id}", "staf.kadin").json()["status"] == "queued"
        assert_problem(api.get(f"/api/v1/jobs/{others[0].id}", "staf.kadin"), 404, "job.not_found")
        assert_problem(api.get("/api/v1/jobs?limit=501", "ani"), 422, "invalid_request")
        assert_problem(api.get("/api/v1/jobs", None), 401, "auth.not_signed_in")


def test_text_the_database_cannot_store_is_bad_input_not_a_bug(database: TestDatabase) -> None:
    """A NUL (PostgreSQL takes none in a text) or a lone surrogate (no UTF-8 encoder writes one) that
    no service looked at reaches the database: 422 with the code that says so, written in ASCII."""
    with database.session() as s:
        tokens = make_tokens(s, ("ani",))
    with TestClient(create_app(database.engine)) as c:
        api = Api(c, tokens)
        nul = api.get("/api/v1/claims", "ani", params={"sponsor": "KA\x00DIN"})
        assert nul.status_code in (404, 422), nul.text
        if nul.status_code == 422:
            assert_problem(nul, 422, "invalid.control_characters")
        surrogate = api.post("/api/v1/sponsors", "ani", content=b'{"code": "X1", "name": "\\ud800", "type": "csr"}',
                             headers={"Content-Type": "application/json"})
        assert 400 <= surrogate.status_code < 500, surrogate.text
        assert surrogate.content.isascii()


def test_json_nested_past_any_reason_is_refused_not_a_500(database: TestDatabase) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with TestClient(create_app(database.engine)) as c:
        sign_in = c.post("/api/v1/auth/token", content=deep, headers={"Content-Type": "application/json"})
        assert_problem(sign_in, 422, "invalid_request")
        simulator = c.post("/api/v1/simulator/contribution", content=deep, headers={"Content-Type": "application/json"})
        assert 400 <= simulator.status_code < 500, simulator.text
        assert simulator.headers["content-type"].startswith("application/problem+json")
