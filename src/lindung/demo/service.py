"""``lindung demo`` as use cases: load what is missing, bring billing and the claims up to today, read
the tour; and the regency's follow-up file. Each step is its own unit of work, done by the demo's own
users."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from lindung.demo import billing, build, sample_file, tour
from lindung.demo.schemas import DemoRun, SampleFile
from lindung.kit.db import database_label, ensure_database, get_engine, session_scope


def run(today: dt.date, engine: Engine | None = None) -> DemoRun:
    """Load the demo into the configured database or ``engine``, migrated first (refused on a database
    with users of its own, before anything is written), bring its billing and claims up to ``today``,
    and read the tour."""
    engine = ensure_database(engine or get_engine())
    with session_scope(engine) as s:
        added = build.load(s, today)
    with session_scope(engine) as s:
        who = build.actors(s)
        billed, filed = billing.bring_up_to_date(s, today, officer=who.officer, supervisor=who.supervisor)
    refresh_statistics(engine)
    with session_scope(engine, readonly=True) as s:
        shown = tour.tour(s, today, build.actors(s))
    return DemoRun(database=database_label(engine), added=added, billing_added=billed, claims_added=filed,
                   **dict(shown))


def refresh_statistics(engine: Engine) -> None:
    """On PostgreSQL, ``ANALYZE`` after the demo's bulk load: the planner otherwise plans the lists over
    tables it believes empty until autovacuum comes by (the lapsing list took 40 s instead of 1 s on a
    fresh demo database). SQLite plans without statistics of this kind."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def sample(today: dt.date, engine: Engine | None = None) -> SampleFile:
    """The regency's follow-up list of farmers, for the demo data as it is now."""
    with session_scope(ensure_database(engine or get_engine()), readonly=True) as s:
        return sample_file.sponsor_file(s, today, by=build.actors(s).officer)
