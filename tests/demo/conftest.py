"""Databases for the demo, on both engines, cheap to get.

The demo runs only on a database of its own: one without users, whose first user it adds
(``demo.admin``). So the demo tests start from their own *bare* template, migrated without the users
the other tests share (``tests/users.py``); ``bare_database`` is a copy of it.

Running the demo takes one to three seconds; most demo tests only look at its result. So, once per
test process, engine and day, the demo runs into a copy of the bare template, and each test gets a
clone of that: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. In those
databases ``LINDUNG_USER`` is ``demo.petugas``, as the tour tells a person to set it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lindung.demo import billing, build, service
from lindung.demo.data import OFFICER
from lindung.demo.schemas import Added, BillingAdded, ClaimsAdded
from lindung.kit import clock
from lindung.kit import db as kitdb
from lindung.terminal.work import ENV_USER
from tests.conftest import ENGINES, PG_SKIP_REASON, TestDatabase, _PostgresServer, _unique

Key = tuple[str, dt.date]


def run_demo(database: TestDatabase, day: dt.date) -> tuple[Added, BillingAdded, ClaimsAdded]:
    """What ``lindung demo`` does on ``day``: load, then bring billing and the claims up to date (one
    unit of work each)."""
    with database.session() as s:
        added = build.load(s, day)
    with database.session() as s:
        who = build.actors(s)
        billed, filed = billing.bring_up_to_date(s, day, officer=who.officer, supervisor=who.supervisor)
    service.refresh_statistics(database.engine)
    return added, billed, filed


def _checkpoint(path: str | Path) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()


@pytest.fixture(scope="session")
def _bare_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file without users."""
    path = tmp_path_factory.mktemp("bare_template") / "bare.sqlite"
    engine = kitdb.make_engine(f"sqlite:///{path}")
    kitdb.upgrade(engine)
    engine.dispose()
    _checkpoint(path)
    return path


@pytest.fixture(scope="session")
def _bare_postgres_template(_postgres_server: _PostgresServer | None) -> Iterator[str | None]:
    """A migrated PostgreSQL database without users (created on first use in this process)."""
    if _postgres_server is None:
        yield None
        return
    name = _unique("lindung_bare_tmpl")
    _postgres_server.create(name)
    try:
        engine = kitdb.make_engine(_postgres_server.url_for(name))
        kitdb.upgrade(engine)
        engine.dispose()
        yield name
    finally:
        _postgres_server.drop(name)


def _bare_template(engine: str, request: pytest.FixtureRequest) -> str:
    if engine == "sqlite":
        return str(request.getfixturevalue("_bare_sqlite_template"))
    if request.getfixturevalue("_postgres_server") is None:
        pytest.skip(PG_SKIP_REASON)
    return str(request.getfixturevalue("_bare_postgres_template"))


@pytest.fixture(scope="session")
def _demo_templates(tmp_path_factory: pytest.TempPathFactory, _postgres_server: _PostgresServer | None
                    ) -> Iterator[Callable[[str, dt.date, str], str]]:
    """``template(engine, day, bare)``: the name (PostgreSQL) or file (SQLite) of a copy of the
    ``bare`` template where the demo ran on ``day``."""
    made: dict[Key, str] = {}

    def template(engine: str, day: dt.date, bare: str) -> str:
        if (engine, day) in made:
            return made[(engine, day)]
        if engine == "sqlite":
            path = tmp_path_factory.mktemp("demo_template") / "demo.sqlite"
            shutil.copyfile(bare, path)
            url = f"sqlite:///{path}"
            made[(engine, day)] = str(path)
        else:
            assert _postgres_server is not None
            name = _unique("lindung_demo_tmpl")
            _postgres_server.create(name, template=bare)
            url = _postgres_server.url_for(name)
            made[(engine, day)] = name
        engine_ = kitdb.make_engine(url)
        try:
            run_demo(TestDatabase(engine, url, engine_), day)
        finally:
            engine_.dispose()
        if engine == "sqlite":
            _checkpoint(made[(engine, day)])
        return made[(engine, day)]

    yield template
    for (engine, _day), name in made.items():
        if engine == "postgresql" and _postgres_server is not None:
            _postgres_server.drop(name)


def _copy(engine: str, source: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[TestDatabase]:
    """A database copied from ``source`` (a SQLite file or a PostgreSQL template), which
    ``LINDUNG_DATABASE_URL`` points to, dropped afterwards."""
    server = None
    if engine == "sqlite":
        path = request.getfixturevalue("tmp_path") / f"{_unique('lindung_demo')}.sqlite"
        shutil.copyfile(source, path)
        url = f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("_postgres_server")
        name = _unique("lindung_demo")
        server.create(name, template=source)
        url = server.url_for(name)
    monkeypatch.setenv(kitdb.ENV_URL, url)
    tdb = TestDatabase(engine, url, kitdb.make_engine(url))
    try:
        yield tdb
    finally:
        tdb.engine.dispose()
        kitdb.dispose_engines()
        if server is not None:
            server.drop(name)


def _clone(engine: str, day: dt.date, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[TestDatabase]:
    bare = _bare_template(engine, request)
    source = request.getfixturevalue("_demo_templates")(engine, day, bare)
    monkeypatch.setenv(ENV_USER, OFFICER)
    yield from _copy(engine, source, request, monkeypatch)


@pytest.fixture(params=ENGINES)
def bare_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    """A migrated database without any user, where the demo may run (both engines)."""
    yield from _copy(request.param, _bare_template(request.param, request), request, monkeypatch)


@pytest.fixture
def bare_sqlite_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    """A migrated SQLite database without any user."""
    yield from _copy("sqlite", _bare_template("sqlite", request), request, monkeypatch)


STORY_DAY = dt.date(2026, 11, 25)


@pytest.fixture(params=ENGINES)
def story_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    """A database where the demo ran on 25 November 2026 (both engines)."""
    yield from _clone(request.param, STORY_DAY, request, monkeypatch)


@pytest.fixture(params=ENGINES)
def demo_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    """A database where the demo ran today, as ``lindung demo`` would have (both engines)."""
    yield from _clone(request.param, clock.today(), request, monkeypatch)
