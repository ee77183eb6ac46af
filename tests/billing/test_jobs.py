"""The bill run as a job: its parameters and progress in the jobs row, one unit of work per batch of
agreements, and a run stopped half-way keeping the batches it finished, so that the same run again
issues only what is missing. On both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from lindung.billing import jobs as bill_jobs
from lindung.billing.schemas import BillRun, BillRunRequest
from lindung.billing.service import AgreementNotBillable
from lindung.jobs import service as jobs
from lindung.kit.errors import NoRuleInForce
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from tests.billing import factories as f
from tests.billing.checks import assert_counters_match_lines
from tests.users import actor, add_user

MAR = Month(2026, 3)
ISSUED = dt.date(2026, 3, 2)


@pytest.fixture
def three_agreements(database) -> dict[str, list[str]]:
    """Three monthly agreements (ids in this order) of two workers each, not billed yet; their NIKs."""
    niks = {}
    with database.session() as s:
        for code, sponsor in (("KADIN-2026", "KADIN"), ("DESA-2026", "DESA"), ("CSR-2026", "CSR")):
            f.agreement(s, code, sponsor=sponsor, funding="csr" if sponsor == "CSR" else "apbdes", cycle=1)
            niks[code] = [w.nik for w in f.cohort(s, 2, code)]
    return niks


def start(database, request: BillRunRequest, by: str = f.MAKER) -> int:
    with database.session() as s:
        return bill_jobs.start(s, request, by=actor(s, by)).id


def run(database, job_id: int, by: str = f.MAKER, **kw) -> BillRun:
    with database.session(readonly=True) as s:
        who = actor(s, by)
    return bill_jobs.run(job_id, by=who, engine=database.engine, **kw)


def job(database, job_id: int):
    with database.session(readonly=True) as s:
        return jobs.get(s, job_id, by=actor(s, f.MAKER))


class TestABillRunIsAJob:
    def test_parameters_progress_and_result_are_the_job_s(self, database, three_agreements):
        job_id = start(database, BillRunRequest(month=MAR, issue_date=ISSUED, batch=2))
        queued = job(database, job_id)
        assert (queued.kind, queued.status, queued.created_by) == ("bill_run", "queued", f.MAKER)
        assert queued.params == {"month": "2026-03", "agreement": None, "issue_date": "2026-03-02", "batch": 2}
        heard: list[tuple[int, int | None]] = []
        result = run(database, job_id, on_progress=lambda done, total: heard.append((done, total)))
        # three agreements in batches of two: the progress is the agreements done
        assert heard == [(0, 3), (2, 3), (3, 3)]
        assert (result.bills_issued, result.worker_months, result.agreements, result.cycles_checked) == (9, 18, 3, 9)
        assert [b.agreement for b in result.bills][::3] == ["KADIN-2026", "DESA-2026", "CSR-2026"]
        done = job(database, job_id)
        assert (done.status, done.done, done.total, done.error_code) == ("done", 3, 3, None)
        assert BillRun.model_validate(done.result) == result  # the result is kept as the command's JSON
        assert database.scalar("SELECT count(*) FROM bills") == 9

    def test_one_agreement(self, database, three_agreements):
        result = run(database, start(database, BillRunRequest(month=MAR, agreement="desa-2026", issue_date=ISSUED)))
        assert {b.agreement for b in result.bills} == {"DESA-2026"} and result.bills_issued == 3

    def test_refused_before_anything_is_written(self, database, three_agreements):
        with database.session() as s:
            sponsors.end(s, "CSR-2026")
        with pytest.raises(AgreementNotBillable):
            start(database, BillRunRequest(month=MAR, agreement="CSR-2026", issue_date=ISSUED))
        assert database.scalar("SELECT count(*) FROM jobs") == 0


class TestARunStoppedHalfWay:
    """The second batch fails (its agreement is broken: a start mistyped into 2014, a year no
    contribution rate of ours is in force for): the job is failed, the first batch's bills stay, and
    once the agreement is mended the same run again issues only what is missing."""

    def test_keeps_the_batches_it_finished_and_a_rerun_completes(self, database, three_agreements):
        with database.session(readonly=True) as s:
            first, second = (sponsors.get_agreement(s, code).id for code in ("KADIN-2026", "DESA-2026"))
        moved = {"id": second, "start": Month(2014, 1).index, "was": Month(2026, 1).index}
        with database.session() as s:
            s.execute(text("UPDATE agreements SET start_month = :start, months = end_month - :start + 1 "
                           "WHERE id = :id"), moved)
        request = BillRunRequest(month=MAR, issue_date=ISSUED, batch=1)
        heard: list[tuple[int, int | None]] = []
        failed_id = start(database, request)
        with pytest.raises(NoRuleInForce):
            run(database, failed_id, on_progress=lambda done, total: heard.append((done, total)))
        failed = job(database, failed_id)
        assert (failed.status, failed.error_code, failed.done, failed.total) == ("failed", "no_rule_in_force", 1, 3)
        assert failed.error_context is not None and failed.error_context["date"] == "2014-01-01"
        assert heard == [(0, 3), (1, 3)]
        assert database.scalar("SELECT count(DISTINCT agreement_id) FROM bills") == 1
        assert database.scalar(f"SELECT count(*) FROM bills WHERE agreement_id = {first}") == 3
        with database.session() as s:  # mended
            s.execute(text("UPDATE agreements SET start_month = :was, months = end_month - :was + 1 WHERE id = :id"),
                      moved)
        again = run(database, start(database, request))
        assert {b.agreement for b in again.bills} == {"DESA-2026", "CSR-2026"}
        assert (again.bills_issued, again.worker_months) == (6, 12)
        assert job(database, failed_id).status == "failed"
        assert database.scalar("SELECT count(*) FROM bills") == 9
        assert database.scalar("SELECT count(*) FROM contribution_lines") == 18
        with database.session() as s:
            assert_counters_match_lines(s)


class TestTheCommand:
    def test_runs_the_job_and_job_list_shows_it(self, database, three_agreements, cli):
        result = cli("bill", "2026-03", "--on", "2026-03-02", "--batch", "2", "--json")
        assert result.exit_code == 0, result.stderr
        assert result.json()["bills_issued"] == 9
        listed = cli("job", "list", "--json")
        assert listed.exit_code == 0, listed.stderr
        [shown] = listed.json()
        assert (shown["kind"], shown["status"], shown["done"], shown["total"], shown["created_by"]) == (
            "bill_run", "done", 3, 3, "budi.supervisor")
        assert shown["params"] == {"month": "2026-03", "agreement": None, "issue_date": "2026-03-02", "batch": 2}
        assert shown["result"]["bills_issued"] == 9
        text_ = cli("job", "list", "--lang", "en")
        assert "bill run" in text_.stdout and "3/3" in text_.stdout

    def test_a_sponsor_s_staff_is_refused_and_no_job_is_recorded(self, database, three_agreements, cli):
        with database.session() as s:
            add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
        refused = cli("bill", "2026-03", "--by", "kadin.staf", "--lang", "en")
        assert refused.exit_code == 7
        assert "it needs the permission bill.issue); nothing was saved." in " ".join(refused.stderr.split())
        assert database.scalar("SELECT count(*) FROM jobs") == 0
