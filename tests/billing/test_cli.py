"""The commands: ``lindung bill | pay | coverage`` and the branch's CSV lists, on both engines."""

from __future__ import annotations

import csv
import io

import pytest

from lindung.billing.lists import ENDING, LAPSING, OVERDUE, STATEMENT, UNPAID
from lindung.kit.listing import CsvList
from tests.billing import factories as f
from tests.factories import TODAY


def flat(text: str) -> str:
    """Terminal output without Rich's line wrapping."""
    return " ".join(text.split())


def rows(text: str, spec: CsvList, lang: str = "id") -> list[dict[str, str]]:
    """A CSV list's rows by column, after checking its header is the list's in ``lang``."""
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header == spec.headers(lang)
    return [dict(zip(spec.columns, line, strict=True)) for line in lines]


@pytest.fixture
def kadin(database) -> list[str]:
    """KADIN-2026 with three workers (12-month cycle) and DESA-2026 with two (monthly), not billed yet."""
    with database.session() as s:
        f.agreement(s)
        niks = [w.nik for w in f.cohort(s, 3)]
        f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
        niks += [w.nik for w in f.cohort(s, 2, "DESA-2026")]
    return niks


class TestBillCommand:
    def test_issues_what_is_due_then_nothing(self, database, kadin, cli):
        first = cli("bill", "2026-02", "--on", "2026-02-02", "--by", "ani", "--json")
        assert first.exit_code == 0, first.stderr
        out = first.json()
        assert (out["bills_issued"], out["worker_months"], out["total"]) == (3, 36 + 4, 3 * 126_000 + 4 * 16_800)
        assert [b["agreement"] for b in out["bills"]] == ["KADIN-2026", "DESA-2026", "DESA-2026"]
        again = cli("bill", "2026-02", "--on", "2026-02-03", "--json")
        assert again.exit_code == 0 and again.json()["bills_issued"] == 0
        text = cli("bill", "2026-02", "--lang", "en")
        assert "No new bills up to 2026-02" in flat(text.stdout)

    def test_one_agreement_in_batches(self, database, kadin, cli):
        result = cli("bill", "2026-03", "--agreement", "desa-2026", "--batch", "1", "--json")
        assert result.exit_code == 0, result.stderr
        assert [b["cycle"]["from"] for b in result.json()["bills"]] == ["2026-01", "2026-02", "2026-03"]

    def test_a_draft_agreement_is_refused_by_name(self, database, cli):
        with database.session() as s:
            f.agreement(s, "DRAFT-1", sponsor="D", funding="csr", activate=False)
            from lindung.sponsors import service as sponsors

            sponsors.end(s, "DRAFT-1")
        result = cli("bill", "2026-01", "--agreement", "DRAFT-1", "--lang", "en")
        assert result.exit_code == 4
        assert "DRAFT-1 is ended" in flat(result.stderr)


