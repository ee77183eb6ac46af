"""``lindung agreement workers CODE``: who an agreement covers, as CSV, on both engines."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.enrolment.importer import import_workers
from lindung.enrolment.roster import ROSTER_LIST as ROSTER
from lindung.rules.period import Month
from tests.enrolment.import_files import person, upload, write_csv
from tests.factories import DESA_PEBAYURAN, DESA_TARUMAJAYA, MAKER, TODAY, make_agreement
from tests.users import actor

PRICE_OTHER = 126_000  # Kadin 2026 (discount applies): Jan–Mar 16.800, Apr–Dec 8.400
PRICE_TRANSPORT = 12 * 8_400


def rows(text: str, lang: str = "id") -> list[dict[str, str]]:
    """The list's rows by column, after checking its header is the list's in ``lang``."""
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header == ROSTER.headers(lang)
    return [dict(zip(ROSTER.columns, line, strict=True)) for line in lines]


def masked(nik: str) -> str:
    return nik[:4] + "*" * 8 + nik[-4:]


def cohort(database: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """KADIN-2026 with three workers from a sponsor file, TANI-2026 (another sponsor) with one."""
    with database.session() as s:
        make_agreement(s)
        make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd")
    kadin = [person(name="Wati", desa=DESA_PEBAYURAN, phone="", sex="P"),
             person(name="Budi", occupation="Tukang Ojek"),
             person(name="Asep", nik_text=f"321699{dt.date(1990, 5, 17):%d%m%y}0042")]  # kecamatan unknown
    for code, file, people in (("KADIN-2026", "kadin.csv", kadin), ("TANI-2026", "tani.csv", [person()])):
        with database.session() as s:
            import_workers(s, upload(write_csv(tmp_path / file, people)), code, by=actor(s, MAKER), today=TODAY)
    return kadin


class TestTheRoster:
    def test_every_enrolled_worker_of_the_agreement_masked_by_desa_then_name(self, database, cli, tmp_path):
        kadin = cohort(database, tmp_path)
        result = cli("agreement", "workers", "kadin-2026")
        assert result.exit_code == 0, result.stderr
        got = rows(result.stdout)
        wati, budi, asep = kadin
        # Tarumajaya (32.16.01) before Pebayuran (32.16.13); within a desa by name; the NIK with an
        # unknown kecamatan lives in Tarumajaya too (the desa given, not the NIK, is the domicile).
        assert [(r["name"], r["nik"], r["desa_code"], r["desa"]) for r in got] == [
            ("Asep", masked(asep["NIK"]), DESA_TARUMAJAYA, "Sagara Makmur"),
            ("Budi", masked(budi["NIK"]), DESA_TARUMAJAYA, "Sagara Makmur"),
            ("Wati", masked(wati["NIK"]), DESA_PEBAYURAN, "Karangharja")]
        by_name = {r["name"]: r for r in got}
        assert {k: by_name["Budi"][k] for k in ("sex", "phone", "occupation", "sector", "first_month", "last_month",
                                               "status", "committed_cost", "needs_review", "enrolled_by",
                                               "source")} == {
            "sex": "Laki-laki", "phone": "0812****7890", "occupation": "Pengemudi Ojek", "sector": "transportasi",
            "first_month": str(Month(2026, 1)), "last_month": str(Month(2026, 12)), "status": "aktif",
            "committed_cost": str(PRICE_TRANSPORT), "needs_review": "tidak", "enrolled_by": MAKER,
            "source": "import:kadin.csv"}
        assert (by_name["Wati"]["phone"], by_name["Wati"]["committed_cost"]) == ("", str(PRICE_OTHER))
        assert (by_name["Wati"]["sex"], by_name["Wati"]["sector"]) == ("Perempuan", "non-transportasi")
        assert by_name["Asep"]["needs_review"] == "ya"
        enrolled_at = dt.datetime.fromisoformat(by_name["Asep"]["enrolled_at"])  # the branch's time, WIB
        assert enrolled_at.utcoffset() == dt.timedelta(hours=7)
        assert abs(enrolled_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)
        with database.session(readonly=True) as s:  # reading a masked list leaves no trace
            assert s.scalars(select(AuditEntry).where(AuditEntry.action == "list.unmask")).all() == []

    def test_full_niks_only_when_unmasked_and_then_audited(self, database, cli, tmp_path):
        kadin = cohort(database, tmp_path)
        out = tmp_path / "peserta.csv"
        result = cli("agreement", "workers", "KADIN-2026", "--unmask", "--by", "ani", "--out", str(out),
                     "--lang", "en")
        assert result.exit_code == 0, result.stderr
        assert "3 rows written to" in " ".join(result.stdout.split())
        got = rows(out.read_text(encoding="utf-8"), "en")
        assert sorted(r["nik"] for r in got) == sorted(p["NIK"] for p in kadin)
        assert {(r["name"], r["sex"], r["occupation"], r["sector"], r["status"], r["needs_review"]) for r in got} == {
            ("Wati", "Female", "Farmer", "non-transport", "active", "no"),
            ("Budi", "Male", "Motorcycle-taxi driver", "transport", "active", "no"),
            ("Asep", "Male", "Farmer", "non-transport", "active", "yes")}
        assert {r["phone"] for r in got} == {"", "081234567890"}
        with database.session(readonly=True) as s:
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "list.unmask")).one()
            assert (entry.actor, entry.subject_type, entry.data) == (
                "ani", "agreement", {"list": "roster", "status": "active", "shown": 3})
            assert audit.detail_text(entry, "en") == "full NIKs in the agreement roster list: 3 rows"

    def test_cancelled_enrolments_are_listed_apart(self, database, cli, tmp_path):
        kadin = cohort(database, tmp_path)
        with database.session() as s:
            make_agreement(s, "CSR-2027", sponsor="CSR", funding="csr", start="2027-01", months=12)
        later = cli("enrol", kadin[0]["NIK"], "--agreement", "CSR-2027", "--from", "2027-01", "--by", MAKER)
        assert later.exit_code == 0, later.stderr
        left = cli("billing", "leave", kadin[0]["NIK"], "--agreement", "CSR-2027", "--last-month", "2026-12",
                   "--on", "2026-12-01", "--by", MAKER)
        assert left.exit_code == 0, left.stderr
        assert rows(cli("agreement", "workers", "CSR-2027").stdout) == []
        cancelled = rows(cli("agreement", "workers", "CSR-2027", "--status", "cancelled").stdout)
        assert [(r["name"], r["status"]) for r in cancelled] == [("Wati", "dibatalkan")]
        # the statuses as the list writes them are taken too, in either language
        for word in ("Dibatalkan", "semua", "SEMUA", "all"):
            said = rows(cli("agreement", "workers", "CSR-2027", "--status", word).stdout)
            assert [r["status"] for r in said] == ["dibatalkan"], word
        assert [r["status"] for r in rows(cli("agreement", "workers", "CSR-2027", "--status", "ALL", "--lang", "en")
                                          .stdout, "en")] == ["cancelled"]

    def test_an_unknown_agreement_or_status_is_a_clear_error_and_no_list(self, database, cli, tmp_path):
        cohort(database, tmp_path)
        unknown = cli("agreement", "workers", "NOPE-2026")
        assert unknown.exit_code != 0 and unknown.stdout == ""
        assert "NOPE-2026" in unknown.err
        status = cli("agreement", "workers", "KADIN-2026", "--status", "lapsed", "--lang", "en")
        assert status.exit_code != 0 and status.stdout == ""
        assert "Unknown status: 'lapsed'. Use active, cancelled or all." in status.err
        indonesian = cli("agreement", "workers", "KADIN-2026", "--status", "lapsed")
        assert "Status tidak dikenal: 'lapsed'. Gunakan aktif, dibatalkan atau semua." in indonesian.err
