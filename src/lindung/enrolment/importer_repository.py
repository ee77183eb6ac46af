"""SQL of the bulk import: the staging tables and the set-based merge, a range of rows at a time.

Everything here runs on the caller's connection, inside the caller's one transaction, so an
interrupted import (exception, Ctrl-C, killed process) leaves nothing behind: the staging tables are
TEMP tables created in that transaction, and every write to the real tables is rolled back with it.

The merge works on a range of file rows (``lo``..``hi``, row numbers) at a time, in file order, so
that the importer can validate the next rows in Python while the database merges these. Every check
depends only on the row itself or on earlier rows (the first occurrence of a NIK, the quota and
budget taken by earlier rows), so merging range after range gives exactly what one merge of the
whole file would.

Dialect switch (the only place that knows it):

- staging rows go in with the driver's fastest path: ``executemany`` on SQLite, ``COPY`` on
  PostgreSQL; the NIK columns are compared byte for byte (``COLLATE "C"`` on PostgreSQL);
- new workers get their ids differently: on SQLite the write transaction (``BEGIN IMMEDIATE``)
  excludes every other writer, so ids ``max(id) + row number`` are safe and the enrolments name
  them without a second lookup; on PostgreSQL they come from the sequence, in NIK order (the unique
  NIK index then takes them in order), and the enrolments take them from ``RETURNING`` in the same
  statement;
- existing workers are found by NIK with one index probe per row (PostgreSQL: a ``LATERAL … LIMIT
  1`` the planner cannot turn into a scan of the growing workers table);
- PostgreSQL gets a bigger ``work_mem`` and no JIT for this transaction; SQLite a bigger page cache
  on this connection while it imports.

A staged row's ``state``: 0 a candidate, 1 already enrolled in this agreement, 10+ refused (the
reason is the state, see ``REFUSALS``), and after the merge the remaining 0s are the enrolled rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from lindung.enrolment.importer_rows import HEIR_COLUMNS, STAGED_COLUMNS, HeirRow, RowError, StagedRow
from lindung.regions import repository as regions_repo
from lindung.regions.names import DesaNames

ROWS = "lindung_import_rows"
ERRORS = "lindung_import_errors"
PRICES = "lindung_import_prices"
SEEN = "lindung_import_seen"
SUSPECTS = "lindung_import_suspects"
HEIRS = "lindung_import_heirs"
TWINS = "lindung_import_twins"
NAMED = "lindung_import_named"

CANDIDATE, ALREADY = 0, 1
DUPLICATE, MISMATCH, OVERLAP, NOT_OCCUPATION, NOT_REGION, QUOTA, BUDGET = 10, 11, 12, 13, 14, 15, 16
OTHER_NAME, OTHER_SERIAL, TWIN, TWIN_ACROSS = 17, 18, 19, 20
REFUSALS = {DUPLICATE: "import.duplicate_in_file", MISMATCH: "import.worker_mismatch",
            OTHER_NAME: "import.registered_other_name", OTHER_SERIAL: "import.registered_other_serial",
            TWIN: "import.same_person_in_file", TWIN_ACROSS: "import.same_person_in_file",
            OVERLAP: "import.overlap", NOT_OCCUPATION: "import.not_target_occupation",
            NOT_REGION: "import.not_target_region", QUOTA: "import.quota_exhausted",
            BUDGET: "import.budget_exhausted"}
"""state -> message code of the row error."""

_RANGE = f"{ROWS}.row_no BETWEEN :lo AND :hi"


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _rows_at_once(session: Session, sql: str, params: dict[str, Any], columns: int) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (``columns`` wide), sorted. A search the merge thread runs while the
    importing thread validates: on SQLite its rows come back as one JSON array in one row, because
    Python's ``sqlite3`` lets go of the global lock around every step of a result, and each row then
    waits for the importing thread to hand it back (up to the 5 ms switch interval): 1.284 rows of a
    million-row import took 1,6 s that way. PostgreSQL's driver receives the whole result at once."""
    if _is_pg(session):
        return sorted(tuple(row) for row in session.execute(text(sql), params))
    names = ", ".join(f"c{i}" for i in range(columns))
    packed = session.execute(text(
        f"WITH q({names}) AS ({sql}) SELECT json_group_array(json_array({names})) FROM q"), params).scalar_one()
    return sorted(tuple(row) for row in json.loads(packed))


