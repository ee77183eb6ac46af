"""Sponsors and agreements: the package, the cost estimate, approval by a second person, life cycle."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.kit.auth import NotPermitted
from lindung.kit.errors import Conflict, InvalidInput, NotFound
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from tests.factories import CHECKER, MAKER, enrol, make_agreement, make_sponsor, make_worker
from tests.users import actor


class TestSponsors:
    def test_a_sponsor_gets_its_type_from_the_funding_source(self, database):
        with database.session() as s:
            kadin = make_sponsor(s, "kadin", "kadin", "Kadin Kabupaten Bekasi")
            regency = make_sponsor(s, "PEMKAB", "apbd")
            assert (kadin.code, kadin.type, kadin.funding_code) == ("KADIN", "association", "kadin")
            assert regency.type == "government"

    def test_codes_are_unique(self, database):
        with database.session() as s:
            make_sponsor(s, "KADIN")
        with database.session() as s, pytest.raises(Conflict) as exc:
            make_sponsor(s, "KADIN")
        assert exc.value.code == "sponsor.exists"

    def test_an_unknown_funding_source_is_refused(self, database):
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_sponsor(s, "X", "lottery")
        assert exc.value.code == "invalid.funding"


class TestTheCostEstimate:
    def test_kadin_1000_workers_for_12_months_list_price_is_201_600_000(self, database):
        with database.session() as s:
            a = make_agreement(s, quota=1000, budget=201_600_000)
            assert a.estimate_list_price == 201_600_000

    def test_kadin_expected_cost_has_the_pp_50_2025_discount_from_april_2026(self, database):
        # Jan–Mar 2026 at Rp16.800, Apr–Dec 2026 at Rp8.400 (non-transport), × 1.000 workers
        with database.session() as s:
            a = make_agreement(s, quota=1000)
            assert a.estimate_expected == 1000 * (3 * 16_800 + 9 * 8_400) == 126_000_000

    def test_a_regency_apbd_agreement_gets_no_discount(self, database):
        with database.session() as s:
            a = make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd", quota=15_000)
            assert a.estimate_list_price == a.estimate_expected == 3_024_000_000

    def test_an_agreement_for_ojek_drivers_is_estimated_at_the_transport_discount(self, database):
        with database.session() as s:
            a = make_agreement(s, "OJEK-2026", sponsor="CSR", funding="csr", quota=10,
                               target_occupations=("Ojol",))
            assert a.estimate_expected == 10 * 12 * 8_400

    def test_jht_and_a_higher_bracket_are_part_of_the_package(self, database):
        with database.session() as s:
            a = make_agreement(s, "JHT-2026", sponsor="PEMKAB", funding="apbd", quota=1, jht=True,
                               income=1_350_000)
            assert (a.income, a.base, a.bracket, a.jht) == (1_350_000, 1_400_000, 3, True)
            assert a.estimate_list_price == 12 * (14_000 + 6_800 + 28_000)


class TestThePackage:
    def test_billing_cycle_defaults_to_twelve_months_and_after_death_to_credit(self, database):
        with database.session() as s:
            a = make_agreement(s)
            assert (a.billing_cycle_months, a.after_death) == (12, "credit")

    def test_a_billing_cycle_from_the_parameter_is_kept(self, database):
        with database.session() as s:
            a = make_agreement(s, billing_cycle=6, after_death="refund")
            assert (a.billing_cycle_months, a.after_death) == (6, "refund")

    @pytest.mark.parametrize(("extra", "code"), [
        ({"billing_cycle": 5}, "invalid.billing_cycle"),
        ({"after_death": "keep"}, "invalid.after_death"),
        ({"quota": 0}, "invalid.quota"),
        ({"budget": -1}, "invalid.budget"),
        ({"months": 0}, "invalid.months"),
        ({"target_occupations": ("astronot",)}, "invalid.occupation"),
        ({"target_regions": ("32.99",)}, "invalid.region_unknown"),
    ])
    def test_a_bad_package_is_refused(self, database, extra, code):
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            make_agreement(s, **extra)
        assert exc.value.code == code

    def test_targets_are_stored_as_codes(self, database):
        with database.session() as s:
            make_agreement(s, "TANI", sponsor="PEMKAB", funding="apbd",
                           target_occupations=("Petani", "buruh tani"), target_regions=("3216", "32.16.13"))
        with database.session(readonly=True) as s:
            shown = sponsors.describe(sponsors.get_agreement(s, "tani")).model_dump()
            assert shown["targets"] == {"occupations": ["buruh_tani", "petani"], "regions": ["32.16", "32.16.13"]}
            assert (shown["start"], shown["end"]) == ("2026-01", "2026-12")

    def test_the_period_is_stored_as_month_indexes(self, database):
        with database.session() as s:
            a = make_agreement(s, start="2026-03", months=12)
            assert (a.start_month, a.end_month) == (Month(2026, 3).index, Month(2027, 2).index)


class TestApprovalByASecondPerson:
    def test_the_drafter_cannot_approve_under_any_spelling_of_their_name(self, database):
        # A supervisor may draft and approve, but not both for one agreement: "  CITRA.Supervisor " is
        # the user citra.supervisor.
        with database.session() as s:
            make_agreement(s, approve=False, maker="citra.supervisor")
        for spelling in ("citra.supervisor", "  CITRA.Supervisor ", "Citra.supervisor"):
            with database.session() as s, pytest.raises(Conflict) as exc:
                sponsors.approve(s, "KADIN-2026", by=actor(s, spelling))
            assert exc.value.code == "agreement.self_approval"
        assert database.scalar("SELECT status FROM agreements") == "draft"

    def test_an_officer_cannot_approve(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
        with database.session() as s, pytest.raises(NotPermitted) as exc:
            sponsors.approve(s, "KADIN-2026", by=actor(s, "cici"))
        assert exc.value.context["permission"] == "agreement.approve"
        assert exc.value.message("en") == ("User 'cici' (officer) may not do this (it needs the permission "
                                           "agreement.approve); nothing was saved.")
        assert database.scalar("SELECT status FROM agreements") == "draft"

    def test_another_person_approves_and_it_is_recorded(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
        with database.session() as s:
            a = sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER))
        assert (a.status, a.drafted_by, a.approved_by) == ("approved", MAKER, CHECKER)
        assert a.approved_at is not None and a.approved_at.tzinfo is not None

    def test_the_database_refuses_a_self_approval_written_behind_the_service(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
        with pytest.raises(IntegrityError), database.session() as s:
            s.execute(text("UPDATE agreements SET status = 'approved', approved_by = drafted_by"))

    def test_an_approved_agreement_cannot_be_approved_again(self, database):
        with database.session() as s:
            make_agreement(s)
        with database.session() as s, pytest.raises(Conflict) as exc:
            sponsors.approve(s, "KADIN-2026", by=actor(s, "citra.supervisor"))
        assert exc.value.code == "agreement.status"
        assert exc.value.message("id") == "Perjanjian KADIN-2026 berstatus disetujui; tidak dapat menjadi disetujui."
        assert exc.value.message("en") == "Agreement KADIN-2026 is approved; it cannot become approved."


class TestLifeCycle:
    def test_draft_approved_active_ended(self, database):
        with database.session() as s:
            make_agreement(s, approve=False)
            assert sponsors.get_agreement(s, "KADIN-2026").status == "draft"
            with pytest.raises(Conflict):
                sponsors.activate(s, "KADIN-2026", by=actor(s, CHECKER))
            sponsors.approve(s, "KADIN-2026", by=actor(s, CHECKER))
            assert sponsors.activate(s, "KADIN-2026", by=actor(s, CHECKER)).status == "active"
            assert sponsors.end(s, "KADIN-2026").status == "ended"
            with pytest.raises(Conflict):
                sponsors.end(s, "KADIN-2026")

    def test_agreement_end_takes_an_unused_agreement_and_sends_one_with_workers_to_billing(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=False)  # a draft: corrected with agreement edit, never ended
            make_agreement(s, "UNUSED-2026")  # approved, never used
            make_agreement(s, "USED-2026", activate=True)
            enrol(s, make_worker(s), "USED-2026")
        r = cli("agreement", "end", "KADIN-2026", "--by", "ani")
        assert r.exit_code == 4 and "draf" in r.err, r.err
        r = cli("agreement", "end", "UNUSED-2026", "--by", "ani")
        assert r.exit_code == 0 and "UNUSED-2026" in r.out, r.err
        r = cli("agreement", "end", "USED-2026", "--by", "ani", "--lang", "en")
        assert r.exit_code == 4
        assert " ".join(r.err.split()) == (
            "Error: Agreement USED-2026 covers 1 workers: end it with lindung billing end-agreement USED-2026 "
            "--last-month YYYY-MM, which ends their enrolments and settles its bills.")
        with database.session(readonly=True) as s:
            assert [sponsors.get_agreement(s, c).status for c in ("KADIN-2026", "UNUSED-2026", "USED-2026")] == [
                "draft", "ended", "active"]
            ended = s.scalars(select(AuditEntry).where(AuditEntry.action == "agreement.end")).all()
            assert [(e.actor, e.data) for e in ended] == [
                ("ani", {"variant": "unused", "agreement_status": "approved"})]
            assert [audit.detail_text(e, "en") for e in ended] == ["approved → ended, no enrolment"]
            assert [audit.detail_text(e, "id") for e in ended] == ["disetujui → berakhir, tanpa kepesertaan"]

    def test_the_audit_log_tells_the_life_of_an_agreement(self, database, cli):
        # Who added the sponsor, drafted, changed, approved (which version) and activated: each step
        # in the audit log, not only in the agreement's own columns (activation had no person at all).
        assert cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin", "--funding", "kadin",
                   "--by", MAKER).exit_code == 0
        assert cli("agreement", "add", "--code", "KADIN-2026", "--sponsor", "KADIN", "--quota", "1000", "--budget",
                   "201600000", "--start", "2026-01", "--months", "12", "--by", MAKER).exit_code == 0
        assert cli("agreement", "edit", "KADIN-2026", "--months", "11", "--by", "citra").exit_code == 0
        assert cli("agreement", "approve", "KADIN-2026", "--version", "2", "--by", CHECKER).exit_code == 0
        r = cli("agreement", "activate", "KADIN-2026", "--by", "dedi")
        assert r.exit_code == 0, r.err
        with database.session(readonly=True) as s:
            logged = [(e.actor, e.action, e.subject_type, audit.detail_text(e, "en")) for e in s.scalars(
                select(AuditEntry).where(AuditEntry.subject_type != "user").order_by(AuditEntry.id))]
        assert logged == [
            (MAKER, "sponsor.added", "sponsor", "association, funding Chamber of commerce or association"),
            (MAKER, "agreement.drafted", "agreement", "quota 1,000, budget Rp201.600.000, from 2026-01 for 12 months"),
            ("citra", "agreement.edited", "agreement", "draft: months of coverage 12 → 11"),
            (CHECKER, "agreement.approved", "agreement", "draft version 2"),
            ("dedi", "agreement.activated", "agreement", "approved → active")]
        listed = cli("audit", "--action", "agreement.", "--json").json()
        assert [e["action"] for e in listed] == ["agreement.activated", "agreement.approved", "agreement.edited",
                                                 "agreement.drafted"]

    def test_an_unknown_agreement_is_not_found(self, database):
        with database.session(readonly=True) as s, pytest.raises(NotFound) as exc:
            sponsors.get_agreement(s, "NOPE")
        assert "NOPE" in exc.value.message("en")
