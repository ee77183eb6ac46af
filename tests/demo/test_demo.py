"""``lindung demo``: the Kabupaten Bekasi data billed up to today, the tour, and what it tells you to try.

The story on a fixed date runs through the services (``demo.build.load`` and
``demo.billing.bring_up_to_date``, what the command calls); the command itself runs on today's date,
whatever it is, so its tests assert what must hold on any date.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, inspect, select, text

from lindung.billing import service as billing
from lindung.billing.models import Bill, Payment
from lindung.demo import billing as demo_billing
from lindung.demo import build, data, reads, sample_file, service
from lindung.demo import cli as demo_cli
from lindung.kit.lokal import parse_nik
from lindung.rules.contributions import OTHER, TRANSPORT, contribution_for_month
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.terminal.app import command_lines
from tests.billing.checks import assert_counters_match_lines
from tests.demo.conftest import STORY_DAY, run_demo

pytestmark = pytest.mark.real_clock


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
                for name in sorted(inspect(engine).get_table_names())}


def story(database: Any, day: dt.date) -> dict[str, Any]:
    """The tour's billing facts on ``day``, as JSON values."""
    with database.session(readonly=True) as s:
        officer = build.actors(s).officer
        found = demo_billing.demo_agreements(s, by=officer)
        return demo_billing.summary(s, day, found, by=officer).model_dump(mode="json")


def people(database: Any) -> Any:
    with database.session(readonly=True) as s:
        return data.cohorts(reads.regency_villages(s))


def by_code(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["code"]: a for a in summary["agreements"]}


def price(month: Month, *, funding: str, sector: str = OTHER) -> int:
    """The rules' contribution for one worker-month of the demo's package (dasar of the lowest bracket)."""
    return contribution_for_month(month, base=1_000_000, transport=sector == TRANSPORT, funding=funding,
                                  jht=False).total


# --- the story on a fixed date --------------------------------------------------------------------


