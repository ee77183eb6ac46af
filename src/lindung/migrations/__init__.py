"""Alembic migrations, shipped inside the package so an installed Lindung can migrate itself.

Run them with ``lindung db upgrade`` (or ``lindung.kit.db.upgrade()``). New revision files are
date-prefixed: ``YYYY_MM_DD_<rev>_<slug>.py``; the revision id is the same date plus a slug.
"""
