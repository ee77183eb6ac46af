"""Shared fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

Use them like this::

    def test_something(database):            # runs twice: [sqlite] and [postgresql]
        with database.session() as s:        # one unit of work, committed at the end
            ...

    def test_racing(postgres_database): ...  # PostgreSQL only (concurrency)
    def test_quick(sqlite_database): ...     # SQLite only

How it stays cheap: once per test session (per xdist worker) a *template* database is migrated,
which loads the 91.599 Kemendagri regions and the occupation catalogue, and given the users the tests
act as (``tests/users.py``: officers, supervisors, an administrator); each test then gets a copy
(a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL, ~0,1 s) and it is dropped
afterwards. Names carry the process id and a random suffix, so concurrent pytest runs and xdist
workers never share a database.

PostgreSQL comes from ``LINDUNG_TEST_POSTGRES_URL`` (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres, which ``python3 dev.py test`` sets); the URL
is only used to create and drop databases. When it is empty or unset, the PostgreSQL cases are
skipped with that reason.

The ``database`` fixture also points ``LINDUNG_DATABASE_URL`` at the test database, so CLI commands
run through ``cli_runner`` (or ``lindung.kit.db.get_engine()``) use it too.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from lindung.kit import db as kitdb
from tests.users import DEFAULT_USER
from tests.users import seed as seed_users

PG_ENV = "LINDUNG_TEST_POSTGRES_URL"
PG_SKIP_REASON = f"PostgreSQL not configured: set {PG_ENV} (python3 dev.py test does)"
ENGINES = ("sqlite", "postgresql")


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    return url or None


def _unique(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


@dataclass
class TestDatabase:
    """A fresh, migrated database for one test."""

    __test__ = False  # not a test class

    dialect: str
    url: str
    engine: Engine = field(repr=False)

    def session(self, *, readonly: bool = False) -> AbstractContextManager[Session]:
        """A unit of work: commits at the end of the ``with`` block, rolls back if it raises."""
        return kitdb.session_scope(self.engine, readonly=readonly)

    def scalar(self, sql: str, **params: object) -> object:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def new_engine(self) -> Engine:
        """A separate engine (own connection pool), e.g. one per racing thread."""
        return kitdb.make_engine(self.url)


class _PostgresServer:
    """Creates, clones and drops databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.admin = kitdb.make_engine(admin_url, isolation_level="AUTOCOMMIT")

    def url_for(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> None:
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def _postgres_server() -> Iterator[_PostgresServer | None]:
    url = _pg_admin_url()
    if url is None:
        yield None
        return
    server = _PostgresServer(url)
    yield server
    server.admin.dispose()


@pytest.fixture(scope="session")
def _postgres_template(_postgres_server: _PostgresServer | None) -> Iterator[str | None]:
    """A migrated PostgreSQL database to clone (created on first use in this process)."""
    if _postgres_server is None:
        yield None
        return
    name = _unique("lindung_tmpl")
    _postgres_server.create(name)
    try:
        engine = kitdb.make_engine(_postgres_server.url_for(name))
        kitdb.upgrade(engine)
        seed_users(engine)
        engine.dispose()
        yield name
    finally:
        _postgres_server.drop(name)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy (WAL checkpointed so the file alone is complete)."""
    path = tmp_path_factory.mktemp("sqlite_template") / "template.sqlite"
    engine = kitdb.make_engine(f"sqlite:///{path}")
    kitdb.upgrade(engine)
    seed_users(engine)
    engine.dispose()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    return path


def _make_database(dialect: str, request: pytest.FixtureRequest) -> Iterator[TestDatabase]:
    if dialect == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        tmp: Path = request.getfixturevalue("tmp_path")
        path = tmp / f"{_unique('lindung')}.sqlite"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        engine = kitdb.make_engine(url)
        try:
            yield TestDatabase("sqlite", url, engine)
        finally:
            engine.dispose()
            kitdb.dispose_engines()
        return
    server: _PostgresServer | None = request.getfixturevalue("_postgres_server")
    if server is None:
        pytest.skip(PG_SKIP_REASON)
    pg_template: str = request.getfixturevalue("_postgres_template")
    name = _unique("lindung_test")
    server.create(name, template=pg_template)
    url = server.url_for(name)
    engine = kitdb.make_engine(url)
    try:
        yield TestDatabase("postgresql", url, engine)
    finally:
        engine.dispose()
        kitdb.dispose_engines()
        server.drop(name)


@pytest.fixture(params=ENGINES)
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    """A fresh migrated database, once on SQLite and once on PostgreSQL; LINDUNG_DATABASE_URL points to it."""
    for tdb in _make_database(request.param, request):
        monkeypatch.setenv(kitdb.ENV_URL, tdb.url)
        yield tdb


@pytest.fixture
def postgres_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                      ) -> Iterator[TestDatabase]:
    """A fresh migrated PostgreSQL database (skipped without a server)."""
    for tdb in _make_database("postgresql", request):
        monkeypatch.setenv(kitdb.ENV_URL, tdb.url)
        yield tdb


@pytest.fixture
def sqlite_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                    ) -> Iterator[TestDatabase]:
    """A fresh migrated SQLite database in a temporary file."""
    for tdb in _make_database("sqlite", request):
        monkeypatch.setenv(kitdb.ENV_URL, tdb.url)
        yield tdb


@pytest.fixture
def empty_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                   tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(dialect, url) of a database with no tables at all, for migration tests. Parametrise it with
    ``@pytest.mark.parametrize("empty_database", ENGINES, indirect=True)``."""
    dialect = getattr(request, "param", "sqlite")
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'new' / 'lindung.sqlite'}"
        monkeypatch.setenv(kitdb.ENV_URL, url)
        yield dialect, url
        kitdb.dispose_engines()
        return
    server: _PostgresServer | None = request.getfixturevalue("_postgres_server")
    if server is None:
        pytest.skip(PG_SKIP_REASON)
    name = _unique("lindung_empty")
    server.create(name)
    url = server.url_for(name)
    monkeypatch.setenv(kitdb.ENV_URL, url)
    try:
        yield dialect, url
    finally:
        kitdb.dispose_engines()
        server.drop(name)


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        import json

        return json.loads(self.stdout)

    @property
    def out(self) -> str:
        """stdout with runs of whitespace collapsed (Rich may wrap lines at the terminal width)."""
        return " ".join(self.stdout.split())

    @property
    def err(self) -> str:
        """stderr with runs of whitespace collapsed."""
        return " ".join(self.stderr.split())


