"""Who sees which worker (both engines): a sponsor's staff see a worker only if their sponsor ever
enrolled them, with their sponsor's enrolments only, and another sponsor's worker is "not found" (never
"forbidden": that would say it exists); a region's viewer sees no worker at all (aggregates only); an
officer sees everyone. Registering and updating workers is the branch's work, never a sponsor's."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import func, select, update

from lindung.enrolment.models import Enrolment
from lindung.kit.auth import NotPermitted
from lindung.kit.errors import NotFound
from lindung.workers import service as workers
from lindung.workers.models import Worker
from lindung.workers.schemas import WorkerCreate, WorkerUpdate
from tests.factories import DESA_TARUMAJAYA, TODAY, enrol, make_agreement, make_worker, nik
from tests.users import actor, add_user

KADIN_STAFF, BANK_STAFF, VIEWER = "kadin.staf", "bank.staf", "bekasi.pantau"


@pytest.fixture
def registry(database: Any) -> dict[str, str]:
    """KADIN enrolled Siti; BANK enrolled Soekarno; Ujang was enrolled by KADIN (an import undone) and
    is now BANK's; nobody enrolled Dedi. Returns their NIKs."""
    with database.session() as s:
        make_agreement(s)
        make_agreement(s, "BANK-2026", sponsor="BANK", funding="bank")
        people = {key: make_worker(s, name=name, nik_=nik(kecamatan="01", serial=serial)).nik
                  for key, name, serial in (("siti", "Siti Aminah", 11), ("soekarno", "Soekarno", 12),
                                            ("ujang", "Ujang Sunarya", 13), ("dedi", "Dedi Mulyadi", 14))}
        enrol(s, people["siti"])
        enrol(s, people["soekarno"], "BANK-2026")
        enrol(s, people["ujang"])
        ujang = workers.get(s, people["ujang"]).id
        s.execute(update(Enrolment).where(Enrolment.worker_id == ujang).values(status="cancelled"))
        enrol(s, people["ujang"], "BANK-2026")
        add_user(s, KADIN_STAFF, "sponsor", sponsor="KADIN")
        add_user(s, BANK_STAFF, "sponsor", sponsor="BANK")
        add_user(s, VIEWER, "viewer", region="32.16")
        return people


def agreements_shown(database: Any, number: str, user: str) -> list[tuple[str, str]]:
    with database.session(readonly=True) as s:
        return [(e.agreement, e.status) for e in workers.view(s, number, unmask=False, by=actor(s, user)).enrolments]


def found(database: Any, user: str, text: str = "", **options: Any) -> list[tuple[str, list[str]]]:
    """(name, active agreements) of each worker ``user`` finds."""
    with database.session(readonly=True) as s:
        out = workers.find(s, text, by=actor(s, user), **options)
        return [(w.name, [e.agreement for e in w.enrolments]) for w in out.workers]


class TestShowingAWorker:
    def test_a_sponsors_staff_see_whom_their_sponsor_enrolled_with_its_enrolments_only(self, database, registry):
        assert agreements_shown(database, registry["siti"], KADIN_STAFF) == [("KADIN-2026", "active")]
        # Ever enrolled: an enrolment undone still shows the worker, without BANK's that followed.
        assert agreements_shown(database, registry["ujang"], KADIN_STAFF) == [("KADIN-2026", "cancelled")]
        assert agreements_shown(database, registry["ujang"], BANK_STAFF) == [("BANK-2026", "active")]

    @pytest.mark.parametrize(("user", "key"), [(KADIN_STAFF, "soekarno"), (KADIN_STAFF, "dedi"),
                                               (BANK_STAFF, "siti")])
    def test_another_sponsors_worker_is_not_found_as_an_unknown_nik_is(self, database, registry, user, key):
        number = registry[key]
        with database.session(readonly=True) as s, pytest.raises(NotFound) as exc:
            workers.view(s, number, unmask=False, by=actor(s, user))
        with database.session(readonly=True) as s, pytest.raises(NotFound) as unknown:
            workers.view(s, nik(kecamatan="01", serial=99), unmask=False, by=actor(s, user))
        assert exc.value.code == unknown.value.code == "worker.not_found"
        assert number not in exc.value.message("en")

    def test_an_officer_sees_every_worker_and_every_enrolment(self, database, registry):
        assert agreements_shown(database, registry["ujang"], "ani") == [("KADIN-2026", "cancelled"),
                                                                         ("BANK-2026", "active")]
        assert agreements_shown(database, registry["dedi"], "ani") == []
        assert agreements_shown(database, registry["soekarno"], "admin") == [("BANK-2026", "active")]

    def test_a_sponsors_staff_never_see_a_full_nik(self, database, registry):
        with database.session(readonly=True) as s, pytest.raises(NotPermitted) as exc:
            workers.view(s, registry["siti"], unmask=True, by=actor(s, KADIN_STAFF))
        assert exc.value.context["permission"] == "worker.read_nik"

    def test_a_regions_viewer_sees_no_worker(self, database, registry):
        with database.session(readonly=True) as s, pytest.raises(NotPermitted) as exc:
            workers.view(s, registry["siti"], unmask=False, by=actor(s, VIEWER))
        assert exc.value.context["permission"] == "worker.read"

    def test_the_command_says_not_found_to_another_sponsor(self, database, registry, cli):
        mine = cli("worker", "show", registry["siti"], "--by", KADIN_STAFF, "--json")
        assert mine.exit_code == 0 and [e["agreement"] for e in mine.json()["enrolments"]] == ["KADIN-2026"]
        theirs = cli("worker", "show", registry["soekarno"], "--by", KADIN_STAFF, "--lang", "en")
        assert theirs.exit_code == 3 and registry["soekarno"] not in theirs.err
        assert cli("worker", "show", registry["siti"], "--by", VIEWER).exit_code == 7


