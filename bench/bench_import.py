"""Benchmark: bulk import of a sponsor file vs a raw load of the same rows, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_import.py                 # 1.000.000 rows (1% bad), 3 runs each
    .venv/bin/python bench/bench_import.py --rows 200000 --repeat 5
    .venv/bin/python bench/bench_import.py --engines sqlite

For each engine, in the same run and on the same generated CSV:

- raw load: the CSV read with ``csv.reader`` and every row loaded as text into a bare table of the
  same engine (``executemany`` on SQLite, ``COPY`` on PostgreSQL), committed;
- import: the full ``lindung import workers`` path (header matching, validation, staging, the
  set-based merge, new workers and enrolments, counters, the error file), committed;
- floor: what the import cannot avoid writing. The rows an import left in ``workers`` and
  ``enrolments`` are exported once to CSV files, and each run reads them with ``csv.reader`` and
  writes them straight into those tables of a fresh database with the same fastest path as the raw
  load (``executemany``; on PostgreSQL ``COPY`` of the file's bytes, no Python per row), under the
  import's locks and, on SQLite, with the import's page cache, committed: no reading of the sponsor
  file, no validation, no staging, no merge.
  ``floor / raw`` is the least ratio any import that keeps a worker and an enrolment row per
  person, with their indexes, could reach here; ``import / floor`` is what the import adds.

The bar (issue 18): the import takes at most 2,5 × its floor, on both engines; each engine's line
says whether it holds (``import/floor 2.12x (bar <= 2.5x): ok`` or ``NOT MET``), at each file size, and the
results end with it per engine at the largest size. The ratio to the raw load (a bare table, less
than what the product must write) stays printed for context only.

Each measurement runs in its own child process on a fresh database, so that its peak memory
(``ru_maxrss``) is its own; times exclude interpreter start-up and database creation. Each also
reports the CPU seconds it used: its process's (every thread) and, on PostgreSQL, those of the server
process of its connection (from ``/proc``; the server runs on this machine). One transaction is one
server process, so the server's CPU seconds are time no schedule of the import can hide. The medians
of ``--repeat`` runs are printed with the ratio (target ≤ 2,5×) and the peak memory of the import at
two file sizes (target < 1 GiB and flat as the file grows). Last, a 26.000-row file on SQLite, as CSV
and as XLSX (target < 5 s). PostgreSQL is used when reachable at ``--pg-url``
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres); otherwise it is reported skipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
AGREEMENT = "BENCH-2026"
RAW_COLUMNS = 9
FLOOR_BAR = 2.5
"""The import takes at most this many times its floor (issue 18), on both engines."""


def verdict(import_seconds: float, floor_seconds: float) -> str:
    """'import/floor 2.12x (bar <= 2.5x): ok' (or 'NOT MET')."""
    ratio = import_seconds / floor_seconds
    return f"import/floor {ratio:4.2f}x (bar <= {FLOOR_BAR}x): {'ok' if ratio <= FLOOR_BAR else 'NOT MET'}"


# --------------------------------------------------------------------------------- child processes

def _setup_agreement(url: str, quota: int) -> None:
    from lindung.kit.db import make_engine, session_scope
    from lindung.rules.period import Month
    from lindung.sponsors import service as sponsors
    from lindung.sponsors.schemas import AgreementCreate, SponsorCreate
    from lindung.users import service as users

    engine = make_engine(url)
    with session_scope(engine) as s:
        sponsors.add_sponsor(s, SponsorCreate(code="BENCH", name="Benchmark sponsor", funding="csr"),
                             by=users.acting(s, "bench"))
        sponsors.draft_agreement(s, AgreementCreate(
            code=AGREEMENT, sponsor="BENCH", quota=quota, budget=quota * 16_800 * 12 * 3,
            start=Month(2026, 1), months=12), by=users.acting(s, "drafter"))
        sponsors.approve(s, AGREEMENT, by=users.acting(s, "approver"))
    engine.dispose()


def add_users(engine: Any) -> None:
    """The users the benchmark acts as: an administrator, the officer who imports (and drafts), the
    supervisor who approves."""
    from lindung.kit.db import session_scope
    from lindung.users import service as users
    from lindung.users.schemas import UserCreate

    with session_scope(engine) as s:
        if not users.no_users_yet(s):  # a template kept in --work from an earlier run has them
            return
        users.add_user(s, UserCreate(username="admin", role="administrator"), by=None)
        admin = users.acting(s, "admin")
        for name, role in (("bench", "officer"), ("drafter", "officer"), ("approver", "supervisor")):
            users.add_user(s, UserCreate(username=name, role=role), by=admin)


def child_import(url: str, file: str, errors: str) -> dict[str, object]:
    """What ``lindung import workers FILE --errors OUT`` does: the import as a job (started, then run
    in the foreground), the error report published once it committed."""
    import datetime as dt

    from lindung.enrolment import jobs as import_jobs
    from lindung.enrolment.files import ErrorFile, opened
    from lindung.enrolment.schemas import ImportJob
    from lindung.kit.db import make_engine, session_scope
    from lindung.users import service as users

    engine = make_engine(url)
    with engine.connect():
        pass  # open the pool's connection before timing
    report = ErrorFile(Path(errors), "id")
    phases: dict[str, float] = {}
    with engine.connect() as conn:
        pid = backend_pid(conn)  # the pool's first connection: the import's
    with session_scope(engine, readonly=True) as s:
        who = users.acting(s, "bench")
    cpu = (client_cpu(), server_cpu(pid))
    started = time.perf_counter()
    with opened(Path(file)) as upload:
        with session_scope(engine) as s:
            job = import_jobs.start(s, ImportJob(mode="import", agreement=AGREEMENT, file=upload.file_name), by=who)
        summary = import_jobs.run(job.id, upload, by=who, today=dt.date(2026, 1, 10), on_errors=report,
                                  engine=engine, phases=phases)
    report.publish()
    seconds = time.perf_counter() - started
    used = cpu_used(cpu, pid)
    engine.dispose()
    return {"seconds": seconds, "summary": summary.model_dump(mode="json"), "phases": phases, **used}


def child_raw(url: str, file: str) -> dict[str, object]:
    from lindung.kit.db import make_engine

    engine = make_engine(url)
    columns = ", ".join(f"c{i} TEXT" for i in range(RAW_COLUMNS))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE bench_raw ({columns})")
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        pid = backend_pid(conn)
        conn.rollback()
        cpu = (client_cpu(), server_cpu(pid))
        started = time.perf_counter()
        trans = conn.begin()
        with open(file, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            if engine.dialect.name == "sqlite":
                marks = ", ".join("?" * RAW_COLUMNS)
                raw.executemany(f"INSERT INTO bench_raw VALUES ({marks})", reader)
            else:
                with raw.cursor() as cur, cur.copy("COPY bench_raw FROM STDIN") as copy:
                    for row in reader:
                        copy.write_row(row)
        trans.commit()
        seconds = time.perf_counter() - started
        used = cpu_used(cpu, pid)
    engine.dispose()
    return {"seconds": seconds, **used}


FLOOR_TABLES = ("workers", "enrolments")


def client_cpu() -> float:
    """CPU seconds this process has used, every thread (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu(pid: int | None) -> float:
    """CPU seconds a PostgreSQL backend process has used (user + system, from /proc: the server runs
    on this machine); 0 for SQLite, which works inside the client."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pid(conn: Any) -> int | None:
    from sqlalchemy import text

    if conn.engine.dialect.name != "postgresql":
        return None
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def cpu_used(started: tuple[float, float], pid: int | None) -> dict[str, float]:
    return {"cpu_client": client_cpu() - started[0], "cpu_server": server_cpu(pid) - started[1]}


def export_floor(url: str, work: Path) -> None:
    """Write what the import left in ``workers`` and ``enrolments`` (every column, ids included) to
    ``work/floor_TABLE.csv``, with a header naming the columns."""
    from lindung.kit.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        for table in FLOOR_TABLES:
            result = conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")
            with open(work / f"floor_{table}.csv", "w", encoding="utf-8", newline="") as f:
                out = csv.writer(f)
                out.writerow(result.keys())
                out.writerows(result)
    engine.dispose()


def child_floor(url: str, work: str) -> dict[str, object]:
    from lindung.enrolment.importer_repository import SQLITE_IMPORT_CACHE_KIB
    from lindung.kit.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        pg = engine.dialect.name == "postgresql"
        pid = backend_pid(conn)
        conn.rollback()
        if not pg:  # the import's page cache: with SQLite's default 2 MiB the floor took 21 % longer
            raw.execute(f"PRAGMA main.cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        cpu = (client_cpu(), server_cpu(pid))
        started = time.perf_counter()
        trans = conn.begin()
        if pg:  # the import's lock, so that the overlap trigger does not check the rows again
            conn.exec_driver_sql("LOCK TABLE enrolments IN SHARE ROW EXCLUSIVE MODE")

        for table in FLOOR_TABLES:
            with open(Path(work) / f"floor_{table}.csv", encoding="utf-8", newline="") as f:
                reader = csv.reader(f)
                columns = next(reader)
                if pg:
                    f.seek(0)
                    with raw.cursor() as cur, cur.copy(
                            f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv, HEADER true)") as copy:
                        while chunk := f.read(1 << 20):
                            copy.write(chunk)
                else:
                    marks = ", ".join("?" * len(columns))
                    raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", reader)
        trans.commit()
        seconds = time.perf_counter() - started
        used = cpu_used(cpu, pid)
    engine.dispose()
    return {"seconds": seconds, **used}


def peak_rss_kib() -> int:
    """This process's peak resident memory. VmHWM belongs to the address space made at exec, unlike
    ru_maxrss, which Linux carries over from the parent that forked the child."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_child(kind: str, url: str, file: Path, work: Path) -> dict[str, object]:
    """Run one measurement in a fresh interpreter; returns its result and peak RSS in MiB."""
    args = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--url", url, "--file", str(file),
            "--errors", str(work / "errors.csv"), "--work", str(work)]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# ------------------------------------------------------------------------------------ databases

