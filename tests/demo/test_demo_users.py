"""The demo acts as users of its own, runs only on a database of its own, and never touches what a user
made there: a user's import, bills and payments stay as they are, however often the demo runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from lindung.demo import data
from lindung.kit import clock
from tests.demo.conftest import STORY_DAY
from tests.demo.test_demo import table_counts

pytestmark = pytest.mark.real_clock


def rows(database: Any, sql: str, **params: object) -> list[tuple[Any, ...]]:
    with database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


class TestItsOwnDatabase:
    def test_the_demo_refuses_a_database_with_users_of_its_own(self, database, cli):
        before = table_counts(database.engine)
        r = cli("demo")
        assert r.exit_code == 4, r.stderr
        assert "demo.admin" in r.err and "LINDUNG_DATA_DIR=" in r.err and "tidak ada yang disimpan" in r.err
        en = cli("demo", "--json", "--lang", "en")
        assert en.exit_code == 4 and "only into a database of its own" in en.err and en.stdout == ""
        assert table_counts(database.engine) == before

    def test_it_adds_its_first_administrator_and_through_them_its_other_users(self, bare_database, cli):
        out = cli("demo", "--json").json()
        assert [(u["username"], u["role"], u["sponsor"], u["region"]) for u in out["users"]] == [
            (data.ADMIN, "administrator", None, None), (data.OFFICER, "officer", None, None),
            (data.SUPERVISOR, "supervisor", None, None), (data.SPONSOR_STAFF, "sponsor", "KADIN", None),
            (data.VIEWER, "viewer", None, "32.16")]
        created = dict(rows(bare_database, "SELECT u.username, c.username FROM users u "
                                           "LEFT JOIN users c ON c.id = u.created_by_id"))
        assert created == {data.ADMIN: None, **{u.username: data.ADMIN for u in data.USERS[1:]}}
        # The tour ends with them, and with a command of a sponsor's staff, who sees only their own.
        shown = cli("demo").out
        assert "demo.kadin: Staf sponsor (hanya sponsor KADIN)" in shown and "demo.disnaker: Pemantau wilayah" in shown
        assert "lindung agreement list --by demo.kadin" in shown
        kadin = cli("agreement", "list", "--by", data.SPONSOR_STAFF, "--json").json()
        assert sorted(a["code"] for a in kadin) == [data.KADIN, data.RENEWAL]

    def test_every_step_is_done_by_the_right_user(self, story_database):
        db = story_database
        demo = {data.KADIN, data.REGENCY_FARMERS, data.CSR_FISHERS}
        agreements = {code: (drafted, approved) for code, drafted, approved in rows(
            db, "SELECT code, drafted_by, approved_by FROM agreements")}
        assert agreements == {**{code: (data.OFFICER, data.SUPERVISOR) for code in demo},
                              data.RENEWAL: (data.OFFICER, None)}
        assert rows(db, "SELECT DISTINCT created_by FROM sponsors") == [(data.OFFICER,)]
        activated = rows(db, "SELECT DISTINCT actor FROM audit_log WHERE action = 'agreement.activated'")
        assert activated == [(data.OFFICER,)]
        # the cohorts came through the bulk import, the officer's, under the demo's own source
        assert rows(db, "SELECT DISTINCT p.actor, p.source FROM enrolments e "
                        "JOIN provenances p ON p.id = e.provenance_id") == [(data.OFFICER, "demo")]
        assert rows(db, "SELECT count(*) FROM audit_log WHERE action = 'enrolment.import'") == [(3,)]
        assert rows(db, "SELECT DISTINCT issued_by FROM bills") == [(data.OFFICER,)]
        assert rows(db, "SELECT DISTINCT recorded_by FROM payments") == [(data.OFFICER,)]
        # the claims: the officer enters, receives, verifies and pays; the supervisor approves, which
        # records the death
        assert rows(db, "SELECT recorded_by FROM worker_deaths") == [(data.SUPERVISOR,)]
        assert rows(db, "SELECT DISTINCT u.username FROM claims c JOIN users u ON u.id = c.entered_by_id") == [
            (data.OFFICER,)]
        assert rows(db, "SELECT u.username FROM claims c JOIN users u ON u.id = c.approved_by_id") == [
            (data.SUPERVISOR,)]
        assert rows(db, "SELECT DISTINCT u.username FROM claim_documents d "
                        "JOIN users u ON u.id = d.received_by_id") == [(data.OFFICER,)]
        assert rows(db, "SELECT u.username FROM claim_payments p JOIN users u ON u.id = p.paid_by_id") == [
            (data.OFFICER,)]
        assert rows(db, "SELECT u.username FROM accidents a JOIN users u ON u.id = a.recorded_by_id") == [
            (data.OFFICER,)]


# --- what a user made --------------------------------------------------------------------------------


def users_rows(db: Any, import_id: int, code: str, reference: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every column of what the user made: the workers and enrolments of their import, the workers'
    heirs, their bill with its lines, their payment with its credit entries."""
    return {
        "workers": rows(db, "SELECT * FROM workers WHERE provenance_id = :p ORDER BY id", p=import_id),
        "heirs": rows(db, "SELECT h.* FROM heirs h JOIN workers w ON w.id = h.worker_id "
                          "WHERE w.provenance_id = :p ORDER BY h.worker_id, h.position", p=import_id),
        "enrolments": rows(db, "SELECT * FROM enrolments WHERE provenance_id = :p ORDER BY id", p=import_id),
        "bills": rows(db, "SELECT * FROM bills WHERE payment_code = :c", c=code),
        "lines": rows(db, "SELECT l.* FROM contribution_lines l JOIN bills b ON b.id = l.bill_id "
                          "WHERE b.payment_code = :c ORDER BY l.month, l.worker_id", c=code),
        "payments": rows(db, "SELECT * FROM payments WHERE reference = :r", r=reference),
        "credit": rows(db, "SELECT c.* FROM credit_entries c JOIN payments p ON p.id = c.payment_id "
                           "WHERE p.reference = :r", r=reference),
    }


