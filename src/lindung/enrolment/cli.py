"""``lindung enrol NIK --agreement CODE [--from MONTH]``: one worker at a time."""

from __future__ import annotations

from typing import Any

import typer

from lindung.enrolment import service as enrolment
from lindung.kit import clock
from lindung.kit.cli import LangOption, lang_of, out_console, print_json
from lindung.kit.cliargs import JsonOption, month_arg
from lindung.kit.i18n import t
from lindung.kit.privacy import mask_nik
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
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
        e = enrolment.enrol(w.session, nik, agreement, by=w.actor, today=clock.today(),
                            first=month_arg(from_month), source="cli")
        a = sponsors.get_agreement(w.session, agreement)
        out: dict[str, Any] = {
               "nik": mask_nik(e.worker.nik), "agreement": a.code, "from": str(Month.from_index(e.first_month)),
               "to": str(Month.from_index(e.last_month)), "sector": e.sector,
               "committed_cost": e.committed_cost,
               "agreement_use": {"enrolled": a.enrolled_count, "quota": a.quota,
                                 "committed": a.committed_cost, "budget": a.budget}}
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.enrolled", lg, nik=out["nik"], agreement=out["agreement"],
                        start=out["from"], end=out["to"], cost=rp(out["committed_cost"]),
                        enrolled=out["agreement_use"]["enrolled"], quota=out["agreement_use"]["quota"]))