class TestTheStoryOnTheTwentyFifthOfNovember2026:
    """``story_database``: the demo ran on that day (see conftest); ``bare_database`` is empty."""

    @pytest.fixture
    def billed(self, story_database) -> dict[str, Any]:
        return story(story_database, STORY_DAY)

    def test_the_first_run_bills_the_year_so_far(self, bare_database):
        added, billing_added, _ = run_demo(bare_database, STORY_DAY)
        assert (added.users, added.sponsors, added.agreements, added.workers, added.enrolments) == (
            5, 3, 4, 3350, 3350)
        assert billing_added.model_dump() == {"bills": 1 + 11 + 2, "worker_months": 12_000 + 11 * 2000 + 12 * 350,
                                              "payments": 1 + 10 + 2, "deaths": 1}

    def test_kadin_paid_its_yearly_bill_before_the_due_date(self, billed, story_database):
        kadin = by_code(billed)[data.KADIN]
        assert (kadin["bills"], kadin["bills_paid"], kadin["outstanding"]) == (1, 1, 0)
        bill = kadin["bill_list"][0]
        assert (bill["cycle"], bill["due_date"], bill["worker_months"]) == ("2026-01–2026-12", "2026-01-15", 12_000)
        assert [(p["paid_on"], p["amount"], p["late"]) for p in bill["payments"]] == [
            ("2026-01-09", bill["total"], False)]
        assert kadin["received"] == kadin["billed"] == bill["total"]

    def test_a_kadin_worker_died_and_the_months_paid_after_are_refunded(self, billed, story_database):
        death = billed["death"]
        assert death is not None
        assert (death["died_on"], death["policy"], death["contribution_months"], death["covered"]) == (
            "2026-05-10", "refund", 5, True)
        worker = data.death_person(people(story_database))
        assert worker is not None and worker.name == death["name"] and "*" in death["nik"]
        assert death["nik"][-4:] == worker.nik[-4:]
        sector = TRANSPORT if worker.occupation == "ojek" else OTHER
        june_to_december = sum(price(Month(2026, m), funding="kadin", sector=sector) for m in range(6, 13))
        assert (death["refund"], death["credit"]) == (june_to_december, 0)
        assert by_code(billed)[data.KADIN]["refunds"] == june_to_december
        assert story_database.scalar("SELECT worker_months FROM refunds") == 7

    def test_the_regency_paid_march_late_and_owes_november(self, billed):
        regency = by_code(billed)[data.REGENCY_FARMERS]
        assert (regency["bills"], regency["bills_paid"], regency["bills_unpaid"]) == (11, 10, 1)
        assert regency["late_payments"] == [{"cycle": "2026-03", "due_date": "2026-03-16", "paid_on": "2026-04-20",
                                             "receipt": regency["late_payments"][0]["receipt"],
                                             "payment_code": regency["bill_list"][2]["payment_code"]}]
        november = regency["bill_list"][-1]
        assert (november["cycle"], november["state"], november["payments"]) == ("2026-11", "unpaid", [])
        assert regency["outstanding"] == november["unpaid"] == 2000 * price(Month(2026, 11), funding="apbd")
        assert [b["cycle"] for b in regency["shown"]] == ["2026-11", "2026-03"]

    def test_the_csr_paid_its_first_bill_partly_leaving_a_credit_and_unpaid_months(self, billed):
        csr = by_code(billed)[data.CSR_FISHERS]
        first, second = csr["bill_list"]
        assert (first["state"], second["state"]) == ("partial", "paid")
        (transfer,) = first["payments"]
        assert transfer["amount"] % 100_000 == 0 and transfer["amount"] < first["total"]
        august = price(Month(2026, 8), funding="csr")
        assert 0 < csr["credit"] < august  # less than one worker-month is left of the transfer
        assert transfer["amount"] == first["settled"] + csr["credit"]
        assert first["unpaid"] == first["unpaid_worker_months"] * august  # the remainder is August's, whole months
        assert csr["outstanding"] == first["unpaid"]

    def test_the_farmer_is_unprotected_today_and_was_not_covered_before_the_late_payment(self, billed):
        w = billed["worker"]
        assert w["agreement"] == data.REGENCY_FARMERS and "*" in w["nik"]
        assert (w["today"]["protected"], w["today"]["reason"]) == (False, "unpaid")
        assert (w["protected_until"], w["contribution_months"], w["membership_start"]) == ("2026-10-31", 10, "2026-01")
        assert w["arrears"] == [{"month": "2026-11", "payable_until": "2027-01-31"}]
        assert w["late_event"] == {"at": "2026-03-23", "protected": False, "reason": "paid_after_event_and_due_date",
                                   "month": "2026-03", "paid_on": "2026-04-20", "due": "2026-03-16"}

    def test_the_bills_counters_agree_with_their_lines(self, billed, story_database):
        with story_database.session(readonly=True) as s:
            assert_counters_match_lines(s)

    def test_a_second_run_the_same_day_adds_nothing(self, billed, story_database):
        before = table_counts(story_database.engine)
        added, billing_added, filed = run_demo(story_database, STORY_DAY)
        assert set(added.model_dump().values()) == set(billing_added.model_dump().values()) == {0}
        assert set(filed.model_dump().values()) == {0}
        assert table_counts(story_database.engine) == before
        assert story(story_database, STORY_DAY) == billed

    def test_a_run_next_month_bills_december_which_is_paid_while_november_stays_owed(self, billed, story_database):
        later = dt.date(2026, 12, 21)
        _, billing_added, filed = run_demo(story_database, later)
        assert set(filed.model_dump().values()) == {0}  # the fisherman's case is there already
        assert billing_added.model_dump() == {"bills": 1, "worker_months": 2000, "payments": 1, "deaths": 0}
        regency = by_code(story(story_database, later))[data.REGENCY_FARMERS]
        assert [(b["cycle"], b["state"]) for b in regency["bill_list"][-2:]] == [
            ("2026-11", "unpaid"), ("2026-12", "paid")]
        worker = story(story_database, later)["worker"]
        assert worker["protected_until"] == "2026-10-31"
        assert (worker["today"]["protected"], worker["arrears"]) == (
            True, [{"month": "2026-11", "payable_until": "2027-01-31"}])  # protected in December, November owed


