"""A draft that will not be approved is withdrawn (``agreement withdraw``); an approval can be bound to
the version of the draft its approver read (``agreement approve --version``); a draft's declared income
can go back to the lowest bracket (``agreement edit --lowest-income``). Both engines."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy.exc
from sqlalchemy import select, text

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.kit.errors import Conflict, InvalidInput
from lindung.rules.period import Month
from lindung.sponsors import amendments
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import AgreementChanges, AgreementCreate
from tests.factories import CHECKER, MAKER, enrol, make_agreement, make_worker
from tests.racing import race
from tests.users import actor

EDITOR = "citra.petugas"


def _words(text_: str) -> str:
    return " ".join(re.sub(r"[│┌┐└┘├┤┬┴┼─]", " ", text_).split())


def withdrawals(s) -> list[tuple[str, str | None]]:
    """Who withdrew a draft and why, as the audit log says it in English."""
    return [(e.actor, audit.detail_text(e, "en")) for e in s.scalars(
        select(AuditEntry).where(AuditEntry.action == sponsors.WITHDRAWN).order_by(AuditEntry.id))]


class TestWithdrawingADraft:
    def test_the_draft_is_withdrawn_with_who_when_and_why(self, database):
        at = dt.datetime(2026, 1, 12, 3, 30, tzinfo=dt.UTC)
        with database.session() as s:
            make_agreement(s, approve=False)
            # Its drafter may withdraw it: withdrawing needs no second person.
            withdrawn = sponsors.withdraw(s, "kadin-2026", reason="  Sponsor   batal ", by=actor(s, MAKER), now=at)
            assert (withdrawn.status, withdrawn.approved_by) == ("withdrawn", None)
            assert sponsors.get_agreement(s, "KADIN-2026").ended_at == at
        with database.session(readonly=True) as s:
            agreement = sponsors.get_agreement(s, "KADIN-2026")
            assert agreement.status == "withdrawn"
            assert withdrawals(s) == [(MAKER, "draft withdrawn: Sponsor batal")]
            gone = sponsors.withdrawal(s, agreement)
            assert gone is not None and (gone.by, gone.reason) == (MAKER, "Sponsor batal")

    def test_a_nik_in_the_reason_is_masked_before_it_reaches_the_audit_log(self, database, cli):
        # UU 27/2022 PDP: the audit log is read by whoever audits; a full NIK typed into a reason stays out.
        with database.session() as s:
            make_agreement(s, approve=False)
        r = cli("agreement", "withdraw", "KADIN-2026", "--reason", "dobel, lihat NIK 3216 0141 0795 0001",
                "--by", MAKER)
        assert r.exit_code == 0, r.err
        with database.session(readonly=True) as s:
            assert withdrawals(s) == [(MAKER, "draft withdrawn: dobel, lihat NIK 3216********0001")]
        assert "3216014107950001" not in cli("agreement", "show", "KADIN-2026", "--json").stdout

    @pytest.mark.parametrize("status", ["approved", "active", "ended", "withdrawn"])
    def test_only_a_draft_is_withdrawn(self, database, status):
        with database.session() as s:
            make_agreement(s, approve=status != "withdrawn", activate=status in ("active",))
            if status == "ended":
                sponsors.end_unused(s, "KADIN-2026", by=actor(s, CHECKER))
            if status == "withdrawn":
                sponsors.withdraw(s, "KADIN-2026", reason="dobel", by=actor(s, MAKER))
        with database.session() as s, pytest.raises(sponsors.NotWithdrawable) as refused:
            sponsors.withdraw(s, "KADIN-2026", reason="salah", by=actor(s, EDITOR))
        assert refused.value.exit_code == 4
        shown = {"approved": "disetujui", "active": "aktif", "ended": "berakhir", "withdrawn": "ditarik"}[status]
        assert refused.value.message("id") == (
            f"Perjanjian KADIN-2026 berstatus {shown}: hanya draf yang dapat ditarik. Perjanjian yang sudah "
            "disetujui diakhiri: lindung agreement end KADIN-2026, atau lindung billing end-agreement KADIN-2026 "
            "bila menanggung pekerja.")
        with database.session(readonly=True) as s:
            assert sponsors.get_agreement(s, "KADIN-2026").status == status
            assert len(withdrawals(s)) == (1 if status == "withdrawn" else 0)

    @pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
    def test_a_withdrawal_without_a_reason_is_refused(self, database, reason):
        with database.session() as s:
            make_agreement(s, approve=False)
        with database.session() as s, pytest.raises(InvalidInput) as refused:
            sponsors.withdraw(s, "KADIN-2026", reason=reason, by=actor(s, MAKER))
        assert refused.value.code == "invalid.withdraw_reason"
        with database.session(readonly=True) as s:
            assert sponsors.get_agreement(s, "KADIN-2026").status == "draft"
            assert withdrawals(s) == []

    def test_a_withdrawn_draft_takes_no_approval_change_or_enrolment_and_keeps_its_code(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
            make_worker(s, nik_="3216011705900001")
            sponsors.withdraw(s, "KADIN-2026", reason="dobel", by=actor(s, MAKER))
        refusals = {
            "approve": lambda s: sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER)),
            "edit": lambda s: sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(months=6), by=actor(s, EDITOR)),
            "amend": lambda s: amendments.amend(s, "KADIN-2026", quota=5, by=actor(s, EDITOR)),
            "enrol": lambda s: enrol(s, "3216011705900001"),
            "again": lambda s: make_agreement(s, approve=False),
        }
        said = {}
        for name, attempt in refusals.items():
            with database.session() as s, pytest.raises(Conflict) as refused:
                attempt(s)
            said[name] = refused.value.message("id")
        assert said["approve"] == "Perjanjian KADIN-2026 berstatus ditarik; tidak dapat menjadi disetujui."
        assert said["edit"].startswith("Perjanjian KADIN-2026 berstatus ditarik: hanya draf yang dapat diubah")
        assert said["amend"] == "Perjanjian KADIN-2026 berstatus ditarik; tidak dapat diubah."
        assert said["enrol"] == ("Perjanjian KADIN-2026 berstatus ditarik; hanya perjanjian yang disetujui atau "
                                 "aktif menerima pendaftaran.")
        assert "KADIN-2026" in said["again"]  # the code stays taken
        with database.session(readonly=True) as s:
            agreement = sponsors.get_agreement(s, "KADIN-2026")
            assert (agreement.status, agreement.quota, agreement.months, agreement.enrolled_count) == (
                "withdrawn", 1000, 12, 0)
            assert s.scalar(text("SELECT count(*) FROM enrolments")) == 0

    def test_the_database_refuses_a_withdrawn_agreement_that_was_approved_or_used(self, database):
        # Behind the service: CHECK constraints of the agreements table (migration 2026_12_06_agreement_withdrawn).
        with database.session() as s:
            make_agreement(s, approve=True)
            make_agreement(s, "DRAFT-2026", approve=False)
        for statement in ("UPDATE agreements SET status = 'withdrawn' WHERE code = 'KADIN-2026'",
                          "UPDATE agreements SET status = 'withdrawn', enrolled_count = 1 WHERE code = 'DRAFT-2026'",
                          "UPDATE agreements SET status = 'approved' WHERE code = 'DRAFT-2026'",
                          "UPDATE agreements SET status = 'gone' WHERE code = 'DRAFT-2026'"):
            with pytest.raises(sqlalchemy.exc.IntegrityError), database.session() as s:
                s.execute(text(statement))
        with database.session() as s:
            s.execute(text("UPDATE agreements SET status = 'withdrawn' WHERE code = 'DRAFT-2026'"))
        with database.session(readonly=True) as s:
            assert s.scalar(text("SELECT status FROM agreements WHERE code = 'KADIN-2026'")) == "approved"


class TestTheWithdrawCommand:
    def test_says_it_in_either_language_and_the_agreement_shows_it(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=False)
            make_agreement(s, "CSR-2026", approve=False)
        r = cli("agreement", "withdraw", "KADIN-2026", "--reason", "Sponsor batal", "--by", "ani")
        assert r.exit_code == 0, r.err
        assert _words(r.out) == ("Draf perjanjian KADIN-2026 ditarik oleh ani: Sponsor batal. Kodenya tetap "
                                 "tercatat dan tidak dapat dipakai lagi.")
        r = cli("agreement", "withdraw", "CSR-2026", "--reason", "drafted twice", "--by", "ani", "--lang", "en")
        assert _words(r.out) == ("Draft agreement CSR-2026 withdrawn by ani: drafted twice. Its code stays on "
                                 "record and cannot be used again.")
        said = _words(cli("agreement", "show", "KADIN-2026").out)
        assert "Status ditarik" in said and "Ditarik ani, " in said and ": Sponsor batal" in said
        shown = cli("agreement", "show", "KADIN-2026", "--json").json()
        assert shown["status"] == "withdrawn" and (shown["withdrawn"]["by"], shown["withdrawn"]["reason"]) == (
            "ani", "Sponsor batal")
        assert "ditarik" in cli("agreement", "list").out
        assert "withdrawn" in cli("agreement", "list", "--lang", "en").out

    def test_the_list_shows_the_statuses_asked_for(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=True)
            make_agreement(s, "CSR-2026", approve=False)
            make_agreement(s, "OLD-2026", approve=False)
            sponsors.withdraw(s, "OLD-2026", reason="dobel", by=actor(s, MAKER))

        def listed(*statuses: str) -> list[str]:
            r = cli("agreement", "list", "--json", *(w for x in statuses for w in ("--status", x)))
            assert r.exit_code == 0, r.err
            return [a["code"] for a in r.json()]

        assert listed() == ["CSR-2026", "KADIN-2026", "OLD-2026"]
        assert listed("draft") == ["CSR-2026"]
        assert listed(" Ditarik ", "disetujui") == ["KADIN-2026", "OLD-2026"]
        assert listed("withdrawn", "WITHDRAWN") == ["OLD-2026"]
        assert listed("active") == []
        r = cli("agreement", "list", "--status", "batal")
        assert r.exit_code == 2 and ("Status perjanjian tidak dikenal: 'batal'. Gunakan draft, approved, active, "
                                     "ended, withdrawn") in _words(r.err), r.err

    def test_refusals_are_said_with_their_exit_codes(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=True)
        r = cli("agreement", "withdraw", "KADIN-2026", "--reason", "batal", "--by", "ani", "--lang", "en")
        assert r.exit_code == 4 and "only a draft can be withdrawn" in _words(r.err), r.err
        r = cli("agreement", "withdraw", "NONE-2026", "--reason", "batal", "--by", "ani")
        assert r.exit_code == 3, r.err
        r = cli("agreement", "withdraw", "KADIN-2026", "--by", "ani")
        assert r.exit_code == 2 and "--reason" in r.err, r.err
        r = cli("agreement", "withdraw", "KADIN-2026", "--reason", " ", "--by", "ani")
        assert r.exit_code == 2 and "Alasan penarikan draf wajib diisi" in _words(r.err), r.err


class TestTheDraftVersion:
    def test_a_draft_is_version_1_and_each_change_adds_one(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=False)
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["version"] == 1
        assert "Versi draf 1" in _words(cli("agreement", "show", "KADIN-2026").out)
        assert cli("agreement", "edit", "KADIN-2026", "--months", "10", "--by", EDITOR).exit_code == 0
        assert cli("agreement", "amend", "KADIN-2026", "--quota", "900", "--by", EDITOR).exit_code == 0
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["version"] == 3
        shown = _words(cli("agreement", "show", "KADIN-2026", "--lang", "en").out)
        assert "Draft version 3" in shown
        assert shown.endswith("Awaiting a second person's approval, with: lindung agreement approve KADIN-2026 "
                              "--version 3 --by NAME")
        assert cli("agreement", "approve", "KADIN-2026", "--version", "3", "--by", CHECKER).exit_code == 0
        assert "lindung agreement approve" not in cli("agreement", "show", "KADIN-2026").out

    def test_a_new_draft_says_how_to_approve_it(self, database, cli):
        with database.session() as s:
            make_agreement(s, "OTHER-2026", approve=False)  # its sponsor, KADIN
        r = cli("agreement", "add", "--code", "KADIN-2027", "--sponsor", "KADIN", "--quota", "10", "--budget",
                "2016000", "--start", "2027-01", "--months", "12", "--by", MAKER)
        assert r.exit_code == 0, r.err
        assert _words(r.out).endswith("Menunggu persetujuan orang kedua, dengan: lindung agreement approve "
                                      "KADIN-2027 --version 1 --by NAMA")

    def test_an_approval_of_a_version_since_changed_is_refused_naming_who_changed_it(self, database):
        edited_at = dt.datetime(2026, 1, 12, 2, 5, tzinfo=dt.UTC)  # 09:05 WIB
        with database.session() as s:
            make_agreement(s, approve=False)
            sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(quota=10_000), by=actor(s, EDITOR))
            s.execute(text("UPDATE audit_log SET at = :at WHERE action = 'agreement.edited'"), {"at": edited_at})
        with database.session() as s, pytest.raises(sponsors.DraftVersionChanged) as refused:
            sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER), version=1)  # read before the tenfold quota
        assert refused.value.exit_code == 4
        assert refused.value.message("id") == (
            f"Draf KADIN-2026 kini versi 2, bukan versi 1 yang diperiksa: terakhir diubah oleh {EDITOR}, "
            "12 Januari 2026 09:05 WIB. Periksa lagi (lindung agreement show KADIN-2026), lalu setujui dengan "
            "--version 2.")
        assert "last changed by citra.petugas, 12 January 2026 09:05 WIB" in refused.value.message("en")
        with database.session(readonly=True) as s:
            agreement = sponsors.get_agreement(s, "KADIN-2026")
            assert (agreement.status, agreement.approved_by) == ("draft", None)
        with database.session() as s:
            assert sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER), version=2).status == "approved"

    def test_an_unchanged_draft_names_its_drafter_and_approval_without_version_still_works(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
        with database.session() as s, pytest.raises(sponsors.DraftVersionChanged) as refused:
            sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER), version=3)
        assert f"terakhir diubah oleh {MAKER}" in refused.value.message("id")
        with database.session() as s:
            assert sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER)).approved_by == CHECKER

    def test_the_command_says_which_version_was_approved(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=False)
        assert cli("agreement", "edit", "KADIN-2026", "--months", "10", "--by", EDITOR).exit_code == 0
        r = cli("agreement", "approve", "KADIN-2026", "--by", "budi", "--version", "1")
        assert r.exit_code == 4 and "kini versi 2, bukan versi 1" in _words(r.err), r.err
        r = cli("agreement", "approve", "KADIN-2026", "--by", "budi", "--version", "dua")
        assert r.exit_code == 2 and "Versi draf tidak valid: 'dua'." in _words(r.err), r.err
        r = cli("agreement", "approve", "KADIN-2026", "--by", "budi", "--version", "2", "--lang", "en")
        assert r.exit_code == 0, r.err
        assert _words(r.out).startswith("Agreement KADIN-2026 (draft version 2) approved by budi:")
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["version"] == 2


class TestBackToTheLowestBracket:
    def test_a_draft_loses_its_declared_income_as_if_none_was_given(self, database):
        with database.session() as s:
            make_agreement(s, approve=False, quota=10, budget=2_016_000, income=3_000_000)
            assert sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(lowest_income=True),
                                       by=actor(s, EDITOR)).changed == ["income", "base"]
            sponsors.draft_agreement(s, AgreementCreate(
                code="FRESH", sponsor="KADIN", quota=10, budget=2_016_000, start=Month(2026, 1), months=12),
                by=actor(s, MAKER))
            edited, fresh = sponsors.get_agreement(s, "KADIN-2026"), sponsors.get_agreement(s, "FRESH")
            # The lowest bracket: base Rp1.000.000, Rp16.800 a month (rules.md 1); 10 × 16.800 × 12.
            assert (edited.income, edited.base, edited.bracket, edited.estimate_list_price) == (
                fresh.income, fresh.base, fresh.bracket, fresh.estimate_list_price) == (None, 1_000_000, 1,
                                                                                         2_016_000)
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "agreement.edited")).one()
            assert entry.data == {"changes": [["income", 3_000_000, None], ["base", 2_950_000, 1_000_000]]}
            assert audit.detail_text(entry, "id") == (
                "draf: penghasilan yang dilaporkan Rp3.000.000 → -; dasar iuran Rp2.950.000 → Rp1.000.000")

    def test_an_income_and_the_lowest_bracket_together_are_refused(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=False, income=3_000_000)
        r = cli("agreement", "edit", "KADIN-2026", "--income", "2000000", "--lowest-income", "--by", EDITOR)
        assert r.exit_code == 2 and "Pilih salah satu: --income 2000000 atau --lowest-income." in _words(r.err)
        r = cli("agreement", "edit", "KADIN-2026", "--lowest-income", "--by", EDITOR, "--json")
        assert r.exit_code == 0 and r.json()["package"]["income"] is None, r.err
        r = cli("agreement", "edit", "KADIN-2026", "--lowest-income", "--by", EDITOR)
        assert r.exit_code == 2 and "tidak berubah" in r.err, r.err



class TestTheAddendumNumber:
    def test_an_approval_of_an_addendum_no_longer_waiting_is_refused(self, database, cli):
        with database.session() as s:
            make_agreement(s)  # approved: quota 1.000, budget Rp201.600.000
            first = amendments.amend(s, "KADIN-2026", quota=1_100, budget=221_760_000, by=actor(s, EDITOR))
            amendments.reject(s, "KADIN-2026", by=actor(s, EDITOR))  # withdrawn by its proposer…
            # …and another proposed
            second = amendments.amend(s, "KADIN-2026", quota=5_000, budget=1_008_000_000, by=actor(s, EDITOR))
        assert (first.id, second.id) == (1, 2)
        shown = _words(cli("agreement", "show", "KADIN-2026").out)
        assert "#1: kuota 1.000 → 1.100" in shown and "#2: kuota 1.000 → 5.000" in shown
        r = cli("agreement", "amend-approve", "KADIN-2026", "--number", "1", "--by", CHECKER)
        assert r.exit_code == 4, r.err
        assert _words(r.err).endswith(
            f"Adendum KADIN-2026 yang menunggu kini nomor 2 (diajukan {EDITOR}), bukan nomor 1 yang diperiksa. "
            "Periksa lagi (lindung agreement show KADIN-2026), lalu setujui dengan --number 2.")
        r = cli("agreement", "amend-approve", "KADIN-2026", "--number", "satu", "--by", CHECKER, "--lang", "en")
        assert r.exit_code == 2 and "Not an addendum number: 'satu'." in _words(r.err), r.err
        with database.session(readonly=True) as s:
            assert sponsors.get_agreement(s, "KADIN-2026").quota == 1_000
        r = cli("agreement", "amend-approve", "KADIN-2026", "--number", "2", "--by", CHECKER, "--json")
        assert r.exit_code == 0 and (r.json()["id"], r.json()["quota_after"]) == (2, 5_000), r.err

    def test_the_proposal_says_which_number_to_approve(self, database, cli):
        with database.session() as s:
            make_agreement(s)
        r = cli("agreement", "amend", "KADIN-2026", "--quota", "1100", "--budget", "221760000", "--by", EDITOR)
        assert "lindung agreement amend-approve KADIN-2026 --number 1 --by NAMA." in _words(r.out), r.out


class TestRacingOnPostgres:
    """Withdrawing, editing and approving each lock the agreement row first: whichever comes second
    sees what the first did (PostgreSQL; SQLite's writers queue behind BEGIN IMMEDIATE)."""

    def test_a_withdrawal_and_an_approval_at_once_leave_one_of_them(self, postgres_database):
        database = postgres_database
        with database.session() as s:
            make_agreement(s, approve=False)
        withdrawn, approved = race(database, [
            lambda s: sponsors.withdraw(s, "KADIN-2026", reason="dobel", by=actor(s, MAKER)).status,
            lambda s: sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER)).status])
        with database.session(readonly=True) as s:
            status = sponsors.get_agreement(s, "KADIN-2026").status
            logged = withdrawals(s)
        if status == "withdrawn":
            assert withdrawn == "withdrawn" and isinstance(approved, sponsors.StatusConflict), approved
            assert len(logged) == 1
        else:
            assert status == approved == "approved" and isinstance(withdrawn, sponsors.NotWithdrawable), withdrawn
            assert logged == []

    def test_an_approval_of_version_1_never_covers_an_edit_made_at_the_same_moment(self, postgres_database):
        database = postgres_database
        with database.session() as s:
            make_agreement(s, approve=False)
        edited, approved = race(database, [
            lambda s: sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(quota=10_000),
                                          by=actor(s, EDITOR)).changed,
            lambda s: sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER), version=1).status])
        with database.session(readonly=True) as s:
            agreement = sponsors.get_agreement(s, "KADIN-2026")
            status, quota = agreement.status, agreement.quota
        if status == "approved":  # the approval first: the edit found no draft
            assert approved == "approved" and isinstance(edited, sponsors.NotADraft), edited
            assert quota == 1000
        else:  # the edit first: the approval found version 2
            assert edited == ["quota"] and isinstance(approved, sponsors.DraftVersionChanged), approved
            assert (status, quota) == ("draft", 10_000)