class SqliteEngine:
    name = "sqlite"

    def __init__(self, work: Path) -> None:
        from lindung.kit.db import make_engine, upgrade

        self.work = work
        self.template = work / "template.sqlite"
        engine = make_engine(f"sqlite:///{self.template}")
        upgrade(engine)
        add_users(engine)
        engine.dispose()
        import sqlite3

        raw = sqlite3.connect(self.template, isolation_level=None)
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()

    def fresh(self) -> str:
        path = self.work / f"db_{uuid.uuid4().hex[:8]}.sqlite"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        path = Path(url.removeprefix("sqlite:///"))
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresEngine:
    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        from lindung.kit.db import make_engine, upgrade

        self.text, self.make_url = text, make_url
        self.admin_url = admin_url
        self.admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.template = f"lindung_bench_tmpl_{os.getpid()}"
        self._sql(f'CREATE DATABASE "{self.template}"')
        engine = make_engine(self.url(self.template))
        upgrade(engine)
        add_users(engine)
        engine.dispose()

    def _sql(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(self.text(sql))

    def url(self, name: str) -> str:
        return self.make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def fresh(self) -> str:
        name = f"lindung_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = self.make_url(url).database
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._sql(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def postgres_reachable(url: str) -> bool:
    try:
        from lindung.kit.db import make_engine

        engine = make_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


# ----------------------------------------------------------------------------------------- main

def measure(engine: SqliteEngine | PostgresEngine, kind: str, file: Path, rows: int, work: Path,
            *, export: bool = False) -> dict[str, object]:
    """One measurement on a fresh database; ``export``: afterwards write the import's rows for the
    floor (``export_floor``)."""
    url = engine.fresh()
    try:
        if kind in ("import", "floor"):
            _setup_agreement(url, quota=rows + 10)
        result = run_child(kind, url, file, work)
        if export:
            export_floor(url, work)
        return result
    finally:
        engine.drop(url)


def mib(kib: object) -> float:
    return float(kib) / 1024  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--small", type=int, default=26_000, help="rows of the sponsor-sized file (SQLite)")
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default=os.environ.get("LINDUNG_BENCH_POSTGRES_URL", DEFAULT_PG))
    ap.add_argument("--work", type=Path, default=None, help="directory for files (default: a temp dir)")
    ap.add_argument("--child", choices=("import", "raw", "floor"), help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    ap.add_argument("--errors", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        if args.child == "import":
            result = child_import(args.url, args.file, args.errors)
        elif args.child == "floor":
            result = child_floor(args.url, str(args.work))
        else:
            result = child_raw(args.url, args.file)
        result["peak_kib"] = peak_rss_kib()
        print(json.dumps(result))
        return

    from gen_import import write_csv, write_xlsx

    work = args.work or Path(tempfile.mkdtemp(prefix="lindung_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = sorted({args.rows, max(args.rows // 4, 1000)}, reverse=True)
    files: dict[int, Path] = {}
    for n in [*sizes, args.small]:
        path = work / f"workers_{n}.csv"
        if not path.exists():
            t0 = time.perf_counter()
            write_csv(path, n)
            print(f"generated {path.name} ({n:,} rows, 1% bad) in {time.perf_counter() - t0:.1f} s",
                  flush=True)
        files[n] = path
    small_xlsx = work / f"workers_{args.small}.xlsx"
    if not small_xlsx.exists():
        write_xlsx(files[args.small], small_xlsx)
    small_heirs = work / f"workers_{args.small}_heirs.csv"
    if not small_heirs.exists():
        write_csv(small_heirs, args.small, heirs=True)

    engines: list[SqliteEngine | PostgresEngine] = []
    wanted = [e.strip() for e in args.engines.split(",") if e.strip()]
    if "sqlite" in wanted:
        engines.append(SqliteEngine(work))
    if "postgresql" in wanted:
        if postgres_reachable(args.pg_url):
            engines.append(PostgresEngine(args.pg_url))
        else:
            print(f"postgresql: not reachable at {args.pg_url}: skipped", flush=True)

    lines: list[str] = []
    bars: list[str] = []
    try:
        for engine in engines:
            for n in sizes:
                raw: list[float] = []
                imp: list[float] = []
                floor: list[float] = []
                peaks: list[float] = []
                raw_peaks: list[float] = []
                summary: object = None
                phases: list[dict[str, float]] = []
                cpu: dict[str, list[dict[str, float]]] = {"raw": [], "import": [], "floor": []}
                for i in range(args.repeat):
                    r = measure(engine, "raw", files[n], n, work)
                    m = measure(engine, "import", files[n], n, work, export=i == 0)
                    f = measure(engine, "floor", files[n], n, work)
                    raw.append(float(r["seconds"]))  # type: ignore[arg-type]
                    floor.append(float(f["seconds"]))  # type: ignore[arg-type]
                    raw_peaks.append(mib(r["peak_kib"]))
                    imp.append(float(m["seconds"]))  # type: ignore[arg-type]
                    peaks.append(mib(m["peak_kib"]))
                    summary = m["summary"]
                    phases.append(m["phases"])  # type: ignore[arg-type]
                    for kind, result in (("raw", r), ("import", m), ("floor", f)):
                        cpu[kind].append({k: float(result[k]) for k in ("cpu_client", "cpu_server")})  # type: ignore[arg-type]
                    print(f"  {engine.name} {n:>9,} rows run {i + 1}: raw {raw[-1]:6.2f} s, "
                          f"import {imp[-1]:6.2f} s, floor {floor[-1]:6.2f} s, import peak {peaks[-1]:6.0f} MiB",
                          flush=True)
                mr, mi, mf = statistics.median(raw), statistics.median(imp), statistics.median(floor)
                line = (f"{engine.name:<10} {n:>9,} rows | raw load {mr:6.2f} s | import {mi:6.2f} s | "
                        f"ratio {mi / mr:4.2f}x (context only) | import peak {statistics.median(peaks):5.0f}"
                        f" MiB (raw load {statistics.median(raw_peaks):4.0f} MiB) | medians of {args.repeat}")
                # Each run's raw load, import and floor run back to back: the median of the runs' own
                # ratios is less moved by the machine's speed changing between runs.
                own = statistics.median(i / r for i, r in zip(imp, raw, strict=True))
                own_floor = statistics.median(f / r for f, r in zip(floor, raw, strict=True))
                own_import_floor = statistics.median(i / f for i, f in zip(imp, floor, strict=True))
                floor_line = (f"{'':<10} {'':>9}      | floor {mf:6.2f} s: floor/raw {mf / mr:4.2f}x, "
                              f"{verdict(mi, mf)} | median of the runs' own ratios: "
                              f"import/raw {own:4.2f}x, floor/raw {own_floor:4.2f}x, "
                              f"import/floor {own_import_floor:4.2f}x")
                cpu_line = f"{'':<10} {'':>9}      | CPU seconds (median; client + database server):"
                for kind in ("raw", "floor", "import"):
                    c = statistics.median(x["cpu_client"] for x in cpu[kind])
                    d = statistics.median(x["cpu_server"] for x in cpu[kind])
                    cpu_line += f" {kind} {c:.2f} + {d:.2f} = {c + d:.2f};"
                # On this machine's cores, no schedule of the import's own work ends sooner than its CPU
                # seconds spread evenly over them: the import's ratio with both cores busy throughout.
                cores = os.cpu_count() or 1
                total = statistics.median(x["cpu_client"] + x["cpu_server"] for x in cpu["import"])
                cpu_line += (f" import CPU / {cores} cores = {total / cores:.2f} s = {total / cores / mr:4.2f}x the"
                             " raw load's time")
                print(line, flush=True)
                print(floor_line, flush=True)
                print(cpu_line, flush=True)
                print(f"           summary: {summary}", flush=True)
                print("           import phases (median s): " + ", ".join(
                    f"{k} {statistics.median(p[k] for p in phases):.2f}" for k in phases[0]), flush=True)
                lines += [line, floor_line, cpu_line]
                if n == sizes[0]:
                    bars.append(f"{engine.name:<10} {n:>9,} rows | the bar: {verdict(mi, mf)} "
                                f"(medians of {args.repeat})")
        if "sqlite" in wanted:
            sqlite = next(e for e in engines if e.name == "sqlite")
            for kind, path in (("CSV", files[args.small]), ("XLSX", small_xlsx),
                               ("CSV with heirs", small_heirs)):
                times = []
                for _ in range(args.repeat):
                    m = measure(sqlite, "import", path, args.small, work)
                    times.append(float(m["seconds"]))  # type: ignore[arg-type]
                line = (f"sqlite     {args.small:>9,} rows | {kind} import {statistics.median(times):5.2f} s "
                        f"(target < 5 s) | median of {args.repeat}")
                print(line, flush=True)
                lines.append(line)
    finally:
        for engine in engines:
            engine.close()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(["", "RESULTS", *lines, *bars]))


if __name__ == "__main__":
    main()
