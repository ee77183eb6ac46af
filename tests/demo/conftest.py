"""Databases where the demo has already run, on both engines, cheap to get.

Running the demo takes one to three seconds; most demo tests only look at its result. So, once per
test process, engine and day, the demo runs into a template (a copy of the migrated template), and
each test gets a clone of it: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable, Iterator

import pytest

from lindung import demo, demo_billing
from lindung.kit import clock
from lindung.kit import db as kitdb
from tests.conftest import ENGINES, PG_SKIP_REASON, TestDatabase, _PostgresServer, _unique

Key = tuple[str, dt.date]


def run_demo(database: TestDatabase, day: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """What ``lindung demo`` does on ``day``: load, then bring billing up to date (one unit of work each)."""
    with database.session() as s:
        added = demo.load(s, day)
    with database.session() as s:
        billed = demo_billing.bring_up_to_date(s, day, by=demo.OFFICER)
    return added, billed


@pytest.fixture(scope="session")
def _demo_templates(tmp_path_factory: pytest.TempPathFactory, _postgres_server: _PostgresServer | None
                    ) -> Iterator[Callable[[str, dt.date, str], str]]:
    """``template(engine, day, migrated)``: the name (PostgreSQL) or file (SQLite) of a copy of the
    ``migrated`` template where the demo ran on ``day``."""
    made: dict[Key, str] = {}

    def template(engine: str, day: dt.date, migrated: str) -> str:
        if (engine, day) in made:
            return made[(engine, day)]
        if engine == "sqlite":
            path = tmp_path_factory.mktemp("demo_template") / "demo.sqlite"
            shutil.copyfile(migrated, path)
            url = f"sqlite:///{path}"
            made[(engine, day)] = str(path)
        else:
            assert _postgres_server is not None
            name = _unique("lindung_demo_tmpl")
            _postgres_server.create(name, template=migrated)
            url = _postgres_server.url_for(name)
            made[(engine, day)] = name
        engine_ = kitdb.make_engine(url)
        try:
            run_demo(TestDatabase(engine, url, engine_), day)
        finally:
            engine_.dispose()
        if engine == "sqlite":
            raw = sqlite3.connect(made[(engine, day)], isolation_level=None)
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.close()
        return made[(engine, day)]

    yield template
    for (engine, _day), name in made.items():
        if engine == "postgresql" and _postgres_server is not None:
            _postgres_server.drop(name)


def _clone(engine: str, day: dt.date, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[TestDatabase]:
    template = request.getfixturevalue("_demo_templates")
    if engine == "sqlite":
        source = template(engine, day, str(request.getfixturevalue("_sqlite_template")))
        path = request.getfixturevalue("tmp_path") / f"{_unique('lindung_demo')}.sqlite"
        shutil.copyfile(source, path)
        url = f"sqlite:///{path}"
        server = None
    else:
        server = request.getfixturevalue("_postgres_server")
        if server is None:
            pytest.skip(PG_SKIP_REASON)
        source = template(engine, day, request.getfixturevalue("_postgres_template"))
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


STORY_DAY = dt.date(2026, 11, 25)


@pytest.fixture(params=ENGINES)
def story_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    """A database where the demo ran on 25 November 2026 (both engines)."""
    yield from _clone(request.param, STORY_DAY, request, monkeypatch)


@pytest.fixture(params=ENGINES)
def demo_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    """A database where the demo ran today, as ``lindung demo`` would have (both engines)."""
    yield from _clone(request.param, clock.today(), request, monkeypatch)