@pytest.fixture(scope="session")
def _data_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The user's data directory of the tests (``XDG_DATA_HOME``): never the real one."""
    return tmp_path_factory.mktemp("xdg_data_home")


@pytest.fixture(autouse=True)
def _default_settings(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _data_home: Path) -> None:
    """Every test starts from the defaults (Indonesian, the branch in WIB, no database configured: the
    default one under a temporary ``XDG_DATA_HOME``, not the user's), whatever the shell sets,
    and on the branch's day the factories assume (``tests.factories.TODAY``, inside their agreements'
    year): a command that takes "today" from the clock gives the same answer on any real date, instead
    of failing once the real year has moved past the test agreements. Tests marked ``real_clock`` (the
    demo, which runs on the real date, and the clock's own tests) keep the real one."""
    monkeypatch.delenv("LINDUNG_LANG", raising=False)
    monkeypatch.delenv("LINDUNG_TIMEZONE", raising=False)
    monkeypatch.delenv("LINDUNG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("LINDUNG_USER", DEFAULT_USER)
    monkeypatch.delenv(kitdb.ENV_URL, raising=False)
    monkeypatch.delenv(kitdb.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(_data_home))
    if request.node.get_closest_marker("real_clock") is None:
        from lindung.kit import clock
        from tests.factories import TODAY

        monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> object:
    """``cli("sponsor", "add", ...)`` runs ``lindung`` in-process (through ``run_app``, so domain
    errors become messages and exit codes) and returns exit code, stdout and stderr. Output is
    200 columns wide so that Rich does not wrap messages mid-sentence."""
    from lindung.cli import app
    from lindung.terminal.app import run_app

    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = run_app(app, [str(a) for a in args])
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