class TestPayCommand:
    def test_a_receipt_and_refusals(self, database, kadin, cli):
        bills = cli("bill", "2026-01", "--on", "2026-01-02", "--json").json()["bills"]
        code = bills[0]["payment_code"]
        paid = cli("pay", "--code", code, "--amount", "378.000", "--reference", "BNI-1", "--date", "10-01-2026",
                   "--on", "2026-01-10", "--json")
        assert paid.exit_code == 0, paid.stderr
        receipt = paid.json()
        assert (receipt["receipt"], receipt["amount"], receipt["worker_months"], receipt["bill"]["unpaid"]) == (
            "TBPI/2026/000001", 378_000, 36, 0)
        duplicate = cli("pay", "--code", code, "--amount", "1000", "--reference", "bni-1", "--date", "2026-01-10",
                        "--on", "2026-01-10", "--lang", "en")
        assert duplicate.exit_code == 4
        assert "BNI-1 is already recorded (receipt TBPI/2026/000001)" in flat(duplicate.stderr)
        for bad in ("0", "-16800", "16800.5", "16,800", "1e5", "seribu"):
            refused = cli("pay", "--code", code, "--amount", bad, "--reference", f"R{bad}", "--date", "2026-01-10",
                          "--lang", "en")
            assert refused.exit_code == 2, bad
            assert "whole number of rupiah" in flat(refused.stderr)
        text = cli("pay", "--code", bills[1]["payment_code"], "--amount", "Rp33.600", "--reference", "BNI-2",
                   "--date", "2026-01-12", "--on", "2026-01-12")
        assert text.exit_code == 0, text.stderr
        assert "TANDA BUKTI PENERIMAAN IURAN" in flat(text.stdout) and "TBPI/2026/000002" in flat(text.stdout)
        assert "Tiga puluh tiga ribu enam ratus rupiah" in flat(text.stdout)
        shown = cli("billing", "receipt", "TBPI/2026/000002", "--json")
        assert shown.json()["allocation"] == [{"month": "2026-01", "worker_months": 2, "amount": 33_600}]

    def test_the_payment_date_defaults_to_the_branch_s_today_or_the_recording_date(self, database, kadin, cli):
        bills = cli("bill", "2026-02", "--on", "2026-01-02", "--json").json()["bills"]
        today = cli("pay", "--code", bills[0]["payment_code"], "--amount", "378000", "--reference", "BNI-1",
                    "--json")
        assert today.exit_code == 0, today.stderr
        assert (today.json()["paid_on"], today.json()["issued_on"]) == (TODAY.isoformat(), TODAY.isoformat())
        recorded = cli("pay", "--code", bills[1]["payment_code"], "--amount", "33600", "--reference", "BNI-2",
                       "--on", "2026-01-05", "--json")
        assert recorded.exit_code == 0, recorded.stderr
        assert (recorded.json()["paid_on"], recorded.json()["issued_on"]) == ("2026-01-05", "2026-01-05")
        given = cli("pay", "--code", bills[2]["payment_code"], "--amount", "33600", "--reference", "BNI-3",
                    "--date", "2026-01-08", "--json")
        assert (given.json()["paid_on"], given.json()["issued_on"]) == ("2026-01-08", TODAY.isoformat())
        for lang, said in (("id", "Tanggal bayar (bawaan: hari ini, atau tanggal --on bila diberikan)."),
                           ("en", "Payment date (default: today, or the --on date when given).")):
            shown = cli("pay", "--help", "--lang", lang)
            assert said in flat(shown.stdout.replace("│", " ")), flat(shown.stdout)

    @pytest.mark.parametrize(("lang", "said"), [("id", "Galat: Tidak ada tanda bukti bernomor TBPI/2026/999999."),
                                                ("en", "Error: There is no receipt numbered TBPI/2026/999999.")])
    def test_an_unknown_receipt_is_said_in_the_reader_s_language(self, database, cli, lang, said):
        missing = cli("billing", "receipt", "TBPI/2026/999999", "--lang", lang)
        assert missing.exit_code == 3 and flat(missing.stderr) == said  # it said "Tidak ditemukan: receipt …"

    @pytest.mark.parametrize(("lang", "said"), [("id", "Galat: Tanggal bayar 2026-01-11 ada di masa depan."),
                                                ("en", "Error: The payment date 2026-01-11 is in the future.")])
    def test_a_payment_date_after_today_names_the_payment_date(self, database, kadin, cli, lang, said):
        code = cli("bill", "2026-01", "--on", "2026-01-02", "--json").json()["bills"][0]["payment_code"]
        refused = cli("pay", "--code", code, "--amount", "378000", "--reference", "BNI-1", "--date", "2026-01-11",
                      "--lang", lang)
        assert refused.exit_code == 2
        assert flat(refused.stderr) == said


