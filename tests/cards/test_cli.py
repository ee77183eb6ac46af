"""``lindung card print|sheet|revoke``: the PDFs written, the QR codes' base from --base or
LINDUNG_PUBLIC_URL, a missing base refused before anything is written, a revocation by token."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from tests.cards.test_card_pdf import decoded


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_print_sheet_and_revoke(database, story, cli, tmp_path, monkeypatch):
    monkeypatch.delenv("LINDUNG_PUBLIC_URL", raising=False)
    card = tmp_path / "kartu.pdf"
    refused = cli("card", "print", story["kadin"][0], "--out", str(card))
    assert refused.exit_code == 2 and "LINDUNG_PUBLIC_URL" in refused.stderr and not card.exists()

    said = cli("card", "print", story["kadin"][0], "--out", str(card), "--base", "https://lindung.example")
    assert said.exit_code == 0, said.stderr
    assert "kartu baru" in said.stdout and story["kadin"][0] not in said.stdout
    [address] = decoded(card.read_bytes())
    assert address.startswith("https://lindung.example/kartu/")
    token = address.rsplit("/", 1)[1]

    monkeypatch.setenv("LINDUNG_PUBLIC_URL", "https://publik.example/")
    sheet = tmp_path / "lembar.pdf"
    said = cli("card", "sheet", "KADIN-2026", "--out", str(sheet), "--lang", "en")
    assert said.exit_code == 0, said.stderr
    assert "3 cards, 2 new" in said.stdout
    addresses = decoded(sheet.read_bytes())
    assert len(addresses) == 3 and f"https://publik.example/kartu/{token}" in addresses
    assert "Membership cards of KADIN-2026" in PdfReader(sheet).pages[0].extract_text()

    said = cli("card", "revoke", token, "--reason", "kartu hilang")
    assert said.exit_code == 0 and "dicabut" in said.stdout, said.stderr
    again = cli("card", "revoke", token, "--reason", "kartu hilang")
    assert again.exit_code == 4 and "sudah dicabut" in again.stderr
