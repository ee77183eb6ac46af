"""The commands, with the names the issue fixes (other tools call them): ``lindung accident report |
outcome`` and ``lindung claim new | attach | submit | verify | approve | pay | show | letter | list``,
on both engines. The branch's day is 20 November 2026 (``clock.today``); a farmer died on 2 November
and his widow is paid through the commands; a trader's accident becomes a disability claim. Bad
input is said in a sentence with a non-zero exit code, never a traceback."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from lindung.claims import documents as store
from lindung.claims.cli import LIST
from lindung.kit import clock
from lindung.terminal.app import INTERNAL_ERROR_EXIT
from tests.billing import factories as bf
from tests.claims.factories import CASHIER, OFFICER, SECOND_OFFICER, SUPERVISOR, enrolled, paid_yearly, png
from tests.conftest import CliResult, TestDatabase

Cli = Callable[..., CliResult]
BRANCH_DAY = dt.date(2026, 11, 20)


@pytest.fixture
def setting(database: TestDatabase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """Two paid-up workers of KADIN-2026 (a farmer with his wife recorded as heir, a trader); the
    branch's day; documents kept under the test's folder."""
    monkeypatch.setattr(clock, "today", lambda: BRANCH_DAY)
    monkeypatch.setenv(store.ENV_DOCUMENTS_DIR, str(tmp_path / "documents"))
    with database.session() as s:
        bf.agreement(s)
        farmer = enrolled(s, occupation="petani", first="2026-01", name="Ujang Suparman",
                          heirs=[{"name": "Siti Aminah", "relationship": "istri"}])
        trader = enrolled(s, first="2026-01")
        paid_yearly(s, "2026-01", 1)
        return {"farmer": farmer.nik, "trader": trader.nik}


def _ok(result: CliResult) -> CliResult:
    assert result.exit_code == 0, result.stderr
    return result


def _refused(result: CliResult, code: int, *said: str) -> None:
    """A refusal: ``code``, a message on stderr (each of ``said`` in it), no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert code != INTERNAL_ERROR_EXIT
    assert "Traceback" not in result.stderr
    for text in said:
        assert text in result.err, result.err


def test_a_jkm_from_entry_to_payment_the_letter_and_the_list(setting: dict[str, str], cli: Cli,
                                                             tmp_path: Path) -> None:
    entered = _ok(cli("claim", "new", setting["farmer"], "--type", "jkm", "--event-date", "2026-11-02",
                      "--claimant-name", "Siti Aminah", "--claimant-relationship", "spouse",
                      "--account", "BRI:0123456789:Siti Aminah", "--by", OFFICER, "--json")).json()
    assert isinstance(entered, dict)
    number = entered["number"]
    assert re.fullmatch(r"KL-2026-\d{6}", number)
    assert (entered["status"], entered["total"]) == ("draft", 42_000_000)

    shown = _ok(cli("claim", "show", number, "--json")).json()
    assert isinstance(shown, dict)
    for d in shown["documents"]:
        assert set(d) >= {"code", "required", "received"}
        if d["required"]:
            upload = tmp_path / f"{d['code']}.png"
            upload.write_bytes(png(len(d["code"]) * 7 + 1))
            _ok(cli("claim", "attach", number, "--document", d["code"], str(upload), "--by", OFFICER))
    _ok(cli("claim", "submit", number, "--by", OFFICER))
    _ok(cli("claim", "verify", number, "--by", SECOND_OFFICER))
    _ok(cli("claim", "approve", number, "--by", SUPERVISOR))
    payment = _ok(cli("claim", "pay", number, "--reference", "TRF-20261120-01", "--date", "2026-11-20",
                      "--by", CASHIER, "--json")).json()
    assert isinstance(payment, dict)
    assert payment["status"] == "paid"
    assert (payment["payment"]["amount"], payment["payment"]["reference"]) == (42_000_000, "TRF-20261120-01")

    view = _ok(cli("claim", "show", number, "--json")).json()
    assert isinstance(view, dict)
    assert {"number", "type", "status", "eligible", "reason", "total", "components", "scholarship_this_year",
            "scholarship_projected", "documents", "payee", "history"} <= set(view)
    assert (view["number"], view["type"], view["status"], view["eligible"], view["reason"], view["total"]) == (
        number, "jkm", "paid", True, None, 42_000_000)
    # 20.000.000 + 24 × 500.000 + 10.000.000
    assert [(c["code"], c["amount"]) for c in view["components"]] == [
        ("jkm.lump_sum", 20_000_000), ("jkm.periodic", 12_000_000), ("jkm.funeral", 10_000_000)]
    assert all(set(c) >= {"code", "amount", "arithmetic", "reference"} and c["reference"] for c in view["components"])
    assert view["components"][1]["arithmetic"] == "24 × Rp500.000"
    assert (view["scholarship_this_year"], view["scholarship_projected"]) == (0, 0)
    assert all(d["received"] for d in view["documents"] if d["required"])
    assert (view["payee"]["name"], view["payee"]["relationship"], view["payee"]["account_number"]) == (
        "Siti Aminah", "spouse", "******6789")
    assert [(h["status"], h["by"]) for h in view["history"]] == [
        ("draft", OFFICER), ("submitted", OFFICER), ("verified", SECOND_OFFICER), ("approved", SUPERVISOR),
        ("paid", CASHIER)]
    assert all(dt.datetime.fromisoformat(h["at"]) for h in view["history"])

    letter = tmp_path / "surat.pdf"
    said = _ok(cli("claim", "letter", number, "--out", str(letter)))
    assert number in said.out
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(letter).pages).split())
    assert "Rp42.000.000" in text
    assert "empat puluh dua juta rupiah" in text.lower()
    assert "Siti Aminah" in text and "Ujang Suparman" in text
    assert setting["farmer"] not in text  # the NIK is masked
    english = tmp_path / "letter.pdf"
    _ok(cli("claim", "letter", number, "--out", str(english), "--lang", "en"))
    text_en = " ".join("\n".join(p.extract_text() for p in PdfReader(english).pages).split())
    assert "Rp42.000.000" in text_en and "forty-two million rupiah" in text_en.lower()

    listing = tmp_path / "dibayar.csv"
    _ok(cli("claim", "list", "--status", "paid", "--out", str(listing)))
    header, *lines = list(csv.reader(io.StringIO(listing.read_text(encoding="utf-8"))))
    assert header == LIST.headers("id")
    [row] = [dict(zip(LIST.columns, line, strict=True)) for line in lines]
    assert (row["number"], row["claim_total"], row["event_date"]) == (number, "42000000", "2026-11-02")
    _ok(cli("claim", "list", "--status", "draft", "--out", str(tmp_path / "draf.csv")))
    assert len(list(csv.reader(io.StringIO((tmp_path / "draf.csv").read_text(encoding="utf-8"))))) == 1