def test_the_demo_run_twice_leaves_a_users_import_bills_and_payments_as_they_are(story_database, cli, tmp_path,
                                                                                 monkeypatch):
    """The issue's case: a user imported the demo's sample file into the regency's agreement and billed
    it; the demo run again used to pay that bill ("whatever is outstanding"). Now the agreement holds
    enrolments the demo did not make, and the demo leaves its billing to the user."""
    db = story_database
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(clock, "today", lambda: STORY_DAY)  # the day the demo ran (conftest)
    # As a person would, acting as the demo's officer.
    assert cli("demo", "--sample-file", "x.csv").exit_code == 0
    r = cli("import", "workers", "x.csv", "--agreement", data.REGENCY_FARMERS, "--by", data.OFFICER, "--json")
    assert r.exit_code == 0, r.stderr
    imported = r.json()
    assert imported["enrolled"] == 20
    r = cli("bill", str(STORY_DAY)[:7], "--by", data.OFFICER, "--json")
    assert r.exit_code == 0, r.stderr
    [bill] = r.json()["bills"]
    assert (bill["agreement"], bill["seq"], bill["worker_months"]) == (data.REGENCY_FARMERS, 2, 20)
    code, reference = bill["payment_code"], "TRF-PEMKAB-SUSULAN-1"

    # Billed, not paid yet: the demo does not pay it.
    before = table_counts(db.engine)
    unpaid = users_rows(db, imported["import_id"], code, reference)
    again = cli("demo", "--json").json()
    assert set(again["billing_added"].values()) == {0}
    assert table_counts(db.engine) == before
    assert users_rows(db, imported["import_id"], code, reference) == unpaid
    assert unpaid["bills"] and not unpaid["payments"]

    # Paid by the user: the demo, run twice, changes none of it and adds no row anywhere.
    r = cli("pay", "--code", code, "--amount", str(bill["total"]), "--reference", reference,
            "--date", STORY_DAY.isoformat(), "--by", data.OFFICER, "--json")
    assert r.exit_code == 0, r.stderr
    made = users_rows(db, imported["import_id"], code, reference)
    assert len(made["workers"]) == len(made["enrolments"]) == 20 and made["payments"] and made["lines"]
    before = table_counts(db.engine)
    for _ in range(2):
        r = cli("demo", "--json")
        assert r.exit_code == 0, r.stderr
        assert set(r.json()["billing_added"].values()) == set(r.json()["added"].values()) == {0}
        assert table_counts(db.engine) == before
        assert users_rows(db, imported["import_id"], code, reference) == made
    regency = next(a for a in r.json()["billing"]["agreements"] if a["code"] == data.REGENCY_FARMERS)
    assert regency["left_to_user"] is True
    assert code in {b["payment_code"] for b in regency["bill_list"]}  # the tour shows the database as it is

    # A month later the demo bills and pays none of the regency's December either: that is the user's.
    regency_bills = rows(db, "SELECT count(*) FROM bills b JOIN agreements a ON a.id = b.agreement_id "
                             "WHERE a.code = :c", c=data.REGENCY_FARMERS)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 21))
    later = cli("demo")
    assert later.exit_code == 0, later.stderr
    assert "BEKASI-TANI-2026 kini juga memuat peserta yang tidak didaftarkan data contoh" in later.out
    assert rows(db, "SELECT count(*) FROM bills b JOIN agreements a ON a.id = b.agreement_id "
                    "WHERE a.code = :c", c=data.REGENCY_FARMERS) == regency_bills
    assert users_rows(db, imported["import_id"], code, reference) == made


