"""A draft agreement corrected before its approval (``lindung agreement edit``): any field but its
code, worked out as a new draft would be, audited field by field; never an approved agreement, and
never approved by whoever edited it (both engines)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import AgreementChanges, AgreementCreate
from tests.factories import MAKER, make_agreement, make_sponsor
from tests.users import actor

EDITOR = "citra.petugas"


def _words(text: str) -> str:
    return " ".join(re.sub(r"[│┌┐└┘├┤┬┴┼─]", " ", text).split())
STORED = ("funding_code", "quota", "budget", "start_month", "months", "end_month", "income", "base", "bracket",
          "jht", "billing_cycle_months", "after_death", "estimate_list_price", "estimate_expected")


def stored(a: Any) -> dict[str, Any]:
    return {**{name: getattr(a, name) for name in STORED}, "sponsor": a.sponsor.code,
            "occupations": [t.occupation_code for t in a.target_occupations],
            "regions": [t.region_code for t in a.target_regions]}


def audit_details(s: Any) -> list[tuple[str, str | None]]:
    """Who changed the draft and what, as the audit log says it in English."""
    return [(e.actor, audit.detail_text(e, "en")) for e in s.scalars(
        select(AuditEntry).where(AuditEntry.action == "agreement.edited").order_by(AuditEntry.id))]


class TestEditingADraft:
    def test_the_draft_becomes_what_a_new_draft_of_those_values_would_be(self, database):
        with database.session() as s:
            make_agreement(s, approve=False, quota=10, budget=2_016_000)
            changed = sponsors.edit_draft(s, "kadin-2026", AgreementChanges(
                start=Month(2026, 3), months=10, jht=True, income=3_000_000, billing_cycle=6,
                after_death="refund", target_occupations=("Tukang Ojek",), target_regions=("32.16",)),
                by=actor(s, EDITOR))
            assert changed.changed == ["start", "months", "income", "base", "jht", "billing_cycle", "after_death",
                                       "occupations", "regions"]
            sponsors.draft_agreement(s, AgreementCreate(
                code="FRESH", sponsor="KADIN", quota=10, budget=2_016_000, start=Month(2026, 3), months=10,
                income=3_000_000, jht=True, billing_cycle=6, after_death="refund",
                target_occupations=("ojek",), target_regions=("3216",)), by=actor(s, MAKER))
            edited, fresh = sponsors.get_agreement(s, "KADIN-2026"), sponsors.get_agreement(s, "FRESH")
            assert stored(edited) == stored(fresh)
            assert (edited.start_month, edited.end_month) == (Month(2026, 3).index, Month(2026, 12).index)
            assert (edited.status, edited.drafted_by) == ("draft", MAKER)  # still the drafter's draft
            # An income of Rp3.000.000 falls in bracket 10 (from Rp2.700.000), base Rp2.950.000 (rules.md 1).
            assert audit_details(s) == [(EDITOR, "draft: start month 2026-01 → 2026-03; months of coverage 12 → 10; "
                                                 "declared income - → Rp3.000.000; contribution base Rp1.000.000 → "
                                                 "Rp2.950.000; JHT no → yes; billing cycle 12 → 6; contributions after "
                                                 "a death credit → refund; target occupations - → ojek; target regions "
                                                 "- → 32.16")]

    def test_a_new_sponsor_brings_its_funding_source_unless_one_was_chosen(self, database):
        with database.session() as s:
            make_sponsor(s, "PT-MAJU", "csr")
            make_agreement(s, approve=False)  # Kadin's own funding source
            assert sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(sponsor="pt-maju"),
                                       by=actor(s, EDITOR)).changed == ["sponsor", "funding"]
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert (a.sponsor.code, a.funding_code) == ("PT-MAJU", "csr")
            make_agreement(s, "OTHER-2026", approve=False, funding="apbd")  # chosen against Kadin's
            sponsors.edit_draft(s, "OTHER-2026", AgreementChanges(sponsor="PT-MAJU"), by=actor(s, EDITOR))
            assert sponsors.get_agreement(s, "OTHER-2026").funding_code == "apbd"

    def test_a_new_target_list_may_keep_some_of_the_old_one(self, database):
        # The same (agreement, occupation) key removed and added in one flush.
        with database.session() as s:
            make_agreement(s, approve=False, target_occupations=("ojek",), target_regions=("32.16",))
            sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(
                target_occupations=("petani", "ojek"), target_regions=("32.16", "32.15")), by=actor(s, EDITOR))
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert [t.occupation_code for t in a.target_occupations] == ["ojek", "petani"]
            assert [t.region_code for t in a.target_regions] == ["32.15", "32.16"]

    def test_no_target_clears_both_lists(self, database):
        with database.session() as s:
            make_agreement(s, approve=False, target_occupations=("petani",), target_regions=("32.16",))
            changed = sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(
                target_occupations=(), target_regions=()), by=actor(s, EDITOR))
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert changed.changed == ["occupations", "regions"] and a.target_occupations == a.target_regions == []


class TestWhatAnEditRefuses:
    def test_an_approved_agreement_changes_only_by_an_addendum(self, database):
        with database.session() as s:
            make_agreement(s)
        with database.session() as s, pytest.raises(sponsors.NotADraft) as refused:
            sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(months=6), by=actor(s, EDITOR))
        assert refused.value.message("id") == (
            "Perjanjian KADIN-2026 berstatus disetujui: hanya draf yang dapat diubah; kuota dan anggaran perjanjian "
            "yang sudah disetujui diubah lewat adendum (lindung agreement amend).")
        assert refused.value.exit_code == 4

    def test_a_wrong_value_or_no_change_leaves_the_draft_and_the_log_as_they_were(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
            before = stored(sponsors.get_agreement(s, "KADIN-2026"))
        for changes, code in ((AgreementChanges(months=6, billing_cycle=5), "invalid.billing_cycle"),
                              (AgreementChanges(months=12, jht=False), "invalid.edit_nothing"),
                              (AgreementChanges(target_regions=("99.99",)), "invalid.region_unknown")):
            with database.session() as s, pytest.raises(Exception) as refused:
                sponsors.edit_draft(s, "KADIN-2026", changes, by=actor(s, EDITOR))
            assert getattr(refused.value, "code", None) == code, refused.value
        with database.session(readonly=True) as s:
            assert stored(sponsors.get_agreement(s, "KADIN-2026")) == before
            assert audit_details(s) == []

    def test_whoever_edited_the_draft_cannot_approve_it(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
            sponsors.edit_draft(s, "KADIN-2026", AgreementChanges(months=6), by=actor(s, "citra.supervisor"))
        with database.session() as s, pytest.raises(sponsors.SelfApproval) as own:
            sponsors.approve(s, "KADIN-2026", by=actor(s, "CITRA.Supervisor"))
        assert own.value.code == "agreement.self_approval_edited"
        with database.session() as s:
            assert sponsors.approve(s, "KADIN-2026", by=actor(s, "budi.supervisor")).status == "approved"


class TestTheCommand:
    def test_says_what_changed_in_either_language_and_shows_the_draft(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=False, quota=10, budget=2_016_000)
        r = cli("agreement", "edit", "KADIN-2026", "--start", "2026-03", "--months", "10", "--jht",
                "--occupation", "ojek", "--by", EDITOR)
        assert r.exit_code == 0, r.err
        said = " ".join(r.out.split())
        assert "Draf KADIN-2026 diubah: bulan mulai, lama perlindungan, JHT, pekerjaan sasaran." in said
        assert "2026-03 – 2026-12 (10 bulan)" in said
        assert said.endswith("lindung agreement approve KADIN-2026 --version 2 --by NAMA")  # the version edited
        r = cli("agreement", "edit", "KADIN-2026", "--no-jht", "--by", EDITOR, "--lang", "en")
        assert "Draft KADIN-2026 changed: JHT." in " ".join(r.out.split())
        out = cli("agreement", "edit", "KADIN-2026", "--quota", "20", "--by", EDITOR, "--json").json()
        assert (out["quota"], out["changed"], out["status"]) == (20, ["quota"], "draft")

    def test_refusals_are_said_with_their_exit_codes(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=False)
        r = cli("agreement", "edit", "KADIN-2026", "--no-targets", "--occupation", "ojek", "--by", EDITOR)
        assert r.exit_code == 2 and "--no-targets menghapus semua sasaran" in r.err, r.err
        r = cli("agreement", "edit", "KADIN-2026", "--months", "12", "--by", EDITOR)
        assert r.exit_code == 2 and "tidak berubah" in r.err, r.err
        r = cli("agreement", "edit", "KADIN-2026", "--start", "2026-13", "--by", EDITOR)
        assert r.exit_code == 2 and "Bulan tidak valid: '2026-13'" in r.err, r.err
        assert cli("agreement", "approve", "KADIN-2026", "--by", "budi").exit_code == 0
        r = cli("agreement", "edit", "KADIN-2026", "--months", "6", "--by", EDITOR, "--lang", "en")
        assert r.exit_code == 4 and "only a draft can be edited" in " ".join(r.err.split()), r.err

    def test_the_agreement_shows_who_changed_the_draft_and_what(self, database, cli):
        # What the checker reads before approving: the draft is not as first drafted, and by whom.
        with database.session() as s:
            make_agreement(s, approve=False)
        assert cli("agreement", "edit", "KADIN-2026", "--months", "10", "--jht", "--by", EDITOR).exit_code == 0
        assert cli("agreement", "amend", "KADIN-2026", "--quota", "1200", "--by", "dedi").exit_code == 0
        said = _words(cli("agreement", "show", "KADIN-2026").out)  # the table's cells wrap: read it unboxed
        assert f"Diubah (draf) {EDITOR}, " in said and ": lama perlindungan 12 → 10; JHT tidak → ya" in said
        assert "Diubah (draf) dedi, " in said and ": kuota 1.000 → 1.200 " in said  # the budget did not change
        said = _words(cli("agreement", "show", "KADIN-2026", "--lang", "en").out)
        assert "Edited (draft)" in said and ": months of coverage 12 → 10; JHT no → yes" in said
        edits = cli("agreement", "show", "KADIN-2026", "--json").json()["edits"]
        assert [(e["by"], [tuple(c.values()) for c in e["changes"]]) for e in edits] == [
            (EDITOR, [("months", "12", "10"), ("jht", "False", "True")]),
            ("dedi", [("quota", "1000", "1200"), ("budget", "201600000", "201600000")])]
