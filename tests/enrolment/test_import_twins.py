"""The same person twice in one file under two serials, whatever ranges the file is cut into: within a
range the importer knows a person's first row exactly; across ranges it finds it as the worker it
became, or among the rows that became none (``importer._FileTwins``). Both must give one answer."""

from __future__ import annotations

from typing import Any

from lindung.enrolment.importer import import_workers
from lindung.enrolment.importer_rows import RowError
from tests.enrolment.import_files import person, serial, upload, write_csv
from tests.factories import MAKER, TODAY, make_agreement
from tests.users import actor


def test_ranges_of_any_size_give_the_same_outcome(database, tmp_path):
    # Within a range the first row of a person is known exactly; across ranges it is found as the
    # worker it became, or among the rows that became none. Cut anywhere, the file gives one answer.
    with database.session() as s:
        make_agreement(s, target_occupations=("petani",))
    ujang, dadang = person(name="Ujang", occupation="Ojol"), person(name="Dadang")
    rows = [ujang,                                                   # 2 refused: not a farmer
            dadang,                                                  # 3 enrolled
            person(nik_text=serial(ujang["NIK"], 11), name="ujang"),   # 4 Ujang again: names 2
            person(nik_text=dadang["NIK"], name="Entin", sex="L"),   # 5 Dadang's NIK again
            person(nik_text=serial(dadang["NIK"], 12), name="Entin"),  # 6 not Entin again: 5 was no one
            person(nik_text=serial(dadang["NIK"], 13), name="DADANG"),  # 7 Dadang again: names 3
            person(nik_text=serial(ujang["NIK"], 14), name="Ujang"),   # 8 names 2, not 4
            person()]                                                # 9 enrolled
    path = write_csv(tmp_path / "f.csv", rows)
    expected = [(2, "import.not_target_occupation", "ojek"), (4, "import.same_person_in_file", "2"),
                (5, "import.duplicate_in_file", "3"), (7, "import.same_person_in_file", "3"),
                (8, "import.same_person_in_file", "2")]
    outcomes = []
    for size in (1, 2, 3, 5, 100):
        errors: list[RowError] = []
        with database.session() as s:
            summary = import_workers(s, upload(path), "KADIN-2026", by=actor(s, MAKER), today=TODAY,
                                     batch_rows=max(size // 2, 1), merge_rows=size,
                                     on_errors=errors.extend)
            s.rollback()  # each cut tried on the same registry
        outcomes.append((size, summary.enrolled, [(e[0], e[3], e[4]) for e in errors]))
    assert outcomes == [(size, 3, expected) for size in (1, 2, 3, 5, 100)]


def test_the_people_filter_suspects_every_person_met_in_an_earlier_range():
    # Sixteen slots for 600 keys: every slot taken by keys of many marks, and by some of one mark.
    from lindung.enrolment.importer import _FileTwins

    def row(row_no: int, person: int) -> tuple[Any, ...]:
        return (row_no, f"3216{person % 23:02d}0101900001", f"Warga {person}", "1990-01-01", "L", "petani",
                "32.16.01.2001", None, None, True)

    twins = _FileTwins(4)
    twins.sift([row(i + 2, person) for i, person in enumerate(range(300))])
    twins.next_range()
    again = [row(1000 + i, person) for i, person in enumerate(range(0, 600, 2))]  # half of them met before
    twins.sift(again)
    suspects = {r for r, (_group, suspect) in twins.staged.items() if suspect}
    assert {r[0] for r in again if int(r[2].split()[1]) < 300} <= suspects
