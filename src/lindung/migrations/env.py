"""Alembic environment: the engine comes from ``config.attributes['engine']`` or the Lindung URL."""

from __future__ import annotations

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
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          transaction_per_migration=False)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
