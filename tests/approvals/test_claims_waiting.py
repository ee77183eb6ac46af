"""Verified claims wait in the approvals inbox with the other kinds: the officer who entered and verified
one sees that they may not approve it, a supervisor that they may; once approved it no longer waits."""

from __future__ import annotations

from lindung.approvals.service import awaiting
from lindung.claims import service
from tests.claims.factories import OFFICER, SUPERVISOR, attach_all
from tests.claims.test_workflow import TODAY, _jkm
from tests.users import actor


def test_a_verified_claim_waits_for_a_second_person(database, cli) -> None:  # type: ignore[no-untyped-def]
    number = _jkm(database)
    with database.session() as s:
        assert [w for w in awaiting(s, by=actor(s, SUPERVISOR)) if w.kind == "claim"] == [], "a draft does not wait"
        attach_all(s, number, TODAY)
        service.submit(s, number, by=actor(s, OFFICER), today=TODAY)
        service.verify(s, number, by=actor(s, OFFICER), today=TODAY)
    with database.session(readonly=True) as s:
        mine = [w for w in awaiting(s, by=actor(s, OFFICER)) if w.kind == "claim"]
        theirs = [w for w in awaiting(s, by=actor(s, SUPERVISOR)) if w.kind == "claim"]
    assert len(mine) == len(theirs) == 1
    assert mine[0].facts["claim"] == number and mine[0].facts["total"] == 42_000_000
    assert mine[0].agreement == "KADIN-2026" and mine[0].proposed_by == OFFICER
    assert (mine[0].may_approve, mine[0].why_not) == (False, "permission"), "an officer's role does not approve"
    assert (theirs[0].may_approve, theirs[0].why_not) == (True, None)
    shown = cli("approvals", "--by", SUPERVISOR)
    assert number in shown.out and "Rp42.000.000" in shown.out and f"lindung claim approve {number}" in shown.out
    with database.session() as s:
        service.approve(s, number, by=actor(s, SUPERVISOR), today=TODAY)
    with database.session(readonly=True) as s:
        assert [w for w in awaiting(s, by=actor(s, SUPERVISOR)) if w.kind == "claim"] == []


def test_whoever_verified_a_claim_may_not_approve_it(database) -> None:  # type: ignore[no-untyped-def]
    number = _jkm(database)
    with database.session() as s:
        attach_all(s, number, TODAY)
        service.submit(s, number, by=actor(s, OFFICER), today=TODAY)
        service.verify(s, number, by=actor(s, SUPERVISOR), today=TODAY)
    with database.session(readonly=True) as s:
        seen = [w for w in awaiting(s, by=actor(s, SUPERVISOR)) if w.kind == "claim"]
    assert (seen[0].may_approve, seen[0].why_not) == (False, "maker")
    assert {m.name for m in seen[0].makers} == {OFFICER, SUPERVISOR}
