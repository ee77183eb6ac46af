"""Alembic environment: the engine comes from ``config.attributes['engine']`` or the Lindung URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import text

from lindung.kit.db import get_engine
from lindung.models import metadata

config = context.config
MIGRATION_LOCK = 0x4C494E44  # "LIND": one migrating process at a time on PostgreSQL


def run_migrations_offline() -> None:
    context.configure(url=get_engine().url.render_as_string(hide_password=False), target_metadata=metadata,
                      literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or get_engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table (copy, DROP, rename). With foreign keys on, that DROP
            # would delete the rows that reference it by cascade (heirs of workers) or fail; SQLite
            # only lets the pragma change outside a transaction, so it is switched off before the
            # migration's transaction begins, every reference is checked before it commits, and the
            # pragma is back on for whoever uses this pooled connection next.
            raw: Any = connection.connection.driver_connection
            raw.execute("PRAGMA foreign_keys = OFF")
            if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 0:  # a no-op inside a transaction
                raise RuntimeError("SQLite foreign keys could not be switched off for the migration")
        else:
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        try:
            context.configure(connection=connection, target_metadata=metadata, render_as_batch=sqlite,
                              transaction_per_migration=False)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"migration left a broken reference in table {broken[0]}")
            connection.commit()
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