def test_the_demo_pays_only_bills_its_officer_issued(story_database, cli, monkeypatch):
    """A bill run by another user on one of the demo's own agreements (December, before the demo ran
    then): the demo does not pay that bill, though its story would have."""
    db = story_database
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 21))
    r = cli("bill", "2026-12", "--agreement", data.REGENCY_FARMERS, "--by", data.SUPERVISOR, "--json")
    assert r.exit_code == 0, r.stderr
    [bill] = r.json()["bills"]
    out = cli("demo", "--json").json()
    assert out["billing_added"] == {"bills": 0, "worker_months": 0, "payments": 0, "deaths": 0}
    assert rows(db, "SELECT count(*) FROM payments p JOIN bills b ON b.id = p.bill_id WHERE b.payment_code = :c",
                c=bill["payment_code"]) == [(0,)]


class TestTheDemoData:
    """The demo loads Kabupaten Bekasi once (these lived in tests/db before the demo had users)."""

    def test_the_demo_loads_bekasi_once(self, bare_database, cli):
        first = cli("demo", "--json")
        assert first.exit_code == 0, first.stderr
        out = first.json()
        assert out["added"]["agreements"] == 4  # three in force and Kadin's renewal, drafted
        by_code = {a["code"]: a for a in out["agreements"]}
        kadin = by_code["KADIN-2026"]
        # the demo's JKM death (a Kadin worker) gave that worker's place back for a replacement
        assert (kadin["quota"], kadin["use"]["enrolled"], kadin["estimate"]["list_price"]) == (
            1000, 999, 201_600_000)
        assert kadin["use"]["committed"] <= kadin["budget"]
        assert by_code["BEKASI-TANI-2026"]["funding"] == "apbd"
        assert by_code["CSR-NELAYAN-2026"]["targets"]["occupations"] == ["nelayan", "pembudidaya_ikan"]
        assert out["regions"]["regency"] == {"code": "32.16", "name": "Kabupaten Bekasi", "kecamatan": 23,
                                             "desa": 187}
        assert all("*" in w["nik"] for w in out["sample_workers"])
        workers = out["workers"]

        again = cli("demo", "--json").json()
        assert again["added"] == {"users": 0, "sponsors": 0, "agreements": 0, "workers": 0, "enrolments": 0}
        assert again["workers"] == workers
        assert bare_database.scalar(
            "SELECT count(*) FROM workers w JOIN regions r ON r.code = w.domicile_code "
            "WHERE r.level = 4 AND r.code LIKE '32.16.%'") == workers

    def test_the_demo_tour_is_readable(self, bare_database, cli):
        r = cli("demo", "--lang", "en")
        assert r.exit_code == 0, r.stderr
        for text_ in ("Kabupaten Bekasi", "KADIN-2026", "Rp201.600.000", "Try next", "lindung agreement show",
                      "export LINDUNG_USER=demo.petugas", "The demo's users"):
            assert text_ in r.out
        assert not r.out.startswith("{")
