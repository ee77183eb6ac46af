"""A sponsor's staff reach only their own sponsor's imports, proposals, rosters and templates, through
every enrolment service that takes a scope: another sponsor's record is not found (its existence is
not revealed), and lists hold only theirs. They enrol and import nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from lindung.enrolment import importing, imports, proposals, roster
from lindung.enrolment import jobs as import_jobs
from lindung.enrolment import service as enrolment
from lindung.enrolment.schemas import ImportJob
from lindung.enrolment.template import write_template
from lindung.kit.auth import NotPermitted
from lindung.kit.errors import NotFound
from tests.enrolment.import_files import person, upload, write_csv
from tests.factories import MAKER, TODAY, make_agreement, make_worker
from tests.users import actor, add_user

STAFF = "kadin.staf"


def two_sponsors(database: Any, tmp_path: Path) -> dict[str, int]:
    """KADIN-2026 (sponsor KADIN) and TANI-2026 (sponsor PEMKAB), each with an import and a proposal
    waiting; a KADIN staff member. Returns each agreement's proposal number."""
    with database.session() as s:
        make_agreement(s)
        make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd")
        add_user(s, STAFF, "sponsor", sponsor="KADIN")
        officer = actor(s, MAKER)
    numbers = {}
    for code in ("KADIN-2026", "TANI-2026"):
        path = write_csv(tmp_path / f"{code.lower()}.csv", [person(), person()])
        importing.import_file(database.engine, upload(path), code, by=officer, today=TODAY)
        again = write_csv(tmp_path / f"{code.lower()}-2.csv", [person()])
        proposed = importing.propose_file(database.engine, upload(again), code, by=officer, today=TODAY)
        assert proposed.proposal_id is not None
        numbers[code] = proposed.proposal_id
    return numbers


class TestASponsorsStaff:
    def test_see_their_own_imports_only(self, database, tmp_path):
        two_sponsors(database, tmp_path)
        with database.session(readonly=True) as s:
            staff = actor(s, STAFF)
            assert [r.agreement for r in imports.history(s, by=staff)] == ["KADIN-2026"]
            assert [r.agreement for r in imports.history(s, "KADIN-2026", by=staff)] == ["KADIN-2026"]
            with pytest.raises(NotFound):
                imports.history(s, "TANI-2026", by=staff)
            assert len(imports.history(s, by=actor(s, MAKER))) == 2  # the branch sees both

    def test_see_their_own_proposals_only(self, database, tmp_path):
        numbers = two_sponsors(database, tmp_path)
        with database.session(readonly=True) as s:
            staff = actor(s, STAFF)
            assert [p.id for p in proposals.listing(s, by=staff)] == [numbers["KADIN-2026"]]
            with pytest.raises(NotFound):
                proposals.listing(s, by=staff, agreement_code="TANI-2026")
            assert proposals.show(s, numbers["KADIN-2026"], by=staff).agreement == "KADIN-2026"
            with pytest.raises(NotFound) as hidden:
                proposals.show(s, numbers["TANI-2026"], by=staff)
            assert hidden.value.code == "import.proposal_not_found"  # as for a number that does not exist
            assert len(proposals.listing(s, by=actor(s, MAKER))) == 2

    def test_read_their_own_proposals_files_only(self, database, tmp_path):
        numbers = two_sponsors(database, tmp_path)
        with database.session(readonly=True) as s:
            staff = actor(s, STAFF)
            kept = proposals.kept_file(s, numbers["KADIN-2026"], by=staff)
            assert (kept.name, kept.content) == ("kadin-2026-2.csv", (tmp_path / "kadin-2026-2.csv").read_bytes())
            with pytest.raises(NotFound):
                proposals.kept_file(s, numbers["TANI-2026"], by=staff)

    def test_see_their_own_rosters_only(self, database, tmp_path):
        two_sponsors(database, tmp_path)
        with database.session(readonly=True) as s:
            staff = actor(s, STAFF)
            assert len(list(roster.roster(s, "KADIN-2026", by=staff))) == 2
            with pytest.raises(NotFound):
                roster.roster(s, "TANI-2026", by=staff)

    def test_get_templates_of_their_own_agreements_only(self, database, tmp_path):
        two_sponsors(database, tmp_path)
        with database.session(readonly=True) as s:
            staff = actor(s, STAFF)
            out = io.BytesIO()
            info = write_template(s, out, by=staff, agreement_code="kadin-2026")
            assert (info.file, info.agreement) == ("templat-peserta-KADIN-2026.xlsx", "KADIN-2026")
            assert out.getvalue().startswith(b"PK")
            with pytest.raises(NotFound):
                write_template(s, io.BytesIO(), by=staff, agreement_code="TANI-2026")
            assert write_template(s, io.BytesIO(), by=staff).agreement is None  # the blank one

    def test_enrol_and_import_nothing(self, database, tmp_path):
        two_sponsors(database, tmp_path)
        with database.session() as s:
            number = make_worker(s).nik
        with database.session() as s:
            with pytest.raises(NotPermitted) as refused:
                enrolment.enrol(s, number, "KADIN-2026", by=actor(s, STAFF), today=TODAY)
            assert refused.value.context["permission"] == "worker.write"
            for mode in ("import", "check", "propose"):
                with pytest.raises(NotPermitted):
                    import_jobs.start(s, ImportJob(mode=mode, agreement="KADIN-2026", file="k.csv"),
                                      by=actor(s, STAFF))
        assert database.scalar("SELECT count(*) FROM jobs") == 0