def _raw(session: Session) -> Any:
    """The DBAPI connection under the session's current transaction (sqlite3 or psycopg)."""
    return session.connection().connection.driver_connection


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def create_staging(session: Session) -> None:
    pg = _is_pg(session)
    temp = "CREATE TEMP TABLE"
    on_commit = " ON COMMIT DROP" if pg else ""
    drop_staging(session)
    birth = "DATE" if pg else "TEXT"  # SQLite keeps dates as ISO text, as SQLAlchemy's Date does
    nik = 'VARCHAR(16) COLLATE "C"' if pg else "VARCHAR(16)"
    session.execute(text(
        f"{temp} {ROWS} (row_no INTEGER PRIMARY KEY, nik {nik} NOT NULL, name TEXT NOT NULL, "
        f"birth_date {birth} NOT NULL, sex VARCHAR(1) NOT NULL, occupation_code VARCHAR(32) NOT NULL, "
        "desa_code VARCHAR(13) NOT NULL, phone VARCHAR(20), income BIGINT, district_known BOOLEAN NOT NULL, "
        "worker_id INTEGER, "
        f"state SMALLINT NOT NULL DEFAULT 0, detail TEXT){on_commit}"))
    # The NIKs of staged rows that did not become a new worker (matched a registered worker, or were
    # refused by the merge), as integer keys (a staged NIK is 16 ASCII digits): with the new workers'
    # unique NIK index they are every NIK met in earlier ranges, for the few rows the importer's
    # filter suspects of coming again (``SUSPECTS``). In the usual file nearly every row becomes a
    # new worker, and this stays nearly empty.
    key = "BIGINT" if pg else "INTEGER"  # SQLite: the rowid itself
    # With each its first row and name, for the rows suspected of repeating their person under
    # another serial (``TWINS``).
    session.execute(text(f"{temp} {SEEN} (nik {key} PRIMARY KEY, row_no INTEGER NOT NULL, name TEXT NOT NULL)"
                         f"{on_commit}"))
    session.execute(text(f"{temp} {SUSPECTS} (row_no INTEGER PRIMARY KEY){on_commit}"))
    # Rows that may repeat an earlier row's person under another serial: ``earlier`` the first row of
    # the same range with its key (its group), ``suspect`` whether a row of an earlier range may have it.
    session.execute(text(f"{temp} {TWINS} (row_no INTEGER PRIMARY KEY, earlier INTEGER, suspect BOOLEAN NOT NULL)"
                         f"{on_commit}"))
    # The NIKs whose first row refused rows name (``name_first_rows``).
    session.execute(text(f"{temp} {NAMED} (nik {nik} PRIMARY KEY){on_commit}"))
    serial = "BIGSERIAL" if pg else "INTEGER"
    session.execute(text(
        f"{temp} {ERRORS} (seq {serial} PRIMARY KEY, row_no INTEGER NOT NULL, column_name TEXT NOT NULL, "
        f"value TEXT NOT NULL, code TEXT NOT NULL, detail TEXT NOT NULL){on_commit}"))
    session.execute(text(
        f"{temp} {PRICES} (transport BOOLEAN NOT NULL, sector VARCHAR(16) NOT NULL, cost BIGINT NOT NULL)"
        f"{on_commit}"))
    # The heirs the file names (only a file with heir columns puts anything here).
    session.execute(text(
        f"{temp} {HEIRS} (row_no INTEGER PRIMARY KEY, name TEXT NOT NULL, relationship_code VARCHAR(32) NOT NULL, "
        f"nik VARCHAR(16)){on_commit}"))


def drop_staging(session: Session) -> None:
    for table in (ROWS, ERRORS, PRICES, SEEN, SUSPECTS, HEIRS, TWINS, NAMED):
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))


