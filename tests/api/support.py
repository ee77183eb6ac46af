"""What API tests share: a client with a bearer token per user, and waiting for a job.

    with database.session() as s:
        tokens = make_tokens(s, ("ani", "budi", "staf.kadin"))
    with TestClient(create_app(database.engine)) as client:
        api = Api(client, tokens)
        api.get("/api/v1/jobs", "ani")
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lindung.kit.db import utcnow
from lindung.users import credentials
from tests.users import actor

PROBLEM = "application/problem+json"


def make_tokens(s: Session, users: Iterable[str]) -> dict[str, str]:
    """A fresh API token for each user (the users must exist)."""
    tokens = {}
    for user in users:
        _read, secret = credentials.create_token(s, user, name="test", expires=None, by=actor(s, user), now=utcnow())
        tokens[user] = secret
    return tokens


class Api:
    """A test client and a bearer token per user: ``api.get(path, user)``, ``api.post(path, user, json=…)``."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    def as_(self, user: str | None, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return headers

    def request(self, method: str, path: str, user: str | None, **kwargs: Any) -> httpx.Response:
        headers = {**self.as_(user), **kwargs.pop("headers", {})}
        answer: httpx.Response = self.client.request(method, path, headers=headers, **kwargs)
        return answer

    def get(self, path: str, user: str | None, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, user, **kwargs)

    def post(self, path: str, user: str | None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, user, **kwargs)

    def patch(self, path: str, user: str | None, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, user, **kwargs)

    def delete(self, path: str, user: str | None, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, user, **kwargs)

    def wait_job(self, answer: httpx.Response, user: str, timeout: float = 60.0) -> dict[str, Any]:
        """Follow a 202's ``Location`` until the job is done or failed; its last reading."""
        assert answer.status_code == 202, answer.text
        location = answer.headers["Location"]
        deadline = time.monotonic() + timeout
        while True:
            job: dict[str, Any] = self.get(location, user).json()
            if job["status"] in ("done", "failed", "interrupted"):
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job still {job['status']} after {timeout} s: {job}")
            time.sleep(0.05)


def assert_problem(answer: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """``answer`` is a problem document with ``status`` (and ``code``); its body."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM), answer.headers["content-type"]
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body
