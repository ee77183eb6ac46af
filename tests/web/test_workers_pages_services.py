"""What the workers' pages asked of the services: coverage by a worker's ref (the worker's page addresses
workers by ref, never by NIK), the five states a coverage strip shows, a worker's heirs edited back with
their NIKs masked as the page shows them, and a worker's claims."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.billing import coverage as cov
from lindung.claims.of_worker import claims_of_worker
from lindung.kit.errors import NotFound
from lindung.kit.privacy import mask_nik
from lindung.workers import service as workers
from lindung.workers.refs import worker_ref
from lindung.workers.schemas import HeirIn, WorkerUpdate
from tests.billing import factories as f
from tests.factories import TODAY, make_worker, nik
from tests.users import actor, add_user


def test_coverage_by_ref_is_the_coverage_of_the_nik_and_keeps_to_the_sponsors_scope(database):
    with database.session() as s:
        f.agreement(s)
        cohort = f.cohort(s, 2)
        outsider = f.worker(s, name="Dedi Kurniawan")
    with database.session() as s:
        code = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills[0].payment_code
    with database.session() as s:
        f.pay(s, code, 2 * (3 * 16_800 + 9 * 8_400), on=dt.date(2026, 1, 10))
    at = dt.date(2026, 6, 15)
    with database.session() as s:
        by_nik = cov.coverage(s, cohort[0].nik, at=at, by=f.maker(s))
        by_ref = cov.coverage_by_ref(s, worker_ref(cohort[0].id), at=at, by=f.maker(s))
        kadin = add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        own = cov.coverage_by_ref(s, worker_ref(cohort[1].id), at=at, by=kadin)
        with pytest.raises(NotFound):
            cov.coverage_by_ref(s, worker_ref(outsider.id), at=at, by=kadin)
    assert by_ref == by_nik and by_ref.protected and by_ref.worker.masked
    assert by_ref.worker.nik == mask_nik(cohort[0].nik)
    assert own.protected
    assert [(str(m.month), cov.strip_state(m.state)) for m in by_ref.months][:2] == [
        ("2026-01", "paid"), ("2026-02", "paid")]


def test_every_month_state_reads_as_one_of_the_strips_five():
    assert {cov.strip_state(s) for s in ("paid", "paid_late", "grace", "lapsed", "outside", "paid_too_late",
                                          "future")} == {"paid", "paid_late", "grace", "lapsed", "not_due"}
    assert cov.strip_state("future") == "not_due" and cov.strip_state("paid_too_late") == "lapsed"


def test_an_heirs_nik_given_back_masked_keeps_the_nik_it_masks(database):
    wife = nik(born=dt.date(1992, 2, 3), sex="P", serial=7)
    with database.session() as s:
        worker = make_worker(s, heirs=(HeirIn(name="Euis", relationship="istri", nik=wife),))
        ref = worker_ref(worker.id)
    child = nik(born=dt.date(2015, 6, 1), sex="L", serial=8)
    with database.session() as s:
        done = workers.update_by_ref(s, ref, WorkerUpdate(heirs=(
            HeirIn(name="Euis", relationship="spouse", nik=mask_nik(wife)),
            HeirIn(name="Ujang", relationship="child", nik=child))), by=actor(s, "ani.petugas"), today=TODAY)
    assert done.changed == ["heirs"]
    with database.session(readonly=True) as s:
        kept = workers.get_by_ref(s, ref)
        assert [(h.name, h.nik) for h in kept.heirs] == [("Euis", wife), ("Ujang", child)]
    with database.session() as s, pytest.raises(workers.InvalidNik) as refused:
        workers.update_by_ref(s, ref, WorkerUpdate(heirs=(
            HeirIn(name="Euis", relationship="spouse", nik="3216********9999"),)),
            by=actor(s, "ani.petugas"), today=TODAY)
    assert refused.value.context["field"] == "heir_nik"
    with database.session(readonly=True) as s:
        assert [h.nik for h in workers.get_by_ref(s, ref).heirs] == [wife, child], "nothing changed"


def test_a_worker_without_claims_has_none_and_an_unknown_ref_is_not_found(database):
    with database.session() as s:
        worker = make_worker(s)
        officer = actor(s, "ani.petugas")
        assert claims_of_worker(s, worker_ref(worker.id), by=officer) == []
        with pytest.raises(NotFound):
            claims_of_worker(s, "tidak-ada", by=officer)
