"""The receipt as a PDF: what the sponsor reads on it, in Indonesian and English, read back with pypdf.

The receipts are built as ``Receipt`` values directly (the PDF draws nothing else)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from lindung.billing.receipt_pdf import render_receipt
from lindung.billing.schemas import AllocatedMonth, BillLeft, Cycle, Receipt, SponsorRef
from lindung.rules.period import Month


def receipt(**overrides: object) -> Receipt:
    fields: dict[str, object] = {
        "receipt": "TBPI/2026/000007", "issued_on": dt.date(2026, 12, 8), "paid_on": dt.date(2026, 12, 7),
        "reference": "BRI-TRF-0001", "amount": 8_400_000, "payment_code": "0000004202701016",
        "agreement": "KADIN-2027", "sponsor": SponsorRef(code="KADIN", name="Kadin Kabupaten Bekasi"),
        "cycle": Cycle(start=Month(2027, 1), end=Month(2027, 12)),
        "allocation": [AllocatedMonth(month=Month(2027, 1), worker_months=500, amount=8_400_000)],
        "worker_months": 500, "allocated": 8_400_000, "credit_before": 0, "credit_used": 0, "credit_added": 0,
        "credit_after": 0, "bill": BillLeft(total=100_800_000, unpaid_worker_months=5_500, unpaid=92_400_000),
        "recorded_by": "demo.petugas"}
    return Receipt.model_validate({**fields, **overrides})


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def test_the_receipt_names_the_payment_the_bill_and_what_is_left_in_indonesian() -> None:
    text = text_of(render_receipt(receipt(), lang="id"))
    assert "TANDA BUKTI PENERIMAAN IURAN" in text
    assert "Nomor TBPI/2026/000007" in text
    assert "Kadin Kabupaten Bekasi" in text and "Rp8.400.000" in text
    assert "Terbilang: Delapan juta empat ratus ribu rupiah" in text
    assert "7 Desember 2026" in text and "BRI-TRF-0001" in text
    assert "0000004202701016" in text and "KADIN-2027" in text and "Januari 2027 – Desember 2027" in text
    assert "Januari 2027 500 Rp8.400.000" in text
    assert "Sisa tagihan sesudah pembayaran ini: 5.500 bulan-pekerja, Rp92.400.000 (dari total Rp100.800.000)." in text


def test_the_receipt_in_english_keeps_rupiah_in_the_indonesian_form() -> None:
    text = text_of(render_receipt(receipt(), lang="en"))
    assert "CONTRIBUTION RECEIPT" in text and "Number TBPI/2026/000007" in text
    assert "In words: Eight million four hundred thousand rupiah" in text
    assert "7 December 2026" in text and "January 2027 500 Rp8.400.000" in text
    assert "5,500 worker-months, Rp92.400.000 (of a total of Rp100.800.000)" in text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_payment_that_settles_no_whole_month_says_it_became_credit(lang: str) -> None:
    small = receipt(amount=10_000, allocation=[], worker_months=0, allocated=0, credit_added=10_000,
                    credit_after=10_000)
    text = text_of(render_receipt(small, lang=lang))
    assert ("seluruhnya menjadi kredit sponsor" if lang == "id" else "all of it became the sponsor's credit") in text
    assert "Rp10.000" in text
