"""Jobs (``jobs.service``): a job records who started what, how far it got and how it ended; a scoped
user reads only the jobs they started; a job whose process is gone reads as interrupted (both engines)."""

from __future__ import annotations

import os
import subprocess

import pytest
from pydantic import BaseModel

from lindung.jobs import service as jobs
from lindung.kit.errors import InvalidInput, NotFound
from tests.factories import make_sponsor
from tests.users import actor, add_user


class Counted(BaseModel):
    n: int


def start(database, name: str = "ani", kind: str = "bill_run") -> int:
    with database.session() as s:
        return jobs.start(s, kind=kind, params={"month": "2026-01"}, by=actor(s, name)).id


def test_a_job_runs_with_its_progress_and_keeps_its_result(database):
    job_id = start(database)
    seen: list[tuple[int, int | None]] = []

    def work(context: jobs.JobContext) -> Counted:
        assert context.params == {"month": "2026-01"} and context.actor.username == "ani"
        for done in range(1, 4):
            context.progress(done, 3)
        return Counted(n=3)

    with database.session(readonly=True) as s:
        assert jobs.get(s, job_id, by=actor(s, "ani")).status == "queued"
        me = actor(s, "ani")
    assert jobs.run(database.engine, job_id, work, by=me, on_progress=lambda d, t: seen.append((d, t))) == Counted(n=3)
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with database.session(readonly=True) as s:
        job = jobs.get(s, job_id, by=actor(s, "budi"))
    assert (job.status, job.done, job.total, job.result, job.created_by) == ("done", 3, 3, {"n": 3}, "ani")
    assert job.started_at is not None and job.finished_at is not None and job.finished_at >= job.started_at


def test_a_refusal_ends_the_job_failed_with_its_message_code(database):
    job_id = start(database)
    with database.session(readonly=True) as s:
        me = actor(s, "ani")

    def work(context: jobs.JobContext) -> Counted:
        context.progress(1, 2)
        raise InvalidInput("month", "2026-13")

    with pytest.raises(InvalidInput):
        jobs.run(database.engine, job_id, work, by=me)
    with database.session(readonly=True) as s:
        job = jobs.get(s, job_id, by=me)
    assert (job.status, job.done, job.total, job.error_code) == ("failed", 1, 2, "invalid.month")
    assert job.error_context == {"field": "month", "value": "2026-13"}


def test_a_scoped_user_reads_only_the_jobs_they_started(database):
    with database.session() as s:
        make_sponsor(s)
        add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
    theirs, branch = start(database, "kadin.staf", kind="import"), start(database, "ani")
    with database.session(readonly=True) as s:
        staff = actor(s, "kadin.staf")
        assert [j.id for j in jobs.newest(s, by=staff).items] == [theirs]
        assert jobs.get(s, theirs, by=staff).created_by == "kadin.staf"
        with pytest.raises(NotFound):
            jobs.get(s, branch, by=staff)
        assert [j.id for j in jobs.newest(s, by=actor(s, "budi")).items] == [branch, theirs]


def test_the_newest_jobs_of_one_kind(database):
    imported, billed = start(database, kind="import"), start(database, kind="bill_run")
    with database.session(readonly=True) as s:
        budi = actor(s, "budi")
        assert [j.id for j in jobs.newest(s, by=budi, kind="import").items] == [imported]
        assert [j.id for j in jobs.newest(s, by=budi, kind="bill_run").items] == [billed]
        assert jobs.newest(s, by=budi, kind="import").total == 1
        assert [j.id for j in jobs.newest(s, by=budi).items] == [billed, imported]


def test_a_job_whose_process_is_gone_reads_as_interrupted(database):
    job_id = start(database)
    with database.session() as s:
        dead = subprocess.Popen(["true"])
        dead.wait()
        from lindung.jobs.models import Job

        row = s.get(Job, job_id)
        assert row is not None
        row.status, row.host, row.pid = "running", jobs._HOST, dead.pid
    with database.session(readonly=True) as s:
        assert jobs.get(s, job_id, by=actor(s, "ani")).status == "interrupted"
    with database.session() as s:
        row = s.get(Job, job_id)
        assert row is not None
        row.pid = os.getpid()  # this process, alive
    with database.session(readonly=True) as s:
        assert jobs.get(s, job_id, by=actor(s, "ani")).status == "running"


def test_the_command_lists_and_shows_jobs(database, cli):
    assert cli("job", "list", "--by", "ani", "--lang", "en").out == "No job (import, bill run) has run yet."
    job_id = start(database)
    listed = cli("job", "list", "--by", "ani", "--json").json()
    assert [(j["id"], j["kind"], j["status"]) for j in listed] == [(job_id, "bill_run", "queued")]
    shown = " ".join(cli("job", "show", str(job_id), "--by", "ani").out.split())
    assert "penerbitan tagihan" in shown and "menunggu" in shown
    assert cli("job", "show", "999", "--by", "ani").exit_code == 3
