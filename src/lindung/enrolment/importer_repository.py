"""SQL of the bulk import: the staging tables and the set-based merge.

Everything here runs on the caller's connection, inside the caller's one transaction, so an
interrupted import (exception, Ctrl-C, killed process) leaves nothing behind: the staging tables are
TEMP tables created in that transaction, and every write to the real tables is rolled back with it.

Dialect switch (the only place that knows it):

- staging rows go in with the driver's fastest path: ``executemany`` on SQLite, ``COPY`` on
  PostgreSQL;
- new workers get their ids differently: on SQLite the write transaction (``BEGIN IMMEDIATE``)
  excludes every other writer, so ids ``max(id) + row number`` are safe and the enrolments name
  them without a second lookup; on PostgreSQL they come from the sequence and the enrolments find
  them by NIK in one hash join;
- PostgreSQL gets statistics on the staged rows, a bigger ``work_mem`` and no JIT for this
  transaction; SQLite gets a bigger page cache on this connection while it merges.

A staged row's ``state``: 0 a candidate, 1 already enrolled in this agreement, 10+ refused (the
reason is the state, see ``REFUSALS``), and after the merge the remaining 0s are the enrolled rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from lindung.enrolment.importer_rows import STAGED_COLUMNS, RowError, StagedRow
from lindung.kit.db import UtcDateTime

ROWS = "lindung_import_rows"
ERRORS = "lindung_import_errors"
PRICES = "lindung_import_prices"

CANDIDATE, ALREADY = 0, 1
DUPLICATE, MISMATCH, OVERLAP, NOT_OCCUPATION, NOT_REGION, QUOTA, BUDGET = 10, 11, 12, 13, 14, 15, 16
REFUSALS = {DUPLICATE: "import.duplicate_in_file", MISMATCH: "import.worker_mismatch",
            OVERLAP: "import.overlap", NOT_OCCUPATION: "import.not_target_occupation",
            NOT_REGION: "import.not_target_region", QUOTA: "import.quota_exhausted",
            BUDGET: "import.budget_exhausted"}
"""state -> message code of the row error."""


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _raw(session: Session) -> Any:
    """The DBAPI connection under the session's current transaction (sqlite3 or psycopg)."""
    return session.connection().connection.driver_connection


def create_staging(session: Session) -> None:
    pg = _is_pg(session)
    temp = "CREATE TEMP TABLE"
    on_commit = " ON COMMIT DROP" if pg else ""
    drop_staging(session)
    birth = "DATE" if pg else "TEXT"  # SQLite keeps dates as ISO text, as SQLAlchemy's Date does
    session.execute(text(
        f"{temp} {ROWS} (row_no INTEGER PRIMARY KEY, nik VARCHAR(16) NOT NULL, name TEXT NOT NULL, "
        f"birth_date {birth} NOT NULL, sex VARCHAR(1) NOT NULL, occupation_code VARCHAR(32) NOT NULL, "
        "desa_code VARCHAR(13) NOT NULL, phone VARCHAR(20), income BIGINT, district_known BOOLEAN NOT NULL, "
        "worker_id INTEGER, "
        f"state SMALLINT NOT NULL DEFAULT 0, detail TEXT){on_commit}"))
    serial = "BIGSERIAL" if pg else "INTEGER"
    session.execute(text(
        f"{temp} {ERRORS} (seq {serial} PRIMARY KEY, row_no INTEGER NOT NULL, column_name TEXT NOT NULL, "
        f"value TEXT NOT NULL, code TEXT NOT NULL, detail TEXT NOT NULL){on_commit}"))
    session.execute(text(
        f"{temp} {PRICES} (transport BOOLEAN NOT NULL, sector VARCHAR(16) NOT NULL, cost BIGINT NOT NULL)"
        f"{on_commit}"))


def drop_staging(session: Session) -> None:
    for table in (ROWS, ERRORS, PRICES):
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))


