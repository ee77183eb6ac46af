"""What the claims pages ask of the service beyond the CLI's: a page of claims cut in SQL (filtered by
status and type, overdue ones from the open claims only), a page of accidents within the reader's scope,
and a claim entered for the worker a ref names (a worker's page links to the intake by ref, not NIK)."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.claims import service
from lindung.claims.schemas import ClaimRequest
from lindung.kit.errors import InvalidInput, NotFound
from lindung.kit.paging import Window
from lindung.workers import service as workers
from lindung.workers.refs import worker_ref
from tests.claims.factories import OFFICER, attach_all, new, report
from tests.claims.test_workflow import TODAY, _jkm, _worker
from tests.conftest import TestDatabase
from tests.users import actor, add_user


def test_a_page_of_claims_is_cut_in_sql_filtered_and_scoped(database: TestDatabase) -> None:
    kadin_niks = [_worker(database) for _ in range(3)]
    desa_nik = _worker(database, "DESA-2026", "DESA")
    numbers = [_jkm(database, nik=nik) for nik in kadin_niks]
    with database.session() as s:
        accident = report(s, desa_nik, dt.date(2026, 3, 2))
        stmb = new(s, TODAY, nik=desa_nik, type="jkk-stmb", event_date="2026-03-10", accident=accident.id,
                   months=1).number
        officer = actor(s, OFFICER)
        first = service.claims_page(s, by=officer, today=TODAY, window=Window(limit=2))
        assert first.total == 4 and [r.number for r in first.items] == [stmb, numbers[2]]
        second = service.claims_page(s, by=officer, today=TODAY, window=Window(limit=2, offset=2))
        assert [r.number for r in second.items] == [numbers[1], numbers[0]]
        jkm = service.claims_page(s, by=officer, today=TODAY, window=Window(), claim_type="jkm")
        assert jkm.total == 3 and {r.type for r in jkm.items} == {"jkm"}
        assert jkm.items[0].claim_total == 42_000_000 and jkm.items[0].nik.count("*") == 8
        drafts = service.claims_page(s, by=officer, today=TODAY, window=Window(), status="draft", claim_type="jkk-stmb")
        assert [r.number for r in drafts.items] == [stmb]
        with pytest.raises(InvalidInput):
            service.claims_page(s, by=officer, today=TODAY, window=Window(), claim_type="jkx")
        staff = add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        own = service.claims_page(s, by=staff, today=TODAY, window=Window())
        assert own.total == 3 and stmb not in [r.number for r in own.items]
        assert service.accidents_page(s, by=staff, window=Window()).total == 0, "not an accident of theirs"
        village = add_user(s, "staf.desa", "sponsor", sponsor="DESA")
        seen = service.accidents_page(s, by=village, window=Window())
        assert [(a.id, a.place, a.nik.count("*")) for a in seen.items] == [(accident.id, "Desa Sagara Makmur", 8)]


def test_overdue_claims_come_from_the_open_claims_a_page_at_a_time(database: TestDatabase) -> None:
    """JKMs complete on 11 June 2026 and submitted, unpaid: due by 17 June (3 working days), overdue on
    the 18th; a draft is never overdue."""
    niks = [_worker(database) for _ in range(3)]
    numbers = [_jkm(database, nik=nik, died=dt.date(2026, 6, 5), today=dt.date(2026, 6, 11)) for nik in niks]
    with database.session() as s:
        for number in numbers[:2]:
            attach_all(s, number, dt.date(2026, 6, 11))
            service.submit(s, number, by=actor(s, OFFICER), today=dt.date(2026, 6, 11))
        officer = actor(s, OFFICER)
        assert service.claims_page(s, by=officer, today=dt.date(2026, 6, 17), window=Window(), overdue=True).total == 0
        late = service.claims_page(s, by=officer, today=dt.date(2026, 6, 18), window=Window(limit=1), overdue=True)
        assert late.total == 2 and [(r.number, r.days_over) for r in late.items] == [(numbers[1], 1)]
        rest = service.claims_page(s, by=officer, today=dt.date(2026, 6, 18), window=Window(limit=1, offset=1),
                                   overdue=True)
        assert [r.number for r in rest.items] == [numbers[0]]


def test_a_claim_is_entered_for_the_worker_a_ref_names_within_the_readers_scope(database: TestDatabase) -> None:
    nik = _worker(database)
    with database.session() as s:
        worker_id = workers.get(s, nik).id
        request = ClaimRequest.model_validate({"nik": "", "type": "jkm", "event_date": "2026-03-10"})
        view = service.new_claim(s, request, by=actor(s, OFFICER), today=TODAY, worker_ref=worker_ref(worker_id))
        assert view.nik[-4:] == nik[-4:] and view.type == "jkm"
        with pytest.raises(NotFound):
            service.new_claim(s, request, by=actor(s, OFFICER), today=TODAY, worker_ref="bukanRefPekerja")
