"""Browser tests of the pages: Debian's Chromium driven by Playwright for Python, against ``create_app``
served by uvicorn on a copy of the demo's database (both engines), as the demo's users.

    def test_something(web: Web) -> None:
        officer = web.as_("demo.petugas")            # a browser context, signed in through /masuk
        officer.goto("/pekerja")
        officer.check("workers-search")               # axe-core: no serious or critical violation;
                                                      # screenshots at 1280 and 360 px
        officer.page.get_by_label("NIK atau nama").fill("…")

Chromium is the binary of Debian's ``chromium`` package (``LINDUNG_TEST_CHROMIUM`` points elsewhere);
``python3 dev.py test`` installs the package when it is missing. Where there is none, these tests are
skipped with a notice that says so. Screenshots go to ``tests/web/screenshots/`` (ignored by git).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from lindung.api.app import create_app
from lindung.demo.data import USERS
from tests.conftest import TestDatabase
from tests.demo.conftest import (  # noqa: F401 - fixtures, imported to be found here
    _bare_postgres_template,
    _bare_sqlite_template,
    _demo_templates,
    demo_database,
)
from tests.live import LiveServer

SHOTS = Path(__file__).parent / "screenshots"
PASSWORDS = {u.username: u.password for u in USERS}
WIDE, NARROW = 1280, 360
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    given = os.environ.get("LINDUNG_TEST_CHROMIUM", "").strip()
    if given:
        return given if Path(given).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


_AXE = Axe()
SERIOUS = ("serious", "critical")


class Visit:
    """One person's browser (a context of its own: its own cookies) on the live server."""

    def __init__(self, web: Web, context: BrowserContext, who: str | None) -> None:
        self.web, self.context, self.who = web, context, who
        self.page: Page = context.new_page()
        self.page.set_default_timeout(15_000)

    def url(self, path: str) -> str:
        return self.web.live.url + path

    def goto(self, path: str) -> Any:
        return self.page.goto(self.url(path))

    def sign_in(self, username: str, password: str | None = None) -> None:
        """Fill in the sign-in form (the one shown, keeping where it leads, or ``/masuk``'s)."""
        if "/masuk" not in self.page.url:
            self.goto("/masuk")
        self.page.locator("#f-username").fill(username)
        self.page.locator("#f-password").fill(password if password is not None else PASSWORDS[username])
        with self.page.expect_navigation():
            self.page.locator("form.form button[type=submit]").click()

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now."""
        results = _AXE.run(self.page)
        found: list[dict[str, Any]] = results.response["violations"]
        return [v for v in found if v.get("impact") in SERIOUS]

    def check(self, name: str) -> None:
        """No serious or critical axe-core violation; screenshots at 1280 and 360 px (full page)."""
        violations = self.axe()
        assert not violations, f"{name}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in violations)
        self.shoot(name)

    def shoot(self, name: str) -> None:
        SHOTS.mkdir(exist_ok=True)
        slug = re.sub(r"[^a-z0-9_-]+", "-", f"{self.web.engine}-{name}".lower())
        size = self.page.viewport_size or {"width": WIDE, "height": 900}
        self.page.screenshot(path=str(SHOTS / f"{slug}-{WIDE}.png"), full_page=True)
        self.page.set_viewport_size({"width": NARROW, "height": 780})
        self.page.screenshot(path=str(SHOTS / f"{slug}-{NARROW}.png"), full_page=True)
        self.page.set_viewport_size(size)

    def text(self) -> str:
        return self.page.inner_text("body")

    def close(self) -> None:
        self.context.close()


class Web:
    """The live server, the browser, and a ``Visit`` per person (``as_``) or anonymous (``anonymous``)."""

    def __init__(self, browser: Browser, live: LiveServer, engine: str) -> None:
        self.browser, self.live, self.engine = browser, live, engine
        self.visits: list[Visit] = []

    def anonymous(self, *, lang: str = "id-ID") -> Visit:
        context = self.browser.new_context(viewport={"width": WIDE, "height": 900}, locale=lang,
                                           accept_downloads=True)
        visit = Visit(self, context, None)
        self.visits.append(visit)
        return visit

    def as_(self, username: str) -> Visit:
        visit = self.anonymous()
        visit.sign_in(username)
        assert "/masuk" not in visit.page.url, f"{username} could not sign in: {visit.text()[:300]}"
        visit.who = username
        return visit

    def close(self) -> None:
        for visit in self.visits:
            visit.close()


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright: Playwright) -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        pytest.skip("NOTICE: no Chromium on this machine (Debian's chromium package): browser tests SKIPPED")
    launched = _playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def live(demo_database: TestDatabase) -> Iterator[LiveServer]:  # noqa: F811 - the imported fixture
    with LiveServer(demo_database) as server:
        yield server


@pytest.fixture
def web(browser: Browser, live: LiveServer, demo_database: TestDatabase) -> Iterator[Web]:  # noqa: F811
    made = Web(browser, live, demo_database.dialect)
    yield made
    made.close()


@pytest.fixture
def demo_app(demo_database: TestDatabase) -> Any:  # noqa: F811
    """``create_app`` on a copy of the demo's database, for ``tests.web.support.page_client``."""
    return create_app(demo_database.engine)
