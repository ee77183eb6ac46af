"""The database: engine, declarative base, unit of work and migrations.

Configuration
    ``LINDUNG_DATABASE_URL``  any SQLAlchemy URL, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/lindung``.
    ``LINDUNG_DATA_DIR``      where the default SQLite file lives (default: the user's data directory,
                              ``platformdirs.user_data_dir("lindung")``, e.g. ``~/.local/share/lindung``):
                              ``<data dir>/lindung.sqlite``, created on first use. Not the current
                              folder: run from elsewhere, Lindung would quietly start a new, empty one.

What this layer has to tell the user besides a command's output (a new database was created, an old
``./data/lindung.sqlite`` is left behind) goes to the ``notices`` of the command being run, on stderr.

SQLite is configured for a small multi-user server: WAL journal, foreign keys on, a busy timeout, and
every write transaction opened with ``BEGIN IMMEDIATE`` so that a check-then-write use case (quota,
overlap) holds the write lock from its first read; read-only units of work use a plain ``BEGIN``.
On PostgreSQL the use cases lock the rows they check (``SELECT … FOR UPDATE``) and constraints back
them up.

One transaction per use case: services take a ``Session`` and never commit; ``session_scope()``
commits when the block ends and rolls back when it raises.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import ColumnElement, DateTime, Engine, MetaData, String, create_engine, event, func, inspect
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from lindung.kit.errors import LindungError

ENV_URL = "LINDUNG_DATABASE_URL"
ENV_DATA_DIR = "LINDUNG_DATA_DIR"
SQLITE_FILE = "lindung.sqlite"
APP_NAME = "lindung"
OLD_DATA_DIR = Path("data")
"""Where the default SQLite file was before it moved to the user's data directory: ``./data`` of
whatever folder a command ran in."""
SQLITE_BUSY_TIMEOUT_MS = 30_000

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every Lindung table (constraint names follow ``NAMING``)."""

    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def byte_ordered_string(length: int) -> String:
    """A VARCHAR compared byte for byte: ``COLLATE "C"`` on PostgreSQL (SQLite's BINARY already is).

    For keys of ASCII digits such as the NIK the order is the one every locale gives, and a unique
    index on them costs about half as much to keep up as under a libc locale like ``C.UTF-8``
    (measured on 250.000 workers: 0,45 s against 1,07 s).
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DatabaseOutdated(LindungError):
    """An existing, non-SQLite database is behind the code's migrations."""

    code = "db.outdated"
    exit_code = 6


