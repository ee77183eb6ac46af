"""Alembic migrations, shipped inside the package so an installed Lindung can migrate itself.

Run them with ``lindung db upgrade`` (or ``lindung.kit.db.upgrade()``). New revision files are
date-prefixed (``YYYY_MM_DD_<slug>.py``) and the revision id is the same date plus a slug, e.g.::

    .venv/bin/python -c "from alembic import command; from lindung.kit.db import alembic_config; \
        command.revision(alembic_config(), 'billing ledger', rev_id='2026_11_26_billing')"

A migration that needs reference data loads it itself, set-based (see the registry migration's
regions and occupations). ``tests/db/test_migrations.py`` checks that the migrated schema equals the
models (``lindung.models`` imports every domain's models) on SQLite and PostgreSQL.
"""