def test_an_accident_reported_its_outcome_and_a_disability_claim(setting: dict[str, str], cli: Cli) -> None:
    reported = _ok(cli("accident", "report", setting["trader"], "--date", "2026-11-03T06:30",
                       "--place", "Pasar Tarumajaya", "--what", "Tertimpa rak dagangan", "--reported-by", "Asep",
                       "--reported-at", "2026-11-03T15:00", "--by", OFFICER, "--json")).json()
    assert isinstance(reported, dict)
    accident = reported["id"]
    assert (reported["occurred_on"], reported["place"], reported["late"]) == ("2026-11-03", "Pasar Tarumajaya",
                                                                              False)
    outcome = _ok(cli("accident", "outcome", str(accident), "disabled", "--percent", "10", "--assessed-by",
                      "dr. Hasan, Sp.OT", "--date", "2026-11-18", "--by", OFFICER, "--json")).json()
    assert isinstance(outcome, dict)
    assert (outcome["outcome"], outcome["assessed_by"]) == ("disabled", "dr. Hasan, Sp.OT")
    claim = _ok(cli("claim", "new", setting["trader"], "--type", "jkk-disability-partial", "--event-date",
                    "2026-11-18", "--accident", str(accident), "--account", "BNI:9876543210:Asep Saputra",
                    "--by", OFFICER, "--json")).json()
    assert isinstance(claim, dict)
    assert claim["total"] == 8_000_000  # 10% × 80 × Rp1.000.000
    assert claim["inputs"]["assessed_by"] == "dr. Hasan, Sp.OT"
    text = _ok(cli("claim", "show", claim["number"]))
    assert "Rp8.000.000" in text.out
    again = cli("accident", "outcome", str(accident), "recovered", "--by", OFFICER, "--lang", "en")
    _refused(again, 4, f"accident {accident} is already reported")


@pytest.mark.parametrize(("args", "code", "said"), [
    (("--type", "jkx"), 2, "Unknown claim type: 'jkx'"),
    (("--type", "jkm", "--event-date", "2026-02-30"), 2, "2026-02-30"),
    (("--type", "jkm", "--account", "BRI-0123456789-Siti"), 2, "Use BANK:NUMBER:HOLDER"),
    (("--type", "jkm", "--child", "Rina-sd-6"), 2, "Use NAME:LEVEL:YEAR"),
    (("--type", "jkm", "--event-date", "2026-12-01"), 2, "2026-12-01"),  # after the branch's day
], ids=["type", "impossible-date", "account", "child", "future"])
def test_bad_input_to_claim_new_is_said_not_a_traceback(setting: dict[str, str], cli: Cli, args: tuple[str, ...],
                                                        code: int, said: str) -> None:
    options = dict(zip(args[::2], args[1::2], strict=True))
    command = ["claim", "new", setting["farmer"], "--event-date", options.pop("--event-date", "2026-11-02"),
               "--claimant-name", "Siti Aminah", "--claimant-relationship", "spouse", "--by", OFFICER, "--lang", "en"]
    for option, value in options.items():
        command += [option, value]
    _refused(cli(*command), code, said)
    assert cli("claim", "list").stdout.count("\n") == 1  # the header only: nothing recorded


def test_a_nik_that_is_not_registered_is_not_found(setting: dict[str, str], cli: Cli) -> None:
    unknown = bf.nik(kecamatan="13")
    result = cli("claim", "new", unknown, "--type", "jkm", "--event-date", "2026-11-02", "--by", OFFICER,
                 "--lang", "en")
    _refused(result, 3)
    assert result.err  # a sentence, not empty
    _refused(cli("accident", "report", unknown, "--date", "2026-11-03", "--place", "Pasar", "--what", "Jatuh",
                 "--reported-by", "Asep", "--by", OFFICER), 3)


def test_a_claim_not_found_and_an_unknown_status(setting: dict[str, str], cli: Cli) -> None:
    _refused(cli("claim", "show", "KL-2026-999999", "--lang", "en"), 3, "Claim KL-2026-999999 not found")
    _refused(cli("claim", "list", "--status", "lunas", "--lang", "en"), 2, "Unknown claim status: 'lunas'")