class TestCoverageCommand:
    def test_masked_json_and_an_english_answer(self, database, kadin, cli):
        code = cli("bill", "2026-01", "--on", "2026-01-02", "--json").json()["bills"][0]["payment_code"]
        cli("pay", "--code", code, "--amount", "378000", "--reference", "BNI-1", "--date", "2026-01-20",
            "--on", "2026-01-20")
        nik = kadin[0]
        late = cli("coverage", nik, "--at", "2026-01-17", "--json")
        assert late.exit_code == 0, late.stderr
        out = late.json()
        assert out["worker"]["nik"] == nik[:4] + "********" + nik[-4:] and nik not in late.stdout
        assert (out["protected"], out["decision"]["reason"]) == (False, "paid_after_event_and_due_date")
        # nothing was paid yet on the 17th: the rules place January outside any membership, and the month
        # shows as it stood then (billed, due), its later payment counted apart
        assert out["protected_until"] is None
        assert (out["months"][0]["month"], out["months"][0]["state"], out["months"][0]["line"],
                out["months"][0]["paid_on"]) == ("2026-01", "outside", "due", None)
        assert (out["payments_after"], out["bills_after"]) == (12, 0)
        later = cli("coverage", nik, "--at", "2026-06-15", "--lang", "en")
        assert "was PROTECTED on 15 June 2026" in flat(later.stdout)
        assert "Protected without a break until 31 December 2026" in flat(later.stdout)
        assert "(masa iur) of the current membership: 6 months" in flat(later.stdout)
        unmasked = cli("coverage", nik, "--at", "2026-06-15", "--unmask", "--by", "auditor", "--json")
        assert unmasked.json()["worker"]["nik"] == nik
        assert database.scalar("SELECT count(*) FROM audit_log WHERE action = 'coverage.unmask'") == 1


    def test_the_policy_is_said_in_the_reader_s_language_with_its_law_not_our_specification(self, database, kadin,
                                                                                             cli):
        code = cli("bill", "2026-01", "--on", "2026-01-02", "--json").json()["bills"][0]["payment_code"]
        cli("pay", "--code", code, "--amount", "378000", "--reference", "BNI-1", "--date", "2026-01-10",
            "--on", "2026-01-10")
        indonesian = cli("coverage", kadin[0], "--at", "2026-02-01")
        english = cli("coverage", kadin[0], "--at", "2026-02-01", "--lang", "en")
        assert indonesian.exit_code == english.exit_code == 0, (indonesian.stderr, english.stderr)
        for result in (indonesian, english):
            assert "rules.md" not in result.stdout and "Decision)" not in result.stdout
        # the answer ends with the policy its decision followed, in the reader's language
        assert flat(indonesian.stdout).endswith(
            "Kebijakan Lindung, karena UU 24/2011 dan Permenaker 5/2021 tidak mengaturnya: peristiwa dilindungi bila "
            "iuran bulannya dibayar paling lambat pada hari peristiwa atau pada jatuh tempo bulan itu; tunggakan yang "
            "dibayar kemudian tidak melindungi peristiwa yang sudah terjadi.")
        english_said = flat(english.stdout)
        assert english_said.endswith("Lindung policy, as UU 24/2011 and Permenaker 5/2021 do not settle it: an event "
                                     "is covered when its month's contribution was paid by the day of the event or by "
                                     "that month's due date; arrears paid later do not cover an event that already "
                                     "happened.")
        assert "Keputusan" not in english.stdout and "Kebijakan" not in english.stdout
        # every policy the parameter has held or holds is said so
        from lindung.kit.i18n import catalogue
        from lindung.rules.params import default_parameters

        values = {v.value for _, v in default_parameters()["coverage.event_policy"].history() if v is not None}
        assert {f"coverage.policy.{v}" for v in values} <= set(catalogue())


