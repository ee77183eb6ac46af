"""The summary tables stay equal to a count from scratch after every change the services make:
enrolments one by one and by import, bill runs, payments (in full, in part, from credit), a worker's
move, a worker leaving, a death, an agreement ended, an import undone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from lindung.billing import ends
from lindung.enrolment import imports
from lindung.enrolment.importer import import_workers
from lindung.rules.period import Month
from lindung.summary import cells
from lindung.summary.models import InsightFacet
from lindung.workers import service as workers
from lindung.workers.schemas import WorkerUpdate
from tests.billing import factories as f
from tests.enrolment.import_files import person, upload, write_csv
from tests.users import actor


def assert_current(database: Any) -> None:
    with database.session(readonly=True) as s:
        n, found = cells.differences(s)
    assert (n, found) == (0, [])


def stored(database: Any, column: str, month: str) -> int:
    """The month's figure in the summary, over every desa and sponsor; each facet sums to the same."""
    with database.session(readonly=True) as s:
        sums = dict(s.execute(select(InsightFacet.facet, func.sum(getattr(InsightFacet, column)))
                              .where(InsightFacet.month == Month.parse(month).index)
                              .group_by(InsightFacet.facet)).all())
    if not sums:
        return 0
    assert set(sums) == {"all", "occupation", "sex", "age"} and len(set(sums.values())) == 1, sums
    return int(sums["all"])


def paid_lines(database: Any, month: str) -> int:
    with database.session(readonly=True) as s:
        return int(s.execute(text("SELECT count(*) FROM contribution_lines WHERE month = :m AND void_seq = 0 "
                                  "AND status = 'paid'"), {"m": Month.parse(month).index}).scalar_one())


def test_every_change_keeps_the_summary_equal_to_a_count_from_scratch(database: Any, tmp_path: Path) -> None:
    with database.session() as s:
        f.agreement(s, cycle=1, quota=50)
        kept = [w.nik for w in f.cohort(s, 3)]
    assert_current(database)
    assert stored(database, "enrolled", "2026-01") == 3
    assert stored(database, "started", "2026-01") == 3

    rows = [person(occupation=o) for o in ("Petani", "Ojol", "Pedagang", "Petani", "Nelayan", "Petani")]
    with database.session() as s:
        summary = import_workers(s, upload(write_csv(tmp_path / "a.csv", rows)), "KADIN-2026",
                                 by=actor(s, f.MAKER), today=f.JAN_1)
    assert summary.enrolled == 6
    assert_current(database)
    assert stored(database, "enrolled", "2026-06") == 9

    codes = {}
    for month in ("2026-01", "2026-02", "2026-03"):
        with database.session() as s:
            codes[month] = f.bill(s, month).bills[0].payment_code
        assert_current(database)
    assert stored(database, "protected", "2026-01") == 0

    with database.session() as s:
        f.pay(s, codes["2026-01"], 9 * 16_800, on=dt.date(2026, 1, 10))
    assert_current(database)
    assert stored(database, "protected", "2026-01") == paid_lines(database, "2026-01") == 9
    assert stored(database, "stops", "2026-01") == 9  # February not paid yet

    with database.session() as s:  # a part of February (the ojol's month costs less: all but 4 unpaid)
        f.pay(s, codes["2026-02"], 4 * 16_800, on=dt.date(2026, 2, 10))
    assert_current(database)
    february = paid_lines(database, "2026-02")
    assert 4 <= february < 9
    assert stored(database, "protected", "2026-02") == february
    assert stored(database, "stops", "2026-01") == 9 - february

    with database.session() as s:  # a move to another desa
        workers.update(s, kept[0], WorkerUpdate(domicile=f.DESA["13"]), by=actor(s, f.MAKER), today=f.JAN_1)
    assert_current(database)

    with database.session() as s:
        ends.leave(s, kept[1], "KADIN-2026", last_month=Month.parse("2026-02"), by=actor(s, f.MAKER),
                   today=dt.date(2026, 2, 20))
    assert_current(database)
    with database.session() as s:
        ends.record_death(s, kept[2], died_on=dt.date(2026, 1, 25), by=actor(s, f.MAKER), today=dt.date(2026, 2, 20))
    assert_current(database)
    assert stored(database, "enrolled", "2026-06") == 7

    with database.session() as s:  # March paid after the ends: the money left for the 7 still enrolled
        f.pay(s, codes["2026-03"], 7 * 16_800, on=dt.date(2026, 3, 10))
    assert_current(database)

    with database.session() as s:
        f.agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd", cycle=1)
    extra = [person(occupation="Petani") for _ in range(4)]
    with database.session() as s:
        undone = import_workers(s, upload(write_csv(tmp_path / "b.csv", extra)), "TANI-2026",
                                by=actor(s, f.MAKER), today=f.JAN_1)
    assert_current(database)
    assert stored(database, "enrolled", "2026-06") == 11
    with database.session() as s:
        assert undone.import_id is not None
        imports.undo(s, undone.import_id, by=actor(s, f.MAKER))
    assert_current(database)
    assert stored(database, "enrolled", "2026-06") == 7

    with database.session() as s:
        ends.end_agreement(s, "KADIN-2026", last_month=Month.parse("2026-04"), by=actor(s, f.MAKER),
                           today=dt.date(2026, 4, 2))
    assert_current(database)
    assert stored(database, "enrolled", "2026-05") == 0
    assert stored(database, "enrolled", "2026-04") == 7


def test_a_rebuild_gives_what_the_services_kept(database: Any) -> None:
    with database.session() as s:
        f.agreement(s, cycle=1)
        f.cohort(s, 2)
    with database.session() as s:
        code = f.bill(s, "2026-01").bills[0].payment_code
    with database.session() as s:
        f.pay(s, code, 2 * 16_800, on=dt.date(2026, 1, 10))
    with database.session(readonly=True) as s:
        kept = sorted(tuple(r) for r in s.execute(text("SELECT * FROM insight_facets")).all())
    assert kept
    with database.session() as s:
        s.execute(text("UPDATE insight_facets SET protected = protected + 1"))
    with database.session(readonly=True) as s:
        n, found = cells.differences(s)
    assert n == len(kept) and found[0].stored is not None and found[0].counted is not None
    assert found[0].stored[1] == found[0].counted[1] + 1  # enrolled, protected, …: protected is off by one
    with database.session() as s:
        cells.rebuild(s)
    with database.session(readonly=True) as s:
        assert sorted(tuple(r) for r in s.execute(text("SELECT * FROM insight_facets")).all()) == kept
    assert_current(database)
