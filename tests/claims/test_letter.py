"""The decision letter: what a payee reads on it, in Indonesian and English, and what never shows.

The claims are built as ``ClaimView`` values directly (the letter draws nothing else), rendered, and
read back with pypdf: the text a person or a screen reader gets from the PDF.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from lindung.claims.letter import amount_in_words, render_letter
from lindung.claims.models import CLAIM_TYPES
from lindung.claims.schemas import (
    ChildScholarshipView,
    ClaimView,
    ComponentView,
    Payee,
    PaymentView,
    Step,
)
from lindung.kit.i18n import catalogue, component_label

TODAY = dt.date(2026, 12, 7)
FULL_NIK = "3216011705900001"
MASKED_NIK = "3216********0001"
REF_DEATH = ("PP 44/2015 jo. PP 82/2019, Lampiran III (60% x 80 x upah, paling sedikit sebesar santunan kematian JKM); "
             "PP 44/2015 jo. PP 82/2019, Lampiran III (... x 80 x upah)")
REF_82 = "PP 82/2019 tentang Perubahan atas PP 44/2015"
REF_PERIODIC = "PP 44/2015 jo. PP 82/2019 (santunan berkala 24 bulan, dibayar sekaligus); " + REF_82
REF_SCHOLARSHIP_CONDITION = REF_82 + " (JKM paling singkat 3 tahun; JKK tanpa syarat masa iur)"


# --- factories --------------------------------------------------------------------------------------


def component(code: str, amount: int, arithmetic: str = "", reference: str = REF_82, verified: bool = True
              ) -> ComponentView:
    return ComponentView(code=code, amount=amount, arithmetic=arithmetic or f"Rp{amount:,}".replace(",", "."),
                         reference=reference, verified=verified)


def child(name: str, level: str, year: int, *, this_year: int = 0, projected: int = 0, years_paid: int = 0,
          reason: str | None = None) -> ChildScholarshipView:
    return ChildScholarshipView(name=name, level=level, year=year, eligible=reason is None, reason=reason,
                                this_year=this_year, projected=projected, years_paid=years_paid)


def payee(**overrides: Any) -> Payee:
    fields: dict[str, Any] = {"name": "Siti Aminah", "relationship": "spouse", "nik": "3216********0002",
                              "account_bank": "Bank Rakyat Indonesia", "account_number": "********4321",
                              "account_holder": "Siti Aminah"}
    return Payee(**{**fields, **overrides})


def claim(**overrides: Any) -> ClaimView:
    """An approved JKK death claim: the worker died in a work accident on 1 November 2026."""
    fields: dict[str, Any] = {
        "number": "KLM-2026-000012", "type": "jkk-death", "status": "approved", "nik": MASKED_NIK,
        "name": "Ahmad Suryadi", "sponsor": "Kadin Kabupaten Bekasi", "agreement": "PKS/017/KADIN-BKS/2026",
        "accident": 3, "reopens": None, "event_date": dt.date(2026, 11, 1), "eligible": True, "reason": None,
        "total": 70_000_000, "base": 1_000_000, "contribution_months": 11,
        "components": [
            component("jkk.death", 48_000_000, "60% × 80 × Rp1.000.000", REF_DEATH),
            component("jkk.funeral", 10_000_000, verified=False),
            component("jkk.periodic", 12_000_000, "24 × Rp500.000", REF_PERIODIC, verified=False),
        ],
        "scholarship_this_year": 4_500_000, "scholarship_projected": 139_500_000,
        "children": [
            child("Rina Suryadi", "sd", 6, this_year=1_500_000, projected=76_500_000),
            child("Dimas Suryadi", "sma", 3, this_year=3_000_000, projected=63_000_000, years_paid=2),
        ],
        "documents": [], "payee": payee(), "history": [], "entered_by": "ani.petugas",
        "approved_by": "Budi Santoso", "approved_at": dt.datetime(2026, 12, 4, 3, 0, tzinfo=dt.UTC),
    }
    return ClaimView(**{**fields, **overrides})


def jkm_claim(**overrides: Any) -> ClaimView:
    """A JKM death with a child whose scholarship the contribution period does not reach."""
    fields: dict[str, Any] = {
        "type": "jkm", "total": 42_000_000, "base": None, "contribution_months": 20,
        "components": [
            component("jkm.lump_sum", 20_000_000, verified=False),
            component("jkm.periodic", 12_000_000, "24 × Rp500.000", REF_PERIODIC, verified=False),
            component("jkm.funeral", 10_000_000, verified=False),
            component("scholarship.condition", 0, "masa iur 20 < 36 bulan", REF_SCHOLARSHIP_CONDITION),
        ],
        "scholarship_this_year": 0, "scholarship_projected": 0,
        "children": [child("Putri Lestari", "smp", 2, reason="scholarship.contribution_months_short")],
    }
    return claim(**{**fields, **overrides})


def not_covered_claim(**overrides: Any) -> ClaimView:
    """A JKM claim for a death in a month whose contribution was paid too late: nothing is payable."""
    fields: dict[str, Any] = {
        "type": "jkm", "status": "rejected", "eligible": False, "reason": "coverage.not_covered",
        "reason_reference": "PP 44/2015 jo. PP 82/2019 (iuran dibayar paling lambat tanggal 15 bulan berikutnya)",
        "rejected_reason": "not_heir", "rejected_note": "Pemohon (NIK 3216014107950001) bukan ahli waris.",
        "total": 0, "base": None, "components": [], "scholarship_this_year": 0, "scholarship_projected": 0,
        "children": [], "approved_by": None, "approved_at": None,
        "history": [Step(status="rejected", by="Budi Santoso", at=dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC),
                         note="not_heir")],
    }
    return claim(**{**fields, **overrides})


# --- reading the PDF --------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """Every page's text, whitespace collapsed to single spaces (pypdf splits lines where the PDF does)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def letter_text(view: ClaimView, lang: str = "id", **kwargs: Any) -> str:
    return pdf_text(render_letter(view, lang=lang, today=TODAY, **kwargs))