def _load(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows into a staging table by the driver's fastest path: ``COPY`` on PostgreSQL,
    ``executemany`` on SQLite."""
    if not rows:
        return
    raw = _raw(session)
    names = ", ".join(columns)
    if _is_pg(session):
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)
        return
    marks = ", ".join("?" for _ in columns)
    raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def stage_rows(session: Session, rows: Sequence[StagedRow]) -> None:
    _load(session, ROWS, STAGED_COLUMNS, rows)


def stage_errors(session: Session, errors: Sequence[RowError]) -> None:
    _load(session, ERRORS, ("row_no", "column_name", "value", "code", "detail"), errors)


def stage_heirs(session: Session, heirs: Sequence[HeirRow]) -> None:
    _load(session, HEIRS, HEIR_COLUMNS, heirs)


def set_prices(session: Session, costs: dict[str, int], transport_sector: str, other_sector: str) -> None:
    """The tiny join table: (transport flag, sector, committed cost of the span)."""
    session.execute(text(f"INSERT INTO {PRICES} (transport, sector, cost) VALUES (:t, :s, :c)"),
                    [{"t": True, "s": transport_sector, "c": costs[transport_sector]},
                     {"t": False, "s": other_sector, "c": costs[other_sector]}])


@dataclass(frozen=True, slots=True)
class Before:
    """What the registry held when the import began (the agreement row and the enrolments table
    locked, so nothing else changes it until the import ends)."""

    max_worker_id: int
    """Workers with an id up to this one existed before; 0: the registry had none."""
    target_occupations: bool
    target_regions: bool


def before(session: Session, agreement_id: int) -> Before:
    params = {"aid": agreement_id}
    max_id = session.execute(text("SELECT COALESCE(MAX(id), 0) FROM workers")).scalar_one()
    occupations = session.execute(text(
        "SELECT COUNT(*) FROM agreement_occupations WHERE agreement_id = :aid"), params).scalar_one()
    regions = session.execute(text(
        "SELECT COUNT(*) FROM agreement_regions WHERE agreement_id = :aid"), params).scalar_one()
    return Before(int(max_id), bool(occupations), bool(regions))


def stage_suspects(session: Session, row_nos: Sequence[int]) -> None:
    """The rows whose NIK the importer's filter may have met in an earlier range."""
    _load(session, SUSPECTS, ("row_no",), [(r,) for r in row_nos])


def stage_twins(session: Session, twins: dict[int, tuple[int | None, bool]]) -> None:
    """Row -> (its group: the first row of its range with its key, or ``None``; whether it is
    suspected of repeating a row of an earlier range): see ``importer._FileTwins``."""
    _load(session, TWINS, ("row_no", "earlier", "suspect"),
          [(row, earlier, suspect) for row, (earlier, suspect) in twins.items()])


def refuse_duplicates(session: Session, lo: int, hi: int, provenance_id: int) -> int:
    """A suspect row of the range whose NIK came in an earlier range is refused; its detail (the
    first row) is filled in by ``name_first_rows`` at the end. A NIK met in an earlier range is a
    worker this import created (its provenance: not a worker another transaction registered
    meanwhile) or in ``SEEN`` (``remember``); the importer found the NIKs that came again within the
    range itself. Returns how many were refused."""
    result = session.execute(text(
        f"UPDATE {ROWS} SET state = {DUPLICATE} WHERE row_no IN ("
        f"SELECT row_no FROM {SUSPECTS} WHERE row_no BETWEEN :lo AND :hi) AND ("
        f"EXISTS (SELECT 1 FROM workers w WHERE w.nik = {ROWS}.nik AND w.provenance_id = :provenance) OR "
        f"EXISTS (SELECT 1 FROM {SEEN} s WHERE s.nik = CAST({ROWS}.nik AS BIGINT)))"),
        {"lo": lo, "hi": hi, "provenance": provenance_id})
    return _count(result)


def remember(session: Session, lo: int, hi: int) -> None:
    """After a range is merged: the NIKs of its rows that did not become a new worker (with the row
    and the name, for ``twins_seen``)."""
    session.execute(text(
        f"INSERT INTO {SEEN} (nik, row_no, name) SELECT CAST(nik AS BIGINT), row_no, name FROM {ROWS} WHERE {_RANGE} "
        f"AND state <> {DUPLICATE} AND (state <> {CANDIDATE} OR worker_id IS NOT NULL) "
        "ON CONFLICT (nik) DO NOTHING"), {"lo": lo, "hi": hi})


def name_first_rows(session: Session, twins: Sequence[tuple[int, str]]) -> None:
    """Each row refused for a NIK of an earlier range (``refuse_duplicates``) and each of ``twins`` (row,
    the NIK of the worker this import registered whose person it repeats) names the first staged row
    of that NIK. At the end, for all of them: one pass over the staged rows for the refused ones, one
    for the first rows of their NIKs, then an update by row number."""
    duplicates = session.execute(text(f"SELECT row_no, nik FROM {ROWS} WHERE state = {DUPLICATE}")).all()
    named = [(int(row), DUPLICATE, str(nik)) for row, nik in duplicates]
    named += [(row, TWIN_ACROSS, nik) for row, nik in twins]
    if not named:
        return
    _load(session, NAMED, ("nik",), [(nik,) for nik in {nik for _row, _state, nik in named}])
    first = {str(nik): int(row) for nik, row in session.execute(text(
        f"SELECT r.nik, MIN(r.row_no) FROM {ROWS} r CROSS JOIN {NAMED} n WHERE n.nik = r.nik GROUP BY r.nik"))}
    _refuse(session, [(row, state, str(first[nik])) for row, state, nik in named])


def analyze(session: Session) -> None:
    """Give the planner statistics on the staged rows (PostgreSQL: TEMP tables get no autovacuum),
    so that it joins a range of them by hashing instead of row by row."""
    if _is_pg(session):
        session.execute(text(f"ANALYZE {ROWS}"))


def match_existing(session: Session, lo: int, hi: int, max_worker_id: int) -> int:
    """Rows whose NIK was registered before the import take that worker; their birth date and sex
    must agree.

    The registry's occupation and domicile are the worker's at acceptance (as for a one-at-a-time
    enrolment), so targets and the sector are judged on them. A NIK of a worker this import created
    belongs to an earlier row of the file: that row is a duplicate already. Returns how many
    matched."""
    params = {"lo": lo, "hi": hi, "max_id": max_worker_id}
    mismatch = f"w.birth_date <> {ROWS}.birth_date OR w.sex <> {ROWS}.sex"
    if _is_pg(session):
        found = (f"(SELECT r.row_no, x.* FROM {ROWS} r CROSS JOIN LATERAL ("
                 "SELECT id, birth_date, sex, occupation_code, domicile_code FROM workers "
                 "WHERE nik = r.nik AND id <= :max_id LIMIT 1) x "
                 f"WHERE r.row_no BETWEEN :lo AND :hi AND r.state = {CANDIDATE}) w "
                 f"WHERE w.row_no = {ROWS}.row_no")
    else:
        found = f"workers w WHERE w.nik = {ROWS}.nik AND w.id <= :max_id AND {_RANGE} AND {ROWS}.state = {CANDIDATE}"
    result = session.execute(text(
        f"UPDATE {ROWS} SET worker_id = w.id, occupation_code = w.occupation_code, "
        f"desa_code = w.domicile_code, "
        f"state = CASE WHEN {mismatch} THEN {MISMATCH} ELSE {ROWS}.state END, "
        f"detail = CASE WHEN {mismatch} THEN CAST(w.birth_date AS TEXT) || ' ' || w.sex ELSE {ROWS}.detail END "
        f"FROM {found}"), params)
    return _count(result)


def names_differing(session: Session, lo: int, hi: int) -> list[tuple[int, str, str]]:
    """(row, the file's name, the registry's name) of the range's rows matched to a registered worker
    (``match_existing``) whose two names differ in more than case; in a file sent again, none."""
    rows = _rows_at_once(session,
        f"SELECT r.row_no, r.name, w.name FROM {ROWS} r JOIN workers w ON w.id = r.worker_id "
        f"WHERE r.row_no BETWEEN :lo AND :hi AND r.state = {CANDIDATE} AND r.worker_id IS NOT NULL "
        "AND lower(r.name) <> lower(w.name)", {"lo": lo, "hi": hi}, 3)
    return [(int(row_no), str(file_name), str(registry_name)) for row_no, file_name, registry_name in rows]


def _refuse(session: Session, refusals: Sequence[tuple[int, int, str | None]], chunk: int = 1000) -> None:
    """(row, state, detail): a statement per ``chunk`` rows, joined to a ``VALUES`` list. Not one
    statement per row (``executemany``): the merge thread would take Python's global lock back from
    the importing thread after every row (250.000 rows: 0,3 s for 114 rows)."""
    for start in range(0, len(refusals), chunk):
        part = refusals[start:start + chunk]
        values = ", ".join(f"(:r{i}, :s{i}, :d{i})" for i in range(len(part)))
        params: dict[str, Any] = {}
        for i, (row, state, detail) in enumerate(part):
            params |= {f"r{i}": row, f"s{i}": state, f"d{i}": detail}
        session.execute(text(
            f"UPDATE {ROWS} SET state = v.column2, detail = v.column3 FROM (VALUES {values}) AS v "
            f"WHERE {ROWS}.row_no = v.column1"), params)


def refuse_other_names(session: Session, row_nos: Sequence[int]) -> None:
    """These rows name another person than the worker registered with their NIK."""
    _refuse(session, [(r, OTHER_NAME, None) for r in row_nos])


_NEAR = "{w}nik BETWEEN substr(r.nik, 1, 12) || '0000' AND substr(r.nik, 1, 12) || '9999' AND {w}nik <> r.nik"


def _one_serial_away(session: Session, which: str, sqlite_which: str | None = None) -> tuple[str, str]:
    """(join, condition): beside each staged row ``r``, the workers ``w`` (``name``, ``nik``) whose NIK
    differs from r's only in the serial and that meet ``which`` (``{w}`` stands for the table's
    prefix; ``sqlite_which``, if given, is SQLite's form). One range of the NIK index per row: on
    PostgreSQL a ``LATERAL`` subquery that ``OFFSET 0`` keeps from being flattened into a join, since
    a range whose bounds come from the staged row has no estimate, and the planner otherwise reads the
    workers once, by a scan or by another index, and joins every row against all of them (the import's
    own workers, 1.000.000 rows: from the 700.000th on, minutes per range; the registry's, a
    250.000-row list sent again: 13 s instead of 0,08); on SQLite ``CROSS JOIN`` keeps the order."""
    if _is_pg(session):
        inner = f"{_NEAR.format(w='')} AND {which.format(w='')}"
        return f"CROSS JOIN LATERAL (SELECT name, nik FROM workers WHERE {inner} OFFSET 0) w", "TRUE"
    return "CROSS JOIN workers w", f"{_NEAR.format(w='w.')} AND {(sqlite_which or which).format(w='w.')}"


def serial_neighbours(session: Session, lo: int, hi: int, max_worker_id: int) -> list[tuple[int, str, str, str]]:
    """(row, the file's name, a registered worker's name, that worker's NIK) for each row of the range
    that would be a new worker and each worker registered before the import whose NIK differs from
    the row's only in the serial, the last four digits: the same kecamatan, birth date and sex. One
    index range per row on the NIK (byte-ordered on both engines; ``_one_serial_away``)."""
    join, near = _one_serial_away(session, "{w}id <= :max_id")
    rows = _rows_at_once(session,
        f"SELECT r.row_no, w.nik, r.name, w.name FROM {ROWS} r {join} WHERE {near} "
        f"AND r.row_no BETWEEN :lo AND :hi AND r.state = {CANDIDATE} AND r.worker_id IS NULL",
        {"lo": lo, "hi": hi, "max_id": max_worker_id}, 4)
    return [(int(row_no), str(name), str(registered), str(nik)) for row_no, nik, name, registered in rows]


def refuse_other_serials(session: Session, refused: Sequence[tuple[int, str]]) -> None:
    """(row, the masked NIK of the registered worker it seems to be): rows that seem to be a worker
    already registered, under a NIK with another serial."""
    _refuse(session, [(r, OTHER_SERIAL, nik) for r, nik in refused])


def _suspects_and(join: str) -> str:
    """FROM … WHERE of the range's suspects (``TWINS``) that would be new workers, as ``r``, each joined
    by ``join`` (in this order: one index range of the other table per suspect)."""
    return (f"FROM {TWINS} t CROSS JOIN {ROWS} r {join} WHERE t.row_no BETWEEN :lo AND :hi "
            f"AND t.suspect AND r.row_no = t.row_no AND r.state = {CANDIDATE} AND r.worker_id IS NULL")


def twins_registered(session: Session, lo: int, hi: int, provenance_id: int) -> list[tuple[int, str, str, str]]:
    """(row, its name, a worker's name, that worker's NIK) for each suspect row of the range that would
    be a new worker (``TWINS``), and each worker this import registered (its provenance) whose NIK
    differs from the row's only in the serial: a row of an earlier range (``_one_serial_away``; on
    SQLite the unary ``+`` keeps it from building an index on the provenance instead and scanning
    this import's every worker for each suspect: 68 s at 250.000 rows)."""
    join, near = _one_serial_away(session, "{w}provenance_id = :provenance", "+{w}provenance_id = :provenance")
    rows = _rows_at_once(session, f"SELECT r.row_no, w.nik, r.name, w.name {_suspects_and(join)} AND {near}",
                         {"lo": lo, "hi": hi, "provenance": provenance_id}, 4)
    return [(int(row), str(name), str(other), str(nik)) for row, nik, name, other in rows]


def twins_seen(session: Session, lo: int, hi: int) -> list[tuple[int, str, str, int]]:
    """(row, its name, an earlier row's name, that row) for each suspect row of the range that would be
    a new worker, and each row of an earlier range that did not become a new worker (``SEEN``) whose
    NIK differs from the row's only in the serial."""
    prefix = "CAST(substr(r.nik, 1, 12) AS BIGINT) * 10000"
    rows = _rows_at_once(session,
        f"SELECT r.row_no, x.row_no, r.name, x.name {_suspects_and(f'CROSS JOIN {SEEN} x')} "
        f"AND x.nik BETWEEN {prefix} AND {prefix} + 9999 AND x.nik <> CAST(r.nik AS BIGINT)",
        {"lo": lo, "hi": hi}, 4)
    return [(int(row), str(name), str(other), int(earlier)) for row, earlier, name, other in rows]


def refuse_twins(session: Session, workers: Iterable[int], seen: Iterable[tuple[int, int]]) -> None:
    """Rows that repeat the person of an earlier range's row: ``workers`` (rows whose person became a
    worker: ``name_first_rows`` names the row at the end), ``seen`` (row, that row)."""
    _refuse(session, [(r, TWIN_ACROSS, None) for r in workers] + [(r, TWIN, str(e)) for r, e in seen])


def refuse_twins_in_range(session: Session, lo: int, hi: int) -> None:
    """The range's rows that would be a new worker and have the key of an earlier row of the range
    (``TWINS.earlier``: the same group) are refused naming the first, whatever became of it, unless
    it was refused for a NIK that came earlier (as ``SEEN`` leaves those out across ranges)."""
    session.execute(text(
        f"UPDATE {ROWS} SET state = {TWIN}, detail = CAST(f.first_row AS TEXT) FROM ("
        f"SELECT t.row_no, MIN(g.row_no) AS first_row FROM {TWINS} t "
        f"JOIN {TWINS} g ON g.earlier = t.earlier AND g.row_no < t.row_no AND g.row_no >= :lo "
        f"JOIN {ROWS} e ON e.row_no = g.row_no "
        f"WHERE t.row_no BETWEEN :lo AND :hi AND t.earlier IS NOT NULL AND e.state <> {DUPLICATE} "
        "GROUP BY t.row_no) f "
        f"WHERE {ROWS}.row_no = f.row_no AND {ROWS}.state = {CANDIDATE} AND {ROWS}.worker_id IS NULL"),
        {"lo": lo, "hi": hi})


def mark_enrolled_and_overlaps(session: Session, lo: int, hi: int, agreement_id: int, first: int,
                               last: int) -> None:
    """Existing workers already covered for a month of the span: by this agreement they count as
    already enrolled (importing a file again adds nothing); by another, the row is refused naming
    the first such agreement."""
    params = {"aid": agreement_id, "first": first, "last": last, "lo": lo, "hi": hi}
    mine = f"{_RANGE} AND state = {CANDIDATE} AND worker_id IS NOT NULL"
    session.execute(text(
        f"UPDATE {ROWS} SET state = {ALREADY} WHERE {mine} "
        f"AND EXISTS (SELECT 1 FROM enrolments e WHERE e.worker_id = {ROWS}.worker_id "
        "AND e.agreement_id = :aid AND e.status = 'active' AND e.first_month <= :last "
        "AND e.last_month >= :first)"), params)
    session.execute(text(
        f"UPDATE {ROWS} SET state = {OVERLAP}, detail = ("
        "SELECT a.code FROM enrolments e JOIN agreements a ON a.id = e.agreement_id "
        f"WHERE e.worker_id = {ROWS}.worker_id AND e.status = 'active' AND e.agreement_id <> :aid "
        "AND e.first_month <= :last AND e.last_month >= :first "
        "ORDER BY e.first_month, e.id LIMIT 1) "
        f"WHERE {mine} AND EXISTS ("
        f"SELECT 1 FROM enrolments e WHERE e.worker_id = {ROWS}.worker_id AND e.status = 'active' "
        "AND e.agreement_id <> :aid AND e.first_month <= :last AND e.last_month >= :first)"), params)


def refuse_outside_targets(session: Session, lo: int, hi: int, agreement_id: int, *, occupations: bool,
                           regions: bool) -> None:
    """Only when the agreement has a target group. The refusal names the occupation or the desa (the
    registry's, for a registered worker: the one judged)."""
    params = {"aid": agreement_id, "lo": lo, "hi": hi}
    if occupations:
        session.execute(text(
            f"UPDATE {ROWS} SET state = {NOT_OCCUPATION}, detail = occupation_code "
            f"WHERE {_RANGE} AND state = {CANDIDATE} "
            "AND occupation_code NOT IN (SELECT occupation_code FROM agreement_occupations "
            "WHERE agreement_id = :aid)"), params)
    if regions:
        session.execute(text(
            f"UPDATE {ROWS} SET state = {NOT_REGION}, detail = desa_code "
            f"WHERE {_RANGE} AND state = {CANDIDATE} AND NOT EXISTS ("
            f"SELECT 1 FROM agreement_regions t WHERE t.agreement_id = :aid AND ({ROWS}.desa_code = "
            f"t.region_code OR {ROWS}.desa_code LIKE t.region_code || '.%'))"), params)


_PRICED = (f"FROM {ROWS} r JOIN occupations o ON o.code = r.occupation_code "
           f"JOIN {PRICES} p ON p.transport = o.transport")
"""Candidate rows with the committed cost of their sector (an occupation missing from the table
would drop the row here, and it would never be enrolled; validation maps labels through the same
catalogue the table is loaded from)."""


def candidates(session: Session, lo: int, hi: int) -> tuple[int, int]:
    """(rows of the range still to enrol, their committed cost)."""
    row = session.execute(text(
        f"SELECT COUNT(*), COALESCE(SUM(p.cost), 0) {_PRICED} "
        f"WHERE r.row_no BETWEEN :lo AND :hi AND r.state = {CANDIDATE}"), {"lo": lo, "hi": hi}).one()
    return int(row[0]), int(row[1])


def refuse_beyond(session: Session, lo: int, hi: int, places: int, money: int) -> None:
    """Keep the candidates of the range that fit in ``places`` and ``money`` in file order; refuse
    the rest with the limit each first went past (quota before budget). ``places`` and ``money``
    are what is left after the candidates of earlier ranges (negative once they went past)."""
    session.execute(text(
        f"UPDATE {ROWS} SET state = CASE WHEN x.n > :places THEN {QUOTA} ELSE {BUDGET} END "
        f"FROM (SELECT r.row_no, COUNT(*) OVER w AS n, SUM(p.cost) OVER w AS c {_PRICED} "
        f"WHERE r.row_no BETWEEN :lo AND :hi AND r.state = {CANDIDATE} "
        "WINDOW w AS (ORDER BY r.row_no ROWS UNBOUNDED PRECEDING)) x "
        f"WHERE x.row_no = {ROWS}.row_no AND (x.n > :places OR x.c > :money)"),
        {"places": places, "money": money, "lo": lo, "hi": hi})


_WORKER_COLUMNS = ("nik, name, sex, birth_date, needs_review, review_reason, domicile_code, occupation_code, "
                   "declared_income, phone, provenance_id")


def _worker_values(review_reason: str) -> str:
    return (
        "r.nik, r.name, r.sex, r.birth_date, "
        f"NOT r.district_known, CASE WHEN r.district_known THEN NULL ELSE '{review_reason}' END, "
        "r.desa_code, r.occupation_code, COALESCE(r.income, :lowest_income), r.phone, :provenance")


_ENROLMENT_COLUMNS = ("worker_id, agreement_id, first_month, last_month, occupation_code, sector, "
                      "committed_cost, status, provenance_id")
_ENROLMENT_VALUES = ":aid, :first, :last, r.occupation_code, p.sector, p.cost, 'active', :provenance"


@dataclass(frozen=True, slots=True)
class Enrolling:
    """What every inserted worker and enrolment of one import shares."""

    agreement_id: int
    first: int
    last: int
    provenance_id: int
    """Who imported, when, from which file (one ``provenances`` row for the whole import)."""
    lowest_income: int
    review_reason: str
    max_worker_id: int

    def params(self, lo: int, hi: int) -> dict[str, Any]:
        return {"aid": self.agreement_id, "first": self.first, "last": self.last,
                "provenance": self.provenance_id, "lowest_income": self.lowest_income,
                "base": self.max_worker_id, "lo": lo, "hi": hi}


def insert(session: Session, lo: int, hi: int, how: Enrolling, *, existing: bool) -> int:
    """Insert the new workers and every enrolment of the range's remaining candidates, set-based;
    ``existing``: some candidates are workers registered before (enrolled by the id matched).
    Returns how many workers were created."""
    params = how.params(lo, hi)
    if existing:
        session.execute(text(
            f"INSERT INTO enrolments ({_ENROLMENT_COLUMNS}) SELECT r.worker_id, {_ENROLMENT_VALUES} "
            f"{_PRICED} WHERE r.row_no BETWEEN :lo AND :hi AND r.state = {CANDIDATE} "
            "AND r.worker_id IS NOT NULL ORDER BY r.worker_id"), params)
    new = f"r.row_no BETWEEN :lo AND :hi AND r.state = {CANDIDATE} AND r.worker_id IS NULL"
    if _is_pg(session):
        # Ids from the sequence, in NIK order; the enrolments take them from RETURNING.
        result = session.execute(text(
            f"WITH created AS (INSERT INTO workers ({_WORKER_COLUMNS}) "
            f"SELECT {_worker_values(how.review_reason)} FROM {ROWS} r WHERE {new} ORDER BY r.nik "
            "RETURNING id, occupation_code) "
            f"INSERT INTO enrolments ({_ENROLMENT_COLUMNS}) SELECT r.id, {_ENROLMENT_VALUES} "
            f"FROM created r JOIN occupations o ON o.code = r.occupation_code "
            f"JOIN {PRICES} p ON p.transport = o.transport ORDER BY r.id"), params)
        return _count(result)
    # SQLite: the write transaction (BEGIN IMMEDIATE) excludes every other writer, so the ids
    # max(id) + row number are free; workers and enrolments both go in file order, and the
    # enrolments name their workers without looking them up again.
    result = session.execute(text(
        f"INSERT INTO workers (id, {_WORKER_COLUMNS}) SELECT :base + r.row_no, "
        f"{_worker_values(how.review_reason)} FROM {ROWS} r WHERE {new} ORDER BY r.row_no"), params)
    session.execute(text(
        f"INSERT INTO enrolments ({_ENROLMENT_COLUMNS}) SELECT :base + r.row_no, {_ENROLMENT_VALUES} "
        f"{_PRICED} WHERE {new} ORDER BY r.row_no"), params)
    return _count(result)


@dataclass(frozen=True, slots=True)
class HeirsRecorded:
    added: int
    """Heirs written: one per worker enrolled or already enrolled whose row names an heir and who
    had none in the registry."""
    kept: int
    """Workers whose heirs in the registry differ from the one the file names: the registry's stay."""
    kept_rows: list[int]
    """The first of their rows in the file (at most the ``keep_rows`` asked), for an officer to look up."""


def record_heirs(session: Session, lo: int, hi: int, how: Enrolling, *, keep_rows: int = 0) -> HeirsRecorded:
    """After a range is merged: the heir each accepted row of it names (enrolled now or already
    enrolled), for a worker who has none yet; a worker's heirs in the registry are never replaced
    by a file (that is ``lindung worker update --heir``, audited with the worker). Set-based, like
    the merge: a worker this import created has no heir yet and gets the file's (on SQLite its id is
    ``max(id) + row number``, on PostgreSQL found by its NIK); only a worker registered before can
    have heirs already."""
    params = how.params(lo, hi)
    columns = "INSERT INTO heirs (worker_id, position, name, relationship_code, nik) "
    staged = (f"FROM {HEIRS} h JOIN {ROWS} r ON r.row_no = h.row_no WHERE h.row_no BETWEEN :lo AND :hi "
              f"AND r.state IN ({CANDIDATE}, {ALREADY})")
    registered = f"{staged} AND r.worker_id IS NOT NULL"
    added = _count(session.execute(text(
        f"{columns} SELECT r.worker_id, 1, h.name, h.relationship_code, h.nik {registered} "
        "AND NOT EXISTS (SELECT 1 FROM heirs x WHERE x.worker_id = r.worker_id) ORDER BY r.worker_id"), params))
    new = f"{staged} AND r.worker_id IS NULL"
    if _is_pg(session):
        found = session.execute(text(
            f"{columns} SELECT w.id, 1, h.name, h.relationship_code, h.nik FROM {HEIRS} h "
            f"JOIN {ROWS} r ON r.row_no = h.row_no JOIN workers w ON w.nik = r.nik AND w.provenance_id = :provenance "
            f"WHERE h.row_no BETWEEN :lo AND :hi AND r.state = {CANDIDATE} AND r.worker_id IS NULL ORDER BY w.id"),
            params)
    else:
        found = session.execute(text(
            f"{columns} SELECT :base + r.row_no, 1, h.name, h.relationship_code, h.nik {new} ORDER BY r.row_no"),
            params)
    added += _count(found)
    other_heirs = (f"{registered} AND NOT EXISTS (SELECT 1 FROM heirs x WHERE x.worker_id = r.worker_id "
                   "AND x.relationship_code = h.relationship_code AND LOWER(x.name) = LOWER(h.name))")
    kept = int(session.execute(text(f"SELECT COUNT(*) {other_heirs}"), params).scalar_one())
    rows = [] if not (kept and keep_rows) else [int(row) for row, in _rows_at_once(
        session, f"SELECT r.row_no {other_heirs} ORDER BY r.row_no LIMIT {int(keep_rows)}", params, 1)]
    return HeirsRecorded(added, kept, rows)


def new_flagged(session: Session, lo: int, hi: int) -> int:
    """How many of the range's new workers were flagged for review (after ``insert``)."""
    return int(session.execute(text(
        f"SELECT COUNT(*) FROM {ROWS} WHERE {_RANGE} AND state = {CANDIDATE} AND worker_id IS NULL "
        "AND NOT district_known"), {"lo": lo, "hi": hi}).scalar_one())


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


def reason_counts(session: Session) -> dict[str, int]:
    """Message code of a refusal -> how many rows it refused (a row refused for several reasons
    counts under each)."""
    rows = session.execute(text(f"SELECT code, COUNT(DISTINCT row_no) FROM {ERRORS} GROUP BY code")).all()
    return {str(code): int(n) for code, n in rows}


def iter_errors(session: Session, batch: int = 5000) -> Iterator[RowError]:
    """Every row error in file order (row, then the order found)."""
    result = session.execute(
        text(f"SELECT row_no, column_name, value, code, detail FROM {ERRORS} ORDER BY row_no, seq"),
        execution_options={"yield_per": batch})
    for row in result:
        yield int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4])