class TestGettingAWorker:
    def test_the_scope_hides_another_sponsors_worker(self, database, registry):
        with database.session(readonly=True) as s:
            kadin = actor(s, KADIN_STAFF).scope
            assert workers.get(s, registry["siti"], scope=kadin).nik == registry["siti"]
            assert workers.get(s, registry["ujang"], scope=kadin).nik == registry["ujang"]
            for key in ("soekarno", "dedi"):
                with pytest.raises(NotFound):
                    workers.get(s, registry[key], scope=kadin)
                assert workers.get(s, registry[key]).nik == registry[key]  # unscoped: everyone
                assert workers.get(s, registry[key], scope=actor(s, "ani").scope).nik == registry[key]
            with pytest.raises(NotFound):  # a region's viewer reaches no worker
                workers.get(s, registry["siti"], scope=actor(s, VIEWER).scope)


class TestFindingWorkers:
    def test_a_sponsors_staff_find_whom_their_sponsor_enrolled_with_its_active_enrolments(self, database,
                                                                                            registry):
        region = {"region": DESA_TARUMAJAYA}
        assert found(database, KADIN_STAFF, **region) == [("Siti Aminah", ["KADIN-2026"]), ("Ujang Sunarya", [])]
        assert found(database, BANK_STAFF, **region) == [("Soekarno", ["BANK-2026"]),
                                                          ("Ujang Sunarya", ["BANK-2026"])]
        assert found(database, "ani", **region) == [("Dedi Mulyadi", []), ("Siti Aminah", ["KADIN-2026"]),
                                                    ("Soekarno", ["BANK-2026"]), ("Ujang Sunarya", ["BANK-2026"])]

    def test_neither_a_name_nor_nik_digits_nor_an_agreement_reach_another_sponsors_worker(self, database,
                                                                                         registry):
        assert found(database, KADIN_STAFF, "soekarno") == []
        assert found(database, KADIN_STAFF, registry["soekarno"][-6:]) == []
        assert found(database, KADIN_STAFF, registry["siti"][-6:]) == [("Siti Aminah", ["KADIN-2026"])]
        with database.session(readonly=True) as s, pytest.raises(NotFound):
            workers.find(s, "", agreement="BANK-2026", by=actor(s, KADIN_STAFF))
        with database.session(readonly=True) as s:
            out = workers.find(s, "", region="32.16", by=actor(s, KADIN_STAFF))
            assert out.total == 2 and {w.name for w in out.workers} == {"Siti Aminah", "Ujang Sunarya"}

    def test_names_written_otherwise_are_compared_within_the_sponsors_workers_only(self, database, registry):
        assert found(database, "ani", "sukarno", region="32.16") == [("Soekarno", ["BANK-2026"])]
        assert found(database, KADIN_STAFF, "sukarno", region="32.16") == []
        assert found(database, KADIN_STAFF, "siti aminnah", region="32.16") == [("Siti Aminah", ["KADIN-2026"])]

    def test_a_regions_viewer_finds_nobody_and_a_sponsor_unmasks_nothing(self, database, registry):
        with database.session(readonly=True) as s, pytest.raises(NotPermitted):
            workers.find(s, "siti", by=actor(s, VIEWER))
        with database.session(readonly=True) as s, pytest.raises(NotPermitted):
            workers.find(s, "siti", unmask=True, by=actor(s, KADIN_STAFF))


class TestWritingWorkersIsTheBranchs:
    @pytest.mark.parametrize("user", [KADIN_STAFF, VIEWER])
    def test_registering_and_updating_are_refused_and_nothing_is_written(self, database, registry, user):
        with database.session() as s, pytest.raises(NotPermitted) as exc:
            workers.register(s, WorkerCreate(nik=nik(kecamatan="01", serial=21), name="Euis", domicile=DESA_TARUMAJAYA,
                                             occupation="petani"), by=actor(s, user), today=TODAY)
        assert exc.value.context["permission"] == "worker.write"
        with database.session() as s, pytest.raises(NotPermitted):
            workers.update(s, registry["siti"], WorkerUpdate(phone="081311112222"), by=actor(s, user), today=TODAY)
        with database.session(readonly=True) as s:
            assert s.scalar(select(func.count()).select_from(Worker)) == 4
            assert workers.get(s, registry["siti"]).phone is None

    def test_the_commands_refuse_a_sponsors_staff(self, database, registry, cli):
        r = cli("worker", "add", "--nik", nik(kecamatan="01", serial=22), "--name", "Euis", "--desa", DESA_TARUMAJAYA,
                "--occupation", "petani", "--by", KADIN_STAFF, "--lang", "en")
        assert r.exit_code == 7 and "needs the permission worker.write" in r.err
        r = cli("worker", "update", registry["siti"], "--phone", "081311112222", "--by", KADIN_STAFF)
        assert r.exit_code == 7 and "worker.write" in r.err
        assert cli("worker", "update", registry["siti"], "--phone", "081311112222", "--by", "ani").exit_code == 0

    def test_a_sponsor_that_could_write_would_still_not_reach_another_sponsors_worker(self, database, registry):
        # No sponsor role holds worker.write; were one given it, the worker to update is still looked
        # up within the sponsor's scope.
        with database.session() as s:
            staff = actor(s, KADIN_STAFF)
            writer = dataclasses.replace(staff, permissions=staff.permissions | {"worker.write"})
            with pytest.raises(NotFound):
                workers.update(s, registry["soekarno"], WorkerUpdate(phone="081311112222"), by=writer, today=TODAY)