def assert_no_full_nik(text: str) -> None:
    assert FULL_NIK not in re.sub(r"\s", "", text)
    assert not re.search(r"(?<![0-9])[0-9]{16}(?![0-9])", text), text


# --- the letter -------------------------------------------------------------------------------------


class TestAJkkDeathLetter:
    @pytest.fixture(scope="class")
    @classmethod
    def text(cls) -> str:
        return letter_text(claim(), office="BPJS Ketenagakerjaan Kantor Cabang Cikarang")

    def test_is_a_pdf_of_a4_pages(self) -> None:
        data = render_letter(claim(), today=TODAY)
        assert data.startswith(b"%PDF-")
        page = PdfReader(io.BytesIO(data)).pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)

    def test_heading_names_the_letter_the_claim_the_date_and_the_office(self, text: str) -> None:
        assert "SURAT PENETAPAN MANFAAT" in text
        assert "KLM-2026-000012" in text
        assert "7 Desember 2026" in text
        assert "BPJS Ketenagakerjaan Kantor Cabang Cikarang" in text
        assert "DRAF" not in text

    def test_names_the_payee_the_account_and_the_worker(self, text: str) -> None:
        for shown in ("Siti Aminah", "Suami/istri (janda/duda)", "Bank Rakyat Indonesia", "********4321",
                      "Ahmad Suryadi", MASKED_NIK, "Kadin Kabupaten Bekasi", "PKS/017/KADIN-BKS/2026"):
            assert shown in text, shown

    def test_describes_the_event(self, text: str) -> None:
        assert "JKK: meninggal dunia akibat kecelakaan kerja" in text
        assert "1 November 2026" in text
        assert "11 bulan" in text and "Rp1.000.000" in text

    def test_lists_each_component_with_its_arithmetic_and_the_total_in_figures_and_words(self, text: str) -> None:
        for shown in ("Santunan kematian JKK", "Rp48.000.000", "60% × 80 × Rp1.000.000", "Biaya pemakaman",
                      "Rp10.000.000", "Santunan berkala (dibayar sekaligus)", "Rp12.000.000", "Rp70.000.000",
                      "Tujuh puluh juta rupiah"):
            assert shown in text, shown

    def test_a_long_legal_reference_wraps_and_stays_whole(self, text: str) -> None:
        assert "paling sedikit sebesar santunan kematian JKM" in text
        assert "belum diverifikasi" in text  # the funeral's and periodic benefit's references are unverified

    def test_lists_the_children_their_scholarships_and_the_totals(self, text: str) -> None:
        for shown in ("Rina Suryadi", "SD tahun ke-6", "Rp1.500.000", "Rp76.500.000", "Dimas Suryadi",
                      "SMA tahun ke-3", "Rp3.000.000", "Rp63.000.000", "Rp4.500.000", "Rp139.500.000"):
            assert shown in text, shown

    def test_says_who_approved_it_and_when(self, text: str) -> None:
        assert "Budi Santoso" in text
        assert "Disetujui oleh Budi Santoso pada 4 Desember 2026" in text

    def test_has_the_footer_on_every_page(self) -> None:
        reader = PdfReader(io.BytesIO(render_letter(claim(), today=TODAY)))
        pages = len(reader.pages)
        for n, page in enumerate(reader.pages, start=1):
            text = " ".join((page.extract_text() or "").split())
            assert "Dokumen ini dibuat oleh Lindung" in text
            assert f"Halaman {n} dari {pages}" in text

    def test_shows_no_full_nik(self, text: str) -> None:
        assert_no_full_nik(text)