def stage_rows(session: Session, rows: Sequence[StagedRow]) -> None:
    if not rows:
        return
    raw = _raw(session)
    columns = ", ".join(STAGED_COLUMNS)
    if _is_pg(session):
        with raw.cursor() as cur, cur.copy(f"COPY {ROWS} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)
        return
    marks = ", ".join("?" for _ in STAGED_COLUMNS)
    raw.executemany(f"INSERT INTO {ROWS} ({columns}) VALUES ({marks})", rows)


def stage_errors(session: Session, errors: Sequence[RowError]) -> None:
    if not errors:
        return
    raw = _raw(session)
    columns = "row_no, column_name, value, code, detail"
    if _is_pg(session):
        with raw.cursor() as cur, cur.copy(f"COPY {ERRORS} ({columns}) FROM STDIN") as copy:
            for error in errors:
                copy.write_row(error)
        return
    raw.executemany(f"INSERT INTO {ERRORS} ({columns}) VALUES (?, ?, ?, ?, ?)", errors)


def set_prices(session: Session, costs: dict[str, int], transport_sector: str, other_sector: str) -> None:
    """The tiny join table: (transport flag, sector, committed cost of the span)."""
    session.execute(text(f"INSERT INTO {PRICES} (transport, sector, cost) VALUES (:t, :s, :c)"),
                    [{"t": True, "s": transport_sector, "c": costs[transport_sector]},
                     {"t": False, "s": other_sector, "c": costs[other_sector]}])


def prepare(session: Session) -> None:
    """Index the staged rows by NIK, built once after loading (cheaper than row by row), and on
    PostgreSQL give the planner statistics (TEMP tables get no autovacuum)."""
    session.execute(text(f"CREATE INDEX {ROWS}_nik ON {ROWS} (nik)"))
    if _is_pg(session):
        session.execute(text(f"ANALYZE {ROWS}"))


def refuse_duplicates(session: Session) -> None:
    """A NIK twice in the file: the first row stays, every later one is refused naming it."""
    session.execute(text(
        f"UPDATE {ROWS} SET state = {DUPLICATE}, detail = CAST(d.first_row AS TEXT) "
        f"FROM (SELECT nik, MIN(row_no) AS first_row FROM {ROWS} GROUP BY nik HAVING COUNT(*) > 1) d "
        f"WHERE {ROWS}.nik = d.nik AND {ROWS}.row_no > d.first_row"))


def match_existing(session: Session) -> int:
    """Rows whose NIK is already registered take that worker; their birth date and sex must agree.

    The registry's occupation and domicile are the worker's at acceptance (as for a one-at-a-time
    enrolment), so targets and the sector are judged on them. Returns how many matched."""
    birth = "w.birth_date"
    result = session.execute(text(
        f"UPDATE {ROWS} SET worker_id = w.id, occupation_code = w.occupation_code, "
        f"desa_code = w.domicile_code, "
        f"state = CASE WHEN {birth} <> {ROWS}.birth_date OR w.sex <> {ROWS}.sex THEN {MISMATCH} "
        f"ELSE {ROWS}.state END, "
        f"detail = CASE WHEN {birth} <> {ROWS}.birth_date OR w.sex <> {ROWS}.sex "
        f"THEN CAST(w.birth_date AS TEXT) || ' ' || w.sex ELSE {ROWS}.detail END "
        f"FROM workers w WHERE w.nik = {ROWS}.nik AND {ROWS}.state = {CANDIDATE}"))
    return int(getattr(result, "rowcount", 0) or 0)


def mark_enrolled_and_overlaps(session: Session, agreement_id: int, first: int, last: int) -> None:
    """Existing workers already covered for a month of the span: by this agreement they count as
    already enrolled (importing a file again adds nothing); by another, the row is refused naming
    the first such agreement."""
    params = {"aid": agreement_id, "first": first, "last": last}
    session.execute(text(
        f"UPDATE {ROWS} SET state = {ALREADY} WHERE state = {CANDIDATE} AND worker_id IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM enrolments e WHERE e.worker_id = " + ROWS + ".worker_id "
        "AND e.agreement_id = :aid AND e.status = 'active' AND e.first_month <= :last "
        "AND e.last_month >= :first)"), params)
    session.execute(text(
        f"UPDATE {ROWS} SET state = {OVERLAP}, detail = ("
        "SELECT a.code FROM enrolments e JOIN agreements a ON a.id = e.agreement_id "
        f"WHERE e.worker_id = {ROWS}.worker_id AND e.status = 'active' AND e.agreement_id <> :aid "
        "AND e.first_month <= :last AND e.last_month >= :first "
        "ORDER BY e.first_month, e.id LIMIT 1) "
        f"WHERE state = {CANDIDATE} AND worker_id IS NOT NULL AND EXISTS ("
        f"SELECT 1 FROM enrolments e WHERE e.worker_id = {ROWS}.worker_id AND e.status = 'active' "
        "AND e.agreement_id <> :aid AND e.first_month <= :last AND e.last_month >= :first)"), params)


def refuse_outside_targets(session: Session, agreement_id: int) -> None:
    """Only when the agreement has a target group (a full pass otherwise not needed)."""
    params = {"aid": agreement_id}
    has_occupations = session.execute(text(
        "SELECT COUNT(*) FROM agreement_occupations WHERE agreement_id = :aid"), params).scalar_one()
    if has_occupations:
        session.execute(text(
            f"UPDATE {ROWS} SET state = {NOT_OCCUPATION} WHERE state = {CANDIDATE} AND occupation_code "
            "NOT IN (SELECT occupation_code FROM agreement_occupations WHERE agreement_id = :aid)"), params)
    has_regions = session.execute(text(
        "SELECT COUNT(*) FROM agreement_regions WHERE agreement_id = :aid"), params).scalar_one()
    if has_regions:
        session.execute(text(
            f"UPDATE {ROWS} SET state = {NOT_REGION} WHERE state = {CANDIDATE} AND NOT EXISTS ("
            f"SELECT 1 FROM agreement_regions t WHERE t.agreement_id = :aid AND ({ROWS}.desa_code = "
            f"t.region_code OR {ROWS}.desa_code LIKE t.region_code || '.%'))"), params)


def candidates(session: Session) -> tuple[int, int]:
    """(rows still to enrol, their committed cost)."""
    row = session.execute(text(
        f"SELECT COUNT(*), COALESCE(SUM(p.cost), 0) FROM {ROWS} r "
        f"JOIN occupations o ON o.code = r.occupation_code JOIN {PRICES} p ON p.transport = o.transport "
        f"WHERE r.state = {CANDIDATE}")).one()
    return int(row[0]), int(row[1])


def count_new(session: Session) -> int:
    """Candidates that are not registered yet (they become new workers)."""
    return int(session.execute(text(
        f"SELECT COUNT(*) FROM {ROWS} WHERE state = {CANDIDATE} AND worker_id IS NULL")).scalar_one())


def refuse_beyond(session: Session, places: int, money: int) -> None:
    """Keep the candidates that fit in ``places`` and ``money`` in file order; refuse the rest with
    the limit each first went past (quota before budget)."""
    session.execute(text(
        f"UPDATE {ROWS} SET state = CASE WHEN x.n > :places THEN {QUOTA} ELSE {BUDGET} END "
        "FROM (SELECT r.row_no, COUNT(*) OVER w AS n, SUM(p.cost) OVER w AS c "
        f"FROM {ROWS} r JOIN occupations o ON o.code = r.occupation_code "
        f"JOIN {PRICES} p ON p.transport = o.transport WHERE r.state = {CANDIDATE} "
        "WINDOW w AS (ORDER BY r.row_no ROWS UNBOUNDED PRECEDING)) x "
        f"WHERE x.row_no = {ROWS}.row_no AND (x.n > :places OR x.c > :money)"),
        {"places": places, "money": money})


_WORKER_COLUMNS = (
    "nik, name, sex, birth_date, nik_province_code, nik_regency_code, nik_district_code, needs_review, "
    "review_reason, domicile_code, occupation_code, declared_income, phone, source, created_by, created_at")


def _worker_values(review_reason: str) -> str:
    district = "substr(r.nik, 1, 2) || '.' || substr(r.nik, 3, 2) || '.' || substr(r.nik, 5, 2)"
    return (
        "r.nik, r.name, r.sex, r.birth_date, substr(r.nik, 1, 2), "
        "substr(r.nik, 1, 2) || '.' || substr(r.nik, 3, 2), " + district + ", "
        f"NOT r.district_known, CASE WHEN r.district_known THEN NULL ELSE '{review_reason}' END, "
        "r.desa_code, r.occupation_code, COALESCE(r.income, :lowest_income), r.phone, :source, :by, :at")


_ENROLMENT_COLUMNS = ("worker_id, agreement_id, first_month, last_month, occupation_code, sector, "
                      "committed_cost, status, enrolled_by, enrolled_at, source")
_ENROLMENT_VALUES = ":aid, :first, :last, r.occupation_code, p.sector, p.cost, 'active', :by, :at, :source"


def insert(session: Session, *, agreement_id: int, first: int, last: int, by: str, at: dt.datetime,
           source: str | None, lowest_income: int, review_reason: str) -> None:
    """Insert the new workers and every enrolment of the remaining candidates, set-based."""
    params: dict[str, Any] = {"aid": agreement_id, "first": first, "last": last, "by": by, "at": at,
                              "source": source, "lowest_income": lowest_income}
    at_type = bindparam("at", type_=UtcDateTime())
    prices = f"JOIN occupations o ON o.code = r.occupation_code JOIN {PRICES} p ON p.transport = o.transport"
    # Existing workers: enrol them by the id already matched.
    session.execute(text(
        f"INSERT INTO enrolments ({_ENROLMENT_COLUMNS}) SELECT r.worker_id, {_ENROLMENT_VALUES} "
        f"FROM {ROWS} r {prices} WHERE r.state = {CANDIDATE} AND r.worker_id IS NOT NULL "
        "ORDER BY r.worker_id").bindparams(at_type), params)
    if _is_pg(session):
        # Ids from the sequence; the enrolments find their new workers by NIK (one hash join).
        session.execute(text(
            f"INSERT INTO workers ({_WORKER_COLUMNS}) SELECT {_worker_values(review_reason)} FROM {ROWS} r "
            f"WHERE r.state = {CANDIDATE} AND r.worker_id IS NULL ORDER BY r.row_no").bindparams(at_type),
            params)
        session.execute(text(
            f"INSERT INTO enrolments ({_ENROLMENT_COLUMNS}) SELECT w.id, {_ENROLMENT_VALUES} "
            f"FROM {ROWS} r JOIN workers w ON w.nik = r.nik {prices} "
            f"WHERE r.state = {CANDIDATE} AND r.worker_id IS NULL ORDER BY r.row_no").bindparams(at_type),
            params)
        return
    # SQLite: the write transaction (BEGIN IMMEDIATE) excludes every other writer, so the ids
    # max(id) + row number are free; workers and enrolments both go in file order, and the
    # enrolments name their workers without looking them up again.
    params["base"] = int(session.execute(text("SELECT COALESCE(MAX(id), 0) FROM workers")).scalar_one())
    session.execute(text(
        f"INSERT INTO workers (id, {_WORKER_COLUMNS}) SELECT :base + r.row_no, "
        f"{_worker_values(review_reason)} FROM {ROWS} r WHERE r.state = {CANDIDATE} "
        "AND r.worker_id IS NULL ORDER BY r.row_no").bindparams(at_type), params)
    session.execute(text(
        f"INSERT INTO enrolments ({_ENROLMENT_COLUMNS}) SELECT :base + r.row_no, {_ENROLMENT_VALUES} "
        f"FROM {ROWS} r {prices} WHERE r.state = {CANDIDATE} AND r.worker_id IS NULL "
        "ORDER BY r.row_no").bindparams(at_type), params)


def outcome(session: Session) -> dict[int, int]:
    """state -> number of staged rows."""
    rows = session.execute(text(f"SELECT state, COUNT(*) FROM {ROWS} GROUP BY state")).all()
    return {int(state): int(n) for state, n in rows}


def collect_refusals(session: Session, nik_column: str) -> None:
    """Turn the rows the merge refused into row errors, beside those validation found."""
    whens = " ".join(f"WHEN {state} THEN '{code}'" for state, code in REFUSALS.items())
    session.execute(text(
        f"INSERT INTO {ERRORS} (row_no, column_name, value, code, detail) "
        f"SELECT row_no, :col, nik, CASE state {whens} END, COALESCE(detail, '') FROM {ROWS} "
        f"WHERE state >= {DUPLICATE}"), {"col": nik_column})


def iter_errors(session: Session, batch: int = 5000) -> Iterator[RowError]:
    """Every row error in file order (row, then the order found)."""
    result = session.execute(
        text(f"SELECT row_no, column_name, value, code, detail FROM {ERRORS} ORDER BY row_no, seq"),
        execution_options={"yield_per": batch})
    for row in result:
        yield int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4])


