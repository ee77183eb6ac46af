"""The database itself: which one Lindung uses and what it holds (``lindung db info``), its schema's
version (``db status``) and its migration (``db upgrade``).

Reading it creates and migrates nothing: a SQLite file that does not exist yet is said to be missing
(and where the first command would create it), not made; a table that is not there yet counts 0.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, func, inspect, select

from lindung.kit import db as kitdb
from lindung.models import metadata
from lindung.system.schemas import DatabaseInfo, DatabaseStatus, DatabaseUpgraded

MAIN_TABLES: dict[str, str] = {
    "sponsors": "sponsors",
    "agreements": "agreements",
    "workers": "workers",
    "enrolments": "enrolments",
    "bills": "bills",
    "payments": "payments",
    "import_proposals": "import_proposals",
    "audit_entries": "audit_log",
    "users": "users",
    "jobs": "jobs",
}
"""What ``db info`` counts: its name in the output -> the table (one of ``lindung.models``)."""


def upgrade_database() -> DatabaseUpgraded:
    """Migrate the configured database to the newest schema (a new one is said to be created)."""
    engine = kitdb.get_engine()
    before = sorted(kitdb.current_revisions(engine))
    kitdb.upgrade(engine)
    after = sorted(kitdb.current_revisions(engine))
    if not before:
        kitdb.notice_created(engine)
    return DatabaseUpgraded(database=kitdb.database_label(engine), before=before, after=after,
                            changed=before != after)


def database_status(engine: Engine | None = None) -> DatabaseStatus:
    """The database's (default: the configured one's) schema version(s) and the newest. The database
    is asked, so one that is down raises (``kit.db.database_error`` says what it is)."""
    engine = engine or kitdb.get_engine()
    current, heads = sorted(kitdb.current_revisions(engine)), sorted(kitdb.head_revisions())
    return DatabaseStatus(database=kitdb.database_label(engine), current=current, head=heads,
                          up_to_date=current == heads)


def database_info(url: str | None = None) -> DatabaseInfo:
    """The database at ``url`` (default: the one configured, and then a ``./data`` database left behind
    is noticed): its URL without password, engine and server version, its file and size on SQLite,
    schema revision(s) against the newest, and the rows of ``MAIN_TABLES``."""
    if url is None:
        kitdb.notice_old_database()
        url = kitdb.database_url()
    engine_name = kitdb.backend(url)
    path = kitdb.sqlite_file(url)
    heads = sorted(kitdb.head_revisions())
    info: dict[str, Any] = {
        "database": kitdb.shown_url(url),
        "engine": engine_name,
        "server_version": sqlite3.sqlite_version if engine_name == "sqlite" else None,
        "exists": True,
        "file": str(path.absolute()) if path is not None else None,
        "size_bytes": None,
        "schema": {"current": [], "head": heads, "migrated": False, "up_to_date": False},
        "counts": dict.fromkeys(MAIN_TABLES, 0),
        "missing_tables": sorted(MAIN_TABLES),
    }
    if path is not None and not path.is_file():
        info["exists"] = False
        return DatabaseInfo.model_validate(info)
    if path is not None:
        info["size_bytes"] = path.stat().st_size
    engine = kitdb.get_engine(url).execution_options(sqlite_begin="DEFERRED")  # no write lock
    with engine.connect() as conn:
        version = conn.dialect.server_version_info
        if version is not None:
            info["server_version"] = ".".join(str(part) for part in version)
        present = set(inspect(conn).get_table_names())
        info["missing_tables"] = sorted(key for key, name in MAIN_TABLES.items() if name not in present)
        for key, name in MAIN_TABLES.items():
            if name in present:
                count = conn.execute(select(func.count()).select_from(metadata.tables[name])).scalar_one()
                info["counts"][key] = int(count)
    current = sorted(kitdb.current_revisions(engine))
    info["schema"].update(current=current, migrated=bool(current), up_to_date=current == heads)
    return DatabaseInfo.model_validate(info)