class TestAPaidClaim:
    def test_gives_the_payment_reference_and_date(self) -> None:
        payment = PaymentView(reference="BRI-TRF-2026120900871", paid_on=dt.date(2026, 12, 9), amount=70_000_000,
                              account_bank="Bank Rakyat Indonesia", account_number="********4321",
                              account_holder="Siti Aminah", by="citra.kasir")
        text = letter_text(claim(status="paid", payment=payment))
        assert "9 Desember 2026" in text and "BRI-TRF-2026120900871" in text


class TestAJkmClaimWithoutAScholarship:
    @pytest.fixture(scope="class")
    @classmethod
    def text(cls) -> str:
        return letter_text(jkm_claim())

    def test_pays_the_jkm_components(self, text: str) -> None:
        assert "Jaminan Kematian (JKM)" in text
        for shown in ("Santunan sekaligus", "Rp20.000.000", "Rp12.000.000", "Rp10.000.000", "Rp42.000.000",
                      "Empat puluh dua juta rupiah"):
            assert shown in text, shown

    def test_gives_the_child_and_why_no_scholarship(self, text: str) -> None:
        assert "Putri Lestari" in text and "SMP tahun ke-2" in text
        assert "Masa iur kurang dari syarat: beasiswa JKM tidak dibayar." in text

    def test_puts_the_scholarship_condition_in_the_basis_line_not_the_table(self, text: str) -> None:
        assert "Dasar perhitungan: Syarat masa iur: masa iur 20 < 36 bulan" in text


class TestAClaimNotEligible:
    @pytest.fixture(scope="class")
    @classmethod
    def text(cls) -> str:
        return letter_text(not_covered_claim())

    def test_says_it_is_not_eligible_with_the_reason_and_its_basis(self, text: str) -> None:
        assert "Klaim ini tidak memenuhi syarat" in text
        assert "coverage.not_covered" in text  # no message of that code: the code itself
        assert "iuran dibayar paling lambat tanggal 15 bulan berikutnya" in text

    def test_gives_the_rejection_reason_and_masks_a_nik_in_the_note(self, text: str) -> None:
        assert "Klaim ini ditolak: Pemohon bukan ahli waris yang berhak" in text
        assert "3216********0001" in text
        assert_no_full_nik(text)

    def test_says_who_rejected_it_and_signs_with_their_name(self, text: str) -> None:
        assert "Ditolak oleh Budi Santoso pada 3 Desember 2026." in text
        assert "Yang menetapkan," in text and "DRAF" not in text

    def test_shows_no_benefit_table(self, text: str) -> None:
        assert "Rincian manfaat" not in text and "Terbilang" not in text

    def test_a_known_reason_code_is_shown_as_its_text(self) -> None:
        text = letter_text(not_covered_claim(reason="scholarship.no_rule", status="approved"))
        assert "Belum ada aturan beasiswa yang berlaku pada tanggal itu" in text

    def test_a_coverage_reason_names_the_worker_and_the_event_date(self) -> None:
        text = letter_text(not_covered_claim(reason="coverage.not_protected"))
        assert "Ahmad Suryadi TIDAK terlindungi pada 1 November 2026." in text

    def test_a_reason_whose_message_needs_other_fields_is_shown_as_its_code_not_a_template(self) -> None:
        text = letter_text(not_covered_claim(reason="coverage.reason.unpaid"))
        assert "coverage.reason.unpaid" in text and "{" not in text