class DatabaseUnavailable(LindungError):
    """The database cannot be used now or as configured: ``LINDUNG_DATABASE_URL`` is not a URL Lindung
    can use, the server does not answer or refuses the connection, the SQLite file is locked by another
    writer for longer than the busy timeout, or the transaction lost a deadlock. Said to the user
    (exit code 6), never a traceback; the URL is shown without its password."""

    exit_code = 6


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def shown_url(url: str) -> str:
    """The URL as it may be shown or logged: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "…"


def _checked_url(url: str) -> str:
    """``url`` as SQLAlchemy takes it: ``postgresql://`` and ``postgres://`` name the psycopg driver
    Lindung installs (SQLAlchemy's default, psycopg2, is not); another engine, or text that is no URL,
    is refused naming the variable."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable("db.url_invalid", variable=ENV_URL) from None
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS or parsed.get_driver_name() not in (
            "pysqlite", "psycopg"):
        raise DatabaseUnavailable("db.url_unsupported", variable=ENV_URL, url=shown_url(url))
    return url


def database_error(exc: BaseException) -> DatabaseUnavailable | None:
    """What to tell the user of a database error that is not a bug of ours: the server unreachable
    (an error raised while connecting: no statement), the SQLite file locked past the busy timeout, a
    deadlock or serialization failure (PostgreSQL cancelled the transaction; nothing was saved). Any
    other error (of the database or not) is a bug, and stays one (``None``). The doors pass whatever
    escaped a use case: they need not know the database's exception classes."""
    if not isinstance(exc, OperationalError):
        return None
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if "database is locked" in reason:
        return DatabaseUnavailable("db.locked", seconds=SQLITE_BUSY_TIMEOUT_MS // 1000)
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01"):  # serialization failure, deadlock detected
        return DatabaseUnavailable("db.retry")
    if exc.statement is None:
        return DatabaseUnavailable("db.unreachable", url=shown_url(database_url()),
                                   reason=reason.removeprefix("connection failed: "))
    return None


# --- engine -----------------------------------------------------------------------------------


def default_data_dir() -> Path:
    """The user's data directory for Lindung (``~/.local/share/lindung`` on Linux, honouring
    ``XDG_DATA_HOME``; ``~/Library/Application Support/lindung`` on macOS; ``%LOCALAPPDATA%\\lindung``
    on Windows)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """``LINDUNG_DATA_DIR``, else the user's data directory."""
    return Path(os.environ.get(ENV_DATA_DIR) or default_data_dir())


def database_url() -> str:
    """``LINDUNG_DATABASE_URL`` or the SQLite file in the data directory."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    return f"sqlite:///{(data_dir() / SQLITE_FILE).absolute().as_posix()}"


def uses_default_database() -> bool:
    """Whether neither ``LINDUNG_DATABASE_URL`` nor ``LINDUNG_DATA_DIR`` says where the database is."""
    return not os.environ.get(ENV_URL, "").strip() and not os.environ.get(ENV_DATA_DIR)


def backend(url: str) -> str:
    """``sqlite`` or ``postgresql``: the engine a URL Lindung can use names."""
    return make_url(_checked_url(url)).get_backend_name()


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for another engine or an in-memory database)."""
    parsed = make_url(_checked_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def old_database_left_behind() -> Path | None:
    """A ``./data/lindung.sqlite`` in the current folder, where the default database was before it
    moved to the user's data directory, when the default is in use and that file is not it: a user
    who upgrades must not lose sight of their data."""
    if not uses_default_database():
        return None
    old = (OLD_DATA_DIR / SQLITE_FILE).absolute()
    if not old.is_file():
        return None
    new = (data_dir() / SQLITE_FILE).absolute()
    try:
        if new.exists() and old.samefile(new):
            return None
    except OSError:
        pass
    return old


# --- notices ----------------------------------------------------------------------------------

Notify = Callable[[str, dict[str, str]], None]
"""Says a notice: a message code and its fields."""


class _Notices:
    def __init__(self, say: Notify) -> None:
        self.say = say
        self.said: set[tuple[str, tuple[tuple[str, str], ...]]] = set()


_notices: ContextVar[_Notices | None] = ContextVar("lindung_db_notices", default=None)


@contextmanager
def notices(say: Notify) -> Iterator[None]:
    """Within the block (a command being run), what the database layer has to tell the user goes to
    ``say(code, fields)``, each notice once. Outside any such block (the services and tests) nothing is
    said."""
    token = _notices.set(_Notices(say))
    try:
        yield
    finally:
        _notices.reset(token)


def notify(code: str, **fields: str) -> None:
    """Say the notice ``code`` to whoever runs the command, unless it was said already."""
    current = _notices.get()
    if current is None:
        return
    key = (code, tuple(sorted(fields.items())))
    if key in current.said:
        return
    current.said.add(key)
    current.say(code, fields)


def notice_old_database() -> None:
    """Notice a ``./data`` database left behind (``old_database_left_behind``)."""
    old = old_database_left_behind()
    if old is not None:
        notify("db.old_location", old=str(old), new=str((data_dir() / SQLITE_FILE).absolute()),
               variable=ENV_DATA_DIR)


SQLITE_LOWER = "lindung_lower"
"""SQLite's own lower() folds ASCII letters only ('DÉDÉ' stays 'dÉdÉ'); this one folds every letter,
as PostgreSQL's lower() does in a UTF-8 database. For an officer's search (``lower``), not a bulk path:
each call crosses into Python."""


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def lower(bind: Engine | Connection | Session,
          value: ColumnElement[str] | QueryableAttribute[str]) -> ColumnElement[str]:
    """``lower(value)`` that folds every letter on both engines."""
    return getattr(func, SQLITE_LOWER)(value) if is_sqlite(bind) else func.lower(value)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    dbapi_connection.create_function(SQLITE_LOWER, 1, _unicode_lower, deterministic=True)
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql("BEGIN" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """A new engine for ``url`` (default: ``database_url()``), SQLite configured as described above."""
    url = _checked_url(url or database_url())
    parsed = make_url(url)
    # A statement's parameters hold NIKs, names and phone numbers: never in an error's text or a log.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseUnavailable("db.folder", folder=str(folder),
                                          reason=error.strerror or str(error)) from None
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default ``database_url()``, and then a ``./data`` database
    left behind is noticed), made on first use."""
    if url is None:
        notice_old_database()
    url = url or database_url()
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


def dispose_engines() -> None:
    """Close every cached engine (tests call this before dropping a database)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def is_sqlite(bind: Engine | Connection | Session) -> bool:
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return engine.dialect.name == "sqlite"


# --- unit of work -----------------------------------------------------------------------------


@contextmanager
def session_scope(engine: Engine | None = None, *, readonly: bool = False,
                  dry_run: bool = False) -> Iterator[Session]:
    """One use case, one transaction: commit at the end of the block, roll back if it raises.

    ``readonly=True`` opens a deferred transaction on SQLite (no write lock) and never commits.
    ``dry_run=True`` writes as usual, under the same locks, and rolls everything back at the end: the
    use case runs every check against the real data and leaves nothing behind.
    """
    engine = engine or get_engine()
    if readonly:
        engine = engine.execution_options(sqlite_begin="DEFERRED")
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        if readonly or dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(engine or get_engine(), expire_on_commit=False)


# --- migrations -------------------------------------------------------------------------------

MIGRATIONS = "lindung:migrations"


def alembic_config(engine: Engine | None = None) -> Any:
    """An Alembic Config that finds the migrations inside the installed package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def migrations_dir() -> Path:
    return Path(str(resources.files("lindung").joinpath("migrations")))


def head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return set()
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine | None = None, revision: str = "heads") -> None:
    """Migrate to ``revision`` (default: the newest). Idempotent."""
    from alembic import command

    command.upgrade(alembic_config(engine or get_engine()), revision)


def ensure_database(engine: Engine | None = None) -> Engine:
    """Migrate a new database (and, on SQLite, an outdated one); refuse an outdated server database.
    A new one is noticed (``db.created``, where it is), an upgraded one not.

    Every command except ``lindung db upgrade`` calls this before its first query.
    """
    engine = engine or get_engine()
    current = current_revisions(engine)
    heads = head_revisions()
    if current == heads:
        return engine
    if not current:
        upgrade(engine)
        notice_created(engine)
        return engine
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return engine
    raise DatabaseOutdated(current=", ".join(sorted(current)), head=", ".join(sorted(heads)))


def database_label(engine: Engine) -> str:
    """The URL without password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def notice_created(engine: Engine) -> None:
    """Tell the user that the first migration of an empty database just made it (where it is)."""
    notify("db.created", database=database_label(engine))


def unit_of_work(*, readonly: bool = False, dry_run: bool = False) -> AbstractContextManager[Session]:
    """What a command runs its use case in: the configured database, migrated if new, one transaction
    (rolled back at the end for a ``dry_run``)."""
    return session_scope(ensure_database(get_engine()), readonly=readonly, dry_run=dry_run)


def files_dir(env_var: str, folder: str, url: str | None = None) -> Path:
    """Where files kept beside the database live: the folder ``env_var`` names, else ``folder`` beside
    the SQLite file of ``url`` (the database in use by default), else ``<data dir>/folder``."""
    configured = os.environ.get(env_var, "").strip()
    if configured:
        return Path(configured)
    sqlite = sqlite_file(url or database_url())
    if sqlite is not None:
        return sqlite.parent / folder
    return data_dir() / folder