class TestListsAsCsv:
    def test_overdue_bills(self, database, kadin, cli):
        bills = cli("bill", "2026-02", "--on", "2026-01-02", "--json").json()["bills"]
        cli("pay", "--code", bills[1]["payment_code"], "--amount", "33600", "--reference", "P1",
            "--date", "2026-01-10", "--on", "2026-01-10")
        result = cli("billing", "overdue", "--at", "2026-02-20")
        assert result.exit_code == 0, result.stderr
        got = rows(result.stdout, OVERDUE)
        assert [(r["agreement"], r["cycle_from"], r["due_date"], r["days_overdue"], r["unpaid"]) for r in got] == [
            ("KADIN-2026", "2026-01", "2026-01-15", "36", "378000"),
            ("DESA-2026", "2026-02", "2026-02-16", "4", "33600")]

    def test_agreements_with_unpaid_months(self, database, kadin, cli):
        cli("bill", "2026-03", "--on", "2026-01-02")
        got = rows(cli("billing", "unpaid", "--at", "2026-03-10").stdout, UNPAID)
        # by 10 March only January and February were due
        assert [(r["agreement"], r["unpaid_worker_months"], r["workers"], r["first_month"], r["last_month"],
                 r["unpaid"]) for r in got] == [
            ("DESA-2026", "4", "2", "2026-01", "2026-02", "67200"),
            ("KADIN-2026", "6", "3", "2026-01", "2026-02", "100800")]

    def test_workers_whose_protection_ends_within_30_days(self, database, kadin, cli, tmp_path):
        for month, day in (("2026-01", "2026-01-05"), ("2026-02", "2026-02-05")):
            code = next(b for b in cli("bill", month, "--on", day, "--json").json()["bills"]
                        if b["agreement"] == "DESA-2026")["payment_code"]
            cli("pay", "--code", code, "--amount", "33600", "--reference", f"D{month}", "--date", day, "--on", day)
        out = tmp_path / "ending.csv"
        result = cli("billing", "ending", "--at", "2026-02-10", "--out", str(out), "--lang", "en")
        assert result.exit_code == 0, result.stderr
        assert "2 rows written" in flat(result.stdout)
        got = rows(out.read_text(encoding="utf-8"), ENDING, "en")
        assert {r["nik"] for r in got} == {n[:4] + "********" + n[-4:] for n in kadin[3:]}
        assert {(r["agreement"], r["protected_until"], r["days_left"], r["contribution_months"]) for r in got} == {
            ("DESA-2026", "2026-02-28", "18", "2")}
        assert rows(cli("billing", "ending", "--at", "2026-02-10", "--days", "10").stdout, ENDING) == []

    def test_workers_whose_membership_ends_unless_their_arrears_are_paid(self, database, kadin, cli, tmp_path):
        codes = [b["payment_code"] for b in cli("bill", "2026-02", "--on", "2026-01-05", "--json").json()["bills"]
                 if b["agreement"] == "DESA-2026"]
        cli("pay", "--code", codes[0], "--amount", "33600", "--reference", "D1", "--date", "2026-01-10",
            "--on", "2026-01-10")  # January paid, February never
        out = tmp_path / "lapsing.csv"
        result = cli("billing", "lapsing", "--at", "2026-03-10", "--days", "60", "--out", str(out), "--lang", "en")
        assert result.exit_code == 0, result.stderr
        assert "2 rows written" in flat(result.stdout)
        got = rows(out.read_text(encoding="utf-8"), LAPSING, "en")
        assert {r["nik"] for r in got} == {n[:4] + "********" + n[-4:] for n in kadin[3:]}
        assert {(r["agreement"], r["arrears_from"], r["arrears"], r["payable_until"], r["days_left"],
                 r["payment_code"]) for r in got} == {("DESA-2026", "2026-02", "16800", "2026-04-30", "51", codes[1])}
        # 51 days away: not within 30
        assert rows(cli("billing", "lapsing", "--at", "2026-03-10").stdout, LAPSING) == []

    def test_sponsor_statements(self, database, kadin, cli):
        bills = cli("bill", "2026-01", "--on", "2026-01-02", "--json").json()["bills"]
        cli("pay", "--code", bills[0]["payment_code"], "--amount", "400000", "--reference", "K1",
            "--date", "2026-01-10", "--on", "2026-01-10")
        cli("billing", "death", kadin[0], "--date", "2026-09-05", "--on", "2026-09-07", "--by", "ani")
        got = {r["agreement"]: r for r in rows(cli("billing", "statement").stdout, STATEMENT)}
        kadin_row = got["KADIN-2026"]
        # 378.000 billed and settled, 22.000 overpaid; Oct–Dec of the deceased (3 × 8.400) credited
        assert {k: kadin_row[k] for k in ("billed", "settled", "received", "payments", "credit", "refunds",
                                          "outstanding")} == {
            "billed": "378000", "settled": "378000", "received": "400000", "payments": "1",
            "credit": str(22_000 + 25_200), "refunds": "0", "outstanding": "0"}
        assert (got["DESA-2026"]["billed"], got["DESA-2026"]["outstanding"]) == ("33600", "33600")
        only = rows(cli("billing", "statement", "--sponsor", "DESA").stdout, STATEMENT)
        assert [r["agreement"] for r in only] == ["DESA-2026"]

    def test_headers_and_statuses_in_the_reader_s_language_numbers_and_codes_as_they_are(self, database, kadin,
                                                                                         cli):
        cli("bill", "2026-01", "--on", "2026-01-02")
        indonesian = cli("billing", "statement", "--sponsor", "DESA")
        english = cli("billing", "statement", "--sponsor", "DESA", "--lang", "en")
        assert indonesian.stdout.splitlines() == [
            "Kode sponsor,Nama sponsor,Perjanjian,Status,Ditagih (Rp),Dibatalkan (Rp),Dilunasi (Rp),Diterima (Rp),"
            "Jumlah pembayaran,Kredit (Rp),Dikembalikan (Rp),Terutang (Rp)",
            "DESA,Sponsor DESA,DESA-2026,aktif,33600,0,0,0,0,0,0,33600"]
        assert english.stdout.splitlines() == [
            "Sponsor code,Sponsor name,Agreement,Status,Billed (Rp),Cancelled (Rp),Settled (Rp),Received (Rp),"
            "Payments,Credit (Rp),Refunds (Rp),Outstanding (Rp)",
            "DESA,Sponsor DESA,DESA-2026,active,33600,0,0,0,0,0,0,33600"]
        overdue = cli("billing", "overdue", "--at", "2026-02-20").stdout.splitlines()
        assert overdue[0] == ("Kode bayar,Perjanjian,Kode sponsor,Nama sponsor,Siklus dari,Siklus sampai,Tagihan ke,"
                              "Jatuh tempo,Hari lewat jatuh tempo,Total tagihan (Rp),Bulan-pekerja belum dibayar,"
                              "Belum dibayar (Rp)")
        assert overdue[1:] == [
            "0000002202601015,DESA-2026,DESA,Sponsor DESA,2026-01,2026-01,1,2026-01-15,36,33600,2,33600",
            "0000001202601017,KADIN-2026,KADIN,Sponsor KADIN,2026-01,2026-12,1,2026-01-15,36,378000,36,378000"]


