"""Pages without a browser: a test client signed in as a demo user through ``/masuk``, which sends each
form with its session's form token (for the quick checks of bad input, scope and refusals; the walks
that a person does are browser tests, ``tests/web/conftest.py``).

    with page_client(app, "demo.petugas") as officer:
        answer = officer.post("/pekerja/baru", {"nik": "123"})     # csrf_token added
        assert answer.status_code == 422 and "NIK" in answer.text
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lindung.demo.data import USERS

PASSWORDS = {u.username: u.password for u in USERS}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


class PageClient:
    """A ``TestClient`` with a person's session: ``get``, and ``post`` that adds the form token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        answer: httpx.Response = self.client.get(path, **kwargs)
        found = _TOKEN.search(answer.text)
        if found:
            self.token = found.group(1)
        return answer

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        if not self.token:
            self.get("/akun/sandi" if "lindung_session" in self.client.cookies else "/masuk")
        answer: httpx.Response = self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)
        return answer

    def sign_in(self, username: str, password: str | None = None) -> httpx.Response:
        self.token = form_token(self.client.get("/masuk").text)
        answer: httpx.Response = self.client.post("/masuk", data={
            "csrf_token": self.token, "username": username,
            "password": password if password is not None else PASSWORDS[username]}, follow_redirects=False)
        self.token = ""
        return answer


@contextmanager
def page_client(app: FastAPI, username: str | None = None, *, lang: str = "id") -> Iterator[PageClient]:
    """A client of ``app``'s pages, signed in as ``username`` (None: a visitor), not following redirects."""
    with TestClient(app, follow_redirects=False, headers={"Accept-Language": lang}) as client:
        made = PageClient(client)
        if username is not None:
            answer = made.sign_in(username)
            assert answer.status_code == 303, answer.text[-500:]
        yield made
