"""Benchmark: what the import's checks against the registry cost (a NIK registered to another name; a
registered worker sent again under a NIK with another serial), on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_registry_checks.py                    # 250.000 registered, 26.000 new, 3 runs
    .venv/bin/python bench/bench_registry_checks.py --registry 100000 --engines sqlite

For each engine and run, on a fresh database: the agreement, then ``bench/gen_import``'s file of
``--registry`` rows imported (the registry), then a file of ``--rows`` new workers imported twice into
copies of that database: once as it is, and once with the two checks switched off. Each new row is born
on the day, in the kecamatan and of the sex of a registered worker, under another serial, so every row
has at least one registered neighbour to compare; one in a hundred has that worker's name (a serial
typed wrong: refused), the others a name of the generator's. The difference is what the checks cost. In
the first copy the registry's own file is also sent again before (every row already enrolled: the path
of a sponsor that re-sends its list), against its first import. Prints the medians and the ratios.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_import  # noqa: E402
from bench_import import (  # noqa: E402
    AGREEMENT,
    DEFAULT_PG,
    PostgresEngine,
    SqliteEngine,
    _setup_agreement,
    postgres_reachable,
)


def later_rows(path: Path, registry: int, rows: int) -> None:
    """``rows`` new workers, each a registered worker's neighbour: the same first 12 NIK digits, another
    serial; every hundredth with the registered worker's name."""
    rng = random.Random(11)
    desa = gen_import.bekasi_desa()
    districts = gen_import._districts(desa)
    step = max(registry // rows, 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(gen_import.HEADER)
        for i in range(rows):
            neighbour = gen_import.worker_row(i * step % registry, rng, desa, districts)
            row = gen_import.worker_row(registry + i, rng, desa, districts)
            row[0] = str(i + 1)
            row[1] = f"{neighbour[1][:12]}{5000 + i % 4999:04d}"
            row[3:5] = neighbour[3:5]
            if i % 100 == 99:
                row[2] = neighbour[2]
            out.writerow(row)


def import_file(url: str, path: Path) -> tuple[float, Any]:
    from lindung.enrolment.importer import import_workers
    from lindung.kit.db import make_engine, session_scope

    engine = make_engine(url)
    with engine.connect():
        pass
    started = time.perf_counter()
    with session_scope(engine) as s:
        summary = import_workers(s, path, AGREEMENT, by="bench", today=dt.date(2026, 1, 10),
                                 on_errors=lambda rows: None)
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--registry", type=int, default=250_000)
    ap.add_argument("--rows", type=int, default=26_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default=DEFAULT_PG)
    ap.add_argument("--work", type=Path, default=Path("/tmp/lindung_bench_registry"))
    args = ap.parse_args()

    from lindung.enrolment import importer

    args.work.mkdir(parents=True, exist_ok=True)
    registry, later = args.work / f"registry_{args.registry}.csv", args.work / f"later_{args.rows}.csv"
    if not registry.exists():
        gen_import.write_csv(registry, args.registry)
    later_rows(later, args.registry, args.rows)
    checking = importer._Merger._refuse_other_people

    def switched_off(self: Any, lo: int, hi: int, *, existing: bool) -> None:
        return None

    engines: list[SqliteEngine | PostgresEngine] = []
    if "sqlite" in args.engines:
        engines.append(SqliteEngine(args.work))
    if "postgresql" in args.engines:
        if postgres_reachable(args.pg_url):
            engines.append(PostgresEngine(args.pg_url))
        else:
            print(f"postgresql: skipped, not reachable at {args.pg_url}")
    lines = []
    for engine in engines:
        times: dict[str, list[float]] = {"checks": [], "no checks": []}
        first: list[float] = []
        again: list[float] = []
        for run in range(args.repeat):
            for label in times:
                url = engine.fresh()
                try:
                    _setup_agreement(url, quota=args.registry + args.rows + 10)
                    importer._Merger._refuse_other_people = checking  # type: ignore[method-assign]
                    seconds, _ = import_file(url, registry)
                    if label == "checks":  # the registry's own file sent again: every row already enrolled
                        first.append(seconds)
                        seconds, summary = import_file(url, registry)
                        again.append(seconds)
                        print(f"  {engine.name} run {run + 1} the registry's file again: {seconds:6.2f} s "
                              f"(first {first[-1]:6.2f} s), already enrolled {summary.already_enrolled:,}",
                              flush=True)
                    if label == "no checks":
                        importer._Merger._refuse_other_people = switched_off  # type: ignore[method-assign]
                    seconds, summary = import_file(url, later)
                    times[label].append(seconds)
                    print(f"  {engine.name} run {run + 1} {label:>9}: {seconds:6.2f} s, enrolled "
                          f"{summary.enrolled:,}, refused {summary.refused:,}", flush=True)
                finally:
                    importer._Merger._refuse_other_people = checking  # type: ignore[method-assign]
                    engine.drop(url)
        on, off = statistics.median(times["checks"]), statistics.median(times["no checks"])
        lines.append(f"{engine.name:<10} {args.rows:>7,} new rows into {args.registry:,} registered | "
                     f"with the checks {on:6.2f} s | without {off:6.2f} s | ratio {on / off:4.2f}x | "
                     f"medians of {args.repeat}")
        sent, once = statistics.median(again), statistics.median(first)
        lines.append(f"{engine.name:<10} {args.registry:>7,} rows sent again (all already enrolled) | "
                     f"{sent:6.2f} s | first import {once:6.2f} s | ratio {sent / once:4.2f}x")
        engine.close()
    print("\nRESULTS")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