class TestEndsFromTheCommandLine:
    @pytest.mark.real_clock  # the real date: its dates are past, as the command demands
    def test_death_leave_and_end_agreement(self, database, kadin, cli):
        cli("bill", "2026-02", "--on", "2026-02-02")
        died = cli("billing", "death", kadin[3], "--date", "2026-01-20", "--on", "2026-02-03", "--json")
        assert died.exit_code == 0, died.stderr
        assert died.json()["settlements"][0]["voided_worker_months"] == 1
        left = cli("billing", "leave", kadin[0], "--agreement", "KADIN-2026", "--last-month", "2026-06",
                   "--on", "2026-02-03", "--lang", "en")
        assert left.exit_code == 0 and "ends with 2026-06" in flat(left.stdout)
        ended = cli("billing", "end-agreement", "DESA-2026", "--last-month", "2026-02", "--on", "2026-02-20",
                    "--json")
        assert ended.exit_code == 0, ended.stderr
        assert (ended.json()["enrolments_ended"], ended.json()["settlement"]["voided_worker_months"]) == (1, 0)
        assert cli("bill", "2026-05", "--json").json()["bills_issued"] == 0
        twice = cli("billing", "death", kadin[3], "--date", "2026-01-20", "--lang", "en")
        assert twice.exit_code == 4 and "already recorded" in flat(twice.stderr)
