"""The card's PDF: its text names the holder, the sponsor and the masked NIK (never the full one), and
its QR code, decoded from the image in the PDF, holds only the verification address."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from pypdf import PdfReader

from lindung.cards import service as cards
from lindung.cards.card_pdf import render_card, render_sheet
from tests.cards.conftest import OFFICER, TODAY
from tests.users import actor

BASE = "https://lindung.example/"


def decoded(pdf: bytes) -> list[str]:
    """The text of every QR code among the PDF's images, page by page."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            found += [r.text for r in zxingcpp.read_barcodes(image.image.convert("L"))]
    return found


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_card_in_both_languages(database, story):
    full = story["kadin"][0]
    with database.session() as s:
        card = cards.issue(s, full, by=actor(s, OFFICER), today=TODAY)
    for lang, words in (("id", ("KARTU PESERTA", "Terlindungi sampai")),
                        ("en", ("MEMBERSHIP CARD", "Protected until"))):
        pdf = render_card(card, base=BASE, lang=lang)
        text = text_of(pdf)
        for said in (*words, "Asep Saputra", "Sponsor KADIN", card.nik, "JKK", "JKM"):
            assert said in text, (lang, said)
        assert full not in text and full not in pdf.decode("latin-1")
        assert decoded(pdf) == [f"https://lindung.example/kartu/{card.token}"]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_sheet_of_cards(database, story):
    with database.session() as s:
        sheet = cards.sheet(s, "KADIN-2026", by=actor(s, OFFICER), today=TODAY)
    pdf = render_sheet(sheet, base=BASE, lang="id", today=TODAY)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert sorted(decoded(pdf)) == sorted(f"https://lindung.example/kartu/{c.token}" for c in sheet.cards)
    text = text_of(pdf)
    assert "KADIN-2026" in text and all(c.nik in text for c in sheet.cards)
    assert not any(n in text for n in story["kadin"])
