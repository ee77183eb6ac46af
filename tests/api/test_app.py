"""The HTTP door's frame, on both engines: health and readiness, problem documents for every kind of
error in the reader's language, a request id and security headers on every answer, the OpenAPI
document, and ``lindung serve`` answering as a real server."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from lindung.api.app import SECURITY_HEADERS, create_app
from lindung.api.lang import parse_accept_language
from lindung.kit import db as kitdb
from lindung.kit.errors import Conflict, InvalidInput
from tests.conftest import TestDatabase

NIK = "3216014107950001"


class Body(BaseModel):
    amount: int
    name: str


def _app(database: TestDatabase) -> FastAPI:
    app = create_app(database.engine)

    @app.get("/api/v1/_test/invalid")
    def invalid() -> None:
        raise InvalidInput("amount", "-5")

    @app.get("/api/v1/_test/conflict")
    def conflict() -> None:
        raise Conflict("claims.already_paid", number="KL-2026-000001")

    @app.get("/api/v1/_test/bug")
    def bug() -> None:
        raise RuntimeError(f"a bug that mentions NIK {NIK}")

    @app.post("/api/v1/_test/body")
    def body(data: Body) -> dict[str, int]:
        return {"amount": data.amount}

    return app


def test_healthz_and_readyz(database: TestDatabase) -> None:
    client = TestClient(create_app(database.engine))
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["schema"] == sorted(kitdb.head_revisions()) == ready.json()["head"]


def test_readyz_says_unavailable_when_the_database_does_not_answer(database: TestDatabase) -> None:
    app = create_app(database.engine)
    app.state.engine = kitdb.make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing_here")
    answer = TestClient(app).get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
    assert TestClient(app).get("/healthz").status_code == 200  # the process itself is up


def test_an_unknown_address_is_a_problem_document_in_the_reader_s_language(database: TestDatabase) -> None:
    client = TestClient(create_app(database.engine))
    answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    doc = answer.json()
    assert (doc["status"], doc["code"], doc["title"]) == (404, "not_found", "Tidak ditemukan")
    assert doc["instance"] == "/api/v1/nothing-here" and doc["request_id"] == answer.headers["x-request-id"]
    english = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    assert english["title"] == "Not found" and english["detail"] == "There is nothing at this address."


def test_a_domain_error_keeps_its_code_and_status(database: TestDatabase) -> None:
    client = TestClient(_app(database))
    invalid = client.get("/api/v1/_test/invalid", headers={"Accept-Language": "en"})
    assert invalid.status_code == 422
    doc = invalid.json()
    assert doc["code"] == "invalid.amount" and "-5" in doc["detail"]
    assert doc["errors"] == [{"field": "amount", "code": "invalid.amount", "message": doc["detail"]}]
    conflict = client.get("/api/v1/_test/conflict")
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "claims.already_paid"
    assert conflict.json()["detail"] == "Klaim KL-2026-000001 sudah dibayar; klaim dibayar satu kali saja."


def test_a_request_the_api_cannot_read_is_422_with_the_fields(database: TestDatabase) -> None:
    client = TestClient(_app(database))
    malformed = client.post("/api/v1/_test/body", content=b'{"amount": 5,',
                            headers={"Content-Type": "application/json"})
    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == "application/problem+json"
    assert [e["code"] for e in malformed.json()["errors"]] == ["json_invalid"]
    wrong = client.post("/api/v1/_test/body", json={"amount": "lima"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422
    errors = {e["field"]: (e["code"], e["message"]) for e in wrong.json()["errors"]}
    assert errors == {"amount": ("int_parsing", "Must be a whole number."), "name": ("missing", "Required.")}


def test_a_bug_answers_500_with_a_request_id_and_logs_no_full_nik(database: TestDatabase,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(_app(database), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="lindung.api"):
        answer = client.get("/api/v1/_test/bug")
    assert answer.status_code == 500
    doc = answer.json()
    assert doc["code"] == "internal_error" and doc["request_id"]
    assert NIK not in answer.text and "bug that mentions" not in answer.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert doc["request_id"] in logged and "3216********0001" in logged and NIK not in logged


def test_every_answer_has_a_request_id_and_the_security_headers(database: TestDatabase) -> None:
    client = TestClient(create_app(database.engine))
    for path in ("/healthz", "/api/v1/openapi.json", "/api/v1/nothing-here"):
        answer = client.get(path)
        assert len(answer.headers["x-request-id"]) == 16
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value, (path, name)
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Lindung"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


@pytest.mark.parametrize(("header", "lang"), [
    (None, "id"), ("", "id"), ("en", "en"), ("en-US,en;q=0.9", "en"), ("id-ID,id;q=0.9,en;q=0.8", "id"),
    ("fr-FR,en;q=0.5", "en"), ("fr", "id"), ("en;q=0,id;q=0.1", "id"), ("en;q=abc", "id"), ("*", "id")])
def test_the_language_from_accept_language(header: str | None, lang: str) -> None:
    assert parse_accept_language(header) == lang


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_lindung_serve_answers_as_a_real_server(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "LINDUNG_DATA_DIR": str(tmp_path)}
    env.pop("LINDUNG_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "lindung.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["status"] == "ready"
        assert "server" not in answer.headers  # no version banner
        assert (tmp_path / "lindung.sqlite").exists()  # migrated first, on the default SQLite file
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/api/v1/docs" in output
