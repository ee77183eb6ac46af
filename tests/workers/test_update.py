"""Updating a worker: what an officer may correct, checked as at registration, all or nothing,
audited by field name; what was billed or accepted never changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lindung.audit import service as audit_service
from lindung.audit.models import AuditEntry
from lindung.enrolment.models import Enrolment
from lindung.kit.errors import InvalidInput, NotFound
from lindung.workers import service as workers
from lindung.workers.models import Worker
from lindung.workers.schemas import HeirIn, WorkerUpdate
from tests.factories import DESA_BANDUNG, TODAY, make_worker, nik
from tests.users import actor

CHECKER = "budi.supervisor"


def update(database, number: str, **changes) -> tuple[str, ...]:
    with database.session() as s:
        return tuple(workers.update(s, number, WorkerUpdate(**changes), by=actor(s, CHECKER), today=TODAY).changed)


def row(database, number: str) -> Worker:
    with database.session(readonly=True) as s:
        w = s.scalars(select(Worker).where(Worker.nik == number)).one()
        s.expunge(w)
        return w


def heirs_of(database, number: str) -> list[tuple[int, str, str, str | None]]:
    with database.session(readonly=True) as s:
        w = s.scalars(select(Worker).where(Worker.nik == number)).one()
        return [(h.position, h.name, h.relationship_code, h.nik) for h in w.heirs]


def audit(database) -> list[tuple[str, str, object, str]]:
    """The worker updates in the log: who, what, its facts and what it says in English."""
    with database.session(readonly=True) as s:
        return [(a.actor, a.action, a.data, audit_service.detail_text(a, "en")) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "worker.update").order_by(AuditEntry.id))]


@pytest.fixture
def number(database) -> str:
    with database.session() as s:
        return make_worker(s, phone="0812-3456-7890", heirs=(HeirIn(name="Euis", relationship="istri"),)).nik


class TestWhatAnOfficerMayChange:
    def test_every_field_but_the_nik(self, database, number):
        child = nik(born=dt.date(2012, 3, 4), sex="P", serial=9)
        changed = update(database, number, name=" Asep  Saputra bin Odih ", domicile=DESA_BANDUNG,
                         occupation="Tukang Ojek", income=2_500_000, phone="0813 1111 2222",
                         heirs=(HeirIn(name="Euis", relationship="spouse"),
                                HeirIn(name="Nining", relationship="anak", nik=child)))
        assert changed == ("name", "domicile", "occupation", "income", "phone", "heirs")
        w = row(database, number)
        assert (w.name, w.domicile_code, w.occupation_code, w.declared_income, w.phone) == (
            "Asep Saputra bin Odih", DESA_BANDUNG, "ojek", 2_500_000, "081311112222")
        assert heirs_of(database, number) == [(1, "Euis", "spouse", None), (2, "Nining", "child", child)]

    def test_the_audit_log_names_the_fields_not_the_values(self, database, number):
        update(database, number, phone="0813 1111 2222")
        assert audit(database) == [(CHECKER, "worker.update", {"fields": ["phone"]}, "changed: phone")]
        assert "0813" not in str(audit(database)[0]) and number not in str(audit(database)[0])

    def test_the_same_values_change_nothing_and_log_nothing(self, database, number):
        assert update(database, number, phone="0812-3456-7890", occupation="pedagang",
                      heirs=(HeirIn(name="Euis", relationship="Istri"),)) == ()
        assert audit(database) == []

    def test_the_phone_and_the_heirs_can_be_cleared(self, database, number):
        assert update(database, number, phone="", heirs=()) == ("phone", "heirs")
        assert row(database, number).phone is None and heirs_of(database, number) == []


class TestBadChangesAreRefusedWhole:
    @pytest.mark.parametrize(("changes", "code"), [
        ({}, "invalid.changes"),
        ({"phone": "0813 1111 2222", "occupation": "astronot"}, "invalid.occupation"),
        ({"phone": "12ab"}, "invalid.phone"),
        ({"domicile": "32.16.01"}, "invalid.not_village"),
        ({"income": -1}, "invalid.income"),
        ({"name": "   "}, "invalid.name"),
        ({"heirs": (HeirIn(name="X", relationship="sepupu"),)}, "invalid.relationship"),
    ])
    def test_nothing_is_written(self, database, number, changes, code):
        before = row(database, number)
        with pytest.raises(InvalidInput) as exc:
            update(database, number, **changes)
        assert exc.value.code == code
        after = row(database, number)
        assert (after.phone, after.occupation_code, after.name, after.declared_income) == (
            before.phone, before.occupation_code, before.name, before.declared_income)
        assert heirs_of(database, number) == [(1, "Euis", "spouse", None)] and audit(database) == []

    def test_an_unknown_nik(self, database):
        with pytest.raises(NotFound):
            update(database, nik(serial=99), phone="081311112222")


class TestWhatWasAcceptedStaysAsItWas:
    def test_an_enrolment_keeps_the_occupation_sector_and_cost_it_was_accepted_with(self, database):
        from tests.factories import enrol, make_agreement

        with database.session() as s:
            make_agreement(s)
            w = make_worker(s, occupation="pedagang")
            number = w.nik
            enrol(s, w)
        with database.session(readonly=True) as s:
            before = s.scalars(select(Enrolment)).one()
            kept = (before.occupation_code, before.sector, before.committed_cost)
        update(database, number, occupation="ojek")
        with database.session(readonly=True) as s:
            after = s.scalars(select(Enrolment)).one()
            assert (after.occupation_code, after.sector, after.committed_cost) == kept
        assert kept[:2] == ("pedagang", "other") and row(database, number).occupation_code == "ojek"


class TestTwoOfficersAtOnce:
    def test_two_heir_lists_written_at_once_leave_one_of_them_whole(self, postgres_database):
        from tests.racing import race

        with postgres_database.session() as s:
            number = make_worker(s, heirs=(HeirIn(name="Euis", relationship="istri"),)).nik

        lists = [(HeirIn(name="Euis", relationship="istri"), HeirIn(name="Dina", relationship="anak")),
                 (HeirIn(name="Euis", relationship="istri"), HeirIn(name="Odih", relationship="ayah"),
                  HeirIn(name="Eti", relationship="ibu"))]
        for _ in range(5):
            results = race(postgres_database, [
                lambda s, h=h: workers.update(s, number, WorkerUpdate(heirs=h), by=actor(s, CHECKER), today=TODAY)
                for h in lists])
            assert not [r for r in results if isinstance(r, Exception)], results
            got = [(name, rel) for _pos, name, rel, _nik in heirs_of(postgres_database, number)]
            assert got in ([("Euis", "spouse"), ("Dina", "child")],
                           [("Euis", "spouse"), ("Odih", "parent"), ("Eti", "parent")])
            assert [p for p, *_ in heirs_of(postgres_database, number)] == list(range(1, len(got) + 1))
