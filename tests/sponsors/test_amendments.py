"""Addenda: an agreement's quota and budget changed — a draft at once, an approved agreement only on
a second person's word, never below what is taken (both engines; racing on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.enrolment import errors
from lindung.enrolment import repository as enrolment_repo
from lindung.kit.auth import NotPermitted
from lindung.kit.errors import Conflict, InvalidInput, NotFound
from lindung.sponsors import amendments
from lindung.sponsors import service as sponsors
from tests.factories import MAKER, enrol, make_agreement, make_worker
from tests.racing import race
from tests.users import actor

ANI, BUDI = "ani.petugas", "budi.supervisor"
KADIN_YEAR_LIST, KADIN_YEAR_EXPECTED = 12 * 16_800, 126_000  # per worker, 2026 (discount Apr–Dec)


def counters(database: Any) -> tuple[int, int, int, int]:
    """(quota, budget, enrolled, committed) of KADIN-2026 as committed."""
    with database.session(readonly=True) as s:
        a = sponsors.get_agreement(s, "KADIN-2026")
        return a.quota, a.budget, a.enrolled_count, a.committed_cost


class TestADraftIsEditedAtOnce:
    def test_quota_budget_and_estimate_change_and_the_edit_is_audited(self, database):
        with database.session() as s:
            make_agreement(s, approve=False, budget=201_600_000)
            out = amendments.amend(s, "KADIN-2026", quota=1500, budget=302_400_000, by=actor(s, ANI))
            assert (out.id, out.status, out.quota_before, out.quota_after) == (None, "applied", 1000, 1500)
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert (a.quota, a.budget, a.status) == (1500, 302_400_000, "draft")
            assert (a.estimate_list_price, a.estimate_expected) == (1500 * KADIN_YEAR_LIST, 1500 * KADIN_YEAR_EXPECTED)
            assert a.amendments == []
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "agreement.edited")).one()
            assert (entry.actor, entry.data) == (ANI, {"changes": [["quota", 1000, 1500],
                                                                   ["budget", 201_600_000, 302_400_000]]})
            assert audit.detail_text(entry, "en") == ("draft: quota 1,000 → 1,500; "
                                                      "budget Rp201.600.000 → Rp302.400.000")


    def test_who_changed_a_draft_cannot_approve_it(self, database):
        # Maker-checker: a supervisor who raised the quota tenfold on another's draft and then approved
        # it would have checked their own change.
        with database.session() as s:
            make_agreement(s, approve=False, budget=201_600_000)  # drafted by ANI
            amendments.amend(s, "KADIN-2026", quota=10_000, budget=2_016_000_000, by=actor(s, BUDI))
        with database.session() as s, pytest.raises(sponsors.SelfApproval) as own:
            sponsors.approve(s, "KADIN-2026", by=actor(s, " Budi.Supervisor "))
        assert own.value.code == "agreement.self_approval_edited"
        assert own.value.message("en") == ("Draft KADIN-2026 was changed by budi.supervisor; it must be approved by "
                                           "someone who neither drafted nor changed it.")
        with database.session() as s:
            assert sponsors.get_agreement(s, "KADIN-2026").status == "draft"  # nothing changed
            amendments.amend(s, "KADIN-2026", quota=1000, budget=201_600_000, by=actor(s, ANI))  # drafter
            assert sponsors.approve(s, "KADIN-2026", by=actor(s, "citra.supervisor")).status == "approved"


class TestAnApprovedAgreementNeedsASecondPerson:
    def test_nothing_changes_until_another_person_approves(self, database):
        with database.session() as s:
            make_agreement(s, budget=201_600_000, activate=True)
            # A supervisor proposes (officers may too), so that only maker-checker stops them approving it.
            proposed = amendments.amend(s, "kadin-2026", quota=1500, budget=302_400_000,
                                        reference="  Adendum I   No. 12/PKS/2026 ", by=actor(s, BUDI))
        assert (proposed.status, proposed.reference) == ("proposed", "Adendum I No. 12/PKS/2026")
        assert (proposed.estimate_list_price_after, proposed.estimate_expected_after) == (
            1500 * KADIN_YEAR_LIST, 1500 * KADIN_YEAR_EXPECTED)
        assert counters(database) == (1000, 201_600_000, 0, 0)
        with database.session() as s, pytest.raises(Conflict) as own:
            amendments.approve(s, "KADIN-2026", by=actor(s, " Budi.SUPERVISOR "))
        assert own.value.code == "agreement.amend_self_approval"
        with database.session() as s, pytest.raises(NotPermitted):
            amendments.approve(s, "KADIN-2026", by=actor(s, ANI))  # an officer
        with database.session() as s:
            approved = amendments.approve(s, "KADIN-2026", by=actor(s, "citra.supervisor"))
        assert (approved.status, approved.decided_by) == ("approved", "citra.supervisor")
        assert counters(database) == (1500, 302_400_000, 0, 0)
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert a.estimate_list_price == 1500 * KADIN_YEAR_LIST
            shown = sponsors.describe(a).model_dump()["amendments"]
            actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert [(m["quota_before"], m["quota_after"], m["status"], m["proposed_by"], m["decided_by"])
                for m in shown] == [(1000, 1500, "approved", BUDI, "citra.supervisor")]
        assert actions[-2:] == ["agreement.amendment_proposed", "agreement.amendment_approved"]

    def test_the_new_places_take_enrolments(self, database):
        with database.session() as s:
            make_agreement(s, quota=1)
            enrol(s, make_worker(s))
            late = make_worker(s).nik
        with database.session() as s, pytest.raises(errors.QuotaExceeded):
            enrol(s, late)
        with database.session() as s:
            amendments.amend(s, "KADIN-2026", quota=2, budget=2 * KADIN_YEAR_LIST, by=actor(s, ANI))
            amendments.approve(s, "KADIN-2026", by=actor(s, BUDI))
        with database.session() as s:
            enrol(s, late)
        assert counters(database)[2] == 2

    def test_one_pending_at_a_time_and_the_proposer_may_withdraw_it(self, database):
        with database.session() as s:
            make_agreement(s)
            amendments.amend(s, "KADIN-2026", quota=1200, by=actor(s, ANI))
        with database.session() as s, pytest.raises(Conflict) as pending:
            amendments.amend(s, "KADIN-2026", quota=1300, by=actor(s, BUDI))
        assert pending.value.code == "agreement.amend_pending"
        with database.session() as s:
            assert amendments.reject(s, "KADIN-2026", by=actor(s, ANI)).status == "rejected"
        with database.session() as s, pytest.raises(NotFound) as none:
            amendments.approve(s, "KADIN-2026", by=actor(s, BUDI))
        assert none.value.code == "agreement.amend_none"
        assert counters(database)[0] == 1000
        with database.session() as s:
            assert amendments.amend(s, "KADIN-2026", quota=1300, by=actor(s, BUDI)).status == "proposed"

    def test_the_database_keeps_one_pending_and_four_eyes_too(self, database):
        with database.session() as s:
            a = make_agreement(s)
            amendments.amend(s, "KADIN-2026", quota=1200, by=actor(s, ANI))
            agreement_id = a.id
        row = ("INSERT INTO agreement_amendments (agreement_id, quota_before, quota_after, budget_before, "
               "budget_after, estimate_list_price_after, estimate_expected_after, status, proposed_by, proposed_at, "
               "decided_by) VALUES (:a, 1000, 1300, 1, 1, 1, 1, :status, 'ani', CURRENT_TIMESTAMP, :decided)")
        for status, decided in (("proposed", None), ("approved", "ani")):
            with pytest.raises(IntegrityError), database.engine.begin() as conn:
                conn.execute(text(row), {"a": agreement_id, "status": status, "decided": decided})


class TestNeverBelowWhatIsTaken:
    def test_refused_when_proposed_and_when_approved_after_enrolments_came(self, database):
        with database.session() as s:
            make_agreement(s, quota=10)
            for _ in range(3):
                enrol(s, make_worker(s))
            niks = [make_worker(s).nik for _ in range(2)]
        with database.session() as s, pytest.raises(Conflict) as below:
            amendments.amend(s, "KADIN-2026", quota=2, by=actor(s, ANI))
        assert below.value.code == "agreement.amend_below_use"
        assert "3 pekerja" in below.value.message("id")
        with database.session() as s, pytest.raises(Conflict):
            amendments.amend(s, "KADIN-2026", budget=3 * KADIN_YEAR_EXPECTED - 1, by=actor(s, ANI))
        with database.session() as s:
            amendments.amend(s, "KADIN-2026", quota=4, by=actor(s, ANI))
            for n in niks:  # two more come before the approval
                enrol(s, n)
        with database.session() as s, pytest.raises(Conflict) as late:
            amendments.approve(s, "KADIN-2026", by=actor(s, BUDI))
        assert late.value.code == "agreement.amend_below_use"
        assert counters(database)[:3] == (10, 10 * KADIN_YEAR_LIST, 5)


class TestBadAmendments:
    @pytest.mark.parametrize(("change", "code"), [
        ({}, "invalid.amend_nothing"), ({"quota": 1000}, "invalid.amend_nothing"), ({"quota": 0}, "invalid.quota"),
        ({"budget": -1}, "invalid.budget")])
    def test_refused_with_a_reason(self, database, change, code):
        with database.session() as s:
            make_agreement(s)
        with database.session() as s, pytest.raises(InvalidInput) as exc:
            amendments.amend(s, "KADIN-2026", by=actor(s, ANI), **change)
        assert exc.value.code == code

    def test_an_ended_agreement_is_not_amended(self, database):
        with database.session() as s:
            make_agreement(s, activate=True)
            sponsors.end(s, "KADIN-2026")
        with database.session() as s, pytest.raises(Conflict) as exc:
            amendments.amend(s, "KADIN-2026", quota=2000, by=actor(s, ANI))
        assert exc.value.code == "agreement.amend_closed"


class TestTheCommands:
    def test_propose_approve_and_show(self, database, cli):
        with database.session() as s:
            make_agreement(s, budget=201_600_000)
        r = cli("agreement", "amend", "KADIN-2026", "--quota", "1500", "--budget", "302.400.000",
                "--reference", "Adendum I", "--by", ANI)
        assert r.exit_code == 0, r.stderr
        said = " ".join(r.out.split())
        assert "kuota 1.000 → 1.500, anggaran Rp201.600.000 → Rp302.400.000" in said
        assert "lindung agreement amend-approve KADIN-2026 --number 1 --by NAMA" in said
        assert cli("agreement", "amend-approve", "KADIN-2026", "--by", ANI).exit_code == 7  # an officer
        out = cli("agreement", "amend-approve", "KADIN-2026", "--by", BUDI, "--json").json()
        assert (out["status"], out["quota_after"], out["decided_by"]) == ("approved", 1500, BUDI)
        shown = cli("agreement", "show", "KADIN-2026", "--lang", "en")
        assert "quota 1,000 → 1,500" in " ".join(shown.out.split())  # grouped the English way
        assert "(Adendum I)" in shown.out and "approved by budi.supervisor" in " ".join(shown.out.split())
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["quota"] == 1500
        withdrawn = cli("agreement", "amend-reject", "KADIN-2026", "--by", ANI)
        assert withdrawn.exit_code == 3 and "tidak punya adendum" in withdrawn.err


class TestRacing:
    def test_an_approval_lowering_the_quota_and_enrolments_never_pass_it(self, postgres_database):
        database = postgres_database
        with database.session() as s:
            make_agreement(s, quota=10)
            for _ in range(3):
                enrol(s, make_worker(s))
            amendments.amend(s, "KADIN-2026", quota=5, by=actor(s, MAKER))
            niks = [make_worker(s).nik for _ in range(4)]
        results = race(database, [lambda s: amendments.approve(s, "KADIN-2026", by=actor(s, BUDI)).status,
                                  *[lambda s, n=n: enrol(s, n).id for n in niks]])
        quota, _budget, enrolled, _committed = counters(database)
        enrolled_now = sum(isinstance(r, int) for r in results[1:])
        assert enrolled == 3 + enrolled_now <= quota
        if results[0] == "approved":
            assert quota == 5 and enrolled_now <= 2
        else:
            assert isinstance(results[0], Conflict) and quota == 10 and enrolled_now >= 3, results
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert (a.enrolled_count, a.committed_cost) == enrolment_repo.totals(s, a.id)


class TestASponsorWithItsAgreements:
    def test_show_sums_its_agreements_in_force_and_says_an_addendum_waits(self, database, cli):
        with database.session() as s:
            make_agreement(s, budget=201_600_000, activate=True)
            make_agreement(s, "KADIN-2027", start="2027-01", quota=500, budget=100_800_000)
            make_agreement(s, "KADIN-DRAF", quota=50, budget=1, approve=False)
            enrol(s, make_worker(s))
            amendments.amend(s, "KADIN-2027", quota=600, by=actor(s, ANI))
        out = cli("sponsor", "show", "kadin", "--json").json()
        assert [a["code"] for a in out["agreements"]] == ["KADIN-2026", "KADIN-2027", "KADIN-DRAF"]
        assert out["totals"] == {"open_agreements": 2, "quota": 1500, "enrolled": 1,
                                 "budget": 201_600_000 + 100_800_000, "committed": KADIN_YEAR_EXPECTED}
        shown = " ".join(cli("sponsor", "show", "KADIN").out.split())
        assert "Perjanjian yang berjalan: 2; pekerja 1 dari kuota 1.500; iuran terikat Rp126.000 dari " \
               "anggaran Rp302.400.000." in shown
        assert "Adendum KADIN-2027 menunggu persetujuan" in shown
        assert cli("sponsor", "show", "NOPE").exit_code == 3
