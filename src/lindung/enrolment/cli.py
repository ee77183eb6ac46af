"""``lindung enrol NIK --agreement CODE [--from MONTH]``: one worker at a time."""

from __future__ import annotations

import typer

from lindung.enrolment import service as enrolment
from lindung.kit import clock
from lindung.kit.cli import LangOption, lang_of, out_console, print_json
from lindung.kit.cliargs import JsonOption, month_arg
from lindung.kit.i18n import t
from lindung.rules.money import rp
from lindung.terminal.work import work


def enrol(
    nik: str = typer.Argument(..., help="NIK pekerja yang sudah terdaftar."),
    agreement: str = typer.Option(..., "--agreement", help="Kode perjanjian."),
    from_month: str | None = typer.Option(None, "--from", help="Bulan pertama (bawaan: kebijakan mulai)."),
    by: str | None = typer.Option(None, "--by", help="Petugas."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Daftarkan pekerja ke perjanjian sponsor."""
    lg = lang_of(lang)
    with work(by) as w:
        out = enrolment.enrol(w.session, nik, agreement, by=w.actor, today=clock.today(),
                              first=month_arg(from_month), source="cli")
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.enrolled", lg, nik=out.nik, agreement=out.agreement, start=str(out.from_),
                        end=str(out.to), cost=rp(out.committed_cost), enrolled=out.agreement_use.enrolled,
                        quota=out.agreement_use.quota))
