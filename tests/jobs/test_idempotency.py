"""A job started with an idempotency key is started once per user and key: the same key again gives
the first job back, also when two requests race (the unique index decides; the loser reads the
winner's job); the same key for another request is refused."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.orm import Session

from lindung.jobs import service as jobs
from lindung.jobs.schemas import JobRead
from lindung.kit.errors import InvalidInput
from tests.conftest import TestDatabase
from tests.racing import race
from tests.users import actor


def _start(s: Session, user: str = "ani", key: str | None = "k-1", fingerprint: str = "a" * 64,
           params: dict[str, object] | None = None) -> tuple[JobRead, bool]:
    return jobs.start_once(s, kind="import", params=params or {"file": "kadin.csv"}, by=actor(s, user),
                           idempotency_key=key, fingerprint=fingerprint)


def test_the_same_key_gives_the_first_job_back(database: TestDatabase) -> None:
    with database.session() as s:
        first, made = _start(s)
        again, made_again = _start(s)
        assert made and not made_again and again.id == first.id
        assert jobs.start(s, kind="import", params={"file": "kadin.csv"}, by=actor(s, "ani"), idempotency_key="k-1",
                          fingerprint="a" * 64).id == first.id
        other_user, made_other = _start(s, user="cici")
        assert made_other and other_user.id != first.id
        no_key = [_start(s, key=None)[0].id for _ in range(2)]
        assert len(set(no_key)) == 2  # without a key, each call is a job
        for changed in ({"fingerprint": "b" * 64}, {"params": {"file": "other.csv"}}):
            with pytest.raises(InvalidInput) as refused:
                _start(s, **changed)  # type: ignore[arg-type]
            assert refused.value.code == "invalid.idempotency_key_reused"
            assert refused.value.context["job"] == first.id


def test_two_requests_with_one_key_at_once_make_one_job(database: TestDatabase) -> None:
    def start(s: Session) -> tuple[int, bool]:
        job, made = _start(s, key="race")
        time.sleep(0.3)  # hold the transaction: the other's insert waits for this commit
        return job.id, made

    results = race(database, [start, start])
    assert all(isinstance(r, tuple) for r in results), results
    ids = {r[0] for r in results}  # type: ignore[index]
    made = sorted(r[1] for r in results)  # type: ignore[index]
    assert len(ids) == 1 and made == [False, True]