def region_keys(session: Session) -> tuple[dict[str, str], frozenset[str], DesaNames]:
    """(undotted desa/kelurahan code -> the code as stored, undotted kecamatan codes, the desa names
    with their kecamatan and kabupaten/kota for a desa written as a name), in one read of the list."""
    desa: dict[str, str] = {}
    districts: set[str] = set()
    rows = regions_repo.name_rows(session)
    for code, _name, level, _kind in rows:
        if level == 4:
            desa[code.replace(".", "")] = code
        elif level == 3:
            districts.add(code.replace(".", ""))
    return desa, frozenset(districts), DesaNames(rows)


def dbapi_connection(session: Session) -> Any:
    """The session's DBAPI connection (sqlite3 or psycopg), for ``cancel`` from another thread."""
    return _raw(session)


def cancel(raw: Any) -> None:
    """Stop the statement running on ``raw`` (from ``dbapi_connection``) from another thread: the
    importing thread does this to the merge thread's statement when the import is interrupted. The
    statement raises where it runs; the transaction is then only good for the caller's rollback."""
    if hasattr(raw, "interrupt"):
        raw.interrupt()  # sqlite3
    else:
        raw.cancel()  # psycopg


SQLITE_IMPORT_CACHE_KIB = 64 * 1024
"""Page cache of the importing connection while it imports: the new rows' index entries (NIK)
land all over their B-tree, and a cache that holds their hot pages halves the time. It is a bound,
not a size: memory stays flat as files grow."""

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
