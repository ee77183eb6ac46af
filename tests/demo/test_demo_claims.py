"""The demo's claims (issue 19): one paid JKM of the Kadin worker who dies, one fisherman's JKK case in
progress, made through the claims services as the demo's users, once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from lindung.claims import documents as store
from lindung.claims import service as claims
from lindung.claims.catalogue import catalogue
from lindung.demo import build, data, reads
from lindung.demo import claims as demo_claims
from lindung.demo import cli as demo_cli
from lindung.kit import clock
from tests.demo.conftest import STORY_DAY, run_demo
from tests.demo.test_demo import table_counts

pytestmark = pytest.mark.real_clock

CLAIM_TABLES = ("accidents", "claims", "claim_documents", "claim_payments", "claim_steps", "worker_deaths")


def rows(database: Any, sql: str, **params: object) -> list[tuple[Any, ...]]:
    with database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def people(database: Any) -> Any:
    with database.session(readonly=True) as s:
        return data.cohorts(reads.regency_villages(s))


def claim_counts(database: Any) -> dict[str, int]:
    counts = table_counts(database.engine)
    return {name: counts[name] for name in CLAIM_TABLES}


def stored_files() -> set[Path]:
    root = store.documents_dir()
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def show(database: Any, number: str, day: dt.date = STORY_DAY) -> Any:
    with database.session(readonly=True) as s:
        return claims.show(s, number, by=build.actors(s).officer, today=day)


def the_claim(database: Any, claim_type: str) -> Any:
    [(number,)] = rows(database, "SELECT number FROM claims WHERE type = :t", t=claim_type)
    return show(database, number)


class TestTheClaimsOnTheTwentyFifthOfNovember2026:
    """``story_database``: the demo ran on that day (see conftest)."""

    def test_the_first_run_files_two_claims_and_pays_the_jkm(self, bare_database):
        _, billed, filed = run_demo(bare_database, STORY_DAY)
        jkm = len(catalogue().required_for("jkm", "spouse"))
        assert filed.model_dump() == {"accidents": 1, "claims": 2, "documents": jkm + len(data.STMB_RECEIVED),
                                      "payments": 1}
        assert billed.deaths == 1  # the JKM's approval recorded the story's death

    def test_one_jkm_paid_in_full_to_the_heir_of_the_worker_who_died(self, story_database):
        db = story_database
        assert rows(db, "SELECT type, status, total FROM claims WHERE type = 'jkm'") == [("jkm", "paid", 42_000_000)]
        view = the_claim(db, "jkm")
        dead = data.death_person(people(db))
        assert dead is not None and dead.spouse is not None
        assert (view.name, view.nik[-4:], view.agreement, view.event_date) == (
            dead.name, dead.nik[-4:], data.KADIN, dt.date(2026, 5, 10))
        assert view.eligible and view.total == 42_000_000
        assert (view.payee.name, view.payee.relationship, view.payee.account_bank, view.payee.account_holder) == (
            dead.spouse, "spouse", data.JKM_BANK, dead.spouse)
        assert view.payment is not None
        assert (view.payment.amount, view.payment.reference, view.payment.by) == (
            42_000_000, f"{data.JKM_BANK}-{view.number}", data.OFFICER)
        assert rows(db, "SELECT amount FROM claim_payments") == [(42_000_000,)]
        # every required document, each its own file; complete on the day of the claim, paid the next working day
        assert all(d.received for d in view.documents if d.required)
        assert {d.code for d in view.documents} == set(catalogue().required_for("jkm", "spouse"))
        assert rows(db, "SELECT count(DISTINCT sha256) FROM claim_documents d JOIN claims c ON c.id = d.claim_id "
                        "WHERE c.type = 'jkm'") == [(len(view.documents),)]
        assert view.complete_on == dt.date(2026, 5, 15)  # 14 May is Ascension Day
        assert view.payment.paid_on == dt.date(2026, 5, 18) <= view.due_on  # within the service level
        # maker-checker: the officer entered and verified it, the supervisor approved it
        assert [(step.status, step.by) for step in view.history] == [
            ("draft", data.OFFICER), ("submitted", data.OFFICER), ("verified", data.OFFICER),
            ("approved", data.SUPERVISOR), ("paid", data.OFFICER)]

    def test_the_death_is_recorded_once_by_the_approval(self, story_database):
        db = story_database
        dead = data.death_person(people(db))
        assert dead is not None
        [(nik, died_on, recorded_by)] = rows(db, "SELECT w.nik, d.died_on, d.recorded_by FROM worker_deaths d "
                                                 "JOIN workers w ON w.id = d.worker_id")
        assert (nik, str(died_on), recorded_by) == (dead.nik, "2026-05-10", data.SUPERVISOR)
        assert rows(db, "SELECT count(*) FROM audit_log WHERE action = 'worker.death'") == [(1,)]

    def test_one_jkk_case_of_a_fisherman_submitted_with_documents_missing(self, story_database):
        db = story_database
        assert rows(db, "SELECT type, status FROM claims WHERE type <> 'jkm'") == [("jkk-stmb", "submitted")]
        view = the_claim(db, "jkk-stmb")
        fisherman = data.accident_person(people(db))
        assert fisherman is not None and (fisherman.occupation, fisherman.sex) == ("nelayan", "L")
        assert (view.name, view.nik[-4:], view.agreement, view.event_date) == (
            fisherman.name, fisherman.nik[-4:], data.CSR_FISHERS, STORY_DAY - dt.timedelta(days=3))
        assert view.eligible and view.inputs["months"] == data.STMB_MONTHS and view.total > 0
        missing = {d.code for d in view.documents if d.required and not d.received}
        received = {d.code for d in view.documents if d.received}
        assert received == set(data.STMB_RECEIVED) and missing == {"buku_tabungan", "surat_dokter"}
        assert view.payment is None and view.approved_by is None
        assert view.due_on == STORY_DAY - dt.timedelta(days=1) + dt.timedelta(days=30)  # decided within 30 days
        with db.session(readonly=True) as s:
            accident = claims.show_accident(s, view.accident, by=build.actors(s).officer, today=STORY_DAY)
        assert (accident.reporter, accident.late, accident.outcome, accident.claims) == (
            "family", False, None, [view.number])
        hours = (clock.local(accident.reported_at) - dt.datetime.combine(
            accident.occurred_on, accident.occurred_time or dt.time(), clock.zone())).total_seconds() / 3600
        assert 0 < hours <= accident.deadline_hours == 48

    def test_the_tour_tells_both_claims(self, story_database):
        with story_database.session(readonly=True) as s:
            told = demo_claims.summary(s, STORY_DAY, people(story_database), by=build.actors(s).officer)
        assert told.jkm is not None and told.jkk is not None
        assert (told.jkm.status, told.jkm.paid_amount, told.jkm.approved_by) == ("paid", 42_000_000, data.SUPERVISOR)
        assert (told.jkk.status, told.jkk.documents_missing, told.jkk.months) == (
            "submitted", ["buku_tabungan", "surat_dokter"], 6)
        assert told.jkk.accident is not None and told.jkk.accident.hours_to_report == 27

    def test_a_second_run_adds_no_claim_document_payment_or_death(self, story_database):
        before, files = claim_counts(story_database), stored_files()
        for day in (STORY_DAY, dt.date(2026, 12, 21)):  # the same day, and a month later
            _, billed, filed = run_demo(story_database, day)
            assert set(filed.model_dump().values()) == {0} and billed.deaths == 0
            assert claim_counts(story_database) == before
            assert stored_files() == files


@pytest.mark.parametrize("day", ["2026-05-09", "2026-05-12", "2026-06-02"])
def test_the_jkm_is_made_whole_from_the_day_of_the_death_on(bare_sqlite_database, day):
    """Never half a claim: on any day from the death on, the JKM is there and paid (on today at the
    latest); before it, neither the claim nor the death."""
    db = bare_sqlite_database
    today = dt.date.fromisoformat(day)
    run_demo(db, today)
    paid = rows(db, "SELECT c.status, p.paid_on FROM claims c JOIN claim_payments p ON p.claim_id = c.id "
                    "WHERE c.type = 'jkm'")
    if today < dt.date(2026, 5, 10):
        assert paid == [] and rows(db, "SELECT count(*) FROM worker_deaths") == [(0,)]
    else:
        [(status, paid_on)] = paid
        assert status == "paid" and dt.date.fromisoformat(str(paid_on)) <= today
        assert rows(db, "SELECT count(*) FROM worker_deaths") == [(1,)]


def test_the_demo_never_takes_up_its_claims_again(story_database, cli, monkeypatch, tmp_path):
    """A user takes the JKK case further (the missing documents, verified, approved): the demo, run
    again, changes none of it and files nothing more."""
    db = story_database
    monkeypatch.setattr(clock, "today", lambda: STORY_DAY)
    number = the_claim(db, "jkk-stmb").number
    for i, code in enumerate(("buku_tabungan", "surat_dokter")):
        path = tmp_path / f"{code}.png"
        path.write_bytes(demo_claims.document(f"user-{i}", code))
        r = cli("claim", "attach", number, "--document", code, str(path))
        assert r.exit_code == 0, r.stderr
    for args in (("claim", "verify", number), ("claim", "approve", number, "--by", data.SUPERVISOR)):
        r = cli(*args)
        assert r.exit_code == 0, r.stderr
    made = rows(db, "SELECT * FROM claims ORDER BY id")
    before = table_counts(db.engine)
    for _ in range(2):
        r = cli("demo", "--json")
        assert r.exit_code == 0, r.stderr
        assert set(r.json()["claims_added"].values()) == {0}
        assert table_counts(db.engine) == before
        assert rows(db, "SELECT * FROM claims ORDER BY id") == made
    told = r.json()["claims"]["jkk"]
    assert (told["number"], told["status"], told["documents_missing"]) == (number, "approved", [])
    assert "menunggu keputusan" not in cli("demo").out  # no longer waiting


def test_the_tour_names_the_claims_and_how_to_look_at_them(demo_database, cli):
    out = cli("demo", "--json").json()
    story = out["claims"]
    assert story["jkm"]["type"] == "jkm" and story["jkm"]["status"] == "paid"
    group = next(g for g in out["try_next"] if g["group"] == "claims")["commands"]
    jkm = story["jkm"]["number"]
    assert group[:2] == [f"lindung claim show {jkm}", f"lindung claim letter {jkm} --out {demo_cli.LETTER_FILE}"]
    if story["jkk"] is not None:  # the fisherman is protected three days before today (any date in his agreement)
        assert f"lindung claim show {story['jkk']['number']}" in group
        assert f"lindung claim list --status {story['jkk']['status']}" in group
    shown = cli("demo").out
    assert f"JKM {jkm}:" in shown and "Rp42.000.000 dibayar" in shown
    english = cli("demo", "--lang", "en").out
    assert "died of illness" in english and "Claims and work accidents" in english