# --- on any date ----------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2025-12-20", "2026-01-05", "2026-03-20", "2026-05-12", "2027-08-01"])
def test_the_story_holds_on_any_date(bare_sqlite_database, day):
    database = bare_sqlite_database
    today = dt.date.fromisoformat(day)
    run_demo(database, today)
    before = table_counts(database.engine)
    again = service.run(today, database.engine)  # what the command does on a second run: adds nothing
    assert set(again.added.model_dump().values()) == set(again.billing_added.model_dump().values()) == {0}
    assert set(again.claims_added.model_dump().values()) == {0}
    assert table_counts(database.engine) == before
    summary = again.billing.model_dump(mode="json")
    assert summary == story(database, today)
    with database.session(readonly=True) as s:
        assert_counters_match_lines(s)
        for payment, bill in s.execute(select(Payment, Bill).join(Bill, Bill.id == Payment.bill_id)):
            assert bill.issued_on <= payment.paid_on <= today
        for a in demo_billing.demo_agreements(s, by=build.actors(s).officer).found:
            assert by_code(summary)[a.code]["bills"] == len(billing.cycles_due(a, Month.of(today))), a.code
    agreements = by_code(summary)
    kadin, regency = agreements[data.KADIN], agreements[data.REGENCY_FARMERS]
    assert kadin["outstanding"] == 0
    if regency["bills"]:  # the regency always owes one month: its eleventh, or its latest before that
        unpaid = [b["cycle"] for b in regency["bill_list"] if b["state"] != "paid"]
        assert unpaid == [min(str(Month(2026, 11)), regency["bill_list"][-1]["cycle"])]
    assert (summary["death"] is not None) == (today >= dt.date(2026, 5, 10))
    # the death is the JKM's, paid; the fisherman's JKK case while he was protected three days before today
    assert (again.claims.jkm is not None) == (today >= dt.date(2026, 5, 10))
    assert again.claims.jkm is None or (again.claims.jkm.status, again.claims.jkm.total) == ("paid", 42_000_000)
    accident = today - data.ACCIDENT_DAYS_AGO
    assert (again.claims.jkk is not None) == (dt.date(2026, 3, 1) <= accident <= dt.date(2027, 2, 28))
    assert again.claims.jkk is None or again.claims.jkk.status == "submitted"
    assert demo_cli.next_commands(again, today)  # the tour can always be told
    # The sponsor's follow-up list is offered while the regency's agreement has months left, and then
    # its rows are what it says: the good ones new to the registry, one of each defect.
    assert again.import_open == (today <= dt.date(2026, 12, 31))
    if again.import_open:
        written = service.sample(today, database.engine)
        assert (written.rows, written.good) == (sample_file.GOOD_ROWS + len(sample_file.DEFECTS),
                                                sample_file.GOOD_ROWS)
    offered = [g["group"] for g in demo_cli.next_commands(again, today)]
    assert ("import" in offered) == again.import_open


def test_the_generated_workers_are_valid_and_new_to_each_other(bare_sqlite_database):
    with bare_sqlite_database.session(readonly=True) as s:
        cohorts = data.cohorts(reads.regency_villages(s))
    everyone = [p for spec in data.AGREEMENTS for p in cohorts[spec.code]]
    assert [len(cohorts[spec.code]) for spec in data.AGREEMENTS] == [spec.load for spec in data.AGREEMENTS]
    assert len({p.nik for p in everyone}) == len(everyone)
    for p in everyone:
        facts = parse_nik(p.nik, reference=dt.date(2026, 1, 1))
        assert facts.valid and facts.birth_date == p.born, p.nik


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def demo_run(demo_database, cli) -> dict[str, Any]:
    """The demo's JSON, from a second run on a database where it ran today (see conftest)."""
    r = cli("demo", "--json")
    assert r.exit_code == 0, r.stderr
    return r.json()  # type: ignore[return-value]


def commands(out: dict[str, Any]) -> list[str]:
    return [c for group in out["try_next"] for c in group["commands"]]