class TestAClaimNotYetApproved:
    def test_is_marked_as_a_draft(self) -> None:
        text = letter_text(claim(status="verified", approved_by=None, approved_at=None))
        assert "DRAF: klaim ini belum disetujui" in text and "Belum disetujui." in text


class TestInEnglish:
    @pytest.fixture(scope="class")
    @classmethod
    def text(cls) -> str:
        return letter_text(claim(), "en")

    def test_is_in_english(self, text: str) -> None:
        for shown in ("BENEFIT DECISION LETTER", "7 December 2026", "JKK: death from a work accident",
                      "JKK death benefit", "Spouse (widow/widower)", "Rp70.000.000", "Seventy million rupiah",
                      "Approved by Budi Santoso on 4 December 2026", "This document was produced by Lindung",
                      "Page 1 of"):
            assert shown in text, shown
        for indonesian in ("SURAT PENETAPAN", "Tujuh puluh", "Desember", "Halaman"):
            assert indonesian not in text, indonesian

    def test_keeps_amounts_in_rupiah_form_and_the_nik_masked(self, text: str) -> None:
        assert "Rp48.000.000" in text and "Rp4.500.000" in text
        assert MASKED_NIK in text
        assert_no_full_nik(text)


class TestThePayee:
    def test_the_participant_paid_himself_and_a_health_facility_are_named_so(self) -> None:
        assert "Peserta sendiri" in letter_text(claim(payee=payee(relationship="self")))
        assert "Health facility" in letter_text(claim(payee=payee(relationship="facility")), "en")


class TestPrivacy:
    def test_a_full_nik_given_by_mistake_is_masked(self) -> None:
        text = letter_text(claim(nik=FULL_NIK))
        assert MASKED_NIK in text
        assert_no_full_nik(text)


class TestLongContent:
    def test_many_components_and_children_flow_onto_more_pages_with_the_footer(self) -> None:
        stages = [component(f"jkk.stmb.{i}", 1_000_000 * i, f"{i} × Rp1.000.000", REF_DEATH) for i in range(1, 25)]
        kids = [child(f"Anak ke-{i} dengan nama yang cukup panjang untuk dibungkus", "sd", 1,
                      reason="scholarship.max_children") for i in range(1, 15)]
        data = render_letter(claim(type="jkk-stmb", components=stages, children=kids, total=300_000_000),
                             today=TODAY)
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) >= 2
        text = pdf_text(data)
        assert "STMB tahap (24)" in text and "Rp24.000.000" in text and "Rp300.000.000" in text
        assert "Anak ke-14" in text and f"Halaman {len(reader.pages)} dari {len(reader.pages)}" in text


# --- the pieces -------------------------------------------------------------------------------------


class TestAmountInWords:
    def test_indonesian_and_english(self) -> None:
        assert amount_in_words(70_000_000, "id") == "tujuh puluh juta rupiah"
        assert amount_in_words(70_000_000, "en") == "seventy million rupiah"
        assert amount_in_words(42_000_000, "id") == "empat puluh dua juta rupiah"

    @pytest.mark.parametrize(("amount", "words"), [
        (1_000, "seribu rupiah"), (1_001_000, "satu juta seribu rupiah"), (101_000, "seratus satu ribu rupiah"),
        (2_000_001_000, "dua miliar seribu rupiah"), (11_000, "sebelas ribu rupiah")])
    def test_one_thousand_is_seribu_after_a_larger_unit_too(self, amount: int, words: str) -> None:
        assert amount_in_words(amount, "id") == words


class TestLabels:
    def test_every_claim_type_has_a_label_in_both_languages(self) -> None:
        for claim_type in CLAIM_TYPES:
            entry = catalogue()[f"claims.type.{claim_type}"]
            assert entry["id"] and entry["en"] and entry["id"] != entry["en"]

    def test_component_labels_fall_back_for_numbered_and_projected_codes_and_show_unknown_ones(self) -> None:
        assert component_label("jkk.death", "id") == "Santunan kematian JKK"
        assert component_label("jkk.stmb.2", "id") == "STMB tahap (2)"
        assert component_label("scholarship.projected.sd", "en") == "Remaining entitlement SD"
        assert component_label("jkk.dentures", "id") == "jkk.dentures"
