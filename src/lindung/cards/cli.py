"""``lindung card print|sheet|revoke``: a worker's membership card, an agreement's sheet of cards (PDF),
and revoking a card. The QR codes lead to ``<base>/kartu/<token>``: ``--base``, else
``LINDUNG_PUBLIC_URL`` (the address the pages are served at for the public)."""

from __future__ import annotations

from pathlib import Path

import typer

from lindung.cards import service
from lindung.cards.card_pdf import render_card, render_sheet
from lindung.kit import clock
from lindung.kit.i18n import t
from lindung.terminal.app import ByOption, LangOption, check_writable, lang_of, out_console
from lindung.terminal.work import work

app = typer.Typer(help="Kartu peserta: cetak kartu pekerja, lembar kartu perjanjian, cabut kartu.",
                  no_args_is_help=True)

BaseOption = typer.Option(None, "--base", envvar=service.PUBLIC_URL_ENV,
                          help="Alamat publik Lindung untuk kode QR, mis. https://lindung.example.go.id "
                               "(bawaan: LINDUNG_PUBLIC_URL).")


@app.command("print")
def print_card(
    nik: str = typer.Argument(..., help="NIK pekerja."),
    out: Path = typer.Option(..., "--out", help="Berkas PDF."),
    base: str | None = BaseOption,
    by: str | None = ByOption,
    lang: str | None = LangOption,
) -> None:
    """Kartu peserta pekerja (PDF): kartunya yang berlaku, atau kartu baru bila belum ada."""
    lg = lang_of(lang)
    address = service.public_base(base)
    check_writable(out, "--out")
    with work(by) as w:
        card = service.issue(w.session, nik, by=w.actor, today=clock.today())
    out.write_bytes(render_card(card, base=address, lang=lg))
    out_console.print(t("card.ui.card_written", lg, file=str(out), nik=card.nik,
                        made=t("card.ui.made" if card.made else "card.ui.reprinted", lg)))


@app.command("sheet")
def sheet(
    agreement: str = typer.Argument(..., help="Kode perjanjian."),
    out: Path = typer.Option(..., "--out", help="Berkas PDF."),
    base: str | None = BaseOption,
    by: str | None = ByOption,
    lang: str | None = LangOption,
) -> None:
    """Lembar kartu (2 × 5 kartu per halaman, dengan tanda potong) untuk setiap pekerja yang terdaftar
    pada perjanjian; kartu yang belum ada dibuat."""
    lg = lang_of(lang)
    address = service.public_base(base)
    check_writable(out, "--out")
    with work(by) as w:
        cards = service.sheet(w.session, agreement, by=w.actor, today=clock.today())
    out.write_bytes(render_sheet(cards, base=address, lang=lg, today=clock.today()))
    out_console.print(t("card.ui.sheet_written", lg, file=str(out), agreement=cards.agreement,
                        cards=len(cards.cards), made=cards.made))


@app.command("revoke")
def revoke(
    token: str = typer.Argument(..., help="Token kartu (bagian akhir alamat kode QR-nya)."),
    reason: str = typer.Option(..., "--reason", help="Alasan pencabutan, mis. 'kartu hilang'."),
    by: str | None = ByOption,
    lang: str | None = LangOption,
) -> None:
    """Cabut kartu: alamat kode QR-nya lalu menyatakan kartu dicabut; kartu baru dapat dicetak."""
    lg = lang_of(lang)
    with work(by) as w:
        card = service.revoke(w.session, token, reason, by=w.actor, today=clock.today())
    out_console.print(t("card.ui.revoked", lg, nik=card.nik))