class TestTheDemoCommand:
    def test_it_loads_and_bills_then_a_second_run_changes_no_row_of_any_table(self, bare_database, cli):
        first = cli("demo", "--json")
        assert first.exit_code == 0, first.stderr
        assert first.json()["added"]["enrolments"] == 3350 and first.json()["billing_added"]["bills"] > 0
        assert first.json()["added"]["agreements"] == 4  # three in force and Kadin's renewal, drafted
        assert first.json()["added"]["users"] == 5
        before = table_counts(bare_database.engine)
        again = cli("demo", "--json").json()
        assert again["added"] == {"users": 0, "sponsors": 0, "agreements": 0, "workers": 0, "enrolments": 0}
        assert again["billing_added"] == {"bills": 0, "worker_months": 0, "payments": 0, "deaths": 0}
        assert again["claims_added"] == {"accidents": 0, "claims": 0, "documents": 0, "payments": 0}
        assert table_counts(bare_database.engine) == before
        assert again["billing"] == first.json()["billing"] and again["try_next"] == first.json()["try_next"]

    def test_the_numbers_shown_are_the_databases(self, demo_run, demo_database):
        for a in demo_run["billing"]["agreements"]:
            with demo_database.engine.connect() as conn:
                row = conn.execute(text(
                    "SELECT count(*), coalesce(sum(b.total), 0), coalesce(sum(b.total - b.settled - b.cancelled), 0), "
                    "coalesce(sum(b.worker_months), 0) FROM bills b JOIN agreements a ON a.id = b.agreement_id "
                    "WHERE a.code = :code"), {"code": a["code"]}).one()
            assert (a["bills"], a["billed"], a["outstanding"], a["worker_months"]) == tuple(int(x) for x in row)
            received = demo_database.scalar("SELECT coalesce(sum(p.amount), 0) FROM payments p JOIN agreements a "
                                       "ON a.id = p.agreement_id WHERE a.code = :code", code=a["code"])
            credit = demo_database.scalar("SELECT coalesce(sum(c.amount), 0) FROM credit_entries c JOIN agreements a "
                                     "ON a.id = c.agreement_id WHERE a.code = :code", code=a["code"])
            refunds = demo_database.scalar("SELECT coalesce(sum(r.amount), 0) FROM refunds r JOIN agreements a "
                                      "ON a.id = r.agreement_id WHERE a.code = :code", code=a["code"])
            assert (a["received"], a["credit"], a["refunds"]) == (int(received), int(credit), int(refunds))
            for b in a["shown"]:
                state = demo_database.scalar("SELECT total - settled - cancelled FROM bills WHERE payment_code = :c",
                                        c=b["payment_code"])
                assert int(state) == b["unpaid"]

    def test_kadins_renewal_waits_for_the_supervisor(self, demo_run, cli):
        # Maker-checker in the demo: the officer drafted next year's MoU; the tour says how to approve it.
        renewal = next(a for a in demo_run["agreements"] if a["code"] == data.RENEWAL)
        assert (renewal["status"], renewal["drafted_by"], renewal["start"], renewal["quota"]) == (
            "draft", data.OFFICER, "2027-01", 1000)
        # 1.000 workers × Rp16.800 × 12 months at the lowest bracket; the PP 50/2025 discount ends with
        # December 2026 for workers outside transport (rules.md 2.4), so nothing is expected off in 2027.
        assert renewal["budget"] == renewal["estimate"]["list_price"] == renewal["estimate"]["expected"] == 201_600_000
        registry = next(g for g in demo_run["try_next"] if g["group"] == "registry")["commands"]
        assert f"lindung approvals --by {data.SUPERVISOR}" in registry
        [waiting] = cli("approvals", "--by", data.SUPERVISOR, "--json").json()
        assert (waiting["agreement"], waiting["may_approve"]) == (data.RENEWAL, True)

    def test_the_workers_coverage_is_what_lindung_coverage_says(self, demo_run, cli):
        w = demo_run["billing"]["worker"]
        answer = cli("coverage", w["full_nik_synthetic"], "--json").json()
        assert answer["worker"]["nik"] == w["nik"]
        assert (answer["protected"], answer["protected_until"], answer["contribution_months"], answer["arrears"]) == (
            w["today"]["protected"], w["protected_until"], w["contribution_months"], w["arrears"])

    def test_the_tour_prints_the_numbers_codes_and_only_one_full_nik(self, demo_database, cli):
        r = cli("demo")
        assert r.exit_code == 0, r.stderr
        out = cli("demo", "--json").json()
        shown = r.out
        for a in out["billing"]["agreements"]:
            for value in (a["code"], rp(a["billed"] - a["cancelled"]), rp(a["received"]), rp(a["outstanding"])):
                assert value in shown, value
            for b in a["shown"]:
                assert b["payment_code"] in shown
        w = out["billing"]["worker"]
        assert f"{w['name']} ({w['nik']})" in shown
        assert f"{w['contribution_months']} bulan" in shown
        codes = {b["payment_code"] for a in out["billing"]["agreements"] for b in a["bill_list"]}
        sixteen_digits = set(re.findall(r"\b\d{16}\b", r.stdout))
        assert sixteen_digits - codes == {w["full_nik_synthetic"]}  # the synthetic NIK, said to be so
        assert "sintetis" in shown
        assert "Coba berikutnya" in shown and "lindung pay --code" in shown
        serials = re.findall(r"\b3216\*{8}(\d{4})\b", r.stdout)  # masked NIKs show their serial
        assert len(serials) >= 5 and len(set(serials)) > 1, serials  # and can be told apart

    def test_the_tour_reads_in_english_and_fits_eighty_columns(self, demo_database, cli, monkeypatch):
        monkeypatch.setenv("COLUMNS", "80")
        r = cli("demo", "--lang", "en")
        assert r.exit_code == 0, r.stderr
        for phrase in ("Bills and payments as of", "One worker's coverage", "Try next", "synthetic",
                       "lindung coverage", "lindung simulate benefit jkk-death"):
            assert phrase in r.out, phrase
        for line in r.stdout.splitlines():
            assert len(line.rstrip()) <= 80, line
        for command in commands(cli("demo", "--json").json()):  # folded at options, never inside one
            lines = command_lines(command, 80)
            assert all(len(x) <= 80 for x in lines)
            assert shlex.split(" ".join(x.removesuffix(" \\") for x in lines)) == shlex.split(command)

    def test_every_try_next_command_runs_on_the_demo_data(self, demo_run, demo_database, cli, tmp_path: Path,
                                                           monkeypatch):
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("LINDUNG_USER", "someone")  # the first command names the demo's officer
        tried = commands(demo_run)
        assert tried[0] == f"export LINDUNG_USER={data.OFFICER}"
        assert {c.split()[1] for c in tried[1:]} >= {"coverage", "pay", "billing", "simulate", "bill", "import",
                                                      "claim"}
        outputs = {}
        for command in tried:
            args = shlex.split(command)
            if args[0] == "export":  # as a shell would
                name, _, value = args[1].partition("=")
                monkeypatch.setenv(name, value)
                continue
            assert args[0] == "lindung"
            r = cli(*args[1:])
            assert r.exit_code == 0, f"{command}: {r.stderr}"
            assert r.stdout.strip(), command
            outputs[command] = r.out
        ending = list(csv.DictReader((tmp_path / demo_cli.ENDING_FILE).open(encoding="utf-8")))
        assert ending and all("*" in row["NIK"] for row in ending)  # the header in the reader's language
        # The sponsor's follow-up list: its good rows enrolled, one refusal of each kind, the refused rows
        # back in a workbook; checked first (nothing saved), then imported.
        check = next(out for command, out in outputs.items() if "--check" in command)
        assert "dibaca 30, akan didaftarkan 20" in " ".join(check.split())
        refused = list(load_workbook(tmp_path / demo_cli.REFUSED_FILE).active.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert len(refused) == 1 + len(sample_file.DEFECTS)
        reasons = [row[-1] for row in refused[1:]]
        for reason, expected in zip(reasons, ("16 digit", "tidak sesuai dengan NIK", "di luar sasaran",
                                              "KADIN-2026", "atas nama orang lain",
                                              "orang yang sama dengan pekerja terdaftar",
                                              "sudah ada di baris 8",
                                              "orang yang sama dengan baris 13",
                                              "Tetangga", "Atlantis"),
                                    strict=True):
            assert expected in str(reason), (expected, reason)
        imported = cli("import", "list", "--json").json()[0]
        assert (imported["file"], imported["active"]) == (demo_cli.SAMPLE_FILE, 20)
        flagged = next(out for command, out in outputs.items() if "--needs-review" in command)
        assert "Pekerja yang cocok: 1 " in flagged and "⚑" in flagged
        # The demo still runs after them, and adds nothing: the regency's agreement now holds the list's
        # farmers, which the demo did not enrol, so its billing is the user's (the bill run above billed
        # them, as the officer, and the payment above was the user's too).
        before = table_counts(demo_database.engine)
        again = cli("demo", "--json")
        assert again.exit_code == 0
        assert set(again.json()["added"].values()) == set(again.json()["billing_added"].values()) == {0}
        assert table_counts(demo_database.engine) == before
        left = {a["code"]: a["left_to_user"] for a in again.json()["billing"]["agreements"]}
        assert left == {data.KADIN: False, data.REGENCY_FARMERS: True, data.CSR_FISHERS: False}
        assert "kini juga memuat peserta yang tidak didaftarkan data contoh" in cli("demo").out