def region_keys(session: Session) -> tuple[dict[str, str], frozenset[str]]:
    """(undotted desa/kelurahan code -> the code as stored, undotted kecamatan codes)."""
    desa: dict[str, str] = {}
    districts: set[str] = set()
    for code, level in session.execute(text("SELECT code, level FROM regions WHERE level >= 3")):
        if level == 4:
            desa[code.replace(".", "")] = code
        else:
            districts.add(code.replace(".", ""))
    return desa, frozenset(districts)


SQLITE_IMPORT_CACHE_KIB = 64 * 1024
"""Page cache of the importing connection while it merges: the new rows' index entries (NIK,
domicile, occupation) land all over their B-trees, and a cache that holds their hot pages halves the
time. It is a bound, not a size: memory stays flat as files grow."""


def tune_for_bulk(session: Session) -> dict[str, Any]:
    """Settings for this transaction's bulk statements; returns what ``untune`` restores."""
    if _is_pg(session):
        # JIT-compiling a handful of statements costs more than it saves here; sorting and hashing
        # a million staged rows fits in memory instead of spilling to disk.
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '128MB'"))
        return {}
    raw = _raw(session)
    before = {}
    for schema in ("main",):
        before[schema] = raw.execute(f"PRAGMA {schema}.cache_size").fetchone()[0]
        raw.execute(f"PRAGMA {schema}.cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    return before


def untune(session: Session, before: dict[str, Any]) -> None:
    if not before:
        return
    raw = _raw(session)
    for schema, size in before.items():
        raw.execute(f"PRAGMA {schema}.cache_size = {int(size)}")
